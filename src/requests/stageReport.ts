/**
 * What a finished stage reports, kept on the stage (Stage.report) and shown on the card: a license
 * change's outcome report, or what one stage of a direct-to-group migration did
 * (docs/graph-and-entra.md, "Migrating from direct to group licensing").
 *
 * A report comes back from the store as it was written, so it is told apart by its shape: only a
 * migration stage's report has a `kind`.
 */
import type { OutcomeReport } from "../licensing/outcome";
import type { UserRef } from "../licensing/preview";

/** What a migration stage did, kept on the stage and shown on the card. */
export interface MigrationStageReport {
  readonly kind: "assign" | "removal";
  /** Assign: users verified ready for their direct license to go (their ids, in member order). */
  readonly verified?: readonly string[];
  readonly notVerified?: readonly (UserRef & { readonly reason: string })[];
  /** Assign: members who do not move (no direct license) and whose product from the group is in error. */
  readonly memberErrors?: readonly (UserRef & { readonly reason: string })[];
  /** Assign: the group's products (skuIds, sorted) once processed; each removal stage checks they are unchanged. */
  readonly groupProducts?: readonly string[];
  /** Removal: direct assignments removed (or found already removed). */
  readonly removed?: readonly UserRef[];
  /** Removal: users left alone because it was not safe at the moment of their removal. */
  readonly skipped?: readonly (UserRef & { readonly reason: string })[];
  /** Users found without the product after the stage: must stay empty; any stops the migration. */
  readonly lost?: readonly UserRef[];
}

/** The report of any stage: a change's outcome or a migration stage's. */
export type StageReport = OutcomeReport | MigrationStageReport;

/** A migration stage's report (assign or removal). */
export function isMigrationStageReport(report: unknown): report is MigrationStageReport {
  return isObject(report) && (report.kind === "assign" || report.kind === "removal");
}

/** A license change's outcome report (it has no `kind`; it counts who holds the target product). */
export function isOutcomeReport(report: unknown): report is OutcomeReport {
  return isObject(report) && !("kind" in report) && typeof report.holdTarget === "number";
}

function isObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
