/**
 * The preview of a license change: every prerequisite check, the seats,
 * and the one Graph call the change will make. Pure: it reads the tenant as given and writes
 * nothing. The checks themselves live in ./checks, one function each.
 */
import {
  directState,
  groupLabeller,
  planCarries,
  productRef,
  ProductIndex,
  userAnalyser,
  type ChangeContext,
} from "./checks/context";
import {
  allOrNothingCheck,
  directSourceCheck,
  dynamicMembershipCheck,
  entraIdP1Check,
  existingErrorsCheck,
  groupProductsCheck,
  groupSourceAssignedCheck,
  groupTypeCheck,
  groupSizeCheck,
  groupUsageLocationCheck,
  guestsCheck,
  nestedGroupsCheck,
  onPremisesSyncCheck,
  processingStateCheck,
} from "./checks/groupChecks";
import {
  conflictsCheck,
  countSeats,
  subscriptionTermCheck,
  dependenciesCheck,
  seatsCheck,
  serviceContinuityCheck,
  targetSubscribedCheck,
} from "./checks/licenseChecks";
import { userSourceAssignedCheck, userUsageLocationCheck } from "./checks/userChecks";
import type { GroupMembers, LicenseState, Product, SubscriptionsRead, TenantGroup, TenantUser } from "./model";
import { verdictOf, type CheckResult, type Operation, type Preview, type SourceRef } from "./preview";

/**
 * An undo's change: its target T is the product the undone request removed, restored as it was
 * then. T is added with exactly these disabledPlans (not the carry-over from S), and the plans S
 * enables that T does not came with the undone request: service-continuity warns instead of blocking.
 */
export interface Restore {
  /** The request being undone. */
  readonly undoOf: number;
  /** The disabledPlans (plan ids) T had before that request; empty when it recorded none. */
  readonly disabledPlans: readonly string[];
}

export interface GroupChangeInput {
  readonly group: TenantGroup;
  readonly members: GroupMembers;
  readonly products: readonly Product[];
  readonly fromSkuId: string;
  readonly toSkuId: string;
  /** Optional id → displayName of other groups, to name them in notes; ids are shown otherwise. */
  readonly groupNames?: ReadonlyMap<string, string>;
  /** When the change undoes a request: T as it was before it. */
  readonly restore?: Restore;
  /** The tenant's subscriptions, for subscription-term; not read: that check says so. */
  readonly subscriptions?: SubscriptionsRead;
}

export interface UserChangeInput {
  readonly user: TenantUser;
  /** id → displayName of the groups named by the user's license states. */
  readonly groupNames: ReadonlyMap<string, string>;
  readonly products: readonly Product[];
  readonly fromSkuId: string;
  readonly toSkuId: string;
  /** When the change undoes a request: T as it was before it. */
  readonly restore?: Restore;
  /** The tenant's subscriptions, for subscription-term; not read: that check says so. */
  readonly subscriptions?: SubscriptionsRead;
}

/**
 * The plans (ids) to disable on the target so that what was off stays off and what was on stays
 * on: a target plan is disabled iff it carries at least one source plan and every source plan it
 * carries is disabled. A target plan that carries none (a new service) stays enabled.
 */
export function targetDisabledPlans(source: Product, sourceDisabled: readonly string[], target: Product): string[] {
  const off = new Set(sourceDisabled);
  const disabled = new Set<string>();
  for (const tp of target.servicePlans) {
    const carried = source.servicePlans.filter((sp) => planCarries(tp, sp));
    if (carried.length > 0 && carried.every((sp) => off.has(sp.id))) disabled.add(tp.id);
  }
  return [...disabled];
}

/**
 * disabledPlans for T as it will be assigned. When the subject already holds T, assignLicense
 * replaces that assignment, so a plan stays disabled only if it is disabled there too: nothing on
 * is switched off.
 */
function assignedTargetDisabled(
  source: Product | undefined,
  sourceDisabled: readonly string[],
  target: Product | undefined,
  existingTarget: readonly string[] | undefined,
): string[] {
  if (!source || !target) return [];
  const carried = targetDisabledPlans(source, sourceDisabled, target);
  if (!existingTarget) return carried;
  const existing = new Set(existingTarget);
  return carried.filter((id) => existing.has(id));
}

/** S as the preview names it, with the plans off on the assignment the change removes (when any). */
function sourceRef(index: ProductIndex, skuId: string, disabledPlans: readonly string[]): SourceRef {
  const ref = productRef(index, skuId);
  return disabledPlans.length > 0 ? { ...ref, disabledPlans: [...disabledPlans] } : ref;
}

function assignLicense(path: string, toSkuId: string, disabledPlans: readonly string[], fromSkuId: string): Operation {
  // The add and the remove in one call: how Entra swaps products without a gap or a conflict
  // (docs/graph-and-entra.md, "Changing plans without losing service").
  return {
    method: "POST",
    path,
    body: { addLicenses: [{ skuId: toSkuId, disabledPlans: [...disabledPlans] }], removeLicenses: [fromSkuId] },
  };
}

function contextFor(
  kind: "group" | "user",
  subjectName: string,
  index: ProductIndex,
  fromSkuId: string,
  toSkuId: string,
  users: readonly TenantUser[],
  takesEffect: boolean,
  isChanged: (s: LicenseState) => boolean,
  sourceDisabled: readonly string[],
  existingTarget: readonly string[] | undefined,
  groupName: (id: string) => string,
  restore: Restore | undefined,
): ChangeContext {
  const source = index.get(fromSkuId);
  const target = index.get(toSkuId);
  const targetDisabled = restore
    ? [...restore.disabledPlans]
    : assignedTargetDisabled(source, sourceDisabled, target, existingTarget);
  return {
    kind,
    subjectName,
    index,
    sourceSkuId: fromSkuId,
    targetSkuId: toSkuId,
    source,
    target,
    users,
    takesEffect,
    isChanged,
    sourceDisabled,
    targetDisabled,
    targetEnabled: target ? index.enabledPlanNames(toSkuId, targetDisabled) : undefined,
    sourceLabel: (s) => (s.assignedByGroup === null ? "direct" : `group ${groupName(s.assignedByGroup)}`),
  };
}

/** Group G from S to T: every check of the table in docs/plan-json.md, in its order. */
export function previewGroupChange(input: GroupChangeInput): Preview {
  const { group, members, fromSkuId, toSkuId } = input;
  const index = new ProductIndex(input.products);
  const sourceOnGroup = group.assignedLicenses.find((l) => l.skuId === fromSkuId);
  const targetOnGroup = group.assignedLicenses.find((l) => l.skuId === toSkuId);
  const ctx = contextFor(
    "group",
    group.displayName,
    index,
    fromSkuId,
    toSkuId,
    members.users,
    sourceOnGroup !== undefined,
    (s) => s.skuId === fromSkuId && s.assignedByGroup === group.id,
    sourceOnGroup?.disabledPlans ?? [],
    targetOnGroup?.disabledPlans,
    groupLabeller(input.groupNames),
    input.restore,
  );
  const facts = ctx.users.map(userAnalyser(ctx));
  const seats = countSeats(ctx, facts);
  const checks: CheckResult[] = [
    groupSourceAssignedCheck(ctx, group),
    groupTypeCheck(group),
    targetSubscribedCheck(ctx),
    subscriptionTermCheck(ctx.index.name(toSkuId), toSkuId, input.subscriptions),
    seatsCheck(ctx, seats),
    directSourceCheck(ctx, facts),
    conflictsCheck(ctx, facts),
    dependenciesCheck(ctx, facts),
    allOrNothingCheck(ctx, group, facts),
    groupProductsCheck(ctx, group),
    serviceContinuityCheck(ctx, input.restore?.undoOf),
    nestedGroupsCheck(group, members),
    onPremisesSyncCheck(group),
    dynamicMembershipCheck(group),
    groupUsageLocationCheck(ctx),
    existingErrorsCheck(ctx, group),
    processingStateCheck(group),
    groupSizeCheck(group, members.users.length),
    entraIdP1Check(group, members.users.length, input.products, toSkuId),
    guestsCheck(group, members.users, ctx.index.name(toSkuId)),
  ];
  return {
    kind: "group-change",
    target: { type: "group", id: group.id, displayName: group.displayName, memberCount: members.users.length },
    from: sourceRef(index, fromSkuId, ctx.sourceDisabled),
    to: productRef(index, toSkuId),
    verdict: verdictOf(checks),
    checks,
    seats: seats.seats,
    operations: [assignLicense(`/groups/${group.id}/assignLicense`, toSkuId, ctx.targetDisabled, fromSkuId)],
  };
}

/** User U from S to T, assigned directly: the checks of the table that apply to one user. */
export function previewUserChange(input: UserChangeInput): Preview {
  const { user, fromSkuId, toSkuId } = input;
  const index = new ProductIndex(input.products);
  const groupName = groupLabeller(input.groupNames);
  const ctx = contextFor(
    "user",
    user.displayName,
    index,
    fromSkuId,
    toSkuId,
    [user],
    directState(user, fromSkuId) !== undefined,
    (s) => s.skuId === fromSkuId && s.assignedByGroup === null,
    directState(user, fromSkuId)?.disabledPlans ?? [],
    directState(user, toSkuId)?.disabledPlans,
    groupName,
    input.restore,
  );
  const facts = [userAnalyser(ctx)(user)];
  const seats = countSeats(ctx, facts);
  const checks: CheckResult[] = [
    userSourceAssignedCheck(ctx, user, groupName),
    targetSubscribedCheck(ctx),
    subscriptionTermCheck(ctx.index.name(toSkuId), toSkuId, input.subscriptions),
    seatsCheck(ctx, seats),
    conflictsCheck(ctx, facts),
    dependenciesCheck(ctx, facts),
    serviceContinuityCheck(ctx, input.restore?.undoOf),
    userUsageLocationCheck(user),
  ];
  return {
    kind: "user-change",
    target: { type: "user", id: user.id, displayName: user.displayName, userPrincipalName: user.userPrincipalName },
    from: sourceRef(index, fromSkuId, ctx.sourceDisabled),
    to: productRef(index, toSkuId),
    verdict: verdictOf(checks),
    checks,
    seats: seats.seats,
    operations: [assignLicense(`/users/${user.id}/assignLicense`, toSkuId, ctx.targetDisabled, fromSkuId)],
  };
}
