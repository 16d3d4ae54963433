/**
 * Adaptive Cards the bot sends. Each card is a template in cards/ (schema 1.5) bound to data with
 * adaptivecards-templating; this module only shapes the data each template expects. TextBlocks
 * render markdown, so every text that carries the names of the tenant's people and groups, or
 * words people typed, is escaped here (src/markdown.ts); texts given as markdown (notices,
 * questions) are bound as they are.
 */
import * as ACData from "adaptivecards-templating";
import choiceTemplate from "../../cards/choice.json";
import helpTemplate from "../../cards/help.json";
import previewTemplate from "../../cards/preview.json";
import noticeTemplate from "../../cards/notice.json";
import progressTemplate from "../../cards/progress.json";
import requestStatusTemplate from "../../cards/request-status.json";
import seatsTemplate from "../../cards/seats.json";
import type { Product } from "../licensing/model";
import type { OutcomeReport } from "../licensing/outcome";
import type { CheckResult, CheckStatus, Operation, Preview, SeatCount, Verdict } from "../licensing/preview";
import { isMigration, type LicenseRequest, type RequestStatus } from "../store/requestStore";
import { migrationRequestCard } from "./migrationRequestCard";
import { productName } from "../licensing/productNames";
import { availableSeats } from "../licensing/seats";
import { escapeMarkdown } from "../markdown";

/** An Adaptive Card as JSON, ready to attach to a message. */
export interface AdaptiveCard {
  type: "AdaptiveCard";
  version: string;
  body: unknown[];
  actions?: unknown[];
}

export function bind(template: object, data: object): AdaptiveCard {
  return new ACData.Template(template).expand({ $root: data }) as AdaptiveCard;
}

/** What the bot can do, with example requests. */
export function helpCard(): AdaptiveCard {
  return bind(helpTemplate, {
    commands: [
      {
        example: "move group Sales from E1 to E3",
        description: "Preview moving a group's members to another product: every check, the seats, who is affected.",
      },
      { example: "move user megan@contoso.com from E1 to E3", description: "The same for one user's direct license." },
      { example: "upgrade Sales to E3", description: "The product a group holds now is the one it moves from." },
      {
        example: "migrate Operations to group licensing for E3",
        description:
          "Move users who hold a product directly onto the group's license, in verified waves: nobody is without it, even for a moment.",
      },
      { example: "status, status 12, my requests", description: "Where requests stand." },
      { example: "seats", description: "The tenant's products: seats used, paid for and available." },
      { example: "help", description: "This list." },
    ],
  });
}

const STATUS_COLORS: Readonly<Record<Product["capabilityStatus"], string>> = {
  Enabled: "Default",
  Warning: "Warning",
  Suspended: "Attention",
  LockedOut: "Attention",
  Deleted: "Attention",
};

/** The tenant's products that can be assigned to users, by name, with their seats. */
export function seatsCard(products: readonly Product[]): AdaptiveCard {
  const rows = products
    .filter((p) => p.appliesTo === "User")
    .map((p) => ({ product: p, name: productName(p.skuPartNumber), available: availableSeats(p) }))
    .sort((a, b) => a.name.localeCompare(b.name))
    .map(({ product, name, available }) => ({
      name,
      skuPartNumber: product.skuPartNumber,
      consumed: product.consumedUnits,
      enabled: product.enabledUnits,
      availableText: available < 0 ? `${-available} over` : String(available),
      availableColor: available <= 0 ? "Attention" : "Good",
      status: product.capabilityStatus,
      statusColor: STATUS_COLORS[product.capabilityStatus],
    }));
  const summary =
    rows.length === 0
      ? "This tenant has no products that can be assigned to users."
      : `${rows.length} product${rows.length === 1 ? "" : "s"} that can be assigned to users. Available = paid − used.`;
  return bind(seatsTemplate, { summary, products: rows });
}

/** A question with one button per answer; each button submits its `data`. `question` and `hint` are markdown; button titles are not rendered as markdown. */
export function choiceCard(
  question: string,
  hint: string,
  options: readonly { title: string; data: object }[],
): AdaptiveCard {
  return bind(choiceTemplate, { question, hint, options });
}

/** A card that says what is being worked on (markdown); replaced by the result when it is ready. */
export function progressCard(headline: string, status: string): AdaptiveCard {
  return bind(progressTemplate, { headline, status });
}

/** How many named users a finding shows on the card; the JSON output has them all. */
const USERS_SHOWN = 5;

const VERDICTS: Readonly<Record<Verdict, { text: (n: number) => string; hint: string; color: string; style: string }>> =
  {
    ready: { text: () => "Ready: every check passed", hint: "Nothing has changed yet.", color: "Good", style: "good" },
    warnings: {
      text: (n) => `Ready, with ${n} warning${n === 1 ? "" : "s"}`,
      hint: "Some users will not get what is asked for: read the warnings below. Nothing has changed yet.",
      color: "Warning",
      style: "warning",
    },
    blocked: {
      text: (n) => `Blocked by ${n} problem${n === 1 ? "" : "s"}`,
      hint: "This change cannot be applied as it stands. Fix what is marked BLOCKED, then press Refresh. Nothing has changed.",
      color: "Attention",
      style: "attention",
    },
  };

const FINDING_ORDER: readonly CheckStatus[] = ["block", "warn", "info"];
const FINDING_LABELS: Readonly<Record<CheckStatus, { label: string; color: string }>> = {
  block: { label: "BLOCKED", color: "Attention" },
  warn: { label: "WARNING", color: "Warning" },
  info: { label: "INFO", color: "Accent" },
  pass: { label: "OK", color: "Good" },
};

/**
 * The verdict and the checks as people read them: shared by every kind of preview (a change, a
 * migration), on cards and in the command line's text.
 */
export interface ChecksView {
  readonly verdictText: string;
  readonly verdictHint: string;
  readonly verdictColor: string;
  readonly verdictStyle: string;
  readonly findingsTitle: string;
  readonly findings: readonly {
    label: string;
    color: string;
    title: string;
    detail: string;
    users: readonly string[];
  }[];
  readonly passed: readonly { title: string }[];
}

/** A product's seats as the seats table shows them: before, and after what is previewed. */
export interface SeatRow {
  readonly name: string;
  readonly used: string;
  readonly available: string;
  readonly after: string;
  readonly afterColor: string;
}

/** A preview as people read it: the same content for the card and for the command line's text. */
export interface PreviewView extends ChecksView {
  readonly headline: string;
  readonly subtitle: string;
  readonly seats: readonly SeatRow[];
  readonly operations: readonly { text: string }[];
}

export function previewView(preview: Preview, checkedAt: Date): PreviewView {
  return {
    headline: headline(preview),
    subtitle: checkedLine(subtitleTarget(preview), checkedAt),
    ...checksView(preview.verdict, preview.checks),
    seats: seatRows(preview),
    operations: preview.operations.map(operationView),
  };
}

export function checksView(verdictOf: Verdict, checks: readonly CheckResult[]): ChecksView {
  const verdict = VERDICTS[verdictOf];
  const problems = checks.filter((c) => c.status === (verdictOf === "blocked" ? "block" : "warn")).length;
  const findings = FINDING_ORDER.flatMap((status) => checks.filter((c) => c.status === status)).map(findingRow);
  return {
    verdictText: verdict.text(problems),
    verdictHint: verdict.hint,
    verdictColor: verdict.color,
    verdictStyle: verdict.style,
    findingsTitle: findings.length === 0 ? "Nothing else to look at." : `What to look at (${findings.length})`,
    findings,
    passed: checks.filter((c) => c.status === "pass").map((c) => ({ title: c.title })),
  };
}

/** A Graph call as the Details section shows it: exactly as it will be sent. */
export function operationView(operation: Operation): { text: string } {
  return { text: `${operation.method} ${operation.path} ${JSON.stringify(operation.body)}` };
}

/** "25 members · checked 2025-06-01 12:00 UTC" */
export function checkedLine(what: string, checkedAt: Date): string {
  return `${what} · checked ${shortTime(checkedAt.toISOString())}`;
}

export function membersLabel(n: number): string {
  return `${n.toLocaleString("en-US")} member${n === 1 ? "" : "s"}`;
}

/**
 * The checks as a card's template takes them: their texts escaped (they name groups and users), a
 * finding's names in one TextBlock (markdown needs a blank line between lines).
 */
export function cardChecks(view: ChecksView): { findings: object[]; passed: object[] } {
  return {
    findings: view.findings.map((f) => ({
      ...f,
      title: escapeMarkdown(f.title),
      detail: escapeMarkdown(f.detail),
      users: f.users.map(escapeMarkdown).join("\n\n"),
    })),
    passed: view.passed.map((p) => ({ title: escapeMarkdown(p.title) })),
  };
}

export const DETAILS_TOGGLE = { type: "Action.ToggleVisibility", title: "Details", targetElements: ["details"] };

/**
 * The preview a helpdesk engineer reads: the request in one line, the verdict, seats before →
 * after, and every finding with its numbers. `refresh` is what the Refresh button submits; a
 * preview that is not blocked also offers "Request approval", which submits `approval`.
 */
export function previewCard(preview: Preview, refresh: object, approval: object, checkedAt: Date): AdaptiveCard {
  const actions = [
    DETAILS_TOGGLE,
    { type: "Action.Submit", title: "Refresh", data: refresh },
    ...(preview.verdict === "blocked"
      ? []
      : [
          {
            type: "Action.Execute",
            title: "Request approval",
            verb: "requestApproval",
            data: approval,
            style: "positive",
          },
        ]),
  ];
  return previewBody(preview, checkedAt, actions);
}

function previewBody(
  preview: Preview,
  checkedAt: Date,
  actions: readonly object[],
  verdictHint?: string,
): AdaptiveCard {
  const view = { ...previewView(preview, checkedAt), ...(verdictHint !== undefined ? { verdictHint } : {}) };
  // Product names and the operations (ids, Graph's field names) are Microsoft's, not people's: bound as they are.
  return bind(previewTemplate, {
    ...view,
    headline: escapeMarkdown(view.headline),
    subtitle: escapeMarkdown(view.subtitle),
    ...cardChecks(view),
    actions,
  });
}

/** A one-off message card: an action refused, an error. `title` and `text` are markdown. */
export function noticeCard(title: string, text: string, tone: "good" | "attention" = "attention"): AdaptiveCard {
  return bind(noticeTemplate, { title, text, color: tone === "good" ? "Good" : "Attention" });
}

export const REQUEST_STATUS: Readonly<Record<RequestStatus, { text: string; style: string }>> = {
  pending: { text: "Waiting for an approver", style: "emphasis" },
  approved: { text: "Approved: applying", style: "accent" },
  applying: { text: "Approved: applying", style: "accent" },
  processing: { text: "Applied: Entra is processing the members", style: "accent" },
  done: { text: "Done", style: "good" },
  "done-with-errors": { text: "Done, with errors", style: "warning" },
  failed: { text: "Failed: nothing was changed", style: "attention" },
  rejected: { text: "Rejected", style: "attention" },
  expired: { text: "Expired without a decision", style: "default" },
  cancelled: { text: "Cancelled by the requester", style: "default" },
};

/**
 * A stored request as everyone sees it: who asked, where it stands (with the outcome once done),
 * the preview that was approved, and the buttons for what can be done next. The buttons carry
 * the request id and the version shown; the server trusts neither.
 */
export function requestCard(request: LicenseRequest): AdaptiveCard {
  if (isMigration(request.preview)) return migrationRequestCard(request);
  const preview = request.preview;
  const stage = request.stages[0];
  const report = stage?.report as OutcomeReport | undefined;
  const header = bind(requestStatusTemplate, {
    id: request.id,
    asked: `Asked by ${escapeMarkdown(request.requester.name)} on ${shortTime(request.createdAt)}${request.status === "pending" ? ` · expires ${shortTime(request.expiresAt)}` : ""}`,
    statusText: REQUEST_STATUS[request.status].text,
    statusStyle: REQUEST_STATUS[request.status].style,
    statusDetail: statusDetail(request),
    hasOutcome: report !== undefined,
    ...(report ? outcomeView(report, preview) : { outcomeSummary: "", outcomeSeats: [], outcomeErrors: [] }),
  });
  const ref = { requestId: request.id, version: request.version };
  const actions: object[] = [DETAILS_TOGGLE];
  if (request.status === "pending") {
    actions.push(
      { type: "Action.Execute", title: "Approve", verb: "approve", data: ref, style: "positive" },
      rejectAction(ref),
      { type: "Action.Execute", title: "Cancel request", verb: "cancel", data: ref },
    );
  }
  if (request.status === "done-with-errors")
    actions.push({ type: "Action.Execute", title: "Reprocess users in error", verb: "reprocess", data: ref });
  // Under a request the preview is history: "nothing has changed yet" would mislead once it is applied.
  const body = previewBody(preview, new Date(request.createdAt), actions, "As previewed when the request was made.");
  return { ...body, body: [...header.body, ...body.body] };
}

/**
 * What replaces the preview card its "Request approval" button was clicked on. The bot cannot
 * update that card later (it does not know its id), so it shows nothing that goes stale: the
 * preview as requested and where to follow the request, the card sent with it, which is updated.
 */
export function requestedCard(request: LicenseRequest): AdaptiveCard {
  const notice = noticeCard(
    `Approval requested: request #${request.id}`,
    "The request card below follows it to the end: the decision, then the outcome.",
    "good",
  );
  if (isMigration(request.preview)) return notice;
  const preview = previewBody(
    request.preview,
    new Date(request.createdAt),
    [DETAILS_TOGGLE],
    "As previewed when the request was made.",
  );
  return { ...preview, body: [...notice.body, ...preview.body] };
}

/** Reject asks for the reason the requester will read. */
export function rejectAction(ref: { requestId: number; version: number }): object {
  return {
    type: "Action.ShowCard",
    title: "Reject",
    card: {
      type: "AdaptiveCard",
      version: "1.5",
      body: [
        {
          type: "Input.Text",
          id: "reason",
          label: "Why? The requester will read this.",
          isMultiline: true,
          isRequired: true,
          errorMessage: "Give a reason.",
          maxLength: 500,
        },
      ],
      actions: [{ type: "Action.Execute", title: "Reject", verb: "reject", data: ref, style: "destructive" }],
    },
  };
}

function statusDetail(request: LicenseRequest): string {
  const stage = request.stages[0];
  const by = stage?.approvedBy
    ? `Approved by ${escapeMarkdown(stage.approvedBy.name)} on ${shortTime(stage.approvedAt ?? "")}. `
    : "";
  const graph = stage?.graphRequestId
    ? `Graph answered ${stage.graphStatus} (request-id ${stage.graphRequestId}).`
    : "";
  switch (request.status) {
    case "pending":
      return "An approver can approve or reject it. Nothing has changed yet.";
    case "approved":
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
      ? `${report.holdTarget} of ${report.members} members now hold ${to}`
      : `${escapeMarkdown(preview.target.displayName)} ${report.holdTarget > 0 ? "now holds" : "does not hold"} ${to}`;
  return {
    outcomeSummary: `${members}${report.failed > 0 ? `; ${report.failed} did not get it` : ""}.`,
    outcomeSeats: Object.entries(report.seats).map(([sku, s]) => ({
      text: `${productName(sku)}: ${s.consumed} / ${s.enabled} used, ${s.available} available now`,
    })),
    outcomeErrors: report.errors.map((e) => {
      const shown = e.users
        .slice(0, USERS_SHOWN)
        .map((u) => escapeMarkdown(`${u.displayName} (${u.userPrincipalName})`));
      const rest = e.users.length - shown.length;
      return {
        count: String(e.count),
        error: e.error,
        whatToDo: e.whatToDo,
        users: [...shown, ...(rest > 0 ? [`and ${rest} more`] : [])].join("\n\n"),
      };
    }),
  };
}

export function shortTime(iso: string): string {
  return iso === "" ? "" : `${iso.slice(0, 16).replace("T", " ")} UTC`;
}

function headline(preview: Preview): string {
  const from = productName(preview.from.skuPartNumber);
  const to = productName(preview.to.skuPartNumber);
  return preview.target.type === "group"
    ? `Move group ${preview.target.displayName} from ${from} to ${to}`
    : `Move user ${preview.target.displayName} from ${from} to ${to}`;
}

function subtitleTarget(preview: Preview): string {
  return preview.target.type === "user" ? preview.target.userPrincipalName : membersLabel(preview.target.memberCount);
}

function seatRows(preview: Preview): SeatRow[] {
  return [
    ...seatRow(preview.to.skuPartNumber, preview.seats[preview.to.skuPartNumber], seatsTaken),
    ...seatRow(preview.from.skuPartNumber, preview.seats[preview.from.skuPartNumber], (s) => ({
      text: `${s.available + (s.freed ?? 0)} (frees ${s.freed ?? 0})`,
      color: "Default",
    })),
  ];
}

/** A product's row of the seats table, `after` saying what is left afterwards; none when the tenant does not own it. */
export function seatRow(
  skuPartNumber: string,
  seats: SeatCount | undefined,
  after: (s: SeatCount) => { text: string; color: string },
): SeatRow[] {
  if (!seats) return [];
  const { text, color } = after(seats);
  return [
    {
      name: productName(skuPartNumber),
      used: `${seats.consumed} / ${seats.enabled}`,
      available: String(seats.available),
      after: text,
      afterColor: color,
    },
  ];
}

/** What is left of a product that `needed` new seats are taken of, or the shortfall, in red. */
export function seatsTaken(s: SeatCount): { text: string; color: string } {
  return (s.shortfall ?? 0) > 0
    ? { text: `short by ${s.shortfall} (needs ${s.needed})`, color: "Attention" }
    : { text: `${s.available - (s.needed ?? 0)} (takes ${s.needed ?? 0})`, color: "Default" };
}

function findingRow(check: CheckResult): PreviewView["findings"][number] {
  const users = check.users ?? [];
  const shown = users
    .slice(0, USERS_SHOWN)
    .map((u) => `${u.displayName} (${u.userPrincipalName})${u.note ? `: ${u.note}` : ""}`);
  const rest = users.length - shown.length;
  return {
    ...FINDING_LABELS[check.status],
    title: check.title,
    detail: check.detail,
    users: [...shown, ...(rest > 0 ? [`and ${rest.toLocaleString("en-US")} more`] : [])],
  };
}
