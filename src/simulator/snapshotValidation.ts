/**
 * Reading a tenant snapshot: its shape (snapshotSchema) and then its consistency, refusing with
 * SnapshotError a snapshot that contradicts itself (duplicate ids, unknown members or products,
 * states that do not give the licenses shown, seats that do not add up).
 */
import { countConsumedUnits, deriveAssignedLicenses } from "./derivedFields";
import { describeGroup, describeSku, describeUser, formatPath } from "./entityDescriptions";
import { canHoldLicenses, sameLicenseSets, type License } from "./licenseValues";
import {
  snapshotSchema,
  type Group,
  type LicenseAssignmentState,
  type SubscribedSku,
  type TenantSnapshot,
  type User,
} from "./snapshot";

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

function hasErrorCode(state: Pick<LicenseAssignmentState, "error">): boolean {
  return state.error !== null && state.error !== "None";
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
  for (const s of snapshot.subscriptions)
    if (!skus.has(s.skuId))
      throw new SnapshotError(
        `subscription ${s.id}`,
        `subscription ${s.id} is for ${s.skuId}, which is not in subscribedSkus`,
      );
}

/** Checks a snapshot's shape (snapshotSchema), refusing it with SnapshotError at the first problem. */
export function parseSnapshot(json: unknown): TenantSnapshot {
  const parsed = snapshotSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  const [first, ...rest] = parsed.error.issues;
  const entity = formatPath(first.path.slice(0, 2)) || "snapshot";
  const more = rest.length > 0 ? ` (and ${rest.length} more problem${rest.length > 1 ? "s" : ""})` : "";
  throw new SnapshotError(entity, `snapshot ${formatPath(first.path) || "(root)"}: ${first.message}${more}`);
}
