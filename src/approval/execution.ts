/**
 * Applying a license change: the attempt is recorded before the Graph write leaves, Graph's answer
 * after it; the outcome is then followed to its end and reported. A write whose answer was lost is
 * judged by what the tenant holds, never sent twice blindly.
 */
import { TenantRequestError, UserFacingError } from "../errors";
import type { OutcomeReport } from "../licensing/outcome";
import { groupOutcome, userOutcome } from "../licensing/outcome";
import type { Operation, Preview } from "../licensing/preview";
import { currentStage, type LicenseRequest } from "../requests/licenseRequest";
import type { WorkflowContext } from "./context";
import type { ProcessedGroup } from "./followUp";
import { told } from "./notifications";
import { FollowUpAbandoned, SYSTEM } from "./types";

/**
 * Sends exactly the approved operation; records Graph's answer; then follows the outcome in the
 * background. "applying" is written before the call, so a restart during it checks the tenant first.
 */
export async function applyChange(
  context: WorkflowContext,
  approved: LicenseRequest,
  plan: Preview,
): Promise<LicenseRequest> {
  const { records, graph, log } = context;
  // The attempt is on record before the call leaves: a restart from here on reads the tenant first.
  const applying = records.transition(
    approved,
    { status: "applying", stage: { index: 0, status: "applying", attemptedAt: records.now().toISOString() } },
    SYSTEM,
    "applying",
    {},
  );
  const operation = applying.stages[0].operations[0];
  try {
    log.info({ request: applying.id, path: operation.path }, "sending the license change to Graph");
    const answer = await graph.assignLicense(operation);
    // A user's change is in effect at once, a group's once Entra has processed its members; either way the outcome is read next.
    const sent = records.transition(
      applying,
      {
        status: "processing",
        stage: { index: 0, status: "processing", graphStatus: answer.status, graphRequestId: answer.requestId },
      },
      SYSTEM,
      "graph-call",
      { operation, status: answer.status, requestId: answer.requestId },
    );
    await context.notices.refreshCards(sent);
    followChange(context, sent, plan);
    return sent;
  } catch (error) {
    return failedCall(context, applying, plan, operation, error);
  }
}

/** A failed Graph call: if the change is in effect anyway (an answer lost on the way), follow it; else fail, tenant unchanged. */
async function failedCall(
  context: WorkflowContext,
  applying: LicenseRequest,
  plan: Preview,
  operation: Operation,
  error: unknown,
): Promise<LicenseRequest> {
  const { records, notices } = context;
  const message = error instanceof UserFacingError ? error.userMessage : String(error);
  const applied = await inEffect(context, plan).catch(() => false);
  if (applied) {
    const sent = records.transition(
      applying,
      { status: "processing", stage: { index: 0, status: "processing" } },
      SYSTEM,
      "graph-call-unanswered-but-applied",
      { operation, error: message },
    );
    followChange(context, sent, plan);
    return sent;
  }
  const failed = records.transition(
    applying,
    {
      status: "failed",
      stage: {
        index: 0,
        status: "failed",
        error: message,
        ...(error instanceof TenantRequestError && error.status ? { graphStatus: error.status } : {}),
      },
    },
    SYSTEM,
    "graph-call-failed",
    { operation, error: message },
  );
  await notices.announce(failed, told.callFailed(failed, message));
  return failed;
}

/**
 * An approved change a restart interrupted. If its write was sent, Graph may still complete it:
 * wait until the write's time limit has passed, then decide from what the tenant holds, exactly as
 * after a failed call. Sent again only when it is not in effect.
 */
export async function resumeChange(
  context: WorkflowContext,
  request: LicenseRequest,
  plan: Preview,
): Promise<LicenseRequest> {
  const { records, clock, log } = context;
  const attemptedAt = request.status === "applying" ? currentStage(request).attemptedAt : undefined;
  if (attemptedAt !== undefined) {
    const wait = Date.parse(attemptedAt) + context.graphTimeoutMs - clock.now().getTime();
    if (wait > 0) await clock.sleep(wait);
  }
  if (await inEffect(context, plan)) {
    const found = records.transition(
      request,
      { status: "processing", stage: { index: 0, status: "processing" } },
      SYSTEM,
      "found-applied",
      {},
    );
    log.info({ request: request.id }, "change found in effect after restart; not sent again");
    await followToEnd(context, found, plan);
    return records.load(request.id);
  }
  return applyChange(context, request, plan);
}

/** Follows a sent change to its end in the background (polling a group's processing), then reports. */
export function followChange(context: WorkflowContext, request: LicenseRequest, plan: Preview): void {
  context.work.run(request.id, () => followToEnd(context, request, plan));
}

async function followToEnd(context: WorkflowContext, request: LicenseRequest, plan: Preview): Promise<void> {
  const { records, graph, notices } = context;
  let report: OutcomeReport;
  if (plan.target.type === "group") {
    let processed: ProcessedGroup;
    try {
      processed = await context.groupProcessing.wait(plan.target.id, plan.to.skuId, request.stages[0].approvedAt);
    } catch (error) {
      if (!(error instanceof FollowUpAbandoned)) throw error;
      const failed = records.transition(
        records.load(request.id),
        { status: "failed", stage: { index: 0, status: "failed", error: error.userMessage } },
        SYSTEM,
        "follow-up-abandoned",
        { error: error.userMessage },
      );
      await notices.announce(failed, told.followUpAbandoned(failed, error.userMessage));
      return;
    }
    const products = await graph.listProducts();
    report = groupOutcome({ ...processed, products, fromSkuId: plan.from.skuId, toSkuId: plan.to.skuId });
  } else {
    const [user, products] = await Promise.all([graph.getUser(plan.target.id), graph.listProducts()]);
    report = userOutcome({ user, products, fromSkuId: plan.from.skuId, toSkuId: plan.to.skuId });
  }
  const current = records.load(request.id);
  const status = report.failed > 0 ? "done-with-errors" : "done";
  const done = records.transition(current, { status, stage: { index: 0, status, report } }, SYSTEM, "finished", {
    holdTarget: report.holdTarget,
    failed: report.failed,
  });
  await notices.announce(done, told.changeDone(done, plan, report));
}

/** Whether the tenant already holds the change: the target holds T and no longer S from what was changed. */
async function inEffect(context: WorkflowContext, plan: Preview): Promise<boolean> {
  const { target, from, to } = plan;
  if (target.type === "group") {
    const group = await context.graph.getGroup(target.id);
    const skus = group.assignedLicenses.map((l) => l.skuId);
    return skus.includes(to.skuId) && !skus.includes(from.skuId);
  }
  const user = await context.graph.getUser(target.id);
  const direct = user.licenseStates.filter((s) => s.assignedByGroup === null).map((s) => s.skuId);
  return direct.includes(to.skuId) && !direct.includes(from.skuId);
}
