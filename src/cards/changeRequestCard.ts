/**
 * A change request as everyone sees it: who asked, where it stands (with the outcome once done),
 * the preview that was approved, and the buttons for what can be done next. Template:
 * cards/request-status.json above cards/preview.json.
 */
import requestStatusTemplate from "../../cards/request-status.json";
import { firstLines, fmt, utcMinute } from "../format";
import type { OutcomeReport } from "../licensing/outcome";
import type { Preview } from "../licensing/preview";
import { productName } from "../licensing/productNames";
import { escapeMarkdown } from "../markdown";
import type { LicenseRequest } from "../requests/licenseRequest";
import { isOutcomeReport } from "../requests/stageReport";
import { bind, DETAILS_TOGGLE, stacked, type AdaptiveCard } from "./adaptiveCard";
import { rejectButton, verbButton } from "./cardVerbs";
import { previewBody } from "./changePreviewCard";
import { askedLine, REQUEST_STATUS, requestRef } from "./requestParts";

/** How many users an error of the outcome names on the card. */
const USERS_SHOWN = 5;

/** Under a request the preview is history: "nothing has changed yet" would mislead once it is applied. */
export const AS_PREVIEWED = "As previewed when the request was made.";

export function changeRequestCard(request: LicenseRequest, preview: Preview): AdaptiveCard {
  const stored = request.stages[0]?.report;
  const report = isOutcomeReport(stored) ? stored : undefined;
  const header = bind(requestStatusTemplate, {
    id: request.id,
    asked: askedLine(request),
    statusText: REQUEST_STATUS[request.status].text,
    statusStyle: REQUEST_STATUS[request.status].style,
    statusDetail: statusDetail(request),
    hasOutcome: report !== undefined,
    ...(report ? outcomeView(report, preview) : { outcomeSummary: "", outcomeSeats: [], outcomeErrors: [] }),
  });
  const ref = requestRef(request);
  const actions: object[] = [DETAILS_TOGGLE];
  if (request.status === "pending")
    actions.push(verbButton("approve", ref), rejectButton(ref), verbButton("cancel", ref));
  if (request.status === "done-with-errors") actions.push(verbButton("reprocess", ref));
  return stacked(header, previewBody(preview, new Date(request.createdAt), actions, AS_PREVIEWED));
}

function statusDetail(request: LicenseRequest): string {
  const stage = request.stages[0];
  const by = stage?.approvedBy
    ? `Approved by ${escapeMarkdown(stage.approvedBy.name)} on ${utcMinute(stage.approvedAt ?? "")}. `
    : "";
  const graph = stage?.graphRequestId
    ? `Graph answered ${stage.graphStatus} (request-id ${stage.graphRequestId}).`
    : "";
  switch (request.status) {
    case "pending":
      return "An approver can approve or reject it. Nothing has changed yet.";
    case "approved":
      return stage?.checkedAt === undefined
        ? `${by}Checking the tenant again before sending the change to Microsoft Graph.`
        : `${by}Sending the change to Microsoft Graph.`;
    case "applying":
      return `${by}Sending the change to Microsoft Graph.`;
    case "processing":
      return `${by}The change was sent in one call.${graph ? ` ${graph}` : ""} Entra applies it member by member; this card shows the outcome when it is done.`;
    case "done":
    case "done-with-errors":
      return `${by}${graph}`.trim();
    case "failed":
      return `${by}${stage?.error ?? ""} The tenant was not changed.`.trim();
    case "rejected":
      return `Rejected by ${request.rejectedBy ? escapeMarkdown(request.rejectedBy.name) : "an approver"}: ${escapeMarkdown(request.rejectionReason ?? "")}`;
    case "expired":
      return "Nobody decided in time, so nothing was changed. Ask again if it is still needed.";
    case "cancelled":
      return "Nothing was changed.";
  }
}

function outcomeView(report: OutcomeReport, preview: Preview): object {
  const to = productName(preview.to.skuPartNumber);
  const members =
    preview.target.type === "group"
      ? `${fmt(report.holdTarget)} of ${fmt(report.members)} members now hold ${to}`
      : `${escapeMarkdown(preview.target.displayName)} ${report.holdTarget > 0 ? "now holds" : "does not hold"} ${to}`;
  return {
    outcomeSummary: `${members}${report.failed > 0 ? `; ${fmt(report.failed)} did not get it` : ""}.`,
    outcomeSeats: Object.entries(report.seats).map(([sku, s]) => ({
      text: `${productName(sku)}: ${fmt(s.consumed)} / ${fmt(s.enabled)} used, ${fmt(s.available)} available now`,
    })),
    outcomeErrors: report.errors.map((e) => ({
      count: fmt(e.count),
      error: e.error,
      whatToDo: e.whatToDo,
      users: firstLines(
        e.users.map((u) => escapeMarkdown(`${u.displayName} (${u.userPrincipalName})`)),
        USERS_SHOWN,
      ).join("\n\n"),
    })),
  };
}
