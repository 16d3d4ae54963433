/**
 * The simulated Entra tenant: its state, and Entra's licensing behaviour on it (no HTTP here; see
 * graphServer.ts). The rules follow ../../shared/domain-facts.md:
 * - user assignLicense answers at once, all or nothing;
 * - group assignLicense updates the group at once and processes its direct user members later,
 *   recording failures on each user (CountViolation, MutuallyExclusiveViolation,
 *   DependencyViolation), never in the answer;
 * - assignedLicenses and consumedUnits are always kept equal to what the states derive.
 */
import { z } from "zod";
import {
  snapshotSchema,
  type AssignedLicense,
  type Group,
  type LicenseAssignmentState,
  type LicenseError,
  type Organization,
  type SubscribedSku,
  type TenantSnapshot,
  type User,
} from "./snapshot";
import { countConsumedUnits, deriveAssignedLicenses, isHolding } from "./derivedFields";
import { findPlanConflicts, findUnmetDependencies, type UnmetDependency } from "../licensing/servicePlanRules";

/** An answer Graph would give as {"error":{"code","message"}}. */
export class GraphError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "GraphError";
  }
}

/** A snapshot that contradicts itself; `entity` names what is wrong (a user, a group, a sku, a path). */
export class SnapshotError extends Error {
  constructor(
    readonly entity: string,
    message: string,
  ) {
    super(message);
    this.name = "SnapshotError";
  }
}

export interface AssignLicenseBody {
  addLicenses: { skuId: string; disabledPlans?: string[] }[];
  removeLicenses: string[];
}

export interface TenantStateOptions {
  /** Time spent in each of QueuedForProcessing and ProcessingInProgress. 0 still defers to a timer. */
  processingDelayMs: number;
  now?: () => Date;
}

type ProcessingStep = "QueuedForProcessing" | "ProcessingInProgress";
/** A group's licenses as one request normalised: disabledPlans always present. */
type License = Pick<AssignedLicense, "skuId" | "disabledPlans">;
interface AssignLicenseRequest {
  addLicenses: License[];
  removeLicenses: string[];
}
/** What processing one group for one user comes to. */
type GroupOutcome =
  | { kind: "assigned" }
  | { kind: "failed"; error: "CountViolation" | "MutuallyExclusiveViolation" }
  | { kind: "dependencyViolation" };

// ---------------------------------------------------------------------------------------------
// Naming things in messages

function describeUser(u: Pick<User, "id" | "userPrincipalName">): string {
  return `user '${u.userPrincipalName}' (id ${u.id})`;
}

function describeGroup(g: Pick<Group, "id" | "displayName">): string {
  return `group '${g.displayName}' (id ${g.id})`;
}

function describeSku(s: Pick<SubscribedSku, "skuId" | "skuPartNumber">): string {
  return `sku ${s.skuPartNumber} (skuId ${s.skuId})`;
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : `${i === 0 ? "" : "."}${String(p)}`)).join("");
}

function clone<T>(value: T): T {
  return structuredClone(value);
}

// ---------------------------------------------------------------------------------------------
// Snapshot validation

function hasErrorCode(state: Pick<LicenseAssignmentState, "error">): boolean {
  return state.error !== null && state.error !== "None";
}

/** Only security groups (including Microsoft 365 groups with securityEnabled) can hold licenses [ADV]. */
function canHoldLicenses(group: Pick<Group, "securityEnabled">): boolean {
  return group.securityEnabled;
}

function licenseKey(l: License): string {
  return `${l.skuId}|${[...l.disabledPlans].sort().join(",")}`;
}

function sameLicenseSets(a: readonly License[], b: readonly License[]): boolean {
  const keys = (ls: readonly License[]) => ls.map(licenseKey).sort().join(";");
  return keys(a) === keys(b);
}

function checkUnique<T>(
  items: readonly T[],
  key: (item: T) => string,
  describe: (item: T) => string,
  what: string,
): void {
  const seen = new Map<string, T>();
  for (const item of items) {
    const k = key(item);
    const first = seen.get(k);
    if (first !== undefined) {
      throw new SnapshotError(
        describe(item),
        `${describe(item)}: duplicate ${what} '${k}' (also used by ${describe(first)})`,
      );
    }
    seen.set(k, item);
  }
}

function checkUniqueIds(snapshot: TenantSnapshot): void {
  checkUnique(snapshot.subscribedSkus, (s) => s.skuId.toLowerCase(), describeSku, "skuId");
  // Users and groups share one id space: a member id must name exactly one of them.
  type Entity = { kind: "user"; user: User } | { kind: "group"; group: Group };
  const entities: Entity[] = [
    ...snapshot.users.map((user): Entity => ({ kind: "user", user })),
    ...snapshot.groups.map((group): Entity => ({ kind: "group", group })),
  ];
  checkUnique(
    entities,
    (e) => (e.kind === "user" ? e.user.id : e.group.id).toLowerCase(),
    (e) => (e.kind === "user" ? describeUser(e.user) : describeGroup(e.group)),
    "id",
  );
  checkUnique(snapshot.users, (u) => u.userPrincipalName.toLowerCase(), describeUser, "userPrincipalName");
}

function checkMembers(snapshot: TenantSnapshot): void {
  const ids = new Set([...snapshot.users.map((u) => u.id), ...snapshot.groups.map((g) => g.id)]);
  for (const g of snapshot.groups) {
    for (const m of g.members) {
      if (!ids.has(m))
        throw new SnapshotError(describeGroup(g), `${describeGroup(g)}: member ${m} is neither a user nor a group`);
    }
    checkUnique(
      g.members,
      (m) => m,
      (m) => `${describeGroup(g)} member ${m}`,
      "member id",
    );
  }
}

function checkNoSelfContainment(snapshot: TenantSnapshot): void {
  const groups = new Map(snapshot.groups.map((g) => [g.id, g]));
  for (const g of snapshot.groups) {
    const seen = new Set<string>();
    const queue = g.members.filter((m) => groups.has(m));
    while (queue.length > 0) {
      const id = queue.shift() as string;
      if (id === g.id)
        throw new SnapshotError(
          describeGroup(g),
          `${describeGroup(g)} contains itself (directly or through nested groups)`,
        );
      if (seen.has(id)) continue;
      seen.add(id);
      queue.push(...(groups.get(id)?.members.filter((m) => groups.has(m)) ?? []));
    }
  }
}

/** A license (or state) must name a sku of the tenant, and disable only plans of that sku. */
function checkLicense(license: License, skus: ReadonlyMap<string, SubscribedSku>, owner: string): void {
  const sku = skus.get(license.skuId);
  if (!sku) throw new SnapshotError(owner, `${owner}: skuId ${license.skuId} is not in subscribedSkus`);
  const plans = new Set(sku.servicePlans.map((p) => p.servicePlanId));
  for (const p of license.disabledPlans) {
    if (!plans.has(p))
      throw new SnapshotError(owner, `${owner}: disabledPlans ${p} is not a service plan of ${describeSku(sku)}`);
  }
}

function checkGroups(snapshot: TenantSnapshot, skus: ReadonlyMap<string, SubscribedSku>): void {
  for (const g of snapshot.groups) {
    const name = describeGroup(g);
    if (g.assignedLicenses.length > 0 && !canHoldLicenses(g)) {
      throw new SnapshotError(name, `${name} holds licenses but is not security-enabled, so it cannot hold licenses`);
    }
    for (const l of g.assignedLicenses) checkLicense(l, skus, name);
    checkUnique(
      g.assignedLicenses,
      (l) => l.skuId,
      () => name,
      "assignedLicenses skuId",
    );
  }
}

function checkState(
  user: User,
  s: LicenseAssignmentState,
  groups: ReadonlyMap<string, Group>,
  membersOf: ReadonlyMap<string, ReadonlySet<string>>,
): void {
  const name = describeUser(user);
  if ((s.state === "Error" || s.state === "ActiveWithError") && !hasErrorCode(s)) {
    throw new SnapshotError(
      name,
      `${name}: licenseAssignmentStates for sku ${s.skuId} is ${s.state} without an error code`,
    );
  }
  if (s.state === "Active" && hasErrorCode(s)) {
    throw new SnapshotError(
      name,
      `${name}: licenseAssignmentStates for sku ${s.skuId} is Active but has error ${s.error}`,
    );
  }
  if (s.assignedByGroup === null) return;
  const g = groups.get(s.assignedByGroup);
  if (!g) {
    throw new SnapshotError(
      name,
      `${name}: licenseAssignmentStates names group ${s.assignedByGroup}, which does not exist`,
    );
  }
  if (!membersOf.get(g.id)?.has(user.id)) {
    throw new SnapshotError(
      name,
      `${name}: licenseAssignmentStates names ${describeGroup(g)} that the user is not a direct member of`,
    );
  }
  const settled = g.licenseProcessingState === null || g.licenseProcessingState.state === "ProcessingComplete";
  if (settled && !g.assignedLicenses.some((l) => l.skuId === s.skuId)) {
    throw new SnapshotError(
      name,
      `${name}: licenseAssignmentStates has sku ${s.skuId} from ${describeGroup(g)}, which does not hold it and is not processing`,
    );
  }
}

function checkUsers(snapshot: TenantSnapshot, skus: ReadonlyMap<string, SubscribedSku>): void {
  const groups = new Map(snapshot.groups.map((g) => [g.id, g]));
  // Sets, not arrays: a 100,000-member group is looked up once per state.
  const membersOf = new Map(snapshot.groups.map((g) => [g.id, new Set(g.members)]));
  for (const u of snapshot.users) {
    const name = describeUser(u);
    for (const l of u.assignedLicenses) checkLicense(l, skus, name);
    for (const s of u.licenseAssignmentStates) {
      checkLicense(s, skus, name);
      checkState(u, s, groups, membersOf);
    }
    checkUnique(
      u.licenseAssignmentStates,
      (s) => `${s.skuId} from ${s.assignedByGroup ?? "direct"}`,
      () => name,
      "licenseAssignmentStates entry",
    );
    if (!sameLicenseSets(u.assignedLicenses, deriveAssignedLicenses(u.licenseAssignmentStates))) {
      throw new SnapshotError(
        name,
        `${name}: assignedLicenses do not match what licenseAssignmentStates give (${JSON.stringify(deriveAssignedLicenses(u.licenseAssignmentStates))})`,
      );
    }
  }
}

function checkConsumedUnits(snapshot: TenantSnapshot): void {
  for (const s of snapshot.subscribedSkus) {
    const expected = countConsumedUnits(snapshot.users, s.skuId);
    if (s.consumedUnits !== expected) {
      throw new SnapshotError(
        describeSku(s),
        `${describeSku(s)}: consumedUnits is ${s.consumedUnits} but ${expected} users hold it`,
      );
    }
  }
}

/** Refuses (with SnapshotError) a snapshot that contradicts itself. */
export function validateSnapshot(snapshot: TenantSnapshot): void {
  checkUniqueIds(snapshot);
  checkMembers(snapshot);
  checkNoSelfContainment(snapshot);
  const skus = new Map(snapshot.subscribedSkus.map((s) => [s.skuId, s]));
  checkGroups(snapshot, skus);
  checkUsers(snapshot, skus);
  checkConsumedUnits(snapshot);
}

function parseSnapshot(json: unknown): TenantSnapshot {
  const parsed = snapshotSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  const [first, ...rest] = parsed.error.issues;
  const entity = formatPath(first.path.slice(0, 2)) || "snapshot";
  const more = rest.length > 0 ? ` (and ${rest.length} more problem${rest.length > 1 ? "s" : ""})` : "";
  throw new SnapshotError(entity, `snapshot ${formatPath(first.path) || "(root)"}: ${first.message}${more}`);
}

// ---------------------------------------------------------------------------------------------
// Request bodies

const assignLicenseBodySchema = z.object({
  addLicenses: z.array(z.object({ skuId: z.string(), disabledPlans: z.array(z.string()).nullish() })),
  removeLicenses: z.array(z.string()),
});

function badRequest(message: string): GraphError {
  return new GraphError(400, "Request_BadRequest", message);
}

function notFound(id: string): GraphError {
  return new GraphError(
    404,
    "Request_ResourceNotFound",
    `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
  );
}

function parseAssignLicenseBody(body: unknown, resource: "User" | "Group"): AssignLicenseRequest {
  const parsed = assignLicenseBodySchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const property = formatPath(issue.path) || "(body)";
    throw badRequest(
      `Invalid value specified for property '${property}' of resource '${resource}': ${issue.message}. ` +
        `Expected {"addLicenses":[{"skuId":"…","disabledPlans":["…"]}],"removeLicenses":["…"]} (removeLicenses is required; it may be empty).`,
    );
  }
  return {
    addLicenses: parsed.data.addLicenses.map((a) => ({ skuId: a.skuId, disabledPlans: [...(a.disabledPlans ?? [])] })),
    removeLicenses: parsed.data.removeLicenses,
  };
}

// ---------------------------------------------------------------------------------------------
// The tenant

export class TenantState {
  private readonly usersById = new Map<string, User>();
  private readonly usersByUpn = new Map<string, User>();
  private readonly groupsById = new Map<string, Group>();
  private readonly skusById = new Map<string, SubscribedSku>();
  /** The pending timer of each group whose license processing is queued or running. */
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private idleWaiters: (() => void)[] = [];
  private readonly now: () => Date;

  private constructor(
    private readonly data: TenantSnapshot,
    private readonly options: TenantStateOptions,
  ) {
    if (!Number.isFinite(options.processingDelayMs) || options.processingDelayMs < 0) {
      throw new RangeError(`processingDelayMs must be a non-negative number, not ${options.processingDelayMs}`);
    }
    this.now = options.now ?? (() => new Date());
    for (const u of data.users) {
      this.usersById.set(u.id.toLowerCase(), u);
      this.usersByUpn.set(u.userPrincipalName.toLowerCase(), u);
    }
    for (const g of data.groups) this.groupsById.set(g.id.toLowerCase(), g);
    for (const s of data.subscribedSkus) this.skusById.set(s.skuId, s);
  }

  /** Parses (snapshotSchema) and validates a snapshot; resumes the processing of groups saved mid-way. */
  static fromJson(json: unknown, options: TenantStateOptions): TenantState {
    const snapshot = parseSnapshot(clone(json));
    validateSnapshot(snapshot);
    const state = new TenantState(snapshot, options);
    for (const g of snapshot.groups) {
      const step = g.licenseProcessingState?.state;
      if (step === "QueuedForProcessing" || step === "ProcessingInProgress") state.scheduleProcessing(g, step);
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

  sku(skuId: string): SubscribedSku | undefined {
    const s = this.skusById.get(skuId);
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

  /** Direct members, in snapshot order. */
  members(groupId: string): (User | Group)[] {
    return this.requireGroup(groupId).members.map((id) =>
      clone(this.usersById.get(id.toLowerCase()) ?? (this.groupsById.get(id.toLowerCase()) as Group)),
    );
  }

  /**
   * The same members without copies, for the HTTP layer, which only reads them to render a page:
   * copying 100,000 members for each page of 999 made listing a large group quadratic. The caller
   * must not change them.
   */
  membersReadOnly(groupId: string): readonly (User | Group)[] {
    return this.requireGroup(groupId).members.map(
      (id) => this.usersById.get(id.toLowerCase()) ?? (this.groupsById.get(id.toLowerCase()) as Group),
    );
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

  /** Direct assignment: answered at once, all or nothing [UA][RP]. */
  assignUserLicense(idOrUpn: string, body: unknown): User {
    const request = parseAssignLicenseBody(body, "User");
    const user = this.requireUser(idOrUpn);
    this.checkRequestedLicenses(request);
    for (const add of request.addLicenses) this.checkCapability(add.skuId);
    if (request.addLicenses.length > 0 && !user.usageLocation) {
      throw badRequest("License assignment cannot be done for user with invalid usage location.");
    }
    for (const skuId of request.removeLicenses) this.checkDirectlyHeld(user, skuId);
    this.checkSeatsForDirectAdds(user, request.addLicenses);
    const next = applyDirectChange(user.licenseAssignmentStates, request, this.timestamp());
    this.checkDirectPlans(user, next, request.addLicenses);
    this.setStates(user, next);
    return clone(user);
  }

  /** Group assignment: the group changes at once, its members later [GA][RP]. */
  assignGroupLicense(groupId: string, body: unknown): Group {
    const request = parseAssignLicenseBody(body, "Group");
    const group = this.requireGroup(groupId);
    this.checkRequestedLicenses(request);
    if (!canHoldLicenses(group)) {
      throw badRequest(
        `${describeGroup(group)} is not security-enabled: only security groups and Microsoft 365 groups with securityEnabled = true can hold licenses.`,
      );
    }
    for (const skuId of request.removeLicenses) {
      if (!group.assignedLicenses.some((l) => l.skuId === skuId)) {
        throw badRequest(
          `License ${this.skuName(skuId)} is not assigned to ${describeGroup(group)}, so it cannot be removed.`,
        );
      }
    }
    group.assignedLicenses = applyGroupChange(group.assignedLicenses, request);
    this.scheduleProcessing(group, "QueuedForProcessing");
    return clone(group);
  }

  /** Re-evaluates every group-sourced license of one user, at once [RLA]. */
  reprocessUser(idOrUpn: string): User {
    const user = this.requireUser(idOrUpn);
    for (const g of this.data.groups) {
      const licensing =
        g.assignedLicenses.length > 0 || user.licenseAssignmentStates.some((s) => s.assignedByGroup === g.id);
      if (licensing && g.members.includes(user.id)) this.processMember(user, g);
    }
    return clone(user);
  }

  whenIdle(): Promise<void> {
    if (this.timers.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Clears the timers; groups stay in whatever processing state they were in. */
  stop(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    this.notifyIfIdle();
  }

  // --- lookups ---

  private findUser(idOrUpn: string): User | undefined {
    const key = idOrUpn.toLowerCase();
    return this.usersById.get(key) ?? this.usersByUpn.get(key);
  }

  private requireUser(idOrUpn: string): User {
    const u = this.findUser(idOrUpn);
    if (!u) throw notFound(idOrUpn);
    return u;
  }

  private requireGroup(id: string): Group {
    const g = this.groupsById.get(id.toLowerCase());
    if (!g) throw notFound(id);
    return g;
  }

  private directUserMembers(group: Group): User[] {
    return group.members.flatMap((id) => this.usersById.get(id.toLowerCase()) ?? []);
  }

  private skuName(skuId: string): string {
    const s = this.skusById.get(skuId);
    return s ? `${s.skuPartNumber} (${s.skuId})` : skuId;
  }

  private timestamp(): string {
    return this.now().toISOString();
  }

  // --- checks shared by users and groups ---

  /** Every sku named exists, every disabled plan belongs to its sku, and no sku is named twice. */
  private checkRequestedLicenses(request: AssignLicenseRequest): void {
    const named = [...request.addLicenses.map((a) => a.skuId), ...request.removeLicenses];
    for (const skuId of named) {
      if (!this.skusById.has(skuId))
        throw badRequest(`License ${skuId} does not correspond to a valid company License.`);
    }
    const seen = new Set<string>();
    for (const skuId of named) {
      if (seen.has(skuId))
        throw badRequest(`License ${this.skuName(skuId)} is named more than once in addLicenses and removeLicenses.`);
      seen.add(skuId);
    }
    for (const add of request.addLicenses) {
      const plans = new Set((this.skusById.get(add.skuId) as SubscribedSku).servicePlans.map((p) => p.servicePlanId));
      const unknown = add.disabledPlans.find((p) => !plans.has(p));
      if (unknown !== undefined)
        throw badRequest(`disabledPlans ${unknown} is not a service plan of License ${this.skuName(add.skuId)}.`);
    }
  }

  private checkCapability(skuId: string): void {
    const sku = this.skusById.get(skuId) as SubscribedSku;
    if (
      sku.capabilityStatus === "Suspended" ||
      sku.capabilityStatus === "LockedOut" ||
      sku.capabilityStatus === "Deleted"
    ) {
      throw badRequest(
        `License ${this.skuName(skuId)} cannot be assigned: its subscription is ${sku.capabilityStatus}.`,
      );
    }
  }

  private checkDirectlyHeld(user: User, skuId: string): void {
    const states = user.licenseAssignmentStates.filter((s) => s.skuId === skuId);
    if (states.some((s) => s.assignedByGroup === null)) return;
    if (states.length > 0)
      throw badRequest(
        "User license is inherited from a group membership and it cannot be removed directly from the user.",
      );
    throw badRequest(
      `License ${this.skuName(skuId)} is not assigned to ${describeUser(user)}, so it cannot be removed.`,
    );
  }

  private hasFreeSeat(skuId: string): boolean {
    const sku = this.skusById.get(skuId) as SubscribedSku;
    return sku.consumedUnits < sku.prepaidUnits.enabled;
  }

  private checkSeatsForDirectAdds(user: User, adds: readonly License[]): void {
    const held = heldSkuIds(user.licenseAssignmentStates);
    for (const add of adds) {
      if (held.has(add.skuId) || this.hasFreeSeat(add.skuId)) continue;
      const sku = this.skusById.get(add.skuId) as SubscribedSku;
      throw badRequest(
        `License assignment failed because there are not enough licenses for ${sku.skuPartNumber} (${sku.skuId}): ` +
          `${sku.consumedUnits} of ${sku.prepaidUnits.enabled} enabled units are consumed.`,
      );
    }
  }

  /** After a direct change: no added product may conflict with any other held plan, and no dependency may break. */
  private checkDirectPlans(user: User, next: readonly LicenseAssignmentState[], adds: readonly License[]): void {
    const holding = next.filter(isHolding);
    for (const add of adds) {
      const others = holding.filter((s) => !(s.assignedByGroup === null && s.skuId === add.skuId));
      const conflict = findPlanConflicts(this.enabledPlanNames(others), this.enabledPlanNames([add]))[0];
      if (conflict) {
        throw badRequest(
          `Conflicting service plans: ${conflict.plan} (in ${this.skuName(add.skuId)}) and ${conflict.conflictsWith} cannot both be enabled for ${describeUser(user)}.`,
        );
      }
    }
    const broken = this.newUnmetDependencies(user.licenseAssignmentStates.filter(isHolding), holding);
    if (broken.length > 0) {
      throw badRequest(
        `Dependent service plans would lose their prerequisite for ${describeUser(user)}: ${describeDependencies(broken)}.`,
      );
    }
  }

  /** The names of the plans a set of licenses enables, looked up in the tenant's subscribedSkus. */
  private enabledPlanNames(licenses: readonly License[]): Set<string> {
    const names = new Set<string>();
    for (const l of licenses) {
      for (const p of this.skusById.get(l.skuId)?.servicePlans ?? []) {
        if (!l.disabledPlans.includes(p.servicePlanId)) names.add(p.servicePlanName);
      }
    }
    return names;
  }

  /** Dependencies unmet by `after` that `before` met (a user already broken is not blamed on this change). */
  private newUnmetDependencies(before: readonly License[], after: readonly License[]): UnmetDependency[] {
    const alreadyUnmet = new Set(findUnmetDependencies(this.enabledPlanNames(before)).map((d) => d.plan));
    return findUnmetDependencies(this.enabledPlanNames(after)).filter((d) => !alreadyUnmet.has(d.plan));
  }

  /** Replaces a user's states, keeping assignedLicenses and consumedUnits true. */
  private setStates(user: User, states: LicenseAssignmentState[]): void {
    const before = heldSkuIds(user.licenseAssignmentStates);
    const after = heldSkuIds(states);
    for (const skuId of before) if (!after.has(skuId)) (this.skusById.get(skuId) as SubscribedSku).consumedUnits--;
    for (const skuId of after) if (!before.has(skuId)) (this.skusById.get(skuId) as SubscribedSku).consumedUnits++;
    user.licenseAssignmentStates = states;
    user.assignedLicenses = deriveAssignedLicenses(states);
  }

  // --- group processing ---

  /** Starts (or restarts, with the group's latest licenses) the Queued → InProgress → Complete cycle. */
  private scheduleProcessing(group: Group, step: ProcessingStep): void {
    const existing = this.timers.get(group.id);
    if (existing) clearTimeout(existing);
    group.licenseProcessingState = { state: step };
    const delay = this.options.processingDelayMs;
    const finish = () => {
      try {
        this.processGroup(group);
      } finally {
        this.timers.delete(group.id);
        this.notifyIfIdle();
      }
    };
    const start = () => {
      group.licenseProcessingState = { state: "ProcessingInProgress" };
      this.timers.set(group.id, setTimeout(finish, delay));
    };
    this.timers.set(group.id, setTimeout(step === "QueuedForProcessing" ? start : finish, delay));
  }

  private processGroup(group: Group): void {
    for (const user of this.directUserMembers(group)) this.processMember(user, group);
    group.licenseProcessingState = { state: "ProcessingComplete" };
  }

  private notifyIfIdle(): void {
    if (this.timers.size > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /** Brings one user's states from `group` in line with the group's licenses (all or nothing per user [RP]). */
  private processMember(user: User, group: Group): void {
    const fromGroup = user.licenseAssignmentStates.filter((s) => s.assignedByGroup === group.id);
    const others = user.licenseAssignmentStates.filter((s) => s.assignedByGroup !== group.id);
    const outcome = this.evaluateGroupForUser(user, group, others);
    const groupStates = groupStatesFor(outcome, group, fromGroup, this.timestamp());
    this.setStates(user, [...others, ...groupStates]);
  }

  private evaluateGroupForUser(user: User, group: Group, others: readonly LicenseAssignmentState[]): GroupOutcome {
    const otherHolding = others.filter(isHolding);
    const failure = this.groupProductFailure(user, group, otherHolding);
    // With a product failure the group's old products still go; either way the result must not
    // take away a plan that something else the user holds depends on.
    const after: License[] = failure ? otherHolding : [...otherHolding, ...group.assignedLicenses];
    if (this.newUnmetDependencies(user.licenseAssignmentStates.filter(isHolding), after).length > 0) {
      return { kind: "dependencyViolation" };
    }
    return failure ? { kind: "failed", error: failure } : { kind: "assigned" };
  }

  /** Why the group's products cannot all go to this user: first seats, then conflicts. */
  private groupProductFailure(
    user: User,
    group: Group,
    otherHolding: readonly LicenseAssignmentState[],
  ): "CountViolation" | "MutuallyExclusiveViolation" | undefined {
    const held = heldSkuIds(user.licenseAssignmentStates);
    if (group.assignedLicenses.some((l) => !held.has(l.skuId) && !this.hasFreeSeat(l.skuId))) return "CountViolation";
    for (const l of group.assignedLicenses) {
      const rest = [...otherHolding, ...group.assignedLicenses.filter((other) => other !== l)];
      if (findPlanConflicts(this.enabledPlanNames(rest), this.enabledPlanNames([l])).length > 0)
        return "MutuallyExclusiveViolation";
    }
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// State arithmetic (pure)

function heldSkuIds(states: readonly LicenseAssignmentState[]): Set<string> {
  return new Set(states.filter(isHolding).map((s) => s.skuId));
}

function describeDependencies(deps: readonly UnmetDependency[]): string {
  return deps.map((d) => `${d.plan} needs one of ${d.requiresAnyOf.join(", ")}`).join("; ");
}

function activeDirect(license: License, now: string): LicenseAssignmentState {
  return {
    skuId: license.skuId,
    assignedByGroup: null,
    disabledPlans: [...license.disabledPlans],
    state: "Active",
    error: null,
    lastUpdatedDateTime: now,
  };
}

/** The user's states after a direct add and remove, applied together; group states are untouched. */
function applyDirectChange(
  states: readonly LicenseAssignmentState[],
  request: AssignLicenseRequest,
  now: string,
): LicenseAssignmentState[] {
  const pending = new Map(request.addLicenses.map((a) => [a.skuId, a]));
  const removed = new Set(request.removeLicenses);
  const result: LicenseAssignmentState[] = [];
  for (const s of states) {
    if (s.assignedByGroup !== null) result.push(s);
    else if (removed.has(s.skuId)) continue;
    else {
      const add = pending.get(s.skuId);
      pending.delete(s.skuId);
      result.push(add ? activeDirect(add, now) : s);
    }
  }
  for (const add of pending.values()) result.push(activeDirect(add, now));
  return result;
}

/** A group's licenses after an add (which replaces a held product's disabledPlans) and a remove. */
function applyGroupChange(licenses: readonly AssignedLicense[], request: AssignLicenseRequest): AssignedLicense[] {
  const kept = licenses.filter((l) => !request.removeLicenses.includes(l.skuId));
  const result = kept.map((l) => request.addLicenses.find((a) => a.skuId === l.skuId) ?? l);
  const added = request.addLicenses.filter((a) => !kept.some((l) => l.skuId === a.skuId));
  return [...result, ...added].map((l) => ({ skuId: l.skuId, disabledPlans: [...l.disabledPlans] }));
}

/** A state with a fresh timestamp, unless it says exactly what the previous one said. */
function stamped(
  next: Omit<LicenseAssignmentState, "lastUpdatedDateTime">,
  previous: LicenseAssignmentState | undefined,
  now: string,
): LicenseAssignmentState {
  const unchanged =
    previous !== undefined &&
    previous.state === next.state &&
    previous.error === next.error &&
    licenseKey(previous) === licenseKey(next);
  return { ...next, lastUpdatedDateTime: unchanged ? previous.lastUpdatedDateTime : now };
}

/** The user's states from `group` for an outcome. */
function groupStatesFor(
  outcome: GroupOutcome,
  group: Group,
  previous: readonly LicenseAssignmentState[],
  now: string,
): LicenseAssignmentState[] {
  const prior = (skuId: string) => previous.find((s) => s.skuId === skuId);
  const fromLicense = (l: AssignedLicense, state: LicenseAssignmentState["state"], error: LicenseError | null) =>
    stamped(
      { skuId: l.skuId, assignedByGroup: group.id, disabledPlans: [...l.disabledPlans], state, error },
      prior(l.skuId),
      now,
    );
  switch (outcome.kind) {
    case "assigned":
      return group.assignedLicenses.map((l) => fromLicense(l, "Active", null));
    case "failed":
      return group.assignedLicenses.map((l) => fromLicense(l, "Error", outcome.error));
    case "dependencyViolation": {
      // The removal fails: what the user held from the group stays (with the error); the rest is refused.
      const kept = previous
        .filter(isHolding)
        .map((s) => stamped({ ...s, state: "ActiveWithError", error: "DependencyViolation" }, s, now));
      const refused = group.assignedLicenses
        .filter((l) => !kept.some((s) => s.skuId === l.skuId))
        .map((l) => fromLicense(l, "Error", "DependencyViolation"));
      return [...kept, ...refused];
    }
  }
}
