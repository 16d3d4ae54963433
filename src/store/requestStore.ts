/**
 * Durable state of license requests: what was asked, what was approved, what was applied, and an
 * append-only audit trail. Nothing about a request lives only in memory: every step is written
 * here before the next one starts, so a restart at any point can pick the request up again.
 *
 * An interface, so that a shared database can replace the embedded SQLite store
 * (sqliteRequestStore.ts) when several instances run.
 */
import type { MigrationPreview } from "../licensing/migrationPlan";
import type { Operation, Preview } from "../licensing/preview";

/** A stored record could not be read back (malformed JSON or an unexpected shape). */
export class CorruptRecordError extends Error {
  constructor(
    /** e.g. "request 12", "stage 0 of request 12", "setting approvalsChannel". */
    readonly record: string,
    readonly column: string,
    reason: string,
  ) {
    super(`Stored ${record} is unreadable (${column}): ${reason}`);
    this.name = "CorruptRecordError";
  }
}

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
  /** The outcome report (who moved, who did not and why), once the stage has finished. */
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

/** A request card still to be sent to a conversation: written with the request, so a restart sends it. */
export interface OutboxItem {
  readonly id: number;
  readonly requestId: number;
  readonly conversation: ConversationRef;
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

export interface AuditEntry {
  readonly requestId: number | null;
  readonly at: string;
  readonly actor: string;
  readonly action: string;
  readonly details: Readonly<Record<string, unknown>>;
}

export interface NewRequest {
  readonly kind: RequestPlan["kind"];
  readonly requester: Person;
  readonly createdAt: string;
  readonly expiresAt: string;
  readonly preview: RequestPlan;
  readonly stages: readonly { readonly title: string; readonly operations: readonly Operation[] }[];
  readonly requesterConversation: ConversationRef;
  readonly undoOf?: number;
  /**
   * What the request changes, as a key: while one request with this key is open, creating another
   * returns that one instead (a preview clicked twice makes one request).
   */
  readonly dedupeKey?: string;
  /** Conversations its card is to be sent to (the outbox): kept until each is delivered. */
  readonly deliverTo: readonly ConversationRef[];
}

/** A change to a request, applied only if the request is still at `expectVersion` (compare and set). */
export interface Transition {
  readonly status?: RequestStatus;
  readonly stage?: { readonly index: number } & Partial<Omit<Stage, "index" | "title" | "operations">>;
  readonly preview?: RequestPlan;
  readonly expiresAt?: string;
  readonly rejectedBy?: Person;
  readonly rejectionReason?: string;
  /** Adds the next stage (pending, after the last one), e.g. a migration's next wave. */
  readonly appendStage?: { readonly title: string; readonly operations: readonly Operation[] };
}

export interface RequestStore {
  /**
   * Stores a new request with its outbox, in one transaction; or, when an open request has the same
   * dedupeKey, stores nothing and returns that one (`created` false).
   */
  create(
    request: NewRequest,
    audit: Omit<AuditEntry, "requestId">,
  ): { readonly request: LicenseRequest; readonly created: boolean };
  get(id: number): LicenseRequest | undefined;
  /**
   * Applies `change` and writes `audit` in one transaction if the request is at `expectVersion`;
   * returns the updated request, or undefined when another transition got there first.
   */
  transition(
    id: number,
    expectVersion: number,
    change: Transition,
    audit: Omit<AuditEntry, "requestId">,
  ): LicenseRequest | undefined;
  /** Cards not yet delivered, of requests still open, oldest first. */
  undelivered(): OutboxItem[];
  /** Marks an outbox item delivered and records the card sent (when the channel gave an id), in one transaction. */
  delivered(itemId: number, card: CardRef | undefined): void;
  /** Requests with a card that shows an older version than the request's (an update that failed or was cut short). */
  listWithStaleCards(): LicenseRequest[];
  /** Records that a card now shows `version` of its request. */
  cardShown(requestId: number, activityId: string, version: number): void;
  /** The newest first. */
  listByRequester(personId: string, limit: number): LicenseRequest[];
  /** Requests in any of these statuses, oldest first (start-up reconciliation, expiry). */
  listByStatus(statuses: readonly RequestStatus[]): LicenseRequest[];
  audit(requestId: number): AuditEntry[];
  appendAudit(entry: AuditEntry): void;
  /** Small settings the bot learns in chat (e.g. the approvals channel). */
  getSetting(key: string): unknown;
  setSetting(key: string, value: unknown): void;
  close(): void;
}
