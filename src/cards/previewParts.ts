/**
 * What every preview shows, whatever its kind (a change, a migration), on cards and in the command
 * line's text: the verdict and the checks with their numbers, the seats table, the Graph calls as
 * they will be sent, and when the tenant was read.
 */
import { fmt, firstLines, utcMinute } from "../format";
import type { CheckResult, CheckStatus, Operation, SeatCount, Verdict } from "../licensing/preview";
import { productName } from "../licensing/productNames";
import { escapeMarkdown } from "../markdown";

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

/** The verdict and the checks as people read them. */
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

/** A Graph call as the Details section shows it: exactly as it will be sent. */
export function operationView(operation: Operation): { text: string } {
  return { text: `${operation.method} ${operation.path} ${JSON.stringify(operation.body)}` };
}

/** "25 members · checked 2025-06-01 12:00 UTC" */
export function checkedLine(what: string, checkedAt: Date): string {
  return `${what} · checked ${utcMinute(checkedAt.toISOString())}`;
}

export function membersLabel(n: number): string {
  return `${fmt(n)} member${n === 1 ? "" : "s"}`;
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
  const needed = s.needed ?? 0;
  if ((s.shortfall ?? 0) > 0) return { text: `short by ${s.shortfall} (needs ${needed})`, color: "Attention" };
  return {
    text: needed > 0 ? `${s.available - needed} (takes ${needed})` : `${s.available} (unchanged)`,
    color: "Default",
  };
}

/** What a product has available once `freed` seats are released. */
export function seatsFreed(s: SeatCount): { text: string; color: string } {
  const freed = s.freed ?? 0;
  return {
    text: freed > 0 ? `${s.available + freed} (frees ${freed})` : `${s.available} (unchanged)`,
    color: "Default",
  };
}

function findingRow(check: CheckResult): ChecksView["findings"][number] {
  const users = (check.users ?? []).map(
    (u) => `${u.displayName} (${u.userPrincipalName})${u.note ? `: ${u.note}` : ""}`,
  );
  return {
    ...FINDING_LABELS[check.status],
    title: check.title,
    detail: check.detail,
    users: firstLines(users, USERS_SHOWN),
  };
}
