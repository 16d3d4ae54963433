/**
 * The preview of a direct-to-group migration: what a helpdesk engineer reads before
 * asking for approval. The verdict, findings and seats read as on a change's preview (the same view
 * functions); the migration adds its counts and its stages. Template: cards/migration-preview.json.
 */
import migrationPreviewTemplate from "../../cards/migration-preview.json";
import { fmt, plural } from "../format";
import { directRemovalOperation, type MigrationPreview, type MigrationStage } from "../licensing/migrationPlan";
import { productName } from "../licensing/productNames";
import { escapeMarkdown } from "../markdown";
import { bind, DETAILS_TOGGLE, type AdaptiveCard } from "./adaptiveCard";
import { verbButton, type VerbData } from "./cardVerbs";
import {
  cardChecks,
  checkedLine,
  checksView,
  membersLabel,
  operationView,
  seatRow,
  seatsTaken,
  type ChecksView,
  type SeatRow,
} from "./previewParts";

/** More waves than this are shown as one line: a group of 100,000 has about a thousand. */
export const WAVES_SHOWN = 5;

/** A migration preview as people read it: the same content for the card and for the command line's text. */
export interface MigrationPreviewView extends ChecksView {
  readonly headline: string;
  readonly subtitle: string;
  readonly counts: readonly { title: string; value: string }[];
  readonly seats: readonly SeatRow[];
  /** In order; `step` is "3", or "4–953" for waves shown as one line. */
  readonly stages: readonly { step: string; title: string; users: string }[];
  /** The group assignment as it will be sent; none when the group holds the product already (`assignmentNote` says so). */
  readonly operations: readonly { text: string }[];
  readonly assignmentNote: string;
  /** The call each removal makes, for any user (`{id}`). */
  readonly removal: string;
}

/** "Move direct Office 365 E3 users of Operations onto group licensing" */
export function migrationHeadline(preview: MigrationPreview): string {
  return `Move direct ${productName(preview.product.skuPartNumber)} users of ${preview.target.displayName} onto group licensing`;
}

export function migrationPreviewView(preview: MigrationPreview, checkedAt: Date): MigrationPreviewView {
  const { counts, product, target } = preview;
  const name = productName(product.skuPartNumber);
  return {
    headline: migrationHeadline(preview),
    subtitle: checkedLine(membersLabel(target.memberCount), checkedAt),
    ...checksView(preview.verdict, preview.checks),
    counts: [
      { title: "To migrate", value: fmt(counts.migrating) },
      { title: "Keep a direct license (outside the group)", value: fmt(counts.outside) },
      { title: "New members who need a seat", value: fmt(counts.newMembers) },
      { title: "Plan mismatch (direct license kept)", value: fmt(counts.planMismatch) },
      { title: "Pilot", value: plural(counts.pilot, "user") },
      {
        title: "Waves",
        value: counts.waves === 0 ? "none" : `${fmt(counts.waves)} × up to ${plural(counts.waveSize, "user")}`,
      },
    ],
    seats: seatRow(product.skuPartNumber, preview.seats[product.skuPartNumber], seatsTaken),
    stages: stageRows(preview.stages, name),
    operations: preview.operations.map(operationView),
    assignmentNote: preview.groupAssignment.needed
      ? ""
      : `${target.displayName} already holds ${name}: nothing is assigned to it.`,
    removal: operationView(directRemovalOperation("{id}", product.skuId)).text,
  };
}

/**
 * The stages in order. Waves beyond WAVES_SHOWN become one line with their users in total, so the
 * card of any group stays under Teams' card size limit.
 */
function stageRows(stages: readonly MigrationStage[], productLabel: string): MigrationPreviewView["stages"] {
  const row = (step: string, title: string, users: number) => ({
    step: `${step}.`,
    title,
    users: plural(users, "user"),
  });
  const waves = stages.filter((s) => s.kind === "wave");
  const shown = waves.length > WAVES_SHOWN ? stages.filter((s) => s.kind !== "wave") : stages;
  const rows = shown.map((s, i) => row(String(i + 1), s.title, s.users));
  if (shown.length === stages.length) return rows;
  const users = waves.reduce((n, w) => n + w.users, 0);
  const size = Math.max(...waves.map((w) => w.users));
  const title = `Waves 1 to ${fmt(waves.length)}: remove the direct ${productLabel} from ${plural(users, "verified user")}, ${fmt(size)} per wave, each after the previous one is verified`;
  return [...rows, row(`${shown.length + 1}–${stages.length}`, title, users)];
}

/**
 * The migration's preview card: the request in one line, the verdict, the counts, seats before →
 * after, the stages, and every finding with its numbers. `refresh` is what the Refresh button
 * submits; a preview that is not blocked also offers "Request approval" (verb requestMigration),
 * which submits `approval`.
 */
export function migrationPreviewCard(
  preview: MigrationPreview,
  refresh: object,
  approval: VerbData["requestMigration"],
  checkedAt: Date,
): AdaptiveCard {
  const view = migrationPreviewView(preview, checkedAt);
  const actions = [
    DETAILS_TOGGLE,
    { type: "Action.Submit", title: "Refresh", data: refresh },
    ...(preview.verdict === "blocked" ? [] : [verbButton("requestMigration", approval)]),
  ];
  return bind(migrationPreviewTemplate, {
    ...view,
    headline: escapeMarkdown(view.headline),
    ...cardChecks(view),
    stages: view.stages.map((s) => ({ ...s, title: escapeMarkdown(s.title) })),
    assignmentNote: escapeMarkdown(view.assignmentNote),
    actions,
  });
}
