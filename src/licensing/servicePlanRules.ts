/**
 * Entra's rules between service plans, by servicePlanName
 * (docs/graph-and-entra.md, "Mutually exclusive service plans", "Dependencies between plans").
 *
 * These are the facts both the simulated tenant (to behave like Entra) and the prerequisite checks
 * (to predict what Entra will do) rest on, so they live in one place. A tenant's own subscribedSkus
 * give plan ids and names; only the relations between plans come from here.
 */

/**
 * Sets of mutually exclusive plans: two different plans of one set cannot both be enabled on a
 * user. The same plan twice is fine, and a disabled plan does not conflict.
 * EXCHANGE_S_ENTERPRISE is deliberately not in the Exchange set: Exchange Plan 1 and Plan 2 may now
 * be held together (docs/graph-and-entra.md, "Mutually exclusive service plans").
 */
export const MUTUALLY_EXCLUSIVE_PLAN_SETS: readonly (readonly string[])[] = [
  [
    "EXCHANGE_B_STANDARD",
    "EXCHANGE_S_ARCHIVE",
    "EXCHANGE_S_DESKLESS",
    "EXCHANGE_S_ESSENTIALS",
    "EXCHANGE_S_STANDARD",
    "EXCHANGE_S_STANDARD_MIDMARKET",
  ],
  ["SHAREPOINTSTANDARD", "SHAREPOINTENTERPRISE", "SHAREPOINTDESKLESS"],
  ["MCOIMP", "MCOSTANDARD"],
  ["YAMMER_ENTERPRISE", "YAMMER_EDU", "YAMMER_MIDSIZE"],
  ["INTUNE_A", "INTUNE_A_VL", "INTUNE_B"],
  ["RMS_S_ENTERPRISE", "RMS_S_ENTERPRISE_GOV"],
];

/**
 * Add-on plans and the plans they need: at least one of `requiresAnyOf` must be enabled on the
 * user. Removing the last prerequisite fails with DependencyViolation
 * (docs/graph-and-entra.md, "Dependencies between plans").
 */
export const PLAN_DEPENDENCIES: readonly { readonly plan: string; readonly requiresAnyOf: readonly string[] }[] = [
  { plan: "WORKPLACE_ANALYTICS", requiresAnyOf: ["EXCHANGE_S_STANDARD", "EXCHANGE_S_ENTERPRISE"] },
  { plan: "MCOMEETADV", requiresAnyOf: ["MCOSTANDARD"] },
];

/** A pair of enabled plans that cannot be held together. */
export interface PlanConflict {
  readonly plan: string;
  readonly conflictsWith: string;
}

/**
 * The conflicts between two sets of enabled plan names (`held` and `added`): every pair of
 * different plans of one exclusive set, one from each side.
 */
export function findPlanConflicts(held: ReadonlySet<string>, added: ReadonlySet<string>): PlanConflict[] {
  const conflicts: PlanConflict[] = [];
  for (const set of MUTUALLY_EXCLUSIVE_PLAN_SETS) {
    for (const a of set) {
      if (!added.has(a)) continue;
      for (const h of set) {
        if (h !== a && held.has(h)) conflicts.push({ plan: a, conflictsWith: h });
      }
    }
  }
  return conflicts;
}

/**
 * The conflicts between each two of several assignments' enabled plans (a group's products, say):
 * `first` and `second` index `planSets`, and each conflict's `plan` is of the second.
 */
export function findConflictsBetween(
  planSets: readonly ReadonlySet<string>[],
): { readonly first: number; readonly second: number; readonly conflict: PlanConflict }[] {
  const found: { first: number; second: number; conflict: PlanConflict }[] = [];
  for (let first = 0; first < planSets.length; first++)
    for (let second = first + 1; second < planSets.length; second++)
      for (const conflict of findPlanConflicts(planSets[first], planSets[second]))
        found.push({ first, second, conflict });
  return found;
}

/** A plan that is enabled but lacks every one of the plans it needs. */
export interface UnmetDependency {
  readonly plan: string;
  readonly requiresAnyOf: readonly string[];
}

/** Dependencies that a set of enabled plan names leaves unmet. */
export function findUnmetDependencies(enabled: ReadonlySet<string>): UnmetDependency[] {
  return PLAN_DEPENDENCIES.filter((d) => enabled.has(d.plan) && !d.requiresAnyOf.some((p) => enabled.has(p)));
}
