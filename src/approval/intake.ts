/**
 * Requests coming in: a previewed change or migration is previewed again, stored with its cards to
 * send (the outbox) and sent; an undo becomes a new request for the inverse change. While a request
 * for the same change is open, that one is answered instead: a preview clicked seven times makes
 * one request.
 */
import { productName } from "../licensing/productNames";
import type { ConversationRef, LicenseRequest, RequestPlan } from "../requests/licenseRequest";
import type { MigrationQuery, ChangeQuery } from "../requests/previewQuery";
import type { AccessPolicy } from "./access";
import type { WorkflowContext } from "./context";
import { kindOf } from "./kinds";
import { ActionRefused, person, type Actor } from "./types";

/** The setting that holds the approvals channel's conversation. */
export const APPROVALS_CHANNEL = "approvalsChannel";

export class Intake {
  constructor(
    private readonly access: AccessPolicy,
    private readonly context: WorkflowContext,
  ) {}

  /**
   * "Request approval" on a preview: previews again now, stores the request and sends the approval
   * card. Only "undo request N" restores: a `restore` in the (untrusted) card data is ignored.
   */
  async requestApproval(actor: Actor, request: ChangeQuery, conversation: ConversationRef): Promise<LicenseRequest> {
    await this.access.require(actor, "requester");
    const { restore: _ignored, ...change } = request;
    const outcome = await this.context.previews.preview(change);
    if (outcome.kind !== "preview")
      throw new ActionRefused(
        "noLongerResolves",
        "This request no longer resolves to one change; ask for the preview again.",
      );
    if (outcome.preview.verdict === "blocked") {
      throw new ActionRefused(
        "tenantChanged",
        "The tenant has changed and this change is now blocked; nothing was requested. Ask for the preview again to see why.",
      );
    }
    return this.createRequest(actor, outcome, conversation);
  }

  /** "Request approval" on a migration preview: planned again now, stored with its first stage (assign and verify). */
  async requestMigration(
    actor: Actor,
    request: MigrationQuery,
    conversation: ConversationRef,
  ): Promise<LicenseRequest> {
    await this.access.require(actor, "requester");
    const outcome = await this.context.previews.previewMigration(request);
    if (outcome.kind !== "migration-preview")
      throw new ActionRefused(
        "noLongerResolves",
        "This migration no longer resolves to one group and product; ask for the preview again.",
      );
    if (outcome.preview.verdict === "blocked") {
      throw new ActionRefused(
        "tenantChanged",
        "The tenant has changed and this migration is now blocked; nothing was requested. Ask for the preview again to see why.",
      );
    }
    return this.createRequest(actor, outcome, conversation);
  }

  /**
   * "undo request N": a new request for the inverse change, previewed and approved like any other.
   * It restores the product request N removed with the plans that were off on it then.
   */
  undo(actor: Actor, requestId: number, conversation: ConversationRef): Promise<LicenseRequest> {
    return this.access.onRequest(actor, requestId, "requester", undefined, (request) =>
      this.undoSeen(actor, request, conversation),
    );
  }

  /** The conversation an approver names as the approvals channel. */
  async useApprovalsChannel(actor: Actor, conversation: ConversationRef): Promise<void> {
    await this.access.require(actor, "approver");
    this.context.records.store.setSetting(APPROVALS_CHANNEL, conversation);
    this.context.records.audit(null, actor, "approvals-channel-set", {});
  }

  private async undoSeen(
    actor: Actor,
    request: LicenseRequest,
    conversation: ConversationRef,
  ): Promise<LicenseRequest> {
    const requestId = request.id;
    if (request.status !== "done" && request.status !== "done-with-errors") {
      throw new ActionRefused(
        "notPending",
        `Request #${requestId} is ${request.status}; only an applied request can be undone.`,
      );
    }
    const inverse = kindOf(request.preview).inverse(request, request.preview);
    const outcome = await this.context.previews.preview(inverse);
    if (outcome.kind !== "preview")
      throw new ActionRefused(
        "noLongerResolves",
        `Request #${requestId} cannot be undone: ${outcome.kind === "refused" ? outcome.message : "its inverse no longer resolves to one change."} Nothing was requested.`,
      );
    const { preview } = outcome;
    if (preview.verdict === "blocked") {
      // Not "the tenant has changed": the inverse change was never previewed; say what blocks it.
      const blocks = preview.checks.filter((c) => c.status === "block").map((c) => c.title);
      const back = `${preview.target.type} ${preview.target.displayName} back from ${productName(preview.from.skuPartNumber)} to ${productName(preview.to.skuPartNumber)}`;
      throw new ActionRefused(
        "tenantChanged",
        `Request #${requestId} cannot be undone as it stands: moving ${back} is blocked. ${blocks.join(". ")}. Nothing was requested.`,
      );
    }
    return this.createRequest(actor, outcome, conversation, requestId);
  }

  /** Stores a request for a preview that is not blocked, with its outbox, and sends its cards. */
  private async createRequest(
    actor: Actor,
    outcome: { request: ChangeQuery | MigrationQuery; preview: RequestPlan },
    conversation: ConversationRef,
    undoOf?: number,
  ): Promise<LicenseRequest> {
    const { records, notices, log } = this.context;
    const plan = outcome.preview;
    const kind = kindOf(plan);
    const created = records.now();
    const channel = records.store.getSetting(APPROVALS_CHANNEL) as ConversationRef | undefined;
    const { request: stored, created: isNew } = records.store.create(
      {
        kind: plan.kind,
        requester: person(actor),
        createdAt: created.toISOString(),
        expiresAt: records.expiry(created).toISOString(),
        preview: plan,
        stages: [{ title: kind.firstStageTitle(plan), operations: plan.operations }],
        requesterConversation: conversation,
        ...(undoOf !== undefined ? { undoOf } : {}),
        dedupeKey: kind.dedupeKey(plan, undoOf),
        // The approvals channel (else the requester's chat) gets the approval card; the requester a copy.
        deliverTo: channel ? [channel, conversation] : [conversation],
      },
      {
        at: created.toISOString(),
        actor: actor.id,
        action: "requested",
        details: {
          request: outcome.request,
          verdict: plan.verdict,
          ...(undoOf !== undefined ? { undoOf } : {}),
        },
      },
    );
    if (!isNew) {
      log.info({ request: stored.id, actor: actor.id }, "request already open for this change; nothing new stored");
      return stored;
    }
    log.info(
      { request: stored.id, actor: actor.id, kind: stored.kind, verdict: stored.preview.verdict },
      "request stored",
    );
    await notices.deliver(stored.id);
    return stored;
  }
}
