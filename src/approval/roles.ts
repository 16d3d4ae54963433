/**
 * Who may request and who may approve license changes. Roles come from the
 * tenant at the moment of asking: Entra group membership, checked through Graph transitively
 * (checkMemberGroups), with static lists of user object ids as a fallback for small setups. Nothing
 * is cached between calls, so a user removed from the approvers group cannot approve a minute later,
 * and nothing is ever taken from card data.
 *
 * Rules:
 * - approver: listed in approverUserIds, or a member (directly or through nested groups) of one of
 *   approverGroupIds. With neither configured, nobody can approve.
 * - requester: every approver; anyone listed in requesterUserIds or a member of requesterGroupIds.
 *   When no requester group and no requester user is configured at all, every user of the tenant
 *   may request (the caller has already refused activities from other tenants).
 * - a user Graph does not know (404) has no role.
 */
import { directoryId } from "../directoryId";
import { TenantRequestError } from "../errors";

export interface RoleSettings {
  readonly approverGroupIds: readonly string[];
  readonly requesterGroupIds: readonly string[];
  readonly approverUserIds: readonly string[];
  readonly requesterUserIds: readonly string[];
}

export type Role = "requester" | "approver";

/** The one thing roles ask of the tenant (Graph's checkMemberGroups, transitive). */
export interface GroupMembership {
  /** Which of `groupIds` the user is a member of, directly or through nested groups. */
  checkMemberGroups(userId: string, groupIds: readonly string[]): Promise<Set<string>>;
}

export class RoleDirectory {
  private readonly approverUsers: ReadonlySet<string>;
  private readonly requesterUsers: ReadonlySet<string>;
  /** No requester group or user configured: every user of the tenant may request. */
  private readonly everyoneRequests: boolean;

  constructor(
    private readonly graph: GroupMembership,
    private readonly settings: RoleSettings,
  ) {
    // Object ids are GUIDs: compared in one spelling, whatever the settings or Teams send.
    this.approverUsers = new Set(settings.approverUserIds.map(directoryId));
    this.requesterUsers = new Set(settings.requesterUserIds.map(directoryId));
    this.everyoneRequests = settings.requesterGroupIds.length === 0 && settings.requesterUserIds.length === 0;
  }

  /**
   * The roles of a user (Entra object id) as the tenant says now. At most one checkMemberGroups call
   * per 20 configured groups, none when the static lists already decide both roles. A Graph failure
   * other than "no such user" is thrown (TenantRequestError): no role is assumed when the tenant
   * cannot be asked.
   */
  async rolesOf(userId: string): Promise<ReadonlySet<Role>> {
    const id = directoryId(userId);
    let approver = this.approverUsers.has(id);
    let requester = approver || this.requesterUsers.has(id) || this.everyoneRequests;
    const groups = [
      ...(approver ? [] : this.settings.approverGroupIds),
      ...(requester ? [] : this.settings.requesterGroupIds),
    ];
    if (groups.length > 0) {
      let member: Set<string>;
      try {
        member = await this.graph.checkMemberGroups(userId, groups);
      } catch (error) {
        // Not a user of this tenant (deleted, or never was): no role at all, even where everyone may request.
        if (error instanceof TenantRequestError && error.status === 404) return new Set();
        throw error;
      }
      const memberOf = new Set([...member].map(directoryId));
      const isIn = (ids: readonly string[]) => ids.some((g) => memberOf.has(directoryId(g)));
      approver ||= isIn(this.settings.approverGroupIds);
      requester ||= approver || isIn(this.settings.requesterGroupIds);
    }
    const roles = new Set<Role>();
    if (requester) roles.add("requester");
    if (approver) roles.add("approver");
    return roles;
  }
}
