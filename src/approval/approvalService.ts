/**
 * The approval workflow: a previewed change becomes a stored request; an approver's click
 * (checked against the tenant, never against card data) applies exactly the approved operation,
 * once; Entra's processing is followed to the end and reported.
 *
 * Every step is written to the store before the next starts, and every transition is a
 * compare-and-set on the request's version, so two approvers clicking at once make one Graph write
 * and a restart at any point resumes from the store (reconcile).
 */
import { TenantRequestError, UserFacingError } from "../errors";
import type { GraphGateway } from "../graph/graphGateway";
import type { MigrationSettings } from "../licensing/migrationPlan";
import type { TenantUser } from "../licensing/model";
import { groupOutcome, userOutcome, type OutcomeReport } from "../licensing/outcome";
import type { Operation, Preview } from "../licensing/preview";
import { productName } from "../licensing/productNames";
import type { Logger } from "../log";
import type { MigrationPreviewRequest, PreviewRequest } from "../service/previewRequest";
import type { PreviewService } from "../service/previewService";
import { currentStage, isMigration, type CardRef, type ConversationRef, type LicenseRequest, type Person, type RequestPlan, type RequestStore, type Transition } from "../store/requestStore";
import { describeMigrationProgress, MigrationStages, type MigrationStageReport, type StageOutcome } from "./migrationStages";
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
  constructor(readonly userMessage: string) {
    super(userMessage);
    this.name = "ActionRefused";
  }
}

export interface ApprovalSettings {
  readonly tenantId: string;
  readonly expiryHours: number;
  /** Waits between reads of a group's licenseProcessingState, the last one repeated. */
  readonly pollDelaysMs: readonly number[];
}

export const DEFAULT_POLL_DELAYS_MS: readonly number[] = [500, 1000, 2000, 5000, 10000, 30000, 60000];

export class ApprovalService {
  /** Follow-ups under way, so that tests and shutdown can wait for them. */
  private readonly running = new Map<number, Promise<void>>();
  private stopped = false;
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
    this.migrationStages = new MigrationStages(graph, (groupId, skuId) => this.waitForGroupProcessing(groupId, skuId));
  }

  /**
   * "Request approval" on a preview: previews again now, stores the request and sends the approval
   * card. Only "undo request N" restores: a `restore` in the (untrusted) card data is ignored.
   */
  async requestApproval(actor: Actor, request: PreviewRequest, conversation: ConversationRef): Promise<LicenseRequest> {
    await this.require(actor, "requester");
    const { restore: _ignored, ...change } = request;
    const outcome = await this.previews.preview(change);
    if (outcome.kind !== "preview") throw new ActionRefused("This request no longer resolves to one change; ask for the preview again.");
    if (outcome.preview.verdict === "blocked") {
      throw new ActionRefused("The tenant has changed and this change is now blocked; nothing was requested. Ask for the preview again to see why.");
    }
    return this.createRequest(actor, outcome, conversation);
  }

  /** "Request approval" on a migration preview: planned again now, stored with its first stage (assign and verify). */
  async requestMigration(actor: Actor, request: MigrationPreviewRequest, conversation: ConversationRef): Promise<LicenseRequest> {
    await this.require(actor, "requester");
    const outcome = await this.previews.previewMigration(request);
    if (outcome.kind !== "migration-preview") throw new ActionRefused("This migration no longer resolves to one group and product; ask for the preview again.");
    if (outcome.preview.verdict === "blocked") {
      throw new ActionRefused("The tenant has changed and this migration is now blocked; nothing was requested. Ask for the preview again to see why.");
    }
    return this.createRequest(actor, outcome, conversation);
  }

  /** Stores a request for a preview that is not blocked and sends its approval card. */
  private async createRequest(actor: Actor, outcome: { request: PreviewRequest | MigrationPreviewRequest; preview: RequestPlan }, conversation: ConversationRef, undoOf?: number): Promise<LicenseRequest> {
    const created = this.now();
    const stored = this.store.create(
      {
        kind: outcome.preview.kind,
        requester: person(actor),
        createdAt: created.toISOString(),
        expiresAt: new Date(created.getTime() + this.settings.expiryHours * 3_600_000).toISOString(),
        preview: outcome.preview,
        stages: [{ title: isMigration(outcome.preview) ? `Give ${outcome.preview.target.displayName} ${productName(outcome.preview.product.skuPartNumber)} and verify` : "Apply the change", operations: outcome.preview.operations }],
        requesterConversation: conversation,
        ...(undoOf !== undefined ? { undoOf } : {}),
      },
      { at: created.toISOString(), actor: actor.id, action: "requested", details: { request: outcome.request, verdict: outcome.preview.verdict, ...(undoOf !== undefined ? { undoOf } : {}) } },
    );
    await this.announce(stored, conversation);
    return stored;
  }

  /**
   * Approve: the approver is checked in the tenant, the card's version must be current, and the
   * preview is run again: if the tenant changed what it said, nothing is applied and a fresh
   * approval is asked for. Exactly one of any number of concurrent approvals goes on to apply.
   */
  async approve(actor: Actor, requestId: number, version: number, conversation: ConversationRef, allRemaining = false): Promise<LicenseRequest> {
    const request = this.load(requestId);
    this.requireShownIn(request, conversation);
    await this.require(actor, "approver");
    if (request.requester.id === actor.id) throw new ActionRefused("You asked for this change, so someone else must approve it.");
    if (allRemaining && !isMigration(request.preview)) throw new ActionRefused(`Request #${requestId} has a single stage: approve it with Approve. Nothing was changed.`);
    this.requireCurrent(request, version);
    if (this.isExpired(request)) return this.expire(request);

    const index = currentStage(request).index;
    // The first stage is checked against the tenant as it is now; a migration's later stages check
    // each user again at the moment of their removal.
    if (index === 0) {
      const fresh = await this.previewAgain(request);
      if (!fresh || changedSince(request.preview, fresh)) {
        const changed = fresh ?? request.preview;
        const updated = this.transition(request, { preview: changed }, actor, "preview-changed", { verdict: changed.verdict });
        await this.refreshCards(updated);
        throw new ActionRefused(
          changed.verdict === "blocked"
            ? "The tenant has changed and this change is now blocked, so nothing was applied. The card shows the new preview."
            : "The tenant has changed since this was previewed (seats or users), so nothing was applied. Check the updated card and approve again.",
        );
      }
    }
    const approved = this.store.transition(
      request.id,
      request.version,
      { status: "approved", stage: { index, status: "approved", approvedBy: person(actor), approvedAt: this.now().toISOString() } },
      { at: this.now().toISOString(), actor: actor.id, action: "approved", details: { stage: index, ...(allRemaining ? { allRemaining: true } : {}) } },
    );
    if (!approved) return this.lostRace(requestId);
    // The change is applied in the background: the approver's click is answered at once.
    this.background(approved.id, async () => {
      await this.refreshCards(approved);
      await this.notifier.tell(approved.requesterConversation, `${actor.name} approved ${index === 0 ? "" : `stage ${index + 1} of `}request #${approved.id}. I am applying it now.`);
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
        ...(settings ? { pilot: { count: settings.pilot.count, percent: settings.pilot.percent }, waveSize: settings.waveSize } : {}),
      });
      return outcome.kind === "migration-preview" ? outcome.preview : undefined;
    }
    const restore = request.undoOf === undefined ? undefined : restoreOf(this.load(request.undoOf));
    const outcome = await this.previews.preview({ ...requestOf(plan), restore });
    return outcome.kind === "preview" ? outcome.preview : undefined;
  }

  /** An approver stops a migration between stages: what was done stays, nothing more is removed. */
  async stopMigration(actor: Actor, requestId: number, version: number, conversation: ConversationRef): Promise<LicenseRequest> {
    const request = this.load(requestId);
    this.requireShownIn(request, conversation);
    await this.require(actor, "approver");
    this.requireCurrent(request, version);
    const index = currentStage(request).index;
    if (!isMigration(request.preview) || index === 0) throw new ActionRefused(`Request #${requestId} is not a migration between stages; reject or cancel it instead.`);
    const stopped = this.transition(request, { status: "cancelled", stage: { index, status: "cancelled" } }, actor, "stopped", { stage: index });
    await this.refreshCards(stopped);
    await this.notifier.tell(stopped.requesterConversation, `${actor.name} stopped the migration of request #${stopped.id} after stage ${index}. Users already moved stay on group licensing; the others keep their direct license.`);
    return stopped;
  }

  async reject(actor: Actor, requestId: number, version: number, reason: string, conversation: ConversationRef): Promise<LicenseRequest> {
    const request = this.load(requestId);
    this.requireShownIn(request, conversation);
    await this.require(actor, "approver");
    this.requireCurrent(request, version);
    const why = reason.trim().slice(0, 500);
    if (why === "") throw new ActionRefused("Say why you reject it: the requester will read the reason.");
    const rejected = this.transition(request, { status: "rejected", stage: { index: currentStage(request).index, status: "rejected" }, rejectedBy: person(actor), rejectionReason: why }, actor, "rejected", { reason: why });
    await this.refreshCards(rejected);
    await this.notifier.tell(rejected.requesterConversation, `${actor.name} rejected request #${rejected.id}: ${why}`);
    return rejected;
  }

  /** A requester withdraws their own pending request. */
  async cancel(actor: Actor, requestId: number, version: number, conversation: ConversationRef): Promise<LicenseRequest> {
    const request = this.load(requestId);
    this.requireShownIn(request, conversation);
    this.checkTenant(actor);
    if (request.requester.id !== actor.id) throw new ActionRefused("Only the person who asked for this change can cancel it.");
    this.requireCurrent(request, version);
    const cancelled = this.transition(request, { status: "cancelled", stage: { index: currentStage(request).index, status: "cancelled" } }, actor, "cancelled", {});
    await this.refreshCards(cancelled);
    return cancelled;
  }

  /** Re-runs group licensing for users whose cause has been fixed (after a finished group change). */
  async reprocess(actor: Actor, requestId: number, conversation: ConversationRef): Promise<number> {
    const request = this.load(requestId);
    this.requireShownIn(request, conversation);
    await this.require(actor, "approver");
    const report = request.stages[0]?.report as OutcomeReport | undefined;
    if (request.status !== "done-with-errors" || !report) throw new ActionRefused(`Request #${requestId} has no users in error to reprocess.`);
    const users = report.errors.flatMap((e) => e.users.map((u) => u.id));
    for (const id of users) await this.graph.reprocessUser(id);
    this.store.appendAudit({ requestId, at: this.now().toISOString(), actor: actor.id, action: "reprocessed", details: { users } });
    return users.length;
  }

  /**
   * "undo request N": a new request for the inverse change, previewed and approved like any other.
   * It restores the product request N removed with the plans that were off on it then (restoreOf).
   */
  async undo(actor: Actor, requestId: number, conversation: ConversationRef): Promise<LicenseRequest> {
    const request = this.load(requestId);
    if (request.status !== "done" && request.status !== "done-with-errors") {
      throw new ActionRefused(`Request #${requestId} is ${request.status}; only an applied request can be undone.`);
    }
    if (isMigration(request.preview)) throw new ActionRefused(`Request #${requestId} moved users onto group licensing; it cannot be undone with a single change.`);
    const { target, from, to } = request.preview;
    const inverse: PreviewRequest = { target: { type: target.type, id: target.id }, from: to.skuId, to: from.skuId, restore: restoreOf(request) };
    await this.require(actor, "requester");
    const outcome = await this.previews.preview(inverse);
    if (outcome.kind !== "preview") throw new ActionRefused(`Request #${requestId} cannot be undone: ${outcome.kind === "refused" ? outcome.message : "its inverse no longer resolves to one change."} Nothing was requested.`);
    const { preview } = outcome;
    if (preview.verdict === "blocked") {
      // Not "the tenant has changed": the inverse change was never previewed; say what blocks it.
      const blocks = preview.checks.filter((c) => c.status === "block").map((c) => c.title);
      const back = `${preview.target.type} ${preview.target.displayName} back from ${productName(preview.from.skuPartNumber)} to ${productName(preview.to.skuPartNumber)}`;
      throw new ActionRefused(`Request #${requestId} cannot be undone as it stands: moving ${back} is blocked. ${blocks.join(". ")}. Nothing was requested.`);
    }
    return this.createRequest(actor, outcome, conversation, requestId);
  }

  /** "status N": a request as its card shows it, to users of the tenant who request or approve. */
  async view(actor: Actor, requestId: number): Promise<LicenseRequest> {
    this.checkTenant(actor);
    const roles = await this.roles.rolesOf(actor.id);
    if (roles.size === 0) throw new ActionRefused("Only License Desk requesters and approvers can see requests. Ask your Teams administrator to add you.");
    return this.load(requestId);
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
        else if (await this.inEffect(request)) this.follow(this.transition(request, { status: "processing", stage: { index: 0, status: "processing" } }, SYSTEM, "found-applied", {}));
        else this.background(request.id, () => this.apply(request));
      } catch (error) {
        this.log.error({ err: error, request: request.id }, "could not resume request");
      }
    }
  }

  /** Resolves when every follow-up under way has finished (tests, shutdown). */
  async idle(): Promise<void> {
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
    this.store.appendAudit({ requestId: null, at: this.now().toISOString(), actor: actor.id, action: "approvals-channel-set", details: {} });
  }

  /** Sends the approval card to the approvals channel (else the requester's chat) and keeps both cards to update. */
  private async announce(request: LicenseRequest, requesterConversation: ConversationRef): Promise<void> {
    const channel = this.store.getSetting(APPROVALS_CHANNEL) as ConversationRef | undefined;
    const targets = channel ? [channel, requesterConversation] : [requesterConversation];
    for (const conversation of targets) {
      const activityId = await this.notifier.sendRequestCard(conversation, request);
      if (activityId) this.store.addCard(request.id, { conversation, activityId });
    }
  }

  /**
   * Sends exactly the approved operation; records Graph's answer; then follows the outcome.
   * "applying" is written before the call, so a restart during it checks the tenant first.
   */
  private async apply(approved: LicenseRequest): Promise<LicenseRequest> {
    if (isMigration(approved.preview)) return this.runMigrationStage(approved);
    const applying = approved.status === "applying" ? approved : this.transition(approved, { status: "applying", stage: { index: 0, status: "applying" } }, SYSTEM, "applying", {});
    const operation = applying.stages[0].operations[0];
    try {
      const answer = await this.graph.assignLicense(operation);
      // A user's change is in effect at once, a group's once Entra has processed its members; either way the outcome is read next.
      const sent = this.transition(applying, { status: "processing", stage: { index: 0, status: "processing", graphStatus: answer.status, graphRequestId: answer.requestId } }, SYSTEM, "graph-call", {
        operation,
        status: answer.status,
        requestId: answer.requestId,
      });
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
    const applying = approved.status === "applying" ? approved : this.transition(approved, { status: "applying", stage: { index, status: "applying" } }, SYSTEM, "applying", { stage: index });
    await this.refreshCards(applying);
    let outcome: StageOutcome;
    try {
      outcome = await this.migrationStages.run(applying);
    } catch (error) {
      const message = error instanceof UserFacingError ? error.userMessage : String(error);
      const failed = this.transition(this.load(applying.id), { status: "failed", stage: { index, status: "failed", error: message } }, SYSTEM, "stage-failed", { stage: index, error: message });
      await this.refreshCards(failed);
      await this.notifier.tell(failed.requesterConversation, `Stage ${index + 1} of request #${failed.id} failed: ${message} Users not yet moved keep their direct license.`);
      return failed;
    }
    const current = this.load(applying.id);
    const stageStatus = stageHadErrors(outcome.report) ? "done-with-errors" : "done";
    if (outcome.stop) {
      const stopped = this.transition(current, { status: "failed", stage: { index, status: "failed", report: outcome.report, error: outcome.stop } }, SYSTEM, "migration-stopped", { stage: index, lost: outcome.report.lost?.length ?? 0 });
      await this.refreshCards(stopped);
      await this.notifier.tell(stopped.requesterConversation, `Request #${stopped.id}: ${outcome.stop}`);
      return stopped;
    }
    if (!outcome.next) {
      const finalStatus = current.stages.some((st) => st.status === "done-with-errors") || stageStatus === "done-with-errors" ? "done-with-errors" : "done";
      const done = this.transition(current, { status: finalStatus, stage: { index, status: stageStatus, report: outcome.report } }, SYSTEM, "finished", { stage: index });
      await this.refreshCards(done);
      await this.notifier.tell(done.requesterConversation, `Request #${done.id} is done: ${describeMigrationProgress(done)}.`);
      return done;
    }
    const allRemaining = this.store.audit(current.id).some((a) => a.action === "approved" && a.details.allRemaining === true);
    const proposed = this.transition(
      current,
      { status: "pending", stage: { index, status: stageStatus, report: outcome.report }, appendStage: outcome.next, expiresAt: this.expiry().toISOString() },
      SYSTEM,
      "stage-proposed",
      { stage: index + 1, title: outcome.next.title },
    );
    if (allRemaining) {
      // Approved beforehand: the same approver's approval carries over to each remaining stage.
      const approver = current.stages[index].approvedBy ?? SYSTEM;
      const next = this.transition(proposed, { status: "approved", stage: { index: index + 1, status: "approved", approvedBy: approver, approvedAt: this.now().toISOString() } }, approver, "approved", { stage: index + 1, allRemaining: true });
      return this.runMigrationStage(next);
    }
    await this.refreshCards(proposed);
    await this.notifier.tell(proposed.requesterConversation, `Request #${proposed.id}: stage ${index + 1} is done (${describeMigrationProgress(proposed)}). Next, waiting for an approver: ${outcome.next.title}.`);
    return proposed;
  }

  /** Waits until Entra has processed the group's licenses (and the group holds `skuId`), reading its state with back-off. */
  private async waitForGroupProcessing(groupId: string, skuId: string): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      if (this.stopped) throw new Error("stopping: the follow-up resumes at the next start");
      const group = await this.graph.getGroup(groupId);
      if (group.licenseProcessingState === "ProcessingComplete" && group.assignedLicenses.some((l) => l.skuId === skuId)) return;
      await sleep(this.settings.pollDelaysMs[Math.min(attempt, this.settings.pollDelaysMs.length - 1)]);
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
      const sent = this.transition(applying, { status: "processing", stage: { index: 0, status: "processing" } }, SYSTEM, "graph-call-unanswered-but-applied", { operation, error: message });
      this.follow(sent);
      return sent;
    }
    const failed = this.transition(applying, { status: "failed", stage: { index: 0, status: "failed", error: message, ...(error instanceof TenantRequestError && error.status ? { graphStatus: error.status } : {}) } }, SYSTEM, "graph-call-failed", {
      operation,
      error: message,
    });
    await this.refreshCards(failed);
    await this.notifier.tell(failed.requesterConversation, `Request #${failed.id} could not be applied: ${message} Nothing was changed.`);
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
      .catch((error: unknown) => this.log.error({ err: error, request: requestId }, "request work failed; it resumes at the next start"))
      .finally(() => {
        if (this.running.get(requestId) === run) this.running.delete(requestId);
      });
    this.running.set(requestId, run);
  }

  private async followToEnd(request: LicenseRequest): Promise<void> {
    const preview = changePlan(request);
    let report: OutcomeReport;
    if (preview.target.type === "group") {
      await this.waitForGroupProcessing(preview.target.id, preview.to.skuId);
      const [group, members, products] = await Promise.all([this.graph.getGroup(preview.target.id), this.graph.listGroupMembers(preview.target.id), this.graph.listProducts()]);
      report = groupOutcome({ group, members, products, fromSkuId: preview.from.skuId, toSkuId: preview.to.skuId });
    } else {
      const [user, products] = await Promise.all([this.graph.getUser(preview.target.id), this.graph.listProducts()]);
      report = userOutcome({ user, products, fromSkuId: preview.from.skuId, toSkuId: preview.to.skuId });
    }
    const current = this.load(request.id);
    const status = report.failed > 0 ? "done-with-errors" : "done";
    const done = this.transition(current, { status, stage: { index: 0, status, report } }, SYSTEM, "finished", { holdTarget: report.holdTarget, failed: report.failed });
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
    const expired = this.store.transition(request.id, request.version, { status: "expired", stage: { index: 0, status: "expired" } }, { at: this.now().toISOString(), actor: SYSTEM.id, action: "expired", details: {} });
    if (!expired) return this.load(request.id);
    await this.refreshCards(expired);
    await this.notifier.tell(expired.requesterConversation, `Request #${expired.id} expired without a decision. Ask again if it is still needed.`);
    return expired;
  }

  private isExpired(request: LicenseRequest): boolean {
    return request.status === "pending" && this.now().getTime() >= Date.parse(request.expiresAt);
  }

  private async refreshCards(request: LicenseRequest): Promise<void> {
    for (const card of request.cards) {
      await this.notifier.updateRequestCard(card, request).catch((error: unknown) => this.log.warn({ err: error, request: request.id }, "could not update a card"));
    }
  }

  private transition(request: LicenseRequest, change: Transition, actor: Person, action: string, details: Record<string, unknown>): LicenseRequest {
    const updated = this.store.transition(request.id, request.version, change, { at: this.now().toISOString(), actor: actor.id, action, details });
    if (!updated) throw new ActionRefused(`Request #${request.id} changed while I was working on it; look at its card for where it stands.`);
    return updated;
  }

  /** Another approval (or a double click) won: show where the request stands, change nothing. */
  private lostRace(requestId: number): LicenseRequest {
    const current = this.load(requestId);
    throw new ActionRefused(`Request #${requestId} was already ${describeStatus(current)}. Nothing more was done.`);
  }

  private load(requestId: number): LicenseRequest {
    const request = this.store.get(requestId);
    if (!request) throw new ActionRefused(`There is no request #${requestId}. Nothing was changed.`);
    return request;
  }

  /** A button of a request is honoured only in a conversation the request's card was sent to. */
  private requireShownIn(request: LicenseRequest, conversation: ConversationRef): void {
    const id = conversationId(conversation);
    const shown = [request.requesterConversation, ...request.cards.map((c) => c.conversation)].some((c) => conversationId(c) === id);
    if (!shown || id === undefined) throw new ActionRefused(`Request #${request.id} does not belong to this conversation. Nothing was changed.`);
  }

  private requireCurrent(request: LicenseRequest, version: number): void {
    if (request.status !== "pending") throw new ActionRefused(`Request #${request.id} is already ${describeStatus(request)}. Nothing more was done.`);
    if (request.version !== version) throw new ActionRefused(`This card is out of date: request #${request.id} has changed since it was shown. Look at the updated card and try again.`);
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
    if (!roles.has(role)) {
      throw new ActionRefused(
        role === "approver"
          ? "Only License Desk approvers can do that, and you are not one. Ask an approver, or your Teams administrator to add you."
          : "You are not set up to request license changes. Ask your Teams administrator to add you to the License Desk requesters.",
      );
    }
  }
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
  return { target: { type: preview.target.type, id: preview.target.id }, from: preview.from.skuId, to: preview.to.skuId };
}

/**
 * What undoing an applied change restores: its source with the plans that were off on it then
 * (none when its preview recorded none, as previews made before they were recorded).
 */
function restoreOf(undone: LicenseRequest): NonNullable<PreviewRequest["restore"]> {
  return { undoOf: undone.id, disabledPlans: [...(changePlan(undone).from.disabledPlans ?? [])] };
}

/**
 * Whether the tenant changed what an approver approved: the verdict turned to blocked, the seat
 * numbers moved, a check now names other users, or the operation differs.
 */
export function changedSince(approved: RequestPlan, now: RequestPlan): boolean {
  if (now.verdict === "blocked") return true;
  if (JSON.stringify(approved.seats) !== JSON.stringify(now.seats)) return true;
  if (JSON.stringify(approved.operations) !== JSON.stringify(now.operations)) return true;
  // A migration's users to move, pilot and waves must be the ones approved too.
  if (isMigration(approved) && isMigration(now) && JSON.stringify(approved.counts) !== JSON.stringify(now.counts)) return true;
  const counts = (p: RequestPlan) => JSON.stringify(p.checks.map((c) => [c.id, c.status, c.count ?? null]));
  return counts(approved) !== counts(now);
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
