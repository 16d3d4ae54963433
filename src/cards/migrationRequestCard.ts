/**
 * A migration request as everyone sees it: where it stands (stage, users verified / moved /
 * skipped / not verified), every stage with its outcome, the users who need attention, and the
 * next action for the approver: approve this stage, approve all remaining ones, or stop.
 */
import * as ACData from "adaptivecards-templating";
import migrationRequestTemplate from "../../cards/migration-request.json";
import { describeMigrationProgress, type MigrationStageReport } from "../approval/migrationStages";
import type { MigrationPreview } from "../licensing/migrationPlan";
import { escapeMarkdown } from "../markdown";
import { currentStage, type LicenseRequest } from "../store/requestStore";
import { DETAILS_TOGGLE, rejectAction, REQUEST_STATUS, shortTime, type AdaptiveCard } from "./cards";
import { migrationHeadline } from "./migrationCards";

const USERS_SHOWN = 5;

export function migrationRequestCard(request: LicenseRequest): AdaptiveCard {
  const plan = request.preview as MigrationPreview;
  const stage = currentStage(request);
  const reports = request.stages.map((st) => st.report as MigrationStageReport | undefined);
  const ref = { requestId: request.id, version: request.version };
  const pending = request.status === "pending";
  const actions: object[] = [DETAILS_TOGGLE];
  if (pending && stage.index === 0) {
    actions.push(
      { type: "Action.Execute", title: "Approve", verb: "approve", data: ref, style: "positive" },
      rejectAction(ref),
      { type: "Action.Execute", title: "Cancel request", verb: "cancel", data: ref },
    );
  } else if (pending) {
    actions.push(
      { type: "Action.Execute", title: "Continue: approve this stage", verb: "approve", data: ref, style: "positive" },
      { type: "Action.Execute", title: "Approve all remaining stages", verb: "approveAll", data: ref },
      { type: "Action.Execute", title: "Stop here", verb: "stop", data: ref, style: "destructive" },
    );
  }
  const card = new ACData.Template(migrationRequestTemplate).expand({
    $root: {
      id: request.id,
      // Texts that name the group or people are escaped: TextBlocks render markdown.
      headline: escapeMarkdown(migrationHeadline(plan)),
      asked: `Asked by ${escapeMarkdown(request.requester.name)} on ${shortTime(request.createdAt)}${pending ? ` · expires ${shortTime(request.expiresAt)}` : ""}`,
      statusText: pending
        ? `Stage ${stage.index + 1} waits for an approver: ${escapeMarkdown(stage.title)}`
        : // Only an approver's "Stop here" cancels a migration after its first stage; the requester cancels before it.
          request.status === "cancelled" && stage.index > 0
          ? `Stopped by an approver after stage ${stage.index}: users not yet moved keep their direct license`
          : REQUEST_STATUS[request.status].text,
      statusStyle: REQUEST_STATUS[request.status].style,
      statusDetail: `${describeMigrationProgress(request)}.${stage.error ? ` ${stage.error}` : ""}`,
      progress: [
        { title: "To migrate", value: count(plan.counts.migrating) },
        { title: "Verified", value: count(reports[0]?.verified?.length ?? 0) },
        { title: "Moved to group licensing", value: count(reports.reduce((n, r) => n + (r?.removed?.length ?? 0), 0)) },
        { title: "Keep a direct license (outside the group)", value: count(plan.counts.outside) },
      ],
      stages: request.stages.map((st) => ({
        text: `${st.index + 1}. ${escapeMarkdown(st.title)}: ${st.status}${st.approvedBy ? ` (approved by ${escapeMarkdown(st.approvedBy.name)})` : ""}`,
        color: st.status === "failed" ? "Attention" : st.status === "done-with-errors" ? "Warning" : "Default",
      })),
      problems: problems(reports),
    },
  }) as AdaptiveCard;
  return { ...card, actions };
}

function count(n: number): string {
  return n.toLocaleString("en-US");
}

function problems(reports: readonly (MigrationStageReport | undefined)[]): object[] {
  const list = (users: readonly { displayName: string; userPrincipalName: string; reason?: string }[]) => {
    const shown = users
      .slice(0, USERS_SHOWN)
      .map((u) => escapeMarkdown(`${u.displayName} (${u.userPrincipalName})${u.reason ? `: ${u.reason}` : ""}`));
    return [...shown, ...(users.length > USERS_SHOWN ? [`and ${users.length - USERS_SHOWN} more`] : [])].join("\n\n");
  };
  const notVerified = reports[0]?.notVerified ?? [];
  const skipped = reports.flatMap((r) => r?.skipped ?? []);
  const lost = reports.flatMap((r) => r?.lost ?? []);
  return [
    ...(lost.length > 0
      ? [
          {
            title: `${lost.length} no longer hold the product: the migration stopped`,
            color: "Attention",
            users: list(lost),
          },
        ]
      : []),
    ...(notVerified.length > 0
      ? [
          {
            title: `${notVerified.length} not verified: their direct license stays`,
            color: "Warning",
            users: list(notVerified),
          },
        ]
      : []),
    ...(skipped.length > 0
      ? [
          {
            title: `${skipped.length} skipped at the moment of removal: their direct license stays`,
            color: "Warning",
            users: list(skipped),
          },
        ]
      : []),
  ];
}
