/**
 * Moving directly licensed users onto group-based licensing, as Microsoft's procedure
 * has it (docs/graph-and-entra.md, "Migrating from direct to group licensing"): the group G gets
 * the product P with the disabled plans most movers have, every mover is verified to hold P both
 * directly and from G, and only then are direct assignments removed, a pilot first and the rest in
 * waves. No step may leave a user without a license they had.
 *
 * Pure: the plan, and the checks the stage runner makes between stages, read the tenant as given
 * and write nothing. Everything is linear in the users (sets and per-combination caches, never a
 * scan of all users per user), so a group of 100,000 plans in one pass.
 */
import {
  directState,
  errorOf,
  groupLabeller,
  productRef,
  ProductIndex,
  userAnalyser,
  userCheck,
  userRef,
  type ChangeContext,
} from "./checks/context";
import { fmt, listNames, plural } from "../format";
import {
  dynamicMembershipCheck,
  entraIdP1Check,
  existingErrorsCheck,
  groupSizeCheck,
  groupTypeCheck,
  guestsCheck,
  nestedGroupsCheck,
  onPremisesSyncCheck,
  processingStateCheck,
} from "./checks/groupChecks";
import {
  conflictsCheck,
  countSeats,
  seatsCheck,
  subscriptionTermCheck,
  targetSubscribedCheck,
} from "./checks/licenseChecks";
import { planDisplayName } from "./catalog";
import { whatToDoFor } from "./licenseErrors";
import type { GroupMembers, LicenseState, Product, SubscriptionsRead, TenantGroup, TenantUser } from "./model";
import {
  verdictOf,
  type CheckResult,
  type Operation,
  type ProductRef,
  type SeatCount,
  type UserRef,
  type Verdict,
} from "./preview";

/** The defaults README.md gives: a pilot of 5 users or 5 %, whichever is larger; then waves of 100. */
export const DEFAULT_PILOT = { count: 5, percent: 5 } as const;
export const DEFAULT_WAVE_SIZE = 100;

export interface PilotSetting {
  readonly count: number;
  readonly percent: number;
}

export interface MigrationInput {
  readonly group: TenantGroup;
  readonly members: GroupMembers;
  /** Users holding P from a direct assignment, members of G or not (GraphGateway.listDirectHolders). */
  readonly directHolders: readonly TenantUser[];
  readonly products: readonly Product[];
  readonly skuId: string;
  readonly pilot?: PilotSetting;
  readonly waveSize?: number;
  /** Optional id → displayName of other groups, to name them in notes; ids are shown otherwise. */
  readonly groupNames?: ReadonlyMap<string, string>;
  /** The tenant's subscriptions, for subscription-term; not read: that check says so. */
  readonly subscriptions?: SubscriptionsRead;
}

export type MigrationStageKind = "assign" | "verify" | "pilot" | "wave";

export interface MigrationStage {
  readonly kind: MigrationStageKind;
  readonly title: string;
  /** Users the stage acts on: G's members (assign), the movers (verify), the removals (pilot, wave). */
  readonly users: number;
  /** What the approver must do once the stage is done; only the last stage has one. */
  readonly note?: string;
}

export interface MigrationCounts {
  /** Members of G holding P directly. */
  readonly migrating: number;
  /** Users holding P directly who are not members of G: they keep their direct license. */
  readonly outside: number;
  /** Members without P from any source: each takes a new seat from G. */
  readonly newMembers: number;
  /** Migrating members whose direct P enables a plan G's would not: never removed. */
  readonly planMismatch: number;
  /** Migrating members with plans off directly that G's new assignment switches on (requests stored before it was added lack it). */
  readonly planGain: number;
  readonly pilot: number;
  readonly waves: number;
  readonly waveSize: number;
}

/** What a migration was planned with: the request's pilot and wave size, or the defaults. */
export interface MigrationSettings {
  readonly pilot: PilotSetting;
  readonly waveSize: number;
}

/** The plan of a direct-to-group migration: a Preview-like contract (docs/plan-json.md). */
export interface MigrationPreview {
  readonly kind: "direct-to-group";
  readonly target: {
    readonly type: "group";
    readonly id: string;
    readonly displayName: string;
    readonly memberCount: number;
  };
  readonly product: ProductRef;
  readonly verdict: Verdict;
  readonly checks: readonly CheckResult[];
  /** Keyed by skuPartNumber: P's seats before the migration (absent when the tenant does not own P). */
  readonly seats: Readonly<Record<string, SeatCount>>;
  /** What G is given: `needed` false when G already holds P (its disabledPlans are then G's own). */
  readonly groupAssignment: { readonly needed: boolean; readonly disabledPlans: readonly string[] };
  readonly counts: MigrationCounts;
  /**
   * The settings the plan was made with: planning again with them gives the same pilot and waves.
   * (Requests stored before it was added lack it: they were planned with the defaults.)
   */
  readonly settings: MigrationSettings;
  readonly stages: readonly MigrationStage[];
  /** The assign stage's call when it is needed; none otherwise (removals are made per wave). */
  readonly operations: readonly Operation[];
}

/** Who is in which part of the migration: what the plan counts and the stage runner acts on. */
export interface MigrationUsers {
  /** Members of G with a direct P assignment, in member order. */
  readonly migrating: readonly TenantUser[];
  /** Migrating members whose direct P enables plans (ids) that G's assignment would not. */
  readonly planMismatch: readonly { readonly user: TenantUser; readonly plans: readonly string[] }[];
  /**
   * Migrating members whose direct P has plans (ids) off that G's new assignment enables: a user gets
   * every plan any of their assignments enables, so these switch on as soon as G is given P. Empty
   * when G holds P already (they are on already).
   */
  readonly planGain: readonly { readonly user: TenantUser; readonly plans: readonly string[] }[];
  /** Migrating members whose direct P may be removed once verified: migrating without planMismatch. */
  readonly eligible: readonly TenantUser[];
  /** Users with a direct P assignment who are not user members of G (nested groups' members included). */
  readonly outside: readonly TenantUser[];
  readonly groupAssignment: { readonly needed: boolean; readonly disabledPlans: readonly string[] };
}

/** Splits G's members and P's direct holders into the migration's parts. */
export function classifyMigration(
  input: Pick<MigrationInput, "group" | "members" | "directHolders" | "skuId">,
): MigrationUsers {
  const { group, members, skuId } = input;
  const migratingStates: { user: TenantUser; direct: LicenseState }[] = [];
  for (const user of members.users) {
    const direct = directState(user, skuId);
    if (direct) migratingStates.push({ user, direct });
  }
  const onGroup = group.assignedLicenses.find((l) => l.skuId === skuId);
  const groupAssignment = onGroup
    ? { needed: false, disabledPlans: [...onGroup.disabledPlans] }
    : { needed: true, disabledPlans: mostCommonDisabledPlans(migratingStates.map((m) => m.direct)) };
  const lost = plansLostTo(groupAssignment.disabledPlans);
  const planMismatch: { user: TenantUser; plans: string[] }[] = [];
  const planGain: { user: TenantUser; plans: string[] }[] = [];
  const eligible: TenantUser[] = [];
  const groupOff = new Set(groupAssignment.disabledPlans);
  for (const { user, direct } of migratingStates) {
    const plans = lost(direct.disabledPlans);
    if (plans.length > 0) planMismatch.push({ user, plans });
    else eligible.push(user);
    const gained = groupAssignment.needed ? [...new Set(direct.disabledPlans)].filter((id) => !groupOff.has(id)) : [];
    if (gained.length > 0) planGain.push({ user, plans: gained });
  }
  const memberIds = new Set(members.users.map((u) => u.id));
  const outside = input.directHolders.filter((u) => !memberIds.has(u.id) && directState(u, skuId) !== undefined);
  return {
    migrating: migratingStates.map((m) => m.user),
    planMismatch,
    planGain,
    eligible,
    outside,
    groupAssignment,
  };
}

/**
 * The disabledPlans list the most direct assignments share (compared as sets). Ties go to the list
 * disabling fewer plans (nobody loses more than needed), then to the first in sorted order, so the
 * same tenant always gives the same plan. Sorted ids; [] when there are none.
 */
export function mostCommonDisabledPlans(states: readonly Pick<LicenseState, "disabledPlans">[]): string[] {
  const tally = new Map<string, { plans: string[]; users: number }>();
  for (const s of states) {
    const plans = [...new Set(s.disabledPlans)].sort();
    const key = plans.join(",");
    const entry = tally.get(key);
    if (entry) entry.users++;
    else tally.set(key, { plans, users: 1 });
  }
  let best: { key: string; plans: string[]; users: number } | undefined;
  for (const [key, entry] of tally) {
    const better =
      !best ||
      entry.users > best.users ||
      (entry.users === best.users &&
        (entry.plans.length < best.plans.length || (entry.plans.length === best.plans.length && key < best.key)));
    if (better) best = { key, ...entry };
  }
  return best ? best.plans : [];
}

/**
 * Plans (ids) an assignment with `directDisabled` enables and one with `groupDisabled` would not:
 * what a user would lose when the direct one goes. Cached per distinct list (users share a few).
 */
function plansLostTo(groupDisabled: readonly string[]): (directDisabled: readonly string[]) => string[] {
  const cache = new Map<string, string[]>();
  return (directDisabled) => {
    const key = directDisabled.join(",");
    let lost = cache.get(key);
    if (!lost) {
      const off = new Set(directDisabled);
      lost = [...new Set(groupDisabled)].filter((id) => !off.has(id));
      cache.set(key, lost);
    }
    return lost;
  };
}

/** Pilot size: the larger of `count` and `percent` % of the eligible users (rounded up), at most all of them. */
export function pilotSize(eligible: number, setting: PilotSetting = DEFAULT_PILOT): number {
  const { count, percent } = setting;
  if (!(count >= 0) || !(percent >= 0) || !Number.isFinite(count) || !Number.isFinite(percent)) {
    throw new RangeError(`a pilot needs a non-negative count and percent, not ${count} and ${percent}`);
  }
  if (eligible <= 0) return 0;
  return Math.min(eligible, Math.max(Math.floor(count), Math.ceil((eligible * percent) / 100)));
}

/** `ids` in waves of `size`, in order; the last may be smaller. */
export function splitIntoWaves<T>(ids: readonly T[], size: number = DEFAULT_WAVE_SIZE): T[][] {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`a wave needs at least one user, not ${size}`);
  const waves: T[][] = [];
  for (let i = 0; i < ids.length; i += size) waves.push(ids.slice(i, i + size));
  return waves;
}

/** The only call a removal makes: the user's own P, and nothing added or removed besides. */
export function directRemovalOperation(userId: string, skuId: string): Operation {
  return { method: "POST", path: `/users/${userId}/assignLicense`, body: { addLicenses: [], removeLicenses: [skuId] } };
}

function groupAssignOperation(groupId: string, skuId: string, disabledPlans: readonly string[]): Operation {
  // Only P added: G's other licenses are untouched, and nothing is removed from anyone.
  return {
    method: "POST",
    path: `/groups/${groupId}/assignLicense`,
    body: { addLicenses: [{ skuId, disabledPlans: [...disabledPlans] }], removeLicenses: [] },
  };
}

/** The user's state of P inherited from G, whatever its state. */
function inheritedState(user: TenantUser, groupId: string, skuId: string): LicenseState | undefined {
  return user.licenseStates.find((s) => s.skuId === skuId && s.assignedByGroup === groupId);
}

/**
 * Whether the user's direct P may be removed right now: G gives them P, Active and without error,
 * enabling every plan the direct one enables (G's disabled plans may have changed since verification).
 */
export function safeToRemoveDirect(user: TenantUser, groupId: string, skuId: string): boolean {
  const inherited = inheritedState(user, groupId, skuId);
  const direct = directState(user, skuId);
  if (!inherited || !direct || inherited.state !== "Active" || errorOf(inherited) !== null) return false;
  return plansLostTo(inherited.disabledPlans)(direct.disabledPlans).length === 0;
}

export interface MigrationVerification {
  readonly verified: UserRef[];
  readonly failed: (UserRef & { readonly reason: string })[];
}

/**
 * The verify stage (docs/graph-and-entra.md, "Migrating from direct to group licensing"): each user
 * must show P both directly and inherited from G, the inherited one Active without error, with G's
 * current disabled plans (else processing has not reached them), and enabling every plan the direct
 * one enables (more is fine, fewer is not: such a user stays on the direct license). `products` only
 * names products and plans in the reasons.
 */
export function verifyMigration(
  users: readonly TenantUser[],
  groupId: string,
  skuId: string,
  groupDisabledPlans: readonly string[],
  products: readonly Product[] = [],
): MigrationVerification {
  const index = new ProductIndex(products);
  const pName = index.name(skuId);
  const planName = planNamer(index.get(skuId));
  const lost = plansLostTo(groupDisabledPlans);
  const expected = sortedKey(groupDisabledPlans);
  const verified: UserRef[] = [];
  const failed: (UserRef & { reason: string })[] = [];
  const fail = (user: TenantUser, reason: string) => failed.push({ ...userRef(user), reason });
  for (const user of users) {
    const direct = directState(user, skuId);
    const inherited = inheritedState(user, groupId, skuId);
    if (!direct) {
      fail(
        user,
        `has no direct ${pName}: there is nothing to remove. Take them out of the migration, or check who removed it.`,
      );
      continue;
    }
    if (!inherited) {
      fail(
        user,
        `does not have ${pName} from the group yet. Wait until the group's license processing completes; if it has, reprocess the user.`,
      );
      continue;
    }
    const error = errorOf(inherited);
    if (error !== null) {
      fail(user, `${pName} from the group is in error (${error}): ${whatToDoFor(error)}.`);
      continue;
    }
    if (inherited.state !== "Active") {
      fail(user, `${pName} from the group is ${inherited.state}, not Active: ${whatToDoFor("Other")}.`);
      continue;
    }
    if (sortedKey(inherited.disabledPlans) !== expected) {
      fail(
        user,
        `${pName} from the group does not have the group's disabled plans yet. Wait until the group's license processing completes, then verify again.`,
      );
      continue;
    }
    const missing = lost(direct.disabledPlans);
    if (missing.length > 0) {
      fail(
        user,
        `${pName} from the group would not enable ${listNames(missing.map(planName))}, which the direct one enables. Their direct license stays; to move them, enable ${missing.length === 1 ? "it" : "them"} on the group.`,
      );
      continue;
    }
    verified.push(userRef(user));
  }
  return { verified, failed };
}

/** A list of ids as a set, in one spelling: two lists with the same ids give the same key. */
export function sortedKey(ids: readonly string[]): string {
  return [...new Set(ids)].sort().join(",");
}

/** Plan id → the name people read of its plan in P ("Sway"), the id when P or the plan is unknown. */
function planNamer(product: Product | undefined): (id: string) => string {
  const names = new Map((product?.servicePlans ?? []).map((p) => [p.id, p.name ? planDisplayName(p.name) : p.id]));
  return (id) => names.get(id) ?? id;
}

/**
 * Products the users hold from a direct assignment, most holders first (then by skuId): when G's
 * members hold one, the request may leave the product out.
 */
export function directProductsOf(users: readonly TenantUser[]): string[] {
  const holders = new Map<string, number>();
  for (const u of users) {
    for (const sku of new Set(u.licenseStates.filter((s) => s.assignedByGroup === null).map((s) => s.skuId)))
      holders.set(sku, (holders.get(sku) ?? 0) + 1);
  }
  return [...holders].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([sku]) => sku);
}

/** The preview of the migration: its checks, seats, counts and stages, and the assign stage's call. */
export function planMigration(input: MigrationInput): MigrationPreview {
  const { group, members, skuId } = input;
  const index = new ProductIndex(input.products);
  const product = index.get(skuId);
  const pName = index.name(skuId);
  const parts = classifyMigration(input);
  const { disabledPlans } = parts.groupAssignment;
  const groupName = groupLabeller(input.groupNames);
  const planName = planNamer(product);
  // A migration removes nothing from G: the assignment it (re)sets is G's own P, so the change
  // checks read it as a move from P on G to P on G with the plan's disabled plans.
  const ctx: ChangeContext = {
    kind: "group",
    subjectName: group.displayName,
    index,
    sourceSkuId: skuId,
    targetSkuId: skuId,
    source: product,
    target: product,
    users: members.users,
    // Only the assign stage gives anyone P; when G holds it already, the migration takes no seat.
    takesEffect: parts.groupAssignment.needed,
    isChanged: (s) => s.skuId === skuId && s.assignedByGroup === group.id,
    sourceDisabled: disabledPlans,
    targetDisabled: disabledPlans,
    targetEnabled: product ? index.enabledPlanNames(skuId, disabledPlans) : undefined,
    sourceLabel: (s) => (s.assignedByGroup === null ? "direct" : `group ${groupName(s.assignedByGroup)}`),
  };
  const facts = members.users.map(userAnalyser(ctx));
  const seats = countSeats(ctx, facts);
  const newMembers = seats.needed;

  const waveSize = input.waveSize ?? DEFAULT_WAVE_SIZE;
  const pilotSetting = input.pilot ?? DEFAULT_PILOT;
  const pilot = pilotSize(parts.eligible.length, pilotSetting);
  const waves = splitIntoWaves(parts.eligible.slice(pilot), waveSize);
  const stages: MigrationStage[] = [];
  if (parts.groupAssignment.needed) {
    stages.push({
      kind: "assign",
      title: `Assign ${pName} to ${group.displayName}${disabledNote(disabledPlans.length)}`,
      users: members.users.length,
    });
  }
  stages.push({
    kind: "verify",
    title: `Verify that ${plural(parts.migrating.length, "member")} hold ${pName} both directly and from ${group.displayName}`,
    users: parts.migrating.length,
  });
  if (pilot > 0)
    stages.push({
      kind: "pilot",
      title: `Pilot: remove the direct ${pName} from ${plural(pilot, "verified user")}`,
      users: pilot,
    });
  waves.forEach((wave, i) =>
    stages.push({
      kind: "wave",
      title: `Wave ${fmt(i + 1)} of ${fmt(waves.length)}: remove the direct ${pName} from ${plural(wave.length, "verified user")}`,
      users: wave.length,
    }),
  );

  // Microsoft's procedure keeps the automation that assigns direct licenses running during the
  // migration; left running afterwards, it gives back what the waves removed.
  const last = stages.length - 1;
  stages[last] = {
    ...stages[last],
    note: `Once the migration is done, retire or change whatever assigns ${pName} directly (scripts, provisioning, HR-driven automation): Microsoft's procedure keeps it running during the migration, and left running it gives back the direct licenses the migration removed.`,
  };

  const checks: CheckResult[] = [
    groupTypeCheck(group),
    targetSubscribedCheck({ index, target: product, targetSkuId: skuId }),
    subscriptionTermCheck(pName, skuId, input.subscriptions),
    groupAssignmentCheck(group, members.users.length, parts, pName, planName),
    seatsCheck(
      ctx,
      seats,
      `Members who hold ${pName} directly keep one seat when they also get it from ${group.displayName}: moving them costs nothing.`,
    ),
    outsideMembersCheck(group, parts, pName),
    planMismatchCheck(group, parts, pName, planName),
    planGainCheck(group, parts, pName, planName),
    conflictsCheck(ctx, facts),
    nestedGroupsCheck(group, members, `, so members of nested groups keep their direct ${pName} and are not migrated`),
    onPremisesSyncCheck(group),
    dynamicMembershipCheck(group),
    existingErrorsCheck(ctx, group),
    processingStateCheck(group),
    groupSizeCheck(group, members.users.length),
    entraIdP1Check(group, members.users.length, input.products, skuId),
    guestsCheck(group, members.users, pName),
  ];
  return {
    kind: "direct-to-group",
    target: { type: "group", id: group.id, displayName: group.displayName, memberCount: members.users.length },
    product: productRef(index, skuId),
    verdict: verdictOf(checks),
    checks,
    seats: seats.seats,
    groupAssignment: parts.groupAssignment,
    counts: {
      migrating: parts.migrating.length,
      outside: parts.outside.length,
      newMembers,
      planMismatch: parts.planMismatch.length,
      planGain: parts.planGain.length,
      pilot,
      waves: waves.length,
      waveSize,
    },
    settings: { pilot: { count: pilotSetting.count, percent: pilotSetting.percent }, waveSize },
    stages,
    operations: parts.groupAssignment.needed ? [groupAssignOperation(group.id, skuId, disabledPlans)] : [],
  };
}

function disabledNote(n: number): string {
  return n === 0 ? " with every plan enabled" : ` with ${plural(n, "plan")} disabled`;
}

/** What G gets (or has); blocks when no member holds P directly: then there is nothing to migrate. */
function groupAssignmentCheck(
  group: TenantGroup,
  memberCount: number,
  parts: MigrationUsers,
  pName: string,
  planName: (id: string) => string,
): CheckResult {
  const id = "group-assignment";
  const { needed, disabledPlans } = parts.groupAssignment;
  const off = disabledPlans.length > 0 ? `: ${listNames(disabledPlans.map(planName), 10)}` : "";
  if (parts.migrating.length === 0) {
    return {
      id,
      status: "block",
      title: `${fmt(0)} of ${plural(memberCount, "member")} of ${group.displayName} hold ${pName} directly: there is nothing to migrate`,
      detail: `Name the product they hold directly, or the group whose members hold ${pName}. To give ${group.displayName}'s members ${pName}, assign it to the group instead.`,
    };
  }
  if (!needed) {
    return {
      id,
      status: "info",
      title: `${group.displayName} already holds ${pName}${disabledNote(disabledPlans.length)}${off}`,
      detail: "The assign stage is skipped; the migration starts by verifying its members.",
    };
  }
  const sharing = parts.migrating.length - parts.planMismatch.length;
  return {
    id,
    status: "info",
    title: `${group.displayName} will get ${pName}${disabledNote(disabledPlans.length)}${off}`,
    detail: `The disabled plans most movers have: ${fmt(sharing)} of ${fmt(parts.migrating.length)} keep every plan they have with it. Each member then holds ${pName} directly and from ${group.displayName} on one seat, until their direct assignment is removed.`,
  };
}

function outsideMembersCheck(group: TenantGroup, parts: MigrationUsers, pName: string): CheckResult {
  const id = "outside-members";
  const users = parts.outside.map((u) => userRef(u));
  if (users.length === 0) {
    return userCheck(
      id,
      "pass",
      `Everyone who holds ${pName} directly is a member of ${group.displayName}`,
      "Nobody is left with a direct license the migration does not move.",
      users,
    );
  }
  return userCheck(
    id,
    "warn",
    `${plural(users.length, "user")} hold${users.length === 1 ? "s" : ""} ${pName} directly without being ${users.length === 1 ? "a member" : "members"} of ${group.displayName}`,
    `They keep their direct ${pName}: the migration does not touch them, and group licensing will not manage their license. If they should move too, stop here, add them to ${group.displayName} (as direct members: nested groups' members get nothing from it), then ask again.`,
    users,
  );
}

function planMismatchCheck(
  group: TenantGroup,
  parts: MigrationUsers,
  pName: string,
  planName: (id: string) => string,
): CheckResult {
  const id = "plan-mismatch";
  const users = parts.planMismatch.map((m) =>
    userRef(m.user, `enables ${listNames(m.plans.map(planName), 10)}, which ${group.displayName} would disable`),
  );
  const title = `${fmt(users.length)} of ${plural(parts.migrating.length, "mover")} hold a direct ${pName} that enables plans ${group.displayName}'s would not`;
  if (users.length === 0)
    return userCheck(
      id,
      "pass",
      title,
      `Every mover keeps every plan they have when their direct ${pName} is removed.`,
      users,
    );
  return userCheck(
    id,
    "warn",
    title,
    `They would lose those plans without their direct ${pName}, so it is never removed: they stay on their direct license. To move them too, enable those plans on ${group.displayName}, then ask again.`,
    users,
  );
}

/** Plans G's new assignment switches on for movers who have them off directly (the second article's "same licensing state", the other way). */
function planGainCheck(
  group: TenantGroup,
  parts: MigrationUsers,
  pName: string,
  planName: (id: string) => string,
): CheckResult {
  const id = "plan-gain";
  const users = parts.planGain.map((m) =>
    userRef(
      m.user,
      `has ${listNames(m.plans.map(planName), 10)} off directly, which ${group.displayName} would enable`,
    ),
  );
  const title = `${fmt(users.length)} of ${plural(parts.migrating.length, "mover")} have plans off that ${pName} from ${group.displayName} would switch on`;
  if (users.length === 0)
    return userCheck(
      id,
      "pass",
      title,
      `Nobody gets a plan they have off now: ${pName} from ${group.displayName} enables no plan a mover's direct one disables.`,
      users,
    );
  return userCheck(
    id,
    "info",
    title,
    `A user gets every plan any of their assignments enables, so these switch on as soon as ${group.displayName} is given ${pName}, before any direct license is removed. If they are off on purpose, they cannot stay off for these users while they are in ${group.displayName}: disable them on the group too (then others lose them), or take these users out of the migration.`,
    users,
  );
}
