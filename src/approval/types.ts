/**
 * The approval workflow's vocabulary, shared by its parts: who acts, what they are refused, the
 * settings, and the narrow views of Graph, the preview service and the Teams layer it uses.
 */
import { UserFacingError } from "../errors";
import type { GraphGateway } from "../graph/graphGateway";
import type { CardRef, ConversationRef, LicenseRequest, Person } from "../requests/licenseRequest";
import type { PreviewService } from "../service/previewService";

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

/** Why an action was refused; `docs/architecture.md` lists them. */
export type RefusalCode =
  /** The activity came from another tenant. */
  | "otherTenant"
  /** The person holds no License Desk role. */
  | "noRole"
  /** The person lacks the role this action needs. */
  | "roleRequired"
  /** No such request, or not shown where the button was clicked: one code, so ids cannot be probed. */
  | "notFound"
  /** The stored request cannot be read. */
  | "damagedRecord"
  /** The request is no longer in the state the action needs (already approved, rejected, expired…). */
  | "notPending"
  /** The card is older than the request. */
  | "staleCard"
  /** Another action moved the request on while this one ran. */
  | "lostRace"
  /** The tenant changed since the preview: the request is blocked or differs. */
  | "tenantChanged"
  /** The preview no longer resolves to one change. */
  | "noLongerResolves"
  /** A requester may not approve their own request. */
  | "ownRequest"
  /** Only the requester may cancel. */
  | "notRequester"
  /** A rejection needs a reason. */
  | "reasonRequired"
  /** This kind of request does not allow that action (approve all, stop, undo, reprocess). */
  | "notForThisRequest";

/** A refusal to show the person who clicked: nothing was changed. */
export class ActionRefused extends UserFacingError {
  constructor(
    readonly code: RefusalCode,
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
  readonly code = "processingDeadline";

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

export const DEFAULT_POLL_DELAYS_MS: readonly number[] = [500, 1000, 2000, 5000, 10000, 30000, 60000];

/** The Graph calls the workflow makes (GraphGateway implements them; tests pass plain objects). */
export type WorkflowGraph = Pick<
  GraphGateway,
  | "getGroup"
  | "getUser"
  | "getUsers"
  | "listGroupMembers"
  | "listProducts"
  | "assignLicense"
  | "assignLicenses"
  | "reprocessUser"
>;

/** What the workflow asks of the preview service: a change or a migration previewed again. */
export type Previews = Pick<PreviewService, "preview" | "previewMigration">;

/** The clock, and a wait on it (tests pass a fake clock that a wait moves on). */
export interface Clock {
  now(): Date;
  sleep(ms: number): Promise<void>;
}

/** The workflow itself, as the actor of what nobody clicked (follow-ups, expiry, carried-over approvals). */
export const SYSTEM: Person = { id: "license-desk", name: "License Desk" };

export function person(actor: Actor): Person {
  return { id: actor.id, name: actor.name };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
