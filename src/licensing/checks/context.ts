/**
 * What every check of a license change shares: the tenant's products indexed once, the change
 * being previewed (who, from what, to what, as it will be assigned), one pass over the users
 * that the checks then filter, and the few text helpers that keep titles consistent.
 *
 * Everything here is linear in the users: plan-name sets are computed once per product and
 * per distinct disabledPlans list, never per user.
 */
import type { LicenseState, Product, ServicePlan, TenantUser } from "../model";
import type { CheckId, CheckResult, ProductRef, UserRef } from "../preview";
import { productName } from "../productNames";
import { carries } from "../workloads";
import { findPlanConflicts, findUnmetDependencies, type PlanConflict, type UnmetDependency } from "../servicePlanRules";
import { fmt, plural } from "../../format";

/** A license state that gives the user its product now (Graph keeps Error and Disabled states, which give nothing). */
export function isHolding(state: Pick<LicenseState, "state">): boolean {
  return state.state === "Active" || state.state === "ActiveWithError";
}

/** A user's direct state for a product: the holding one when Graph lists more than one, else any. */
export function directState(user: TenantUser, skuId: string): LicenseState | undefined {
  let any: LicenseState | undefined;
  for (const s of user.licenseStates) {
    if (s.skuId !== skuId || s.assignedByGroup !== null) continue;
    if (isHolding(s)) return s;
    any ??= s;
  }
  return any;
}

/** Graph's "None" and null both mean no error (docs/graph-and-entra.md, "User license fields"). */
export function errorOf(state: Pick<LicenseState, "error">): string | null {
  return state.error === null || state.error === "None" ? null : state.error;
}

/** Whether target plan `t` provides the service of source plan `s`: the same plan id, or by name and workload. */
export function planCarries(t: ServicePlan, s: ServicePlan): boolean {
  // An unnamed plan (servicePlanName missing on the wire) can only be matched by its id.
  return t.id === s.id || (t.name !== "" && s.name !== "" && carries(t.name, s.name));
}

/** The tenant's products by skuId, with the enabled plan names of each assignment computed once. */
export class ProductIndex {
  private readonly bySku = new Map<string, Product>();
  private readonly enabledCache = new Map<string, ReadonlySet<string>>();

  constructor(products: readonly Product[]) {
    for (const p of products) this.bySku.set(p.skuId, p);
  }

  get(skuId: string): Product | undefined {
    return this.bySku.get(skuId);
  }

  /** "Office 365 E1", or the skuId of a product the tenant does not own. */
  name(skuId: string): string {
    const p = this.bySku.get(skuId);
    return p ? productName(p.skuPartNumber) : `product ${skuId}`;
  }

  /** Names of the plans a product enables with these disabledPlans (plan ids); empty for an unknown product. */
  enabledPlanNames(skuId: string, disabledPlans: readonly string[]): ReadonlySet<string> {
    // Keyed by the list as given: assignments of one product almost always repeat a few lists.
    const key = `${skuId}|${disabledPlans.join(",")}`;
    let names = this.enabledCache.get(key);
    if (!names) {
      const disabled = new Set(disabledPlans);
      names = new Set(
        (this.bySku.get(skuId)?.servicePlans ?? [])
          .filter((p) => p.name !== "" && !disabled.has(p.id))
          .map((p) => p.name),
      );
      this.enabledCache.set(key, names);
    }
    return names;
  }
}

export function productRef(products: ProductIndex, skuId: string): ProductRef {
  // A product the tenant does not own has no skuPartNumber to show: its skuId stands in.
  return { skuId, skuPartNumber: products.get(skuId)?.skuPartNumber ?? skuId };
}

/** A group's display name from `names` when known, its id otherwise. */
export function groupLabeller(names: ReadonlyMap<string, string> | undefined): (id: string) => string {
  return (id) => names?.get(id) ?? id;
}

/** The change being previewed, as the checks need it. */
export interface ChangeContext {
  readonly kind: "group" | "user";
  /** The group's or the user's display name. */
  readonly subjectName: string;
  readonly index: ProductIndex;
  readonly sourceSkuId: string;
  readonly targetSkuId: string;
  readonly source: Product | undefined;
  readonly target: Product | undefined;
  /** Users the change applies to: the group's user members, or the one user. */
  readonly users: readonly TenantUser[];
  /**
   * Whether the call changes what anyone holds: not when the group (or the user, directly) does not
   * hold S, nor when a migration's group holds P already. Such a change takes and frees no seat.
   */
  readonly takesEffect: boolean;
  /** The state the change removes: S from G for a group change, S assigned directly for a user change. */
  isChanged(state: LicenseState): boolean;
  /** disabledPlans (ids) of S on the assignment being changed. */
  readonly sourceDisabled: readonly string[];
  /** disabledPlans (ids) of T as it will be assigned. */
  readonly targetDisabled: readonly string[];
  /** Plan names T will enable as assigned; undefined when the tenant does not own T. */
  readonly targetEnabled: ReadonlySet<string> | undefined;
  /** "direct" or "group Sales" for a license state's source. */
  sourceLabel(state: LicenseState): string;
}

/** A conflict of one user, with the license that holds the conflicting plan. */
export interface UserConflict extends PlanConflict {
  /** "Office 365 E1, direct" */
  readonly heldBy: string;
}

/** What one pass over a user finds; the checks only filter these. */
export interface UserFacts {
  readonly user: TenantUser;
  /** Holds T from any source now. */
  readonly holdsTarget: boolean;
  /** Holds S now from the assignment being changed. */
  readonly holdsChanged: boolean;
  /** Holding states of S from other sources: they stay after the change. */
  readonly otherSourceStates: readonly LicenseState[];
  /** Plans T would enable that exclude a plan the user keeps (empty when T is not owned). */
  readonly conflicts: readonly UserConflict[];
  /** Dependencies met now and unmet after the change. */
  readonly lostDependencies: readonly UnmetDependency[];
}

/**
 * Analyses users one by one. What a user's plans give (conflicts, lost dependencies) depends only
 * on the assignments they hold, and a group's members hold few distinct combinations: the plan-set
 * work is done once per combination, so the pass stays linear and cheap for 100,000 members.
 */
export function userAnalyser(ctx: ChangeContext): (user: TenantUser) => UserFacts {
  const byCombination = new Map<
    string,
    { conflicts: readonly PlanConflict[]; lostDependencies: readonly UnmetDependency[] }
  >();
  const planOutcome = (remaining: readonly LicenseState[], changed: LicenseState | undefined) => {
    const assignment = (s: LicenseState): string => `${s.skuId}|${s.disabledPlans.join(",")}`;
    const key = `${changed ? assignment(changed) : ""}#${remaining.map(assignment).join(";")}`;
    let outcome = byCombination.get(key);
    if (!outcome) {
      outcome = { conflicts: [], lostDependencies: [] };
      if (ctx.targetEnabled) {
        const kept = unionOfEnabled(ctx.index, remaining);
        const after = new Set([...kept, ...ctx.targetEnabled]);
        const before = changed
          ? new Set([...kept, ...ctx.index.enabledPlanNames(changed.skuId, changed.disabledPlans)])
          : kept;
        const unmetBefore = new Set(findUnmetDependencies(before).map((d) => d.plan));
        outcome = {
          conflicts: findPlanConflicts(kept, ctx.targetEnabled),
          lostDependencies: findUnmetDependencies(after).filter((d) => !unmetBefore.has(d.plan)),
        };
      }
      byCombination.set(key, outcome);
    }
    return outcome;
  };

  return (user) => {
    let holdsTarget = false;
    let changed: LicenseState | undefined;
    const otherSourceStates: LicenseState[] = [];
    const remaining: LicenseState[] = [];
    for (const state of user.licenseStates) {
      if (!isHolding(state)) continue;
      if (state.skuId === ctx.targetSkuId) holdsTarget = true;
      if (ctx.isChanged(state)) {
        changed = state;
        continue;
      }
      remaining.push(state);
      if (state.skuId === ctx.sourceSkuId) otherSourceStates.push(state);
    }
    const outcome = planOutcome(remaining, changed);
    // Where a conflicting plan comes from depends on this user's sources: worked out only for users in conflict.
    const conflicts = outcome.conflicts.map((c) => ({ ...c, heldBy: heldBy(ctx, remaining, c.conflictsWith) }));
    return {
      user,
      holdsTarget,
      holdsChanged: changed !== undefined,
      otherSourceStates,
      conflicts,
      lostDependencies: outcome.lostDependencies,
    };
  };
}

function unionOfEnabled(index: ProductIndex, states: readonly LicenseState[]): ReadonlySet<string> {
  if (states.length === 1) return index.enabledPlanNames(states[0].skuId, states[0].disabledPlans);
  const names = new Set<string>();
  for (const s of states) for (const n of index.enabledPlanNames(s.skuId, s.disabledPlans)) names.add(n);
  return names;
}

/** Which of the user's remaining licenses enables `plan`: "Office 365 E1, direct". */
function heldBy(ctx: ChangeContext, states: readonly LicenseState[], plan: string): string {
  const labels = states
    .filter((s) => ctx.index.enabledPlanNames(s.skuId, s.disabledPlans).has(plan))
    .map((s) => `${ctx.index.name(s.skuId)}, ${ctx.sourceLabel(s)}`);
  return [...new Set(labels)].join("; ");
}

export function userRef(user: TenantUser, note?: string): UserRef {
  return note === undefined
    ? { id: user.id, displayName: user.displayName, userPrincipalName: user.userPrincipalName }
    : { id: user.id, displayName: user.displayName, userPrincipalName: user.userPrincipalName, note };
}

/** A check that names users: count always, users only when there are some. */
export function userCheck(
  id: CheckId,
  status: CheckResult["status"],
  title: string,
  detail: string,
  users: readonly UserRef[],
): CheckResult {
  return users.length > 0
    ? { id, status, title, detail, count: users.length, users }
    : { id, status, title, detail, count: 0 };
}

/** A check that could not be computed because a product is not owned; target-subscribed or source-assigned blocks already. */
export function notChecked(id: CheckId, missing: string): CheckResult {
  return {
    id,
    status: "info",
    title: `Not checked: the tenant does not own ${missing}`,
    detail: "This check needs the product's plans and seats; see the blocking check above.",
  };
}

/** "3 of 25 members" for a group, the user's name for a user change. */
export function who(ctx: ChangeContext, count: number): string {
  return ctx.kind === "group" ? `${fmt(count)} of ${plural(ctx.users.length, "member")}` : ctx.subjectName;
}
