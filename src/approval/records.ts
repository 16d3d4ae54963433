/**
 * The workflow's reads and writes of requests: every step a compare-and-set transition on the
 * request's version, with its audit entry, at the clock's time.
 */
import type { LicenseRequest, Person } from "../requests/licenseRequest";
import type { AuditEntry, RequestStore, Transition } from "../store/requestStore";
import { describeStatus } from "./rules";
import { ActionRefused } from "./types";

export interface RecordsOptions {
  readonly store: RequestStore;
  readonly now: () => Date;
  /** How long a request (or a migration's next stage) waits for a decision. */
  readonly expiryHours: number;
}

export class RequestRecords {
  readonly store: RequestStore;
  readonly now: () => Date;
  private readonly expiryHours: number;

  constructor(options: RecordsOptions) {
    this.store = options.store;
    this.now = options.now;
    this.expiryHours = options.expiryHours;
  }

  /** Moves the request on; refuses when another transition got there first. */
  transition(
    request: LicenseRequest,
    change: Transition,
    actor: Person,
    action: string,
    details: Record<string, unknown>,
  ): LicenseRequest {
    const updated = this.tryTransition(request, change, actor, action, details);
    if (!updated)
      throw new ActionRefused(
        "lostRace",
        `Request #${request.id} changed while I was working on it; look at its card for where it stands.`,
      );
    return updated;
  }

  /** Moves the request on, or undefined when another transition got there first. */
  tryTransition(
    request: LicenseRequest,
    change: Transition,
    actor: Person,
    action: string,
    details: Record<string, unknown>,
  ): LicenseRequest | undefined {
    return this.store.transition(request.id, request.version, change, this.entry(actor, action, details));
  }

  /** A request the workflow itself holds the id of (it exists: requests are never deleted). */
  load(requestId: number): LicenseRequest {
    const request = this.store.get(requestId);
    if (!request) throw new Error(`request ${requestId} is not in the store`);
    return request;
  }

  /** Another approval (or a double click) won: show where the request stands, change nothing. */
  lostRace(requestId: number): never {
    const current = this.load(requestId);
    throw new ActionRefused(
      "lostRace",
      `Request #${requestId} was already ${describeStatus(current)}. Nothing more was done.`,
    );
  }

  /** An audit entry with no transition (a reprocess, a setting). */
  audit(requestId: number | null, actor: Person, action: string, details: Record<string, unknown>): void {
    this.store.appendAudit({ requestId, ...this.entry(actor, action, details) });
  }

  /** When a request proposed now expires. */
  expiry(from: Date = this.now()): Date {
    return new Date(from.getTime() + this.expiryHours * 3_600_000);
  }

  private entry(actor: Person, action: string, details: Record<string, unknown>): Omit<AuditEntry, "requestId"> {
    return { at: this.now().toISOString(), actor: actor.id, action, details };
  }
}
