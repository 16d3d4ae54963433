/**
 * The approval workflow: a previewed change becomes a stored request; an approver's click
 * (checked against the tenant, never against card data) applies exactly the approved operation,
 * once; Entra's processing is followed to the end and reported.
 *
 * Every step is written to the store before the next starts, and every transition is a
 * compare-and-set on the request's version, so two approvers clicking at once make one Graph write
 * and a restart at any point resumes from the store (reconcile).
 *
 * This class only puts the parts together: who may act (access.ts), requests coming in
 * (intake.ts), decisions (decisions.ts), applying and following (execution.ts, followUp.ts and
 * each request kind under kinds/), recovery after a restart (recovery.ts), and what people are told
 * (notifications.ts).
 */
import type { Logger } from "../log";
import type { ConversationRef, LicenseRequest } from "../requests/licenseRequest";
import type { MigrationQuery, ChangeQuery } from "../requests/previewQuery";
import type { RequestStore } from "../store/requestStore";
import { AccessPolicy } from "./access";
import { BackgroundWork } from "./background";
import type { WorkflowContext } from "./context";
import { Decisions } from "./decisions";
import { GroupProcessing } from "./followUp";
import { Intake } from "./intake";
import { Notifications } from "./notifications";
import { RequestRecords } from "./records";
import { Recovery } from "./recovery";
import type { Role, RoleDirectory } from "./roles";
import { sleep, type Actor, type ApprovalSettings, type Notifier, type Previews, type WorkflowGraph } from "./types";

export {
  ActionRefused,
  DEFAULT_POLL_DELAYS_MS,
  FollowUpAbandoned,
  GROUP_PROCESSING_DEADLINE_MS,
  type Actor,
  type ApprovalSettings,
  type Notifier,
} from "./types";
export { requestOf } from "./rules";

/** What the approval workflow is built from; the composition root (src/app.ts) supplies each. */
export interface ApprovalParts {
  readonly graph: WorkflowGraph;
  readonly store: RequestStore;
  readonly roles: Pick<RoleDirectory, "rolesOf">;
  readonly previews: Previews;
  readonly notifier: Notifier;
  readonly settings: ApprovalSettings;
  readonly log: Logger;
  /** The clock; tests inject one. */
  readonly now?: () => Date;
}

export class ApprovalService {
  private readonly store: RequestStore;
  private readonly work: BackgroundWork;
  private readonly access: AccessPolicy;
  private readonly notices: Notifications;
  private readonly intake: Intake;
  private readonly decisions: Decisions;
  private readonly recovery: Recovery;
  private readonly records: RequestRecords;

  constructor(parts: ApprovalParts) {
    const { graph, store, roles, previews, notifier, settings, log, now = () => new Date() } = parts;
    this.store = store;
    const clock = { now, sleep };
    this.work = new BackgroundWork(log);
    this.records = new RequestRecords({ store, now, expiryHours: settings.expiryHours });
    this.notices = new Notifications({ notifier, store, log });
    this.access = new AccessPolicy({ tenantId: settings.tenantId, roles, store, log });
    const groupProcessing = new GroupProcessing({
      graph,
      pollDelaysMs: settings.pollDelaysMs,
      clock,
      log,
      stopped: () => this.work.stopped,
    });
    const context: WorkflowContext = {
      records: this.records,
      graph,
      previews,
      notices: this.notices,
      work: this.work,
      groupProcessing,
      clock,
      log,
      graphTimeoutMs: settings.graphTimeoutMs,
    };
    this.intake = new Intake(this.access, context);
    this.decisions = new Decisions(this.access, context);
    this.recovery = new Recovery(context);
  }

  /** "Request approval" on a preview (intake.ts). */
  requestApproval(actor: Actor, request: ChangeQuery, conversation: ConversationRef): Promise<LicenseRequest> {
    return this.intake.requestApproval(actor, request, conversation);
  }

  /** "Request approval" on a migration preview (intake.ts). */
  requestMigration(actor: Actor, request: MigrationQuery, conversation: ConversationRef): Promise<LicenseRequest> {
    return this.intake.requestMigration(actor, request, conversation);
  }

  /** "undo request N": a new request for the inverse change (intake.ts). */
  undo(actor: Actor, requestId: number, conversation: ConversationRef): Promise<LicenseRequest> {
    return this.intake.undo(actor, requestId, conversation);
  }

  /** The conversation an approver names as the approvals channel. */
  useApprovalsChannel(actor: Actor, conversation: ConversationRef): Promise<void> {
    return this.intake.useApprovalsChannel(actor, conversation);
  }

  /** Approve the request's current stage, or with `allRemaining` a migration's remaining ones (decisions.ts). */
  approve(
    actor: Actor,
    requestId: number,
    version: number,
    conversation: ConversationRef,
    allRemaining = false,
  ): Promise<LicenseRequest> {
    return this.decisions.approve(actor, requestId, version, conversation, allRemaining);
  }

  /** An approver stops a migration between stages: what was done stays, nothing more is removed. */
  stopMigration(
    actor: Actor,
    requestId: number,
    version: number,
    conversation: ConversationRef,
  ): Promise<LicenseRequest> {
    return this.decisions.stop(actor, requestId, version, conversation);
  }

  reject(
    actor: Actor,
    requestId: number,
    version: number,
    reason: string,
    conversation: ConversationRef,
  ): Promise<LicenseRequest> {
    return this.decisions.reject(actor, requestId, version, reason, conversation);
  }

  /** A requester withdraws their own pending request. */
  cancel(actor: Actor, requestId: number, version: number, conversation: ConversationRef): Promise<LicenseRequest> {
    return this.decisions.cancel(actor, requestId, version, conversation);
  }

  /** Re-runs group licensing for users whose cause has been fixed (after a finished group change). */
  reprocess(actor: Actor, requestId: number, conversation: ConversationRef): Promise<number> {
    return this.decisions.reprocess(actor, requestId, conversation);
  }

  /** Expires pending requests past their time; returns how many. */
  expireDue(): Promise<number> {
    return this.decisions.expireDue();
  }

  /** "status N": a request as its card shows it, to users of the tenant who request or approve. */
  view(actor: Actor, requestId: number): Promise<LicenseRequest> {
    return this.access.request(actor, requestId, "member", undefined);
  }

  /** Refuses an activity from any tenant but the configured one. */
  checkTenant(actor: Actor): void {
    this.access.checkTenant(actor);
  }

  /** Refuses (ActionRefused) an actor of another tenant or without `role`, as the tenant says now. */
  require(actor: Actor, role: Role): Promise<void> {
    return this.access.require(actor, role);
  }

  /** Refuses (ActionRefused) an actor of another tenant, or with neither role, as the tenant says now. */
  requireMember(actor: Actor): Promise<void> {
    return this.access.requireMember(actor);
  }

  /** At start-up: requests caught in the middle are finished from what the tenant holds (recovery.ts). */
  async reconcile(): Promise<void> {
    this.recovery.reconcile();
  }

  /** The sweep's and the start's part for cards: undelivered ones sent, stale ones of open requests brought up to date. */
  catchUpCards(): Promise<void> {
    return this.recovery.catchUpCards();
  }

  /** Sends the cards of the outbox (of one request, or of all open ones). */
  deliver(requestId?: number): Promise<void> {
    return this.notices.deliver(requestId);
  }

  /** Resolves when every follow-up under way has finished (tests, shutdown). */
  idle(): Promise<void> {
    return this.work.idle();
  }

  stop(): void {
    this.work.stop();
  }

  get(requestId: number): LicenseRequest {
    return this.records.load(requestId);
  }

  find(requestId: number): LicenseRequest | undefined {
    return this.store.get(requestId);
  }

  listMine(actor: Actor, limit = 10): LicenseRequest[] {
    return this.store.listByRequester(actor.id, limit);
  }
}
