/**
 * Durable state of license requests: what was asked, what was approved, what was applied, and an
 * append-only audit trail. Nothing about a request lives only in memory: every step is written
 * here before the next one starts, so a restart at any point can pick the request up again.
 *
 * An interface, so that a shared database can replace the embedded SQLite store
 * (sqliteRequestStore.ts) when several instances run.
 */
import type { Operation } from "../licensing/preview";
import type {
  CardRef,
  ConversationRef,
  LicenseRequest,
  Person,
  RequestPlan,
  RequestStatus,
  Stage,
} from "../requests/licenseRequest";

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

/** A request card still to be sent to a conversation: written with the request, so a restart sends it. */
export interface OutboxItem {
  readonly id: number;
  readonly requestId: number;
  readonly conversation: ConversationRef;
}

export interface AuditEntry {
  readonly requestId: number | null;
  readonly at: string;
  readonly actor: string;
  readonly action: string;
  readonly details: Readonly<Record<string, unknown>>;
}

export interface NewLicenseRequest {
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
  /** A stage's fields to set; `approvedBy` and `approvedAt` null clear them (an approval undone by the re-check). */
  readonly stage?: { readonly index: number } & Partial<
    Omit<Stage, "index" | "title" | "operations" | "approvedBy" | "approvedAt">
  > & { readonly approvedBy?: Person | null; readonly approvedAt?: string | null };
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
    request: NewLicenseRequest,
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
