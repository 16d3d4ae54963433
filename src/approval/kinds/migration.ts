/**
 * A direct-to-group migration (docs/graph-and-entra.md, "Migrating from direct to group licensing"): stage 1 gives the group the product and verifies the users,
 * then the pilot and each wave remove verified users' direct license, each stage after its own
 * approval (or all of them after one "approve all remaining"). An approver may stop it between
 * stages; it cannot be undone with a single change.
 */
import { UserFacingError } from "../../errors";
import type { MigrationPreview, MigrationSettings } from "../../licensing/migrationPlan";
import { productName } from "../../licensing/productNames";
import { currentStage, type LicenseRequest } from "../../requests/licenseRequest";
import { isMigrationStageReport, type MigrationStageReport } from "../../requests/stageReport";
import type { RequestStore } from "../../store/requestStore";
import type { WorkflowContext } from "../context";
import { MigrationStages, type StageOutcome } from "../migrationStages";
import { told } from "../notifications";
import { changedSince, json } from "../recheck";
import { ActionRefused, SYSTEM } from "../types";
import type { RequestKind } from "./kind";

export const migrationKind: RequestKind<MigrationPreview, MigrationStageReport> = {
  firstStageTitle: (plan) => `Give ${plan.target.displayName} ${productName(plan.product.skuPartNumber)} and verify`,

  /** The same group, product and settings. */
  dedupeKey: (plan) => JSON.stringify([plan.kind, plan.target.id, plan.product.skuId, plan.settings ?? null]),

  /** With the settings it was planned with, or the counts would differ; none stored means the defaults. */
  async previewAgain(_request, plan, { previews }) {
    const settings: MigrationSettings | undefined = plan.settings;
    const outcome = await previews.previewMigration({
      group: { id: plan.target.id },
      product: plan.product.skuId,
      ...(settings
        ? { pilot: { count: settings.pilot.count, percent: settings.pilot.percent }, waveSize: settings.waveSize }
        : {}),
    });
    return outcome.kind === "migration-preview" ? outcome.preview : undefined;
  },

  /** The users to move, the pilot and the waves must be the ones approved too. */
  changedSince: (approved, now) => changedSince(approved, now) || json(approved.counts) !== json(now.counts),

  refuseApproveAll: () => undefined,

  refuseStop: (request) =>
    currentStage(request).index === 0
      ? `Request #${request.id} is not a migration between stages; reject or cancel it instead.`
      : undefined,

  inverse(request) {
    throw new ActionRefused(
      "notForThisRequest",
      `Request #${request.id} moved users onto group licensing; it cannot be undone with a single change.`,
    );
  },

  apply: (request, plan, context) => runStage(context, request, plan),

  /** A migration's stages recognise what is already done, so the current one simply runs again. */
  resume(request, plan, context) {
    context.work.run(request.id, () => runStage(context, request, plan));
  },

  report: (stage) => (isMigrationStageReport(stage.report) ? stage.report : undefined),

  usersInError: () => undefined,
};

/**
 * Runs a migration's current stage, then proposes the next one for approval (or, when the
 * approver approved all remaining stages, approves it on their behalf), stops, or finishes.
 */
async function runStage(
  context: WorkflowContext,
  approved: LicenseRequest,
  plan: MigrationPreview,
): Promise<LicenseRequest> {
  const { records, notices } = context;
  const index = currentStage(approved).index;
  const applying =
    approved.status === "applying"
      ? approved
      : records.transition(approved, { status: "applying", stage: { index, status: "applying" } }, SYSTEM, "applying", {
          stage: index,
        });
  await notices.refreshCards(applying);
  let outcome: StageOutcome;
  try {
    outcome = await stagesOf(context).run(applying, plan);
  } catch (error) {
    const message = error instanceof UserFacingError ? error.userMessage : String(error);
    const failed = records.transition(
      records.load(applying.id),
      { status: "failed", stage: { index, status: "failed", error: message } },
      SYSTEM,
      "stage-failed",
      { stage: index, error: message },
    );
    await notices.announce(failed, told.stageFailed(failed, index, message));
    return failed;
  }
  const current = records.load(applying.id);
  const stageStatus = hadErrors(outcome.report) ? "done-with-errors" : "done";
  if (outcome.stop) {
    const stopped = records.transition(
      current,
      { status: "failed", stage: { index, status: "failed", report: outcome.report, error: outcome.stop } },
      SYSTEM,
      "migration-stopped",
      { stage: index, lost: outcome.report.lost?.length ?? 0 },
    );
    await notices.announce(stopped, told.migrationStopped(stopped, outcome.stop));
    return stopped;
  }
  if (!outcome.next) {
    const finalStatus =
      current.stages.some((st) => st.status === "done-with-errors") || stageStatus === "done-with-errors"
        ? "done-with-errors"
        : "done";
    const done = records.transition(
      current,
      { status: finalStatus, stage: { index, status: stageStatus, report: outcome.report } },
      SYSTEM,
      "finished",
      { stage: index },
    );
    await notices.announce(done, told.migrationDone(done));
    return done;
  }
  const allRemaining = approvedAllRemaining(records.store, current.id);
  const proposed = records.transition(
    current,
    {
      status: "pending",
      stage: { index, status: stageStatus, report: outcome.report },
      appendStage: outcome.next,
      expiresAt: records.expiry().toISOString(),
    },
    SYSTEM,
    "stage-proposed",
    { stage: index + 1, title: outcome.next.title },
  );
  if (allRemaining) {
    // Approved beforehand: the same approver's approval carries over to each remaining stage.
    const approver = current.stages[index].approvedBy ?? SYSTEM;
    const next = records.transition(
      proposed,
      {
        status: "approved",
        stage: { index: index + 1, status: "approved", approvedBy: approver, approvedAt: records.now().toISOString() },
      },
      approver,
      "approved",
      { stage: index + 1, allRemaining: true },
    );
    return runStage(context, next, plan);
  }
  await notices.announce(proposed, told.stageDone(proposed, index, outcome.next.title));
  return proposed;
}

/**
 * Whether an approver approved all remaining stages: the audit trail holds that approval (the
 * stages table has no column for it, and the decision must survive a restart).
 */
function approvedAllRemaining(store: Pick<RequestStore, "audit">, requestId: number): boolean {
  return store.audit(requestId).some((a) => a.action === "approved" && a.details.allRemaining === true);
}

function stagesOf(context: WorkflowContext): MigrationStages {
  return new MigrationStages(
    context.graph,
    (groupId, skuId, since) => context.groupProcessing.wait(groupId, skuId, since),
    context.log,
  );
}

function hadErrors(report: MigrationStageReport): boolean {
  return (report.notVerified?.length ?? 0) > 0 || (report.skipped?.length ?? 0) > 0;
}
