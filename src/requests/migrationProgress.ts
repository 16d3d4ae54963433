/**
 * A migration's progress over its stages in words ("10 verified, 5 moved off their direct license,
 * 1 skipped"): on the migration's card, and in what the requester is told when a stage ends.
 */
import { fmt } from "../format";
import type { LicenseRequest } from "./licenseRequest";
import { isMigrationStageReport, type MigrationStageReport } from "./stageReport";

/** "10 verified, 5 moved, 1 skipped": a migration's progress over its stages. */
export function describeMigrationProgress(request: LicenseRequest): string {
  const reports: (MigrationStageReport | undefined)[] = request.stages.map((st) =>
    isMigrationStageReport(st.report) ? st.report : undefined,
  );
  const verified = reports[0]?.verified?.length ?? 0;
  const moved = reports.reduce((n, r) => n + (r?.removed?.length ?? 0), 0);
  const skipped = reports.reduce((n, r) => n + (r?.skipped?.length ?? 0), 0);
  const notVerified = reports[0]?.notVerified?.length ?? 0;
  return `${fmt(verified)} verified, ${fmt(moved)} moved off their direct license${skipped > 0 ? `, ${fmt(skipped)} skipped` : ""}${notVerified > 0 ? `, ${fmt(notVerified)} not verified` : ""}`;
}
