/**
 * The approval workflow: a previewed change becomes a stored request; an approver's click
 * (checked against the tenant, never against card data) applies exactly the approved operation,
 * once; Entra's processing is followed to the end and reported.
 *
 * Every step is written to the store before the next starts, and every transition is a
 * compare-and-set on the request's version, so two approvers clicking at once make one Graph write
 * and a restart at any point resumes from the store (reconcile).
 */
import { isTransient, TenantRequestError, UserFacingError } from "../errors";
import type { GraphGateway } from "../graph/graphGateway";
import type { MigrationSettings } from "../licensing/migrationPlan";
import type { TenantUser } from "../licensing/model";
import { groupOutcome, userOutcome, type OutcomeReport } from "../licensing/outcome";
import type { Operation, Preview } from "../licensing/preview";
import { productName } from "../licensing/productNames";
import type { Logger } from "../log";
import { escapeMarkdown } from "../markdown";
import type { MigrationPreviewRequest, PreviewRequest } from "../requests/previewRequest";
import type { PreviewService } from "../service/previewService";
import {
  currentStage,
  isMigration,
  type CardRef,
  type ConversationRef,
  type LicenseRequest,
  type Person,
  type RequestPlan,
} from "../requests/licenseRequest";
import { CorruptRecordError, type RequestStore, type Transition } from "../store/requestStore";
import {
  describeMigrationProgress,
  MigrationStages,
  type MigrationStageReport,
  type StageOutcome,
} from "./migrationStages";
import { changedSince, seatsMoved } from "./recheck";
import type { Role, RoleDirectory } from "./roles";

/** Where the workflow sends and updates cards; the Teams layer implements it. */
export interface Notifier {
  /** Sends a card about a request into a conversation; resolves to the activity id, when the channel gives one. */
  sendRequestCard(conversation: ConversationRef, request: LicenseRequest): Promise<string | undefined>;
  /** Replaces a card sent earlier with the request as it is now. */
  updateRequestCard(card: CardRef, request: LicenseRequest): Promise<void>;
  /** A short message to the requester. */
  tell(conversation: ConversationRef, text: string): Promise<void>;
}

/** Who clicked or typed, as the channel says: checked against the tenant before anything happens. */
export interface Actor extends Person {
  /** The Entra tenant the activity came from. */
  readonly tenantId: string | undefined;
}

/** A refusal to show the person who clicked: nothing was changed. */
export class ActionRefused extends UserFacingError {
  constructor(
    readonly userMessage: string,
    /**
     * The request as it stands, only when the refused person may see it (a requester or approver of
     * the tenant, where its card was shown): to anyone else a refusal says nothing about a request.
     */
    readonly request?: LicenseRequest,
  ) {
    super(userMessage);
    this.name = "ActionRefused";
  }
}

/** Entra's processing of a group did not finish by the deadline: the follow-up stops and says what to check. */
export class FollowUpAbandoned extends UserFacingError {
  constructor(readonly userMessage: string) {
    super(userMessage);
    this.name = "FollowUpAbandoned";
  }
}

export interface ApprovalSettings {
  readonly tenantId: string;
  readonly expiryHours: number;
  /** Waits between reads of a group's licenseProcessingState, the last one repeated. */
  readonly pollDelaysMs: readonly number[];
  /** How long one Graph request may take: after a restart, an unanswered write is given this long to take effect. */
  readonly graphTimeoutMs: number;
}

/**
 * How long Entra's processing of a group's licenses is followed before giving up: Microsoft asks for
 * a support ticket when it has not finished after 24 hours (docs/group-processing.md).
 */
export const GROUP_PROCESSING_DEADLINE_MS = 24 * 3_600_000;

/** A member of the tenant with no License Desk role: nothing about requests is shown to them. */
const NOT_A_MEMBER =
  "Only License Desk requesters and approvers can do that, and you are neither. Ask your Teams administrator to add you.";

/** One answer for "no such request" and "not yours to see", so that request numbers cannot be probed. */
function notFound(requestId: number): string {
  return `I found no request #${requestId} that you can act on here. Check the number on its card, or say "my requests". Nothing was changed.`;
}

export const DEFAULT_POLL_DELAYS_MS: readonly number[] = [500, 1000, 2000, 5000, 10000, 30000, 60000];

export class ApprovalService {
  /** Follow-ups under way, so that tests and shutdown can wait for them. */
  private readonly running = new Map<number, Promise<void>>();
  private stopped = false;
  /** Card delivery started by reconcile, awaited by idle(). */
  private cardWork: Promise<void> = Promise.resolve();
  private readonly migrationStages: MigrationStages;

  constructor(
    private readonly graph: GraphGateway,
    private readonly store: RequestStore,
    private readonly roles: RoleDirectory,
    private readonly previews: PreviewService,
    private readonly notifier: Notifier,
    private readonly settings: ApprovalSettings,
    private readonly log: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.migrationStages = new MigrationStages(
      graph,
      (groupId, skuId, since) => this.waitForGroupProcessing(groupId, skuId, since),
      log,
    );
  }

  /**
   * "Request approval" on a preview: previews again now, stores the request and sends the approval
   * card. Only "undo request N" restores: a `restore` in the (untrusted) card data is ignored.
   */
  async requestApproval(actor: Actor, request: PreviewRequest, conversation: ConversationRef): Promise<LicenseRequest> {
    await this.require(actor, "requester");
    const { restore: _ignored, ...change } = request;
    const outcome = await this.previews.preview(change);
    if (outcome.kind !== "preview")
      throw new ActionRefused("This request no longer resolves to one change; ask for the preview again.");
    if (outcome.preview.verdict === "blocked") {
      throw new ActionRefused(
        "The tenant has changed and this change is now blocked; nothing was requested. Ask for the preview again to see why.",
      );
    }
    return this.createRequest(actor, outcome, conversation);
  }

  /** "Request approval" on a migration preview: planned again now, stored with its first stage (assign and verify). */
  async requestMigration(
    actor: Actor,
    request: MigrationPreviewRequest,
    conversation: ConversationRef,
  ): Promise<LicenseRequest> {
    await this.require(actor, "requester");
    const outcome = await this.previews.previewMigration(request);
    if (outcome.kind !== "migration-preview")
      throw new ActionRefused("This migration no longer resolves to one group and product; ask for the preview again.");
    if (outcome.preview.verdict === "blocked") {
      throw new ActionRefused(
        "The tenant has changed and this migration is now blocked; nothing was requested. Ask for the preview again to see why.",
      );
    }
    return this.createRequest(actor, outcome, conversation);
  }

  /**
   * Stores a request for a preview that is not blocked, with its cards to send (the outbox), and
   * sends them. While a request for the same change is open, that one is answered instead: a preview
   * clicked seven times makes one request.
   */
  private async createRequest(
    actor: Actor,
    outcome: { request: PreviewRequest | MigrationPreviewRequest; preview: RequestPlan },
    conversation: ConversationRef,
    undoOf?: number,
  ): Promise<LicenseRequest> {
    const created = this.now();
    const channel = this.store.getSetting(APPROVALS_CHANNEL) as ConversationRef | undefined;
    const { request: stored, created: isNew } = this.store.create(
      {
        kind: outcome.preview.kind,
        requester: person(actor),
        createdAt: created.toISOString(),
        expiresAt: new Date(created.getTime() + this.settings.expiryHours * 3_600_000).toISOString(),
        preview: outcome.preview,
        stages: [
          {
            title: isMigration(outcome.preview)
              ? `Give ${outcome.preview.target.displayName} ${productName(outcome.preview.product.skuPartNumber)} and verify`
              : "Apply the change",
            operations: outcome.preview.operations,
          },
        ],
        requesterConversation: conversation,
        ...(undoOf !== undefined ? { undoOf } : {}),
        dedupeKey: dedupeKeyOf(outcome.preview, undoOf),
        // The approvals channel (else the requester's chat) gets the approval card; the requester a copy.
        deliverTo: channel ? [channel, conversation] : [conversation],
      },
      {
        at: created.toISOString(),
        actor: actor.id,
        action: "requested",
        details: {
          request: outcome.request,
          verdict: outcome.preview.verdict,
          ...(undoOf !== undefined ? { undoOf } : {}),
        },
      },
    );
    if (!isNew) {
      this.log.info(
        { request: stored.id, actor: actor.id },
        "request already open for this change; nothing new stored",
      );
      return stored;
    }
    this.log.info(
      { request: stored.id, actor: actor.id, kind: stored.kind, verdict: stored.preview.verdict },
      "request stored",
    );
    await this.deliver(stored.id);
    return stored;
  }

  /**
   * Approve: the approver is checked in the tenant, the card's version must be current, and the
   * preview is run again: if the tenant changed what it said, nothing is applied and a fresh
   * approval is asked for. Exactly one of any number of concurrent approvals goes on to apply.
   */
  approve(
    actor: Actor,
    requestId: number,
    version: number,
    conversation: ConversationRef,
    allRemaining = false,
  ): Promise<LicenseRequest> {
    return this.onRequest(actor, requestId, "approver", conversation, (request) =>
      this.approveShown(actor, request, version, allRemaining),
    );
  }

  private async approveShown(
    actor: Actor,
    request: LicenseRequest,
    version: number,
    allRemaining: boolean,
  ): Promise<LicenseRequest> {
    const requestId = request.id;
    // Both ids are in one spelling (directoryId) from where they entered.
    if (request.requester.id === actor.id)
      throw new ActionRefused("You asked for this change, so someone else must approve it.");
    if (allRemaining && !isMigration(request.preview))
      throw new ActionRefused(
        `Request #${requestId} has a single stage: approve it with Approve. Nothing was changed.`,
      );
    this.requireCurrent(request, version);
    if (this.isExpired(request)) return this.expire(request);

    const index = currentStage(request).index;
    // The first stage is checked against the tenant as it is now; a migration's later stages check
    // each user again at the moment of their removal.
    let moved: string | undefined;
    let fresh: RequestPlan | undefined;
    if (index === 0) {
      fresh = await this.previewAgain(request);
      if (!fresh || changedSince(request.preview, fresh)) {
        const changed = fresh ?? request.preview;
        const updated = this.transition(request, { preview: changed }, actor, "preview-changed", {
          verdict: changed.verdict,
        });
        await this.refreshCards(updated);
        throw new ActionRefused(
          changed.verdict === "blocked"
            ? "The tenant has changed and this change is now blocked, so nothing was applied. The card shows the new preview."
            : "The tenant has changed since this was previewed (users, seats needed or the call to make), so nothing was applied. Check the updated card and approve again.",
        );
      }
      moved = seatsMoved(request.preview, fresh);
    }
    const approved = this.store.transition(
      request.id,
      request.version,
      // Seat counts that moved but still fit: the card shows them as they are now.
      {
        status: "approved",
        ...(moved && fresh ? { preview: fresh } : {}),
        stage: { index, status: "approved", approvedBy: person(actor), approvedAt: this.now().toISOString() },
      },
      {
        at: this.now().toISOString(),
        actor: actor.id,
        action: "approved",
        details: {
          stage: index,
          ...(allRemaining ? { allRemaining: true } : {}),
          ...(moved ? { seatsMoved: moved } : {}),
        },
      },
    );
    if (!approved) return this.lostRace(requestId);
    this.log.info({ request: approved.id, actor: actor.id, stage: index }, "approved");
    // The change is applied in the background: the approver's click is answered at once.
    this.background(approved.id, async () => {
      await this.refreshCards(approved);
      await this.notifier.tell(
        approved.requesterConversation,
        `${escapeMarkdown(actor.name)} approved ${index === 0 ? "" : `stage ${index + 1} of `}request #${approved.id}.${moved ? ` Seats moved since the preview without changing the decision: ${moved}` : ""} I am applying it now.`,
      );
      await this.apply(approved);
    });
    return approved;
  }

  /**
   * The same request previewed against the tenant as it is now; undefined when it no longer
   * resolves. An undo restores again what it restored when asked: both come from the undone request.
   */
  private async previewAgain(request: LicenseRequest): Promise<RequestPlan | undefined> {
    const plan = request.preview;
    if (isMigration(plan)) {
      // With the settings it was planned with, or the counts would differ; none stored means the defaults.
      const settings: MigrationSettings | undefined = plan.settings;
      const outcome = await this.previews.previewMigration({
        group: { id: plan.target.id },
        product: plan.product.skuId,
        ...(settings
          ? { pilot: { count: settings.pilot.count, percent: settings.pilot.percent }, waveSize: settings.waveSize }
          : {}),
      });
      return outcome.kind === "migration-preview" ? outcome.preview : undefined;
    }
    const restore = request.undoOf === undefined ? undefined : restoreOf(this.load(request.undoOf));
    const outcome = await this.previews.preview({ ...requestOf(plan), restore });
    return outcome.kind === "preview" ? outcome.preview : undefined;
  }

  /** An approver stops a migration between stages: what was done stays, nothing more is removed. */
  stopMigration(
    actor: Actor,
    requestId: number,
    version: number,
    conversation: ConversationRef,
  ): Promise<LicenseRequest> {
    return this.onRequest(actor, requestId, "approver", conversation, async (request) => {
      this.requireCurrent(request, version);
      const index = currentStage(request).index;
      if (!isMigration(request.preview) || index === 0)
        throw new ActionRefused(
          `Request #${requestId} is not a migration between stages; reject or cancel it instead.`,
        );
      const stopped = this.transition(
        request,
        { status: "cancelled", stage: { index, status: "cancelled" } },
        actor,
        "stopped",
        { stage: index },
      );
      await this.refreshCards(stopped);
      await this.notifier.tell(
        stopped.requesterConversation,
        `${escapeMarkdown(actor.name)} stopped the migration of request #${stopped.id} after stage ${index}. Users already moved stay on group licensing; the others keep their direct license.`,
      );
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
    return this.onRequest(actor, requestId, "approver", conversation, async (request) => {
      this.requireCurrent(request, version);
      const why = reason.trim().slice(0, 500);
      if (why === "") throw new ActionRefused("Say why you reject it: the requester will read the reason.");
      const rejected = this.transition(
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
      await this.refreshCards(rejected);
      await this.notifier.tell(
        rejected.requesterConversation,
        `${escapeMarkdown(actor.name)} rejected request #${rejected.id}: ${escapeMarkdown(why)}`,
      );
      return rejected;
    });
  }

  /** A requester withdraws their own pending request. */
  cancel(actor: Actor, requestId: number, version: number, conversation: ConversationRef): Promise<LicenseRequest> {
    return this.onRequest(actor, requestId, "member", conversation, async (request) => {
      if (request.requester.id !== actor.id)
        throw new ActionRefused("Only the person who asked for this change can cancel it.");
      this.requireCurrent(request, version);
      const cancelled = this.transition(
        request,
        { status: "cancelled", stage: { index: currentStage(request).index, status: "cancelled" } },
        actor,
        "cancelled",
        {},
      );
      await this.refreshCards(cancelled);
      return cancelled;
    });
  }

  /** Re-runs group licensing for users whose cause has been fixed (after a finished group change). */
  reprocess(actor: Actor, requestId: number, conversation: ConversationRef): Promise<number> {
    return this.onRequest(actor, requestId, "approver", conversation, async (request) => {
      const report = request.stages[0]?.report as OutcomeReport | undefined;
      if (request.status !== "done-with-errors" || !report)
        throw new ActionRefused(`Request #${requestId} has no users in error to reprocess.`);
      const users = report.errors.flatMap((e) => e.users.map((u) => u.id));
      for (const id of users) await this.graph.reprocessUser(id);
      this.store.appendAudit({
        requestId,
        at: this.now().toISOString(),
        actor: actor.id,
        action: "reprocessed",
        details: { users },
      });
      this.log.info({ request: requestId, actor: actor.id, users: users.length }, "reprocessed users in error");
      return users.length;
    });
  }

  /**
   * "undo request N": a new request for the inverse change, previewed and approved like any other.
   * It restores the product request N removed with the plans that were off on it then (restoreOf).
   */
  undo(actor: Actor, requestId: number, conversation: ConversationRef): Promise<LicenseRequest> {
    return this.onRequest(actor, requestId, "requester", undefined, (request) =>
      this.undoSeen(actor, request, conversation),
    );
  }

  private async undoSeen(
    actor: Actor,
    request: LicenseRequest,
    conversation: ConversationRef,
  ): Promise<LicenseRequest> {
    const requestId = request.id;
    if (request.status !== "done" && request.status !== "done-with-errors") {
      throw new ActionRefused(`Request #${requestId} is ${request.status}; only an applied request can be undone.`);
    }
    if (isMigration(request.preview))
      throw new ActionRefused(
        `Request #${requestId} moved users onto group licensing; it cannot be undone with a single change.`,
      );
    const { target, from, to } = request.preview;
    const inverse: PreviewRequest = {
      target: { type: target.type, id: target.id },
      from: to.skuId,
      to: from.skuId,
      restore: restoreOf(request),
    };
    const outcome = await this.previews.preview(inverse);
    if (outcome.kind !== "preview")
      throw new ActionRefused(
        `Request #${requestId} cannot be undone: ${outcome.kind === "refused" ? outcome.message : "its inverse no longer resolves to one change."} Nothing was requested.`,
      );
    const { preview } = outcome;
    if (preview.verdict === "blocked") {
      // Not "the tenant has changed": the inverse change was never previewed; say what blocks it.
      const blocks = preview.checks.filter((c) => c.status === "block").map((c) => c.title);
      const back = `${preview.target.type} ${preview.target.displayName} back from ${productName(preview.from.skuPartNumber)} to ${productName(preview.to.skuPartNumber)}`;
      throw new ActionRefused(
        `Request #${requestId} cannot be undone as it stands: moving ${back} is blocked. ${blocks.join(". ")}. Nothing was requested.`,
      );
    }
    return this.createRequest(actor, outcome, conversation, requestId);
  }

  /** "status N": a request as its card shows it, to users of the tenant who request or approve. */
  view(actor: Actor, requestId: number): Promise<LicenseRequest> {
    return this.access(actor, requestId, "member", undefined);
  }

  /** Expires pending requests past their time; returns how many. */
  async expireDue(): Promise<number> {
    let count = 0;
    for (const request of this.store.listByStatus(["pending"])) {
      if (this.isExpired(request)) {
        await this.expire(request);
        count++;
      }
    }
    return count;
  }

  /**
   * At start-up: requests caught in the middle are finished from what the tenant holds. An approved
   * or applying request whose change is already in effect is not sent again; one that is not is
   * applied (the approval stands); a processing one is followed to the end.
   */
  async reconcile(): Promise<void> {
    for (const request of this.store.listByStatus(["approved", "applying", "processing"])) {
      this.log.info({ request: request.id, status: request.status }, "resuming request after restart");
      try {
        // A migration's stages recognise what is already done, so the current one simply runs again.
        if (isMigration(request.preview)) this.background(request.id, () => this.apply(request));
        else if (request.status === "processing") this.follow(request);
        else this.background(request.id, () => this.resume(request));
      } catch (error) {
        this.log.error({ err: error, request: request.id }, "could not resume request");
      }
    }
    // Cards a previous run stored but did not send, or did not update, go out now (in the background).
    this.cardWork = this.cardWork
      .then(() => this.catchUpCards())
      .catch((error: unknown) => this.log.error({ err: error }, "could not catch up on cards"));
  }

  /**
   * An approved change a restart interrupted. If its write was sent, Graph may still complete it:
   * wait until the write's time limit has passed, then decide from what the tenant holds, exactly as
   * after a failed call. Sent again only when it is not in effect.
   */
  private async resume(request: LicenseRequest): Promise<LicenseRequest> {
    const attemptedAt = request.status === "applying" ? currentStage(request).attemptedAt : undefined;
    if (attemptedAt !== undefined) {
      const wait = Date.parse(attemptedAt) + this.settings.graphTimeoutMs - this.now().getTime();
      if (wait > 0) await sleep(wait);
    }
    if (await this.inEffect(request)) {
      const found = this.transition(
        request,
        { status: "processing", stage: { index: 0, status: "processing" } },
        SYSTEM,
        "found-applied",
        {},
      );
      this.log.info({ request: request.id }, "change found in effect after restart; not sent again");
      await this.followToEnd(found);
      return this.load(request.id);
    }
    return this.apply(request);
  }

  /** Resolves when every follow-up under way has finished (tests, shutdown). */
  async idle(): Promise<void> {
    await this.cardWork;
    while (this.running.size > 0) await Promise.all([...this.running.values()]);
  }

  stop(): void {
    this.stopped = true;
  }

  get(requestId: number): LicenseRequest {
    return this.load(requestId);
  }

  find(requestId: number): LicenseRequest | undefined {
    return this.store.get(requestId);
  }

  listMine(actor: Actor, limit = 10): LicenseRequest[] {
    return this.store.listByRequester(actor.id, limit);
  }

  /** The conversation an approver names as the approvals channel. */
  async useApprovalsChannel(actor: Actor, conversation: ConversationRef): Promise<void> {
    await this.require(actor, "approver");
    this.store.setSetting(APPROVALS_CHANNEL, conversation);
    this.store.appendAudit({
      requestId: null,
      at: this.now().toISOString(),
      actor: actor.id,
      action: "approvals-channel-set",
      details: {},
    });
  }

  /**
   * Sends the cards of the outbox (of one request, or of all open ones) and marks each delivered with
   * the card it became. One that cannot be sent stays in the outbox for the next sweep or start.
   */
  async deliver(requestId?: number): Promise<void> {
    for (const item of this.store.undelivered()) {
      if (requestId !== undefined && item.requestId !== requestId) continue;
      const request = this.store.get(item.requestId);
      if (!request) continue;
      try {
        const activityId = await this.notifier.sendRequestCard(item.conversation, request);
        this.store.delivered(
          item.id,
          activityId ? { conversation: item.conversation, activityId, shownVersion: request.version } : undefined,
        );
      } catch (error) {
        this.log.warn(
          { err: error, request: request.id },
          "could not send a request card; it is sent again at the next sweep",
        );
      }
    }
  }

  /**
   * Sends exactly the approved operation; records Graph's answer; then follows the outcome.
   * "applying" is written before the call, so a restart during it checks the tenant first.
   */
  private async apply(approved: LicenseRequest): Promise<LicenseRequest> {
    if (isMigration(approved.preview)) return this.runMigrationStage(approved);
    // The attempt is on record before the call leaves: a restart from here on reads the tenant first.
    const applying = this.transition(
      approved,
      { status: "applying", stage: { index: 0, status: "applying", attemptedAt: this.now().toISOString() } },
      SYSTEM,
      "applying",
      {},
    );
    const operation = applying.stages[0].operations[0];
    try {
      this.log.info({ request: applying.id, path: operation.path }, "sending the license change to Graph");
      const answer = await this.graph.assignLicense(operation);
      // A user's change is in effect at once, a group's once Entra has processed its members; either way the outcome is read next.
      const sent = this.transition(
        applying,
        {
          status: "processing",
          stage: { index: 0, status: "processing", graphStatus: answer.status, graphRequestId: answer.requestId },
        },
        SYSTEM,
        "graph-call",
        {
          operation,
          status: answer.status,
          requestId: answer.requestId,
        },
      );
      await this.refreshCards(sent);
      this.follow(sent);
      return sent;
    } catch (error) {
      return this.failedCall(applying, operation, error);
    }
  }

  /**
   * Runs a migration's current stage, then proposes the next one for approval (or, when the
   * approver approved all remaining stages, approves it on their behalf), stops, or finishes.
   */
  private async runMigrationStage(approved: LicenseRequest): Promise<LicenseRequest> {
    const index = currentStage(approved).index;
    const applying =
      approved.status === "applying"
        ? approved
        : this.transition(approved, { status: "applying", stage: { index, status: "applying" } }, SYSTEM, "applying", {
            stage: index,
          });
    await this.refreshCards(applying);
    let outcome: StageOutcome;
    try {
      outcome = await this.migrationStages.run(applying);
    } catch (error) {
      const message = error instanceof UserFacingError ? error.userMessage : String(error);
      const failed = this.transition(
        this.load(applying.id),
        { status: "failed", stage: { index, status: "failed", error: message } },
        SYSTEM,
        "stage-failed",
        { stage: index, error: message },
      );
      await this.refreshCards(failed);
      await this.notifier.tell(
        failed.requesterConversation,
        `Stage ${index + 1} of request #${failed.id} failed: ${message} Users not yet moved keep their direct license.`,
      );
      return failed;
    }
    const current = this.load(applying.id);
    const stageStatus = stageHadErrors(outcome.report) ? "done-with-errors" : "done";
    if (outcome.stop) {
      const stopped = this.transition(
        current,
        { status: "failed", stage: { index, status: "failed", report: outcome.report, error: outcome.stop } },
        SYSTEM,
        "migration-stopped",
        { stage: index, lost: outcome.report.lost?.length ?? 0 },
      );
      await this.refreshCards(stopped);
      await this.notifier.tell(stopped.requesterConversation, `Request #${stopped.id}: ${outcome.stop}`);
      return stopped;
    }
    if (!outcome.next) {
      const finalStatus =
        current.stages.some((st) => st.status === "done-with-errors") || stageStatus === "done-with-errors"
          ? "done-with-errors"
          : "done";
      const done = this.transition(
        current,
        { status: finalStatus, stage: { index, status: stageStatus, report: outcome.report } },
        SYSTEM,
        "finished",
        { stage: index },
      );
      await this.refreshCards(done);
      await this.notifier.tell(
        done.requesterConversation,
        `Request #${done.id} is done: ${describeMigrationProgress(done)}.`,
      );
      return done;
    }
    const allRemaining = this.store
      .audit(current.id)
      .some((a) => a.action === "approved" && a.details.allRemaining === true);
    const proposed = this.transition(
      current,
      {
        status: "pending",
        stage: { index, status: stageStatus, report: outcome.report },
        appendStage: outcome.next,
        expiresAt: this.expiry().toISOString(),
      },
      SYSTEM,
      "stage-proposed",
      { stage: index + 1, title: outcome.next.title },
    );
    if (allRemaining) {
      // Approved beforehand: the same approver's approval carries over to each remaining stage.
      const approver = current.stages[index].approvedBy ?? SYSTEM;
      const next = this.transition(
        proposed,
        {
          status: "approved",
          stage: { index: index + 1, status: "approved", approvedBy: approver, approvedAt: this.now().toISOString() },
        },
        approver,
        "approved",
        { stage: index + 1, allRemaining: true },
      );
      return this.runMigrationStage(next);
    }
    await this.refreshCards(proposed);
    await this.notifier.tell(
      proposed.requesterConversation,
      `Request #${proposed.id}: stage ${index + 1} is done (${describeMigrationProgress(proposed)}). Next, waiting for an approver: ${outcome.next.title}.`,
    );
    return proposed;
  }

  /**
   * Waits until Entra has processed the group's licenses (and the group holds `skuId`), reading its
   * state with back-off. A read that fails for a while (throttled, Graph down) is tried again, after
   * its Retry-After when Graph gives one; only past the deadline counted from `since` (the approval)
   * does the follow-up give up, saying what to check.
   */
  private async waitForGroupProcessing(groupId: string, skuId: string, since: string | undefined): Promise<void> {
    const deadline = Date.parse(since ?? this.now().toISOString()) + GROUP_PROCESSING_DEADLINE_MS;
    const delays = this.settings.pollDelaysMs;
    for (let attempt = 0; ; attempt++) {
      if (this.stopped) throw new Error("stopping: the follow-up resumes at the next start");
      let wait = delays[Math.min(attempt, delays.length - 1)];
      try {
        const group = await this.graph.getGroup(groupId);
        if (
          group.licenseProcessingState === "ProcessingComplete" &&
          group.assignedLicenses.some((l) => l.skuId === skuId)
        )
          return;
      } catch (error) {
        if (!isTransient(error)) throw error;
        this.log.info(
          { group: groupId, status: error.status, retryAfter: error.retryAfterSeconds },
          "reading the group's processing state failed for now; trying again",
        );
        if (error.retryAfterSeconds !== undefined) wait = Math.max(wait, error.retryAfterSeconds * 1000);
      }
      if (this.now().getTime() >= deadline) {
        throw new FollowUpAbandoned(
          "Entra has not finished processing the group's licenses within 24 hours of the approval, so I stopped following it. " +
            "Check the group's Licenses page in the Microsoft Entra admin center (processing state and users in error); if it is still processing, open a Microsoft support request.",
        );
      }
      await sleep(wait);
    }
  }

  private expiry(): Date {
    return new Date(this.now().getTime() + this.settings.expiryHours * 3_600_000);
  }

  /** A failed Graph call: if the change is in effect anyway (an answer lost on the way), follow it; else fail, tenant unchanged. */
  private async failedCall(applying: LicenseRequest, operation: Operation, error: unknown): Promise<LicenseRequest> {
    const message = error instanceof UserFacingError ? error.userMessage : String(error);
    const inEffect = await this.inEffect(applying).catch(() => false);
    if (inEffect) {
      const sent = this.transition(
        applying,
        { status: "processing", stage: { index: 0, status: "processing" } },
        SYSTEM,
        "graph-call-unanswered-but-applied",
        { operation, error: message },
      );
      this.follow(sent);
      return sent;
    }
    const failed = this.transition(
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
      {
        operation,
        error: message,
      },
    );
    await this.refreshCards(failed);
    await this.notifier.tell(
      failed.requesterConversation,
      `Request #${failed.id} could not be applied: ${message} Nothing was changed.`,
    );
    return failed;
  }

  /** Follows a sent change to its end in the background (polling a group's processing), then reports. */
  private follow(request: LicenseRequest): void {
    this.background(request.id, () => this.followToEnd(request));
  }

  /** Work on a request that outlives the click that started it; one at a time per request, and awaited by idle(). */
  private background(requestId: number, work: () => Promise<unknown>): void {
    const previous = this.running.get(requestId) ?? Promise.resolve();
    const run = previous
      .then(work)
      .then(() => undefined)
      .catch((error: unknown) =>
        this.log.error({ err: error, request: requestId }, "request work failed; it resumes at the next start"),
      )
      .finally(() => {
        if (this.running.get(requestId) === run) this.running.delete(requestId);
      });
    this.running.set(requestId, run);
  }

  private async followToEnd(request: LicenseRequest): Promise<void> {
    const preview = changePlan(request);
    let report: OutcomeReport;
    if (preview.target.type === "group") {
      try {
        await this.waitForGroupProcessing(preview.target.id, preview.to.skuId, request.stages[0].approvedAt);
      } catch (error) {
        if (!(error instanceof FollowUpAbandoned)) throw error;
        const failed = this.transition(
          this.load(request.id),
          { status: "failed", stage: { index: 0, status: "failed", error: error.userMessage } },
          SYSTEM,
          "follow-up-abandoned",
          { error: error.userMessage },
        );
        await this.refreshCards(failed);
        await this.notifier.tell(
          failed.requesterConversation,
          `Request #${failed.id}: the change was sent, but ${error.userMessage}`,
        );
        return;
      }
      const [group, members, products] = await Promise.all([
        this.graph.getGroup(preview.target.id),
        this.graph.listGroupMembers(preview.target.id),
        this.graph.listProducts(),
      ]);
      report = groupOutcome({ group, members, products, fromSkuId: preview.from.skuId, toSkuId: preview.to.skuId });
    } else {
      const [user, products] = await Promise.all([this.graph.getUser(preview.target.id), this.graph.listProducts()]);
      report = userOutcome({ user, products, fromSkuId: preview.from.skuId, toSkuId: preview.to.skuId });
    }
    const current = this.load(request.id);
    const status = report.failed > 0 ? "done-with-errors" : "done";
    const done = this.transition(current, { status, stage: { index: 0, status, report } }, SYSTEM, "finished", {
      holdTarget: report.holdTarget,
      failed: report.failed,
    });
    await this.refreshCards(done);
    const to = productName(preview.to.skuPartNumber);
    await this.notifier.tell(
      done.requesterConversation,
      preview.target.type === "user"
        ? `Request #${done.id} is done: ${preview.target.displayName} ${report.holdTarget > 0 ? "now holds" : "does not hold"} ${to}${report.failed > 0 ? " (see the card for why)" : ""}.`
        : `Request #${done.id} is done: ${report.holdTarget} of ${report.members} now hold ${to}${report.failed > 0 ? `, ${report.failed} failed (see the card)` : ""}.`,
    );
  }

  /** Whether the tenant already holds the change: the target holds T and no longer S from what was changed. */
  private async inEffect(request: LicenseRequest): Promise<boolean> {
    const { target, from, to } = changePlan(request);
    if (target.type === "group") {
      const group = await this.graph.getGroup(target.id);
      const skus = group.assignedLicenses.map((l) => l.skuId);
      return skus.includes(to.skuId) && !skus.includes(from.skuId);
    }
    const user: TenantUser = await this.graph.getUser(target.id);
    const direct = user.licenseStates.filter((s) => s.assignedByGroup === null).map((s) => s.skuId);
    return direct.includes(to.skuId) && !direct.includes(from.skuId);
  }

  private async expire(request: LicenseRequest): Promise<LicenseRequest> {
    const expired = this.store.transition(
      request.id,
      request.version,
      { status: "expired", stage: { index: 0, status: "expired" } },
      { at: this.now().toISOString(), actor: SYSTEM.id, action: "expired", details: {} },
    );
    if (!expired) return this.load(request.id);
    await this.refreshCards(expired);
    await this.notifier.tell(
      expired.requesterConversation,
      `Request #${expired.id} expired without a decision. Ask again if it is still needed.`,
    );
    return expired;
  }

  private isExpired(request: LicenseRequest): boolean {
    return request.status === "pending" && this.now().getTime() >= Date.parse(request.expiresAt);
  }

  /** Brings every card of the request that shows an older version up to date; one that fails stays stale for the next sweep. */
  private async refreshCards(request: LicenseRequest): Promise<void> {
    for (const card of request.cards) {
      if (card.shownVersion !== undefined && card.shownVersion >= request.version) continue;
      try {
        await this.notifier.updateRequestCard(card, request);
        this.store.cardShown(request.id, card.activityId, request.version);
      } catch (error) {
        this.log.warn(
          { err: error, request: request.id },
          "could not update a card; it is updated again at the next sweep",
        );
      }
    }
  }

  /** The sweep's and the start's part for cards: undelivered ones sent, stale ones of open requests brought up to date. */
  async catchUpCards(): Promise<void> {
    await this.deliver();
    for (const request of this.store.listWithStaleCards()) await this.refreshCards(request);
  }

  private transition(
    request: LicenseRequest,
    change: Transition,
    actor: Person,
    action: string,
    details: Record<string, unknown>,
  ): LicenseRequest {
    const updated = this.store.transition(request.id, request.version, change, {
      at: this.now().toISOString(),
      actor: actor.id,
      action,
      details,
    });
    if (!updated)
      throw new ActionRefused(
        `Request #${request.id} changed while I was working on it; look at its card for where it stands.`,
      );
    return updated;
  }

  /** Another approval (or a double click) won: show where the request stands, change nothing. */
  private lostRace(requestId: number): LicenseRequest {
    const current = this.load(requestId);
    throw new ActionRefused(`Request #${requestId} was already ${describeStatus(current)}. Nothing more was done.`);
  }

  /** A request the workflow itself holds the id of (it exists: requests are never deleted). */
  private load(requestId: number): LicenseRequest {
    const request = this.store.get(requestId);
    if (!request) throw new Error(`request ${requestId} is not in the store`);
    return request;
  }

  /**
   * Request `requestId` for `actor`, checked in this order so that nothing about a request reaches
   * anyone who may not see it: the tenant, a License Desk role, the request existing and (for a
   * button) having been shown in `conversation` — the last two refused with one and the same text —
   * then `role`, whose refusal may show the request.
   */
  private async access(
    actor: Actor,
    requestId: number,
    role: Role | "member",
    conversation: ConversationRef | undefined,
  ): Promise<LicenseRequest> {
    const roles = await this.memberRoles(actor);
    let request: LicenseRequest | undefined;
    try {
      request = this.store.get(requestId);
    } catch (error) {
      if (!(error instanceof CorruptRecordError)) throw error;
      this.log.error({ err: error, request: requestId }, "stored request is unreadable");
      throw new ActionRefused(
        `Request #${requestId} is damaged in the bot's store, so I cannot act on it. Nothing was changed. Ask your Teams administrator to check the bot's log and its data folder.`,
      );
    }
    if (!request || (conversation !== undefined && !shownIn(request, conversation)))
      throw new ActionRefused(notFound(requestId));
    if (role !== "member" && !roles.has(role)) throw new ActionRefused(roleRefusal(role), request);
    return request;
  }

  /** Runs `work` on an accessible request; a refusal from it shows the request as it stands now. */
  private async onRequest<T>(
    actor: Actor,
    requestId: number,
    role: Role | "member",
    conversation: ConversationRef | undefined,
    work: (request: LicenseRequest) => Promise<T>,
  ): Promise<T> {
    const request = await this.access(actor, requestId, role, conversation);
    try {
      return await work(request);
    } catch (error) {
      if (error instanceof ActionRefused && error.request === undefined)
        throw new ActionRefused(error.userMessage, this.store.get(requestId) ?? request);
      throw error;
    }
  }

  /** The actor's roles; refuses another tenant and a user with no role. */
  private async memberRoles(actor: Actor): Promise<ReadonlySet<Role>> {
    this.checkTenant(actor);
    const roles = await this.roles.rolesOf(actor.id);
    if (roles.size === 0) throw new ActionRefused(NOT_A_MEMBER);
    return roles;
  }

  /** Refuses (ActionRefused) an actor of another tenant, or with neither role, as the tenant says now. */
  async requireMember(actor: Actor): Promise<void> {
    await this.memberRoles(actor);
  }

  private requireCurrent(request: LicenseRequest, version: number): void {
    if (request.status !== "pending")
      throw new ActionRefused(`Request #${request.id} is already ${describeStatus(request)}. Nothing more was done.`);
    if (request.version !== version)
      throw new ActionRefused(
        `This card is out of date: request #${request.id} has changed since it was shown. Look at the updated card and try again.`,
      );
  }

  /** Refuses an activity from any tenant but the configured one. */
  checkTenant(actor: Actor): void {
    if (actor.tenantId?.toLowerCase() !== this.settings.tenantId.toLowerCase()) {
      throw new ActionRefused("This bot serves another organization's tenant; your action was not accepted.");
    }
  }

  /** Refuses (ActionRefused) an actor of another tenant or without `role`, as the tenant says now. */
  async require(actor: Actor, role: Role): Promise<void> {
    this.checkTenant(actor);
    const roles = await this.roles.rolesOf(actor.id);
    if (!roles.has(role)) throw new ActionRefused(roleRefusal(role));
  }
}

function roleRefusal(role: Role): string {
  return role === "approver"
    ? "Only License Desk approvers can do that, and you are not one. Ask an approver, or your Teams administrator to add you."
    : "You are not set up to request license changes. Ask your Teams administrator to add you to the License Desk requesters.";
}

/** A button of a request is honoured only in a conversation the request's card was sent to (ids compared exactly: they are opaque). */
function shownIn(request: LicenseRequest, conversation: ConversationRef): boolean {
  const id = conversationId(conversation);
  return (
    id !== undefined &&
    [request.requesterConversation, ...request.cards.map((c) => c.conversation)].some((c) => conversationId(c) === id)
  );
}

const APPROVALS_CHANNEL = "approvalsChannel";
const SYSTEM: Person = { id: "license-desk", name: "License Desk" };

function conversationId(reference: ConversationRef): string | undefined {
  const conversation = reference.conversation as { id?: unknown } | undefined;
  return typeof conversation?.id === "string" ? conversation.id : undefined;
}

function person(actor: Actor): Person {
  return { id: actor.id, name: actor.name };
}

/** The request that previews this preview again: the same target by id, the same products by skuId. */
export function requestOf(preview: Preview): PreviewRequest {
  return {
    target: { type: preview.target.type, id: preview.target.id },
    from: preview.from.skuId,
    to: preview.to.skuId,
  };
}

/**
 * What undoing an applied change restores: its source with the plans that were off on it then
 * (none when its preview recorded none, as previews made before they were recorded).
 */
function restoreOf(undone: LicenseRequest): NonNullable<PreviewRequest["restore"]> {
  return { undoOf: undone.id, disabledPlans: [...(changePlan(undone).from.disabledPlans ?? [])] };
}

/**
 * What a request changes, as a key: one open request per key. The same target, products and
 * restore for a change; the same group, product and settings for a migration.
 */
function dedupeKeyOf(plan: RequestPlan, undoOf: number | undefined): string {
  if (isMigration(plan)) return JSON.stringify([plan.kind, plan.target.id, plan.product.skuId, plan.settings ?? null]);
  return JSON.stringify([plan.kind, plan.target.id, plan.from.skuId, plan.to.skuId, undoOf ?? null]);
}

/** The change a (non-migration) request makes. */
function changePlan(request: LicenseRequest): Preview {
  if (isMigration(request.preview)) throw new Error(`request ${request.id} is a migration, not a change`);
  return request.preview;
}

function stageHadErrors(report: MigrationStageReport): boolean {
  return (report.notVerified?.length ?? 0) > 0 || (report.skipped?.length ?? 0) > 0;
}

function describeStatus(request: LicenseRequest): string {
  switch (request.status) {
    case "approved":
    case "applying":
    case "processing":
      return `approved by ${request.stages[0]?.approvedBy?.name ?? "an approver"} and is being applied`;
    case "done":
    case "done-with-errors":
      return `approved by ${request.stages[0]?.approvedBy?.name ?? "an approver"} and applied`;
    case "rejected":
      return `rejected by ${request.rejectedBy?.name ?? "an approver"}`;
    default:
      return request.status;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
