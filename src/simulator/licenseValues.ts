/** Facts about licenses and license states that validation, assignment and group processing share. */
import { isHolding } from "./derivedFields";
import type { AssignedLicense, Group, LicenseAssignmentState } from "./snapshot";

/** A license as one request or state names it: disabledPlans always present. */
export type License = Pick<AssignedLicense, "skuId" | "disabledPlans">;

/** Only security groups (including Microsoft 365 groups with securityEnabled) can hold licenses (docs/graph-and-entra.md, "Groups that can hold licenses"). */
export function canHoldLicenses(group: Pick<Group, "securityEnabled">): boolean {
  return group.securityEnabled;
}

/** The same key for the same product with the same disabled plans, in any order. */
export function licenseKey(l: License): string {
  return `${l.skuId}|${[...l.disabledPlans].sort().join(",")}`;
}

export function sameLicenseSets(a: readonly License[], b: readonly License[]): boolean {
  const keys = (ls: readonly License[]) => ls.map(licenseKey).sort().join(";");
  return keys(a) === keys(b);
}

/** The products that states give the user (each takes one seat, however many states name it). */
export function heldSkuIds(states: readonly LicenseAssignmentState[]): Set<string> {
  return new Set(states.filter(isHolding).map((s) => s.skuId));
}
