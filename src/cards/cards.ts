/**
 * Adaptive Cards the bot sends. Each card is a template in cards/ (schema 1.5) bound to data with
 * adaptivecards-templating; this module only shapes the data each template expects.
 */
import * as ACData from "adaptivecards-templating";
import choiceTemplate from "../../cards/choice.json";
import helpTemplate from "../../cards/help.json";
import previewTemplate from "../../cards/preview.json";
import progressTemplate from "../../cards/progress.json";
import seatsTemplate from "../../cards/seats.json";
import type { Product } from "../licensing/model";
import type { CheckResult, CheckStatus, Preview, SeatCount, Verdict } from "../licensing/preview";
import { productName } from "../licensing/productNames";
import { availableSeats } from "../licensing/seats";

/** An Adaptive Card as JSON, ready to attach to a message. */
export interface AdaptiveCard {
  type: "AdaptiveCard";
  version: string;
  body: unknown[];
  actions?: unknown[];
}

function bind(template: object, data: object): AdaptiveCard {
  return new ACData.Template(template).expand({ $root: data }) as AdaptiveCard;
}

/** What the bot can do, with example requests. */
export function helpCard(): AdaptiveCard {
  return bind(helpTemplate, {
    commands: [
      { example: "move group Sales from E1 to E3", description: "Preview moving a group's members to another product: every check, the seats, who is affected." },
      { example: "move user megan@contoso.com from E1 to E3", description: "The same for one user's direct license." },
      { example: "upgrade Sales to E3", description: "The product a group holds now is the one it moves from." },
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

/** A question with one button per answer; each button submits its `data`. */
export function choiceCard(question: string, hint: string, options: readonly { title: string; data: object }[]): AdaptiveCard {
  return bind(choiceTemplate, { question, hint, options });
}

/** A card that says what is being worked on; replaced by the result when it is ready. */
export function progressCard(headline: string, status: string): AdaptiveCard {
  return bind(progressTemplate, { headline, status });
}

/** How many named users a finding shows on the card; the JSON output has them all. */
const USERS_SHOWN = 5;

const VERDICTS: Readonly<Record<Verdict, { text: (n: number) => string; hint: string; color: string; style: string }>> = {
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

/** A preview as people read it: the same content for the card and for the command line's text. */
export interface PreviewView {
  readonly headline: string;
  readonly subtitle: string;
  readonly verdictText: string;
  readonly verdictHint: string;
  readonly verdictColor: string;
  readonly verdictStyle: string;
  readonly seats: readonly { name: string; used: string; available: string; after: string; afterColor: string }[];
  readonly findingsTitle: string;
  readonly findings: readonly { label: string; color: string; title: string; detail: string; users: readonly string[] }[];
  readonly passed: readonly { title: string }[];
  readonly operations: readonly { text: string }[];
}

export function previewView(preview: Preview, checkedAt: Date): PreviewView {
  const verdict = VERDICTS[preview.verdict];
  const problems = preview.checks.filter((c) => c.status === (preview.verdict === "blocked" ? "block" : "warn")).length;
  const findings = FINDING_ORDER.flatMap((status) => preview.checks.filter((c) => c.status === status)).map(findingRow);
  return {
    headline: headline(preview),
    subtitle: `${subtitleTarget(preview)} · checked ${checkedAt.toISOString().slice(0, 16).replace("T", " ")} UTC`,
    verdictText: verdict.text(problems),
    verdictHint: verdict.hint,
    verdictColor: verdict.color,
    verdictStyle: verdict.style,
    seats: seatRows(preview),
    findingsTitle: findings.length === 0 ? "Nothing else to look at." : `What to look at (${findings.length})`,
    findings,
    passed: preview.checks.filter((c) => c.status === "pass").map((c) => ({ title: c.title })),
    operations: preview.operations.map((o) => ({ text: `${o.method} ${o.path} ${JSON.stringify(o.body)}` })),
  };
}

/**
 * The preview an approver reads: the request in one line, the verdict, seats before → after, and
 * every finding with its numbers. `refresh` is what the Refresh button submits.
 */
export function previewCard(preview: Preview, refresh: object, checkedAt: Date): AdaptiveCard {
  const view = previewView(preview, checkedAt);
  // Markdown needs a blank line between lines of one TextBlock.
  const findings = view.findings.map((f) => ({ ...f, users: f.users.join("\n\n") }));
  return bind(previewTemplate, { ...view, findings, refresh });
}

function headline(preview: Preview): string {
  const from = productName(preview.from.skuPartNumber);
  const to = productName(preview.to.skuPartNumber);
  return preview.target.type === "group"
    ? `Move group ${preview.target.displayName} from ${from} to ${to}`
    : `Move user ${preview.target.displayName} from ${from} to ${to}`;
}

function subtitleTarget(preview: Preview): string {
  if (preview.target.type === "user") return preview.target.userPrincipalName;
  const n = preview.target.memberCount;
  return `${n.toLocaleString("en-US")} member${n === 1 ? "" : "s"}`;
}

function seatRows(preview: Preview): PreviewView["seats"] {
  const row = (skuPartNumber: string, seats: SeatCount | undefined, after: (s: SeatCount) => { text: string; color: string }) =>
    seats ? [{ name: productName(skuPartNumber), used: `${seats.consumed} / ${seats.enabled}`, available: String(seats.available), ...toAfter(after(seats)) }] : [];
  const toAfter = (a: { text: string; color: string }) => ({ after: a.text, afterColor: a.color });
  return [
    ...row(preview.to.skuPartNumber, preview.seats[preview.to.skuPartNumber], (s) =>
      (s.shortfall ?? 0) > 0
        ? { text: `short by ${s.shortfall} (needs ${s.needed})`, color: "Attention" }
        : { text: `${s.available - (s.needed ?? 0)} (takes ${s.needed ?? 0})`, color: "Default" },
    ),
    ...row(preview.from.skuPartNumber, preview.seats[preview.from.skuPartNumber], (s) => ({
      text: `${s.available + (s.freed ?? 0)} (frees ${s.freed ?? 0})`,
      color: "Default",
    })),
  ];
}

function findingRow(check: CheckResult): PreviewView["findings"][number] {
  const users = check.users ?? [];
  const shown = users.slice(0, USERS_SHOWN).map((u) => `${u.displayName} (${u.userPrincipalName})${u.note ? `: ${u.note}` : ""}`);
  const rest = users.length - shown.length;
  return {
    ...FINDING_LABELS[check.status],
    title: check.title,
    detail: check.detail,
    users: [...shown, ...(rest > 0 ? [`and ${rest.toLocaleString("en-US")} more`] : [])],
  };
}
