/**
 * A license request as the product knows it: what was asked and previewed, its stages, where it
 * stands, and where its cards are. The store keeps it (src/store/); the workflow moves it on
 * (src/approval/); the cards show it (src/cards/).
 */
import type { MigrationPreview } from "../licensing/migrationPlan";
import type { Operation, Preview } from "../licensing/preview";

/** What a request was previewed as: a change of one group or user, or a direct-to-group migration. */
export type RequestPlan = Preview | MigrationPreview;

export function isMigration(plan: RequestPlan): plan is MigrationPreview {
  return plan.kind === "direct-to-group";
}

/** The stage waiting for, or under, its approval: the last one. */
export function currentStage(request: LicenseRequest): Stage {
  return request.stages[request.stages.length - 1];
}

/** A person in the tenant, as Teams identifies them (Entra object id) with the name shown. */
export interface Person {
  readonly id: string;
  readonly name: string;
}

/**
 * pending: waiting for an approver. approved: an approver approved, nothing sent yet.
 * applying: the Graph call is being made (a restart here must check the tenant before sending again).
 * processing: Graph accepted the change; Entra is still processing a group's members.
 * done / done-with-errors: finished; rejected / expired / cancelled: closed without a change.
 * failed: the Graph call failed for good; the tenant is as the audit trail says.
 */
export type RequestStatus =
  | "pending"
  | "approved"
  | "applying"
  | "processing"
  | "done"
  | "done-with-errors"
  | "failed"
  | "rejected"
  | "expired"
  | "cancelled";

/** One step of a request, approved and applied on its own (a migration has several). */
export interface Stage {
  readonly index: number;
  readonly title: string;
  readonly status: RequestStatus;
  /** The Graph calls this stage makes, exactly as approved. */
  readonly operations: readonly Operation[];
  readonly approvedBy?: Person;
  readonly approvedAt?: string;
  /** What Graph answered: HTTP status and its request-id, for support. */
  readonly graphStatus?: number;
  readonly graphRequestId?: string;
  /**
   * When the stage's Graph write was last sent (written before sending). A restart that finds it
   * knows the write may still take effect, so it waits out Graph's timeout and reads the tenant
   * before deciding to send again.
   */
  readonly attemptedAt?: string;
  /**
   * When the tenant was checked again after the approval (the first stage only): an approval is
   * answered at once and checked after it, so an approved first stage without it is applied only
   * once the check says nothing the approver approved has changed.
   */
  readonly checkedAt?: string;
  /**
   * The outcome report (who moved, who did not and why), once the stage has finished: a StageReport
   * as the request's kind wrote it, read back through the guards in stageReport.ts.
   */
  readonly report?: unknown;
  readonly error?: string;
}

/** Where to reach a conversation later (Bot Framework's conversation reference, kept opaque). */
export type ConversationRef = Readonly<Record<string, unknown>>;

/** A card sent about a request, so it can be updated for everyone when the request changes. */
export interface CardRef {
  readonly conversation: ConversationRef;
  readonly activityId: string;
  /** The request's version the card shows now; behind the request's own version, the card is stale. */
  readonly shownVersion?: number;
}

/** Statuses in which a request is open: it still may change the tenant, or is changing it. */
export const OPEN_STATUSES: readonly RequestStatus[] = ["pending", "approved", "applying", "processing"];

export interface LicenseRequest {
  readonly id: number;
  readonly kind: RequestPlan["kind"];
  readonly status: RequestStatus;
  /** Bumped by every transition; a card carries the version it shows, and a stale one is refused. */
  readonly version: number;
  readonly requester: Person;
  readonly createdAt: string;
  readonly expiresAt: string;
  /** The preview the requester saw and the approver approves. */
  readonly preview: RequestPlan;
  readonly stages: readonly Stage[];
  /** Where the requester asked, to tell them of the decision and the outcome. */
  readonly requesterConversation: ConversationRef;
  readonly cards: readonly CardRef[];
  readonly rejectedBy?: Person;
  readonly rejectionReason?: string;
  /** For an undo: the request it reverses. */
  readonly undoOf?: number;
}
