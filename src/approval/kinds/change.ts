/**
 * A license change of one group or user (S → T): one stage, one Graph write, followed to its end
 * and reported; it can be undone by the inverse change, restoring what it removed.
 */
import type { OutcomeReport } from "../../licensing/outcome";
import type { Preview } from "../../licensing/preview";
import type { LicenseRequest, RequestPlan } from "../../requests/licenseRequest";
import type { ChangeQuery } from "../../requests/previewQuery";
import { isOutcomeReport } from "../../requests/stageReport";
import type { WorkflowContext } from "../context";
import { applyChange, followChange, resumeChange } from "../execution";
import { changedSince } from "../recheck";
import { requestOf } from "../rules";
import type { RequestKind } from "./kind";

export const changeKind: RequestKind<Preview, OutcomeReport> = {
  firstStageTitle: () => "Apply the change",

  /** The same target, products and restore. */
  dedupeKey: (plan, undoOf) =>
    JSON.stringify([plan.kind, plan.target.id, plan.from.skuId, plan.to.skuId, undoOf ?? null]),

  /** An undo restores again what it restored when asked: both come from the undone request. */
  async previewAgain(request, plan, { previews, records }) {
    const restore = request.undoOf === undefined ? undefined : restoreOf(records.load(request.undoOf));
    const outcome = await previews.preview({ ...requestOf(plan), restore });
    return outcome.kind === "preview" ? outcome.preview : undefined;
  },

  changedSince: (approved, now) => changedSince(approved, now),

  refuseApproveAll: (request) =>
    `Request #${request.id} has a single stage: approve it with Approve. Nothing was changed.`,

  refuseStop: (request) => `Request #${request.id} is not a migration between stages; reject or cancel it instead.`,

  /** The product removed comes back with the plans that were off on it then (restoreOf). */
  inverse: (request, plan) => ({
    target: { type: plan.target.type, id: plan.target.id },
    from: plan.to.skuId,
    to: plan.from.skuId,
    restore: restoreOf(request),
  }),

  apply: (request, plan, context) => applyChange(context, request, plan),

  /** A processing change is followed to its end; an approved or applying one is resumed from what the tenant holds. */
  resume(request: LicenseRequest, plan: Preview, context: WorkflowContext) {
    if (request.status === "processing") followChange(context, request, plan);
    else context.work.run(request.id, () => resumeChange(context, request, plan));
  },

  report: (stage) => (isOutcomeReport(stage.report) ? stage.report : undefined),

  usersInError(request) {
    const report = changeKind.report(request.stages[0]);
    if (request.status !== "done-with-errors" || !report) return undefined;
    return report.errors.flatMap((e) => e.users.map((u) => u.id));
  },
};

/**
 * What undoing an applied change restores: its source with the plans that were off on it then
 * (none when its preview recorded none, as previews made before they were recorded).
 */
function restoreOf(undone: LicenseRequest): NonNullable<ChangeQuery["restore"]> {
  return { undoOf: undone.id, disabledPlans: [...(changePlan(undone.preview, undone.id).from.disabledPlans ?? [])] };
}

/** The plan of a request that is a change (an undo's undone request is one: only a change can be undone). */
function changePlan(plan: RequestPlan, requestId: number): Preview {
  if (plan.kind === "group-change" || plan.kind === "user-change") return plan;
  throw new Error(`request ${requestId} is a ${plan.kind}, not a change`);
}
