/**
 * Fields that Entra derives from each user's licenseAssignmentStates. The simulated tenant keeps
 * them true after every change, the generator fills them in, and snapshot validation compares them.
 */
import { isHolding } from "../licensing/checks/context";
import type { AssignedLicense, LicenseAssignmentState, User } from "./snapshot";

/** States that give the user the product (and so take a seat): one rule for the simulator and the checks. */
export { isHolding };

/**
 * A user's assignedLicenses: one entry per product held from any source. With several sources the
 * user gets every plan that any of them enables, so a plan is disabled only where all sources
 * disable it (docs/graph-and-entra.md, "One seat per product").
 */
export function deriveAssignedLicenses(states: readonly LicenseAssignmentState[]): AssignedLicense[] {
  const bySku = new Map<string, Set<string>>();
  for (const s of states) {
    if (!isHolding(s)) continue;
    const disabled = bySku.get(s.skuId);
    bySku.set(s.skuId, disabled ? new Set(s.disabledPlans.filter((p) => disabled.has(p))) : new Set(s.disabledPlans));
  }
  return [...bySku].map(([skuId, disabled]) => ({ skuId, disabledPlans: [...disabled].sort() }));
}

/** One seat per user per product, whatever the number of sources (docs/graph-and-entra.md, "One seat per product"). */
export function countConsumedUnits(users: readonly Pick<User, "licenseAssignmentStates">[], skuId: string): number {
  let count = 0;
  for (const u of users) {
    if (u.licenseAssignmentStates.some((s) => s.skuId === skuId && isHolding(s))) count++;
  }
  return count;
}
