/**
 * Who may act on what. Checked in this order, so that nothing about a request reaches anyone who may
 * not see it: the tenant, a License Desk role, the request existing and (for a button) having been
 * shown in the conversation it was clicked in — the last two refused with one and the same text —
 * then the role the action needs, whose refusal may show the request. Roles are read from the
 * tenant at every check (roles.ts).
 */
import type { Logger } from "../log";
import type { ConversationRef, LicenseRequest } from "../requests/licenseRequest";
import { CorruptRecordError, type RequestStore } from "../store/requestStore";
import type { Role, RoleDirectory } from "./roles";
import { describeStatus, shownIn } from "./rules";
import { ActionRefused, type Actor } from "./types";

/** A member of the tenant with no License Desk role: nothing about requests is shown to them. */
export const NOT_A_MEMBER =
  "Only License Desk requesters and approvers can do that, and you are neither. Ask your Teams administrator to add you.";

export const OTHER_TENANT = "This bot serves another organization's tenant; your action was not accepted.";

/** One answer for "no such request" and "not yours to see", so that request numbers cannot be probed. */
export function notFound(requestId: number): string {
  return `I found no request #${requestId} that you can act on here. Check the number on its card, or say "my requests". Nothing was changed.`;
}

export function roleRefusal(role: Role): string {
  return role === "approver"
    ? "Only License Desk approvers can do that, and you are not one. Ask an approver, or your Teams administrator to add you."
    : "You are not set up to request license changes. Ask your Teams administrator to add you to the License Desk requesters.";
}

export interface AccessOptions {
  /** The one tenant the bot serves. */
  readonly tenantId: string;
  readonly roles: Pick<RoleDirectory, "rolesOf">;
  readonly store: Pick<RequestStore, "get">;
  readonly log: Logger;
}

export class AccessPolicy {
  constructor(private readonly options: AccessOptions) {}

  /** Refuses an activity from any tenant but the configured one. */
  checkTenant(actor: Actor): void {
    if (actor.tenantId?.toLowerCase() !== this.options.tenantId.toLowerCase())
      throw new ActionRefused("otherTenant", OTHER_TENANT);
  }

  /** Refuses (ActionRefused) an actor of another tenant or without `role`, as the tenant says now. */
  async require(actor: Actor, role: Role): Promise<void> {
    this.checkTenant(actor);
    const roles = await this.options.roles.rolesOf(actor.id);
    if (!roles.has(role)) throw new ActionRefused("roleRequired", roleRefusal(role));
  }

  /** Refuses (ActionRefused) an actor of another tenant, or with neither role, as the tenant says now. */
  async requireMember(actor: Actor): Promise<void> {
    await this.memberRoles(actor);
  }

  /**
   * Request `requestId` for `actor`, checked in the order above; `conversation` undefined for a
   * typed command (which may name any request the actor may see).
   */
  async request(
    actor: Actor,
    requestId: number,
    role: Role | "member",
    conversation: ConversationRef | undefined,
  ): Promise<LicenseRequest> {
    const roles = await this.memberRoles(actor);
    let request: LicenseRequest | undefined;
    try {
      request = this.options.store.get(requestId);
    } catch (error) {
      if (!(error instanceof CorruptRecordError)) throw error;
      this.options.log.error({ err: error, request: requestId }, "stored request is unreadable");
      throw new ActionRefused(
        "damagedRecord",
        `Request #${requestId} is damaged in the bot's store, so I cannot act on it. Nothing was changed. Ask your Teams administrator to check the bot's log and its data folder.`,
      );
    }
    if (!request || (conversation !== undefined && !shownIn(request, conversation)))
      throw new ActionRefused("notFound", notFound(requestId));
    if (role !== "member" && !roles.has(role)) throw new ActionRefused("roleRequired", roleRefusal(role), request);
    return request;
  }

  /** Runs `work` on an accessible request; a refusal from it shows the request as it stands now. */
  async onRequest<T>(
    actor: Actor,
    requestId: number,
    role: Role | "member",
    conversation: ConversationRef | undefined,
    work: (request: LicenseRequest) => Promise<T>,
  ): Promise<T> {
    const request = await this.request(actor, requestId, role, conversation);
    try {
      return await work(request);
    } catch (error) {
      if (error instanceof ActionRefused && error.request === undefined)
        throw new ActionRefused(error.code, error.userMessage, this.options.store.get(requestId) ?? request);
      throw error;
    }
  }

  /** The actor's roles; refuses another tenant and a user with no role. */
  private async memberRoles(actor: Actor): Promise<ReadonlySet<Role>> {
    this.checkTenant(actor);
    const roles = await this.options.roles.rolesOf(actor.id);
    if (roles.size === 0) throw new ActionRefused("noRole", NOT_A_MEMBER);
    return roles;
  }
}

/** Refuses a decision on a request that is no longer pending, or from a card that shows an older version. */
export function requireCurrent(request: LicenseRequest, version: number): void {
  if (request.status !== "pending")
    throw new ActionRefused(
      "notPending",
      `Request #${request.id} is already ${describeStatus(request)}. Nothing more was done.`,
    );
  if (request.version !== version)
    throw new ActionRefused(
      "staleCard",
      `This card is out of date: request #${request.id} has changed since it was shown. Look at the updated card and try again.`,
    );
}
