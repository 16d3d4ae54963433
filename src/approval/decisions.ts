/**
 * An approver's or requester's decision on a pending request: approve (the tenant checked again, the
 * card's version current, exactly one of any number of concurrent approvals going on to apply),
 * reject, cancel, stop a migration between stages; and the expiry of requests nobody decided on.
 */
import type { ConversationRef, LicenseRequest } from "../requests/licenseRequest";
import { currentStage } from "../requests/licenseRequest";
import { requireCurrent, type AccessPolicy } from "./access";
import { proceedWithApproval } from "./approvalCheck";
import type { WorkflowContext } from "./context";
import { kindOf } from "./kinds";
import { told } from "./notifications";
import { isExpired } from "./rules";
import { ActionRefused, person, SYSTEM, type Actor } from "./types";

export class Decisions {
  constructor(
    private readonly access: AccessPolicy,
    private readonly context: WorkflowContext,
  ) {}

  /**
   * Approve: the approver is checked in the tenant and the card's version must be current; the
   * click is then answered, and the preview is run again after it (approvalCheck.ts): if the tenant
   * changed what it said, nothing is applied and a fresh approval is asked for. Exactly one of any
   * number of concurrent approvals goes on.
   */
  approve(
    actor: Actor,
    requestId: number,
    version: number,
    conversation: ConversationRef,
    allRemaining = false,
  ): Promise<LicenseRequest> {
    return this.access.onRequest(actor, requestId, "approver", conversation, (request) =>
      this.approveShown(actor, request, version, allRemaining),
    );
  }

  private async approveShown(
    actor: Actor,
    request: LicenseRequest,
    version: number,
    allRemaining: boolean,
  ): Promise<LicenseRequest> {
    const { records, work, log } = this.context;
    const kind = kindOf(request.preview);
    // Both ids are in one spelling (directoryId) from where they entered.
    if (request.requester.id === actor.id)
      throw new ActionRefused("ownRequest", "You asked for this change, so someone else must approve it.");
    const notForAll = allRemaining ? kind.refuseApproveAll(request) : undefined;
    if (notForAll !== undefined) throw new ActionRefused("notForThisRequest", notForAll);
    requireCurrent(request, version);
    if (isExpired(request, records.now())) return this.expire(request);
    if (request.preview.verdict === "blocked")
      throw new ActionRefused(
        "notForThisRequest",
        "This change is blocked (the card says why), so it cannot be approved. Nothing was applied.",
      );

    const index = currentStage(request).index;
    const approved = records.tryTransition(
      request,
      {
        status: "approved",
        stage: { index, status: "approved", approvedBy: person(actor), approvedAt: records.now().toISOString() },
      },
      actor,
      "approved",
      { stage: index, ...(allRemaining ? { allRemaining: true } : {}) },
    );
    if (!approved) return records.lostRace(request.id);
    log.info({ request: approved.id, actor: actor.id, stage: index }, "approved");
    // The first stage is checked against the tenant again, then applied, after the click is answered;
    // a migration's later stages check each user again at the moment of their removal.
    work.run(approved.id, () => proceedWithApproval(this.context, approved));
    return approved;
  }

  /** An approver stops a migration between stages: what was done stays, nothing more is removed. */
  stop(actor: Actor, requestId: number, version: number, conversation: ConversationRef): Promise<LicenseRequest> {
    return this.access.onRequest(actor, requestId, "approver", conversation, async (request) => {
      requireCurrent(request, version);
      const refusal = kindOf(request.preview).refuseStop(request);
      if (refusal !== undefined) throw new ActionRefused("notForThisRequest", refusal);
      const index = currentStage(request).index;
      const stopped = this.context.records.transition(
        request,
        { status: "cancelled", stage: { index, status: "cancelled" } },
        actor,
        "stopped",
        { stage: index },
      );
      await this.context.notices.announce(stopped, told.stopped(actor.name, stopped, index));
      return stopped;
    });
  }

  reject(
    actor: Actor,
    requestId: number,
    version: number,
    reason: string,
    conversation: ConversationRef,
  ): Promise<LicenseRequest> {
    return this.access.onRequest(actor, requestId, "approver", conversation, async (request) => {
      requireCurrent(request, version);
      const why = reason.trim().slice(0, 500);
      if (why === "")
        throw new ActionRefused("reasonRequired", "Say why you reject it: the requester will read the reason.");
      const rejected = this.context.records.transition(
        request,
        {
          status: "rejected",
          stage: { index: currentStage(request).index, status: "rejected" },
          rejectedBy: person(actor),
          rejectionReason: why,
        },
        actor,
        "rejected",
        { reason: why },
      );
      await this.context.notices.announce(rejected, told.rejected(actor.name, rejected, why));
      return rejected;
    });
  }

  /** A requester withdraws their own pending request. */
  cancel(actor: Actor, requestId: number, version: number, conversation: ConversationRef): Promise<LicenseRequest> {
    return this.access.onRequest(actor, requestId, "member", conversation, async (request) => {
      if (request.requester.id !== actor.id)
        throw new ActionRefused("notRequester", "Only the person who asked for this change can cancel it.");
      requireCurrent(request, version);
      const cancelled = this.context.records.transition(
        request,
        { status: "cancelled", stage: { index: currentStage(request).index, status: "cancelled" } },
        actor,
        "cancelled",
        {},
      );
      await this.context.notices.refreshCards(cancelled);
      return cancelled;
    });
  }

  /** Re-runs group licensing for users whose cause has been fixed (after a finished group change). */
  reprocess(actor: Actor, requestId: number, conversation: ConversationRef): Promise<number> {
    return this.access.onRequest(actor, requestId, "approver", conversation, async (request) => {
      const users = kindOf(request.preview).usersInError(request);
      if (!users)
        throw new ActionRefused("notForThisRequest", `Request #${requestId} has no users in error to reprocess.`);
      for (const id of users) await this.context.graph.reprocessUser(id);
      this.context.records.audit(requestId, actor, "reprocessed", { users });
      this.context.log.info({ request: requestId, actor: actor.id, users: users.length }, "reprocessed users in error");
      return users.length;
    });
  }

  /** Expires pending requests past their time; returns how many. */
  async expireDue(): Promise<number> {
    const { records } = this.context;
    let count = 0;
    for (const request of records.store.listByStatus(["pending"])) {
      if (isExpired(request, records.now())) {
        await this.expire(request);
        count++;
      }
    }
    return count;
  }

  private async expire(request: LicenseRequest): Promise<LicenseRequest> {
    const { records, notices } = this.context;
    const expired = records.tryTransition(
      request,
      { status: "expired", stage: { index: 0, status: "expired" } },
      SYSTEM,
      "expired",
      {},
    );
    if (!expired) return records.load(request.id);
    await notices.announce(expired, told.expired(expired));
    return expired;
  }
}
