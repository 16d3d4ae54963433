/**
 * The simulated Entra tenant: its state, the reads Graph's routes answer from it, and the licensing
 * writes (no HTTP here; see graphServer.ts). What Entra does on a write lives beside it:
 * - a user's assignLicense answers at once, all or nothing (directLicenseAssignment.ts);
 * - a group's assignLicense updates the group at once and processes its direct user members later,
 *   recording failures on each user, never in the answer (groupLicenseProcessing.ts);
 * - assignedLicenses and consumedUnits are always kept equal to what the states derive (tenantSkus.ts).
 */
import { checkRequestedLicenses, parseAssignLicenseBody } from "./assignLicenseRequest";
import { assignDirectLicenses } from "./directLicenseAssignment";
import { describeGroup } from "./entityDescriptions";
import { directoryBadRequest, resourceNotFound } from "./graphErrors";
import { applyGroupChange, GroupLicenseProcessing } from "./groupLicenseProcessing";
import { canHoldLicenses, type License } from "./licenseValues";
import type { CompanySubscription, Group, Organization, SubscribedSku, TenantSnapshot, User } from "./snapshot";
import { DEFAULT_INDEX_LAG_MS, DEFAULT_PROCESSING_STATE_LAG_MS, ReadLag } from "./readLag";
import { parseSnapshot, validateSnapshot } from "./snapshotValidation";
import { TenantSkus } from "./tenantSkus";

export interface TenantStateOptions {
  /** Time spent in each of QueuedForProcessing and ProcessingInProgress. 0 still defers to a timer. */
  processingDelayMs: number;
  /** How far eventually consistent reads lag behind license changes (readLag.ts); DEFAULT_INDEX_LAG_MS unless set. */
  indexLagMs?: number;
  /** How long a group's processing state reads as before an accepted assignLicense; DEFAULT_PROCESSING_STATE_LAG_MS unless set. */
  processingStateLagMs?: number;
  now?: () => Date;
}

function clone<T>(value: T): T {
  return structuredClone(value);
}

export class TenantState {
  private readonly usersById = new Map<string, User>();
  private readonly usersByUpn = new Map<string, User>();
  private readonly groupsById = new Map<string, Group>();
  private readonly skus: TenantSkus;
  private readonly processing: GroupLicenseProcessing;
  private readonly lag: ReadLag;
  private readonly membersByKind = new Map<
    string,
    { of: readonly string[]; length: number; user: readonly string[]; group: readonly string[] }
  >();
  private readonly now: () => Date;

  private constructor(
    private readonly data: TenantSnapshot,
    options: TenantStateOptions,
  ) {
    if (!Number.isFinite(options.processingDelayMs) || options.processingDelayMs < 0) {
      throw new RangeError(`processingDelayMs must be a non-negative number, not ${options.processingDelayMs}`);
    }
    this.now = options.now ?? (() => new Date());
    this.lag = new ReadLag(
      {
        indexLagMs: options.indexLagMs ?? DEFAULT_INDEX_LAG_MS,
        processingStateLagMs: options.processingStateLagMs ?? DEFAULT_PROCESSING_STATE_LAG_MS,
      },
      () => this.now().getTime(),
    );
    for (const u of data.users) {
      this.usersById.set(u.id.toLowerCase(), u);
      this.usersByUpn.set(u.userPrincipalName.toLowerCase(), u);
    }
    for (const g of data.groups) this.groupsById.set(g.id.toLowerCase(), g);
    this.skus = new TenantSkus(data.subscribedSkus, (user, before) => this.lag.userChanged(user, before));
    this.processing = new GroupLicenseProcessing(
      this.skus,
      (group) => this.directUserMembers(group),
      options.processingDelayMs,
      () => this.timestamp(),
    );
  }

  /** Parses (snapshotSchema) and validates a snapshot; resumes the processing of groups saved mid-way. */
  static fromJson(json: unknown, options: TenantStateOptions): TenantState {
    // The parse builds a new tree (zod copies every object and array): the caller's stays its own.
    const snapshot = parseSnapshot(json);
    validateSnapshot(snapshot);
    const state = new TenantState(snapshot, options);
    for (const g of snapshot.groups) {
      const step = g.licenseProcessingState?.state;
      if (step === "QueuedForProcessing" || step === "ProcessingInProgress") state.processing.schedule(g, step);
    }
    return state;
  }

  // --- reads (all return copies) ---

  get organization(): Organization {
    return clone(this.data.organization);
  }

  subscribedSkus(): SubscribedSku[] {
    return clone(this.data.subscribedSkus);
  }

  subscriptions(): CompanySubscription[] {
    return clone(this.data.subscriptions);
  }

  sku(skuId: string): SubscribedSku | undefined {
    const s = this.skus.get(skuId);
    return s && clone(s);
  }

  users(): readonly User[] {
    return clone(this.data.users);
  }

  groups(): readonly Group[] {
    return clone(this.data.groups);
  }

  user(idOrUpn: string): User | undefined {
    const u = this.findUser(idOrUpn);
    return u && clone(u);
  }

  group(id: string): Group | undefined {
    const g = this.groupsById.get(id.toLowerCase());
    return g && clone(g);
  }

  /** A user as an eventually consistent read (`ConsistencyLevel: eventual`) shows it now; not a copy. */
  indexedUser(user: User): User {
    return this.lag.indexed(user);
  }

  /** A group as a read reports it now (its processing state may lag behind a write); not a copy. */
  reportedGroup(group: Group): Group {
    return this.lag.reported(group);
  }

  /** Direct members, in snapshot order. */
  members(groupId: string): (User | Group)[] {
    return this.requireGroup(groupId).members.map((id) => clone(this.memberReadOnly(id)));
  }

  // Reads without copies, for the HTTP layer, which only reads them to render a page: a page must
  // cost what it holds, not what the tenant holds (copying 100,000 members, or every user, for each
  // page of 999 made listing a large group quadratic). Callers must not change what they get.

  usersReadOnly(): readonly User[] {
    return this.data.users;
  }

  groupsReadOnly(): readonly Group[] {
    return this.data.groups;
  }

  groupReadOnly(id: string): Group | undefined {
    return this.groupsById.get(id.toLowerCase());
  }

  /** A member id of a group: the user or group it names (the snapshot's validation guarantees one). */
  memberReadOnly(id: string): User | Group {
    const key = id.toLowerCase();
    return this.usersById.get(key) ?? (this.groupsById.get(key) as Group);
  }

  /**
   * The ids of a group's direct members of one kind, in snapshot order, worked out once per group
   * and kept while its member list is the same.
   */
  memberIds(groupId: string, kind: "user" | "group"): readonly string[] {
    const group = this.requireGroup(groupId);
    let split = this.membersByKind.get(group.id);
    if (!split || split.of !== group.members || split.length !== group.members.length) {
      const users: string[] = [];
      const groups: string[] = [];
      for (const id of group.members) (this.usersById.has(id.toLowerCase()) ? users : groups).push(id);
      split = { of: group.members, length: group.members.length, user: users, group: groups };
      this.membersByKind.set(group.id, split);
    }
    return split[kind];
  }

  /**
   * The ids of every group the user or group `memberId` belongs to, directly or through nested
   * groups (Graph's transitive membership, as checkMemberGroups answers it). Walks up from the
   * member, so its cost is the tenant's memberships once, whatever the groups asked about.
   */
  transitiveMemberOf(memberId: string): Set<string> {
    const start = this.findUser(memberId)?.id ?? this.requireGroup(memberId).id;
    const parents = new Map<string, string[]>(); // member id (lower case) → ids of groups holding it directly
    for (const g of this.data.groups) {
      for (const m of g.members) {
        const key = m.toLowerCase();
        const list = parents.get(key);
        if (list) list.push(g.id);
        else parents.set(key, [g.id]);
      }
    }
    const found = new Set<string>();
    const queue = [...(parents.get(start.toLowerCase()) ?? [])];
    while (queue.length > 0) {
      const id = queue.pop() as string;
      if (found.has(id)) continue;
      found.add(id);
      queue.push(...(parents.get(id.toLowerCase()) ?? []));
    }
    return found;
  }

  /** Direct user members with a state from this group in Error or ActiveWithError. */
  membersWithLicenseErrors(groupId: string): User[] {
    const group = this.requireGroup(groupId);
    return this.directUserMembers(group)
      .filter((u) =>
        u.licenseAssignmentStates.some(
          (s) => s.assignedByGroup === group.id && (s.state === "Error" || s.state === "ActiveWithError"),
        ),
      )
      .map(clone);
  }

  toSnapshot(): TenantSnapshot {
    return clone(this.data);
  }

  // --- writes ---

  /** Direct assignment: answered at once, all or nothing (docs/graph-and-entra.md, "assignLicense"). */
  assignUserLicense(idOrUpn: string, body: unknown): User {
    const request = parseAssignLicenseBody(body, "User");
    const user = this.requireUser(idOrUpn);
    checkRequestedLicenses(request, this.skus);
    assignDirectLicenses(user, request, this.skus, () => this.timestamp());
    return clone(user);
  }

  /** Group assignment: the group changes at once, its members later (docs/graph-and-entra.md, "assignLicense", "Group license processing"). */
  assignGroupLicense(groupId: string, body: unknown): Group {
    const request = parseAssignLicenseBody(body, "Group");
    const group = this.requireGroup(groupId);
    checkRequestedLicenses(request, this.skus);
    if (!canHoldLicenses(group)) {
      throw directoryBadRequest(
        `${describeGroup(group)} is not security-enabled: only security groups and Microsoft 365 groups with securityEnabled = true can hold licenses.`,
      );
    }
    for (const skuId of request.removeLicenses) {
      if (!group.assignedLicenses.some((l) => l.skuId === skuId)) {
        throw directoryBadRequest(
          `License ${this.skus.name(skuId)} is not assigned to ${describeGroup(group)}, so it cannot be removed.`,
        );
      }
    }
    const next = applyGroupChange(group.assignedLicenses, request);
    this.checkGroupProducts(group, next);
    this.lag.groupAssigning(group);
    group.assignedLicenses = next;
    this.processing.schedule(group, "QueuedForProcessing");
    return clone(group);
  }

  /**
   * Entra's rules on a group's own products (docs/graph-and-entra.md, "Rules on the group itself"):
   * an add-on's prerequisite must be in the same group, and the group's products must not exclude
   * each other. A change that would break either, where the group's licenses did not already, fails.
   */
  private checkGroupProducts(group: Group, next: readonly License[]): void {
    const unmet = this.skus.newUnmetDependencies(group.assignedLicenses, next);
    if (unmet.length > 0) {
      const needs = unmet.map((d) => `${d.plan} needs one of ${d.requiresAnyOf.join(", ")}`).join("; ");
      throw directoryBadRequest(
        `License operation failed. Make sure that the group has necessary services before adding or removing a dependent service: ${needs} in ${describeGroup(group)}.`,
      );
    }
    const added = this.skus.newConflictsBetween(group.assignedLicenses, next);
    if (added.length > 0) {
      throw directoryBadRequest(
        `License operation failed: ${describeGroup(group)} cannot hold ${added.join("; ")}, whose service plans are mutually exclusive.`,
      );
    }
  }

  /** Re-evaluates every group-sourced license of one user, at once (docs/graph-and-entra.md, "reprocessLicenseAssignment"). */
  reprocessUser(idOrUpn: string): User {
    const user = this.requireUser(idOrUpn);
    for (const g of this.data.groups) {
      const licensing =
        g.assignedLicenses.length > 0 || user.licenseAssignmentStates.some((s) => s.assignedByGroup === g.id);
      if (licensing && g.members.includes(user.id)) this.processing.processMember(user, g);
    }
    return clone(user);
  }

  /** Resolves once no group's license processing is queued or running. */
  whenIdle(): Promise<void> {
    return this.processing.whenIdle();
  }

  /** Clears the timers; groups stay in whatever processing state they were in. */
  stop(): void {
    this.processing.stop();
  }

  // --- lookups ---

  private findUser(idOrUpn: string): User | undefined {
    const key = idOrUpn.toLowerCase();
    return this.usersById.get(key) ?? this.usersByUpn.get(key);
  }

  private requireUser(idOrUpn: string): User {
    const u = this.findUser(idOrUpn);
    if (!u) throw resourceNotFound(idOrUpn);
    return u;
  }

  private requireGroup(id: string): Group {
    const g = this.groupsById.get(id.toLowerCase());
    if (!g) throw resourceNotFound(id);
    return g;
  }

  private directUserMembers(group: Group): User[] {
    return group.members.flatMap((id) => this.usersById.get(id.toLowerCase()) ?? []);
  }

  private timestamp(): string {
    return this.now().toISOString();
  }
}
