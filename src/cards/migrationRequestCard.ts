/**
 * A migration request as everyone sees it: where it stands (stage, users verified / moved /
 * skipped / not verified), every stage with its outcome, the users who need attention, and the
 * next action for the approver: approve this stage, approve all remaining ones, or stop.
 */
import migrationRequestTemplate from "../../cards/migration-request.json";
import { firstLines, fmt, plural } from "../format";
import { describeMigrationProgress } from "../requests/migrationProgress";
import { isMigrationStageReport, type MigrationStageReport } from "../requests/stageReport";
import type { MigrationPreview } from "../licensing/migrationPlan";
import { escapeMarkdown } from "../markdown";
import { currentStage, type LicenseRequest, type Stage } from "../requests/licenseRequest";
import { bind, DETAILS_TOGGLE, type AdaptiveCard } from "./adaptiveCard";
import { rejectButton, verbButton } from "./cardVerbs";
import { migrationHeadline } from "./migrationPreviewCard";
import { askedLine, REQUEST_STATUS, requestRef } from "./requestParts";

const USERS_SHOWN = 5;

export function migrationRequestCard(request: LicenseRequest, plan: MigrationPreview): AdaptiveCard {
  const stage = currentStage(request);
  const reports = request.stages.map((st) => (isMigrationStageReport(st.report) ? st.report : undefined));
  const ref = requestRef(request);
  const pending = request.status === "pending";
  const actions: object[] = [DETAILS_TOGGLE];
  if (pending && stage.index === 0) {
    actions.push(verbButton("approve", ref), rejectButton(ref), verbButton("cancel", ref));
  } else if (pending) {
    actions.push(
      verbButton("approve", ref, "Continue: approve this stage"),
      verbButton("approveAll", ref),
      verbButton("stop", ref),
    );
  }
  const card = bind(migrationRequestTemplate, {
    id: request.id,
    // Texts that name the group or people are escaped: TextBlocks render markdown.
    headline: escapeMarkdown(migrationHeadline(plan)),
    asked: askedLine(request),
    statusText: pending
      ? `Stage ${stage.index + 1} waits for an approver: ${escapeMarkdown(stage.title)}`
      : // Only an approver's "Stop here" cancels a migration after its first stage; the requester cancels before it.
        request.status === "cancelled" && stage.index > 0
        ? `Stopped by an approver after stage ${stage.index}: users not yet moved keep their direct license`
        : REQUEST_STATUS[request.status].text,
    statusStyle: REQUEST_STATUS[request.status].style,
    statusDetail: `${describeMigrationProgress(request)}.${stage.error ? ` ${stage.error}` : ""}${automationNote(request, plan)}`,
    progress: [
      { title: "To migrate", value: fmt(plan.counts.migrating) },
      { title: "Verified", value: fmt(reports[0]?.verified?.length ?? 0) },
      { title: "Moved to group licensing", value: fmt(reports.reduce((n, r) => n + (r?.removed?.length ?? 0), 0)) },
      { title: "Keep a direct license (outside the group)", value: fmt(plan.counts.outside) },
    ],
    stages: stageLines(request.stages),
    problems: problems(reports),
  });
  return { ...card, actions };
}

/**
 * A line per stage; past EVERY_STAGE_UP_TO stages, a run of at least RUN_SHOWN_AS_ONE waves that
 * ended alike (same status, same approver) is one line: a migration of 100,000 users has 1,000
 * waves, and Teams refuses a card over 28 KB.
 */
function stageLines(stages: readonly Stage[]): { text: string; color: string }[] {
  const lines: { text: string; color: string }[] = [];
  const alike = (a: Stage, b: Stage) => a.status === b.status && a.approvedBy?.name === b.approvedBy?.name;
  for (let i = 0; i < stages.length;) {
    let end = i;
    // Waves only (stage 3 on): the assign stage and the pilot keep their own lines.
    const collapsing = stages.length > EVERY_STAGE_UP_TO && i >= 2;
    while (collapsing && end + 1 < stages.length && alike(stages[end + 1]!, stages[i]!)) end++;
    const st = stages[i]!;
    const color = st.status === "failed" ? "Attention" : st.status === "done-with-errors" ? "Warning" : "Default";
    const outcome = `${st.status}${st.approvedBy ? ` (approved by ${escapeMarkdown(st.approvedBy.name)})` : ""}`;
    if (end - i + 1 >= RUN_SHOWN_AS_ONE) {
      const run = stages.slice(i, end + 1);
      const users = run.reduce((n, s) => n + s.operations.length, 0);
      lines.push({
        text: `${i + 1}–${end + 1}. Waves ${fmt(i - 1)} to ${fmt(end - 1)}, ${plural(users, "user")} in all: ${outcome}`,
        color,
      });
      i = end + 1;
    } else {
      lines.push({ text: `${i + 1}. ${escapeMarkdown(st.title)}: ${outcome}`, color });
      i++;
    }
  }
  return lines;
}

const EVERY_STAGE_UP_TO = 12;
const RUN_SHOWN_AS_ONE = 3;

/** The plan's closing reminder, once the migration has run to its end (plans stored before it have none). */
function automationNote(request: LicenseRequest, plan: MigrationPreview): string {
  const note = plan.stages.at(-1)?.note;
  const finished = request.status === "done" || request.status === "done-with-errors";
  return note && finished ? ` ${escapeMarkdown(note)}` : "";
}

function problems(reports: readonly (MigrationStageReport | undefined)[]): object[] {
  const list = (users: readonly { displayName: string; userPrincipalName: string; reason?: string }[]) => {
    const lines = users.map((u) =>
      escapeMarkdown(`${u.displayName} (${u.userPrincipalName})${u.reason ? `: ${u.reason}` : ""}`),
    );
    return firstLines(lines, USERS_SHOWN).join("\n\n");
  };
  const notVerified = reports[0]?.notVerified ?? [];
  const memberErrors = reports[0]?.memberErrors ?? [];
  const skipped = reports.flatMap((r) => r?.skipped ?? []);
  const lost = reports.flatMap((r) => r?.lost ?? []);
  return [
    ...(lost.length > 0
      ? [
          {
            title: `${fmt(lost.length)} no longer hold the product: the migration stopped`,
            color: "Attention",
            users: list(lost),
          },
        ]
      : []),
    ...(notVerified.length > 0
      ? [
          {
            title: `${fmt(notVerified.length)} not verified: their direct license stays`,
            color: "Warning",
            users: list(notVerified),
          },
        ]
      : []),
    ...(memberErrors.length > 0
      ? [
          {
            title: `${memberErrors.length === 1 ? "1 other member is" : `${fmt(memberErrors.length)} other members are`} in error on the product from the group`,
            color: "Warning",
            users: list(memberErrors),
          },
        ]
      : []),
    ...(skipped.length > 0
      ? [
          {
            title: `${fmt(skipped.length)} skipped at the moment of removal: their direct license stays`,
            color: "Warning",
            users: list(skipped),
          },
        ]
      : []),
  ];
}
