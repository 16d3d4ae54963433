/**
 * The tenant's subscribed products as licensing reads and changes them: names for messages, free
 * seats, the plans a set of licenses enables, the dependencies and conflicts a change would bring, and the seat
 * count kept true whenever a user's license states change.
 */
import { findConflictsBetween, findUnmetDependencies, type UnmetDependency } from "../licensing/servicePlanRules";
import { deriveAssignedLicenses } from "./derivedFields";
import { heldSkuIds, type License } from "./licenseValues";
import type { LicenseFields } from "./readLag";
import type { LicenseAssignmentState, SubscribedSku, User } from "./snapshot";

export class TenantSkus {
  private readonly skusById = new Map<string, SubscribedSku>();

  /**
   * Over the tenant's own sku objects: their consumedUnits change as users' states do.
   * `userChanged` hears every change of a user's license fields, with the fields it replaced.
   */
  constructor(
    skus: readonly SubscribedSku[],
    private readonly userChanged: (user: User, before: LicenseFields) => void = () => {},
  ) {
    for (const s of skus) this.skusById.set(s.skuId, s);
  }

  /** The live sku (not a copy). */
  get(skuId: string): SubscribedSku | undefined {
    return this.skusById.get(skuId);
  }

  /** A sku the caller has checked exists. */
  known(skuId: string): SubscribedSku {
    return this.skusById.get(skuId) as SubscribedSku;
  }

  /** "ENTERPRISEPACK (6fd2…)" for a known sku, the bare id otherwise. */
  name(skuId: string): string {
    const s = this.skusById.get(skuId);
    return s ? `${s.skuPartNumber} (${s.skuId})` : skuId;
  }

  hasFreeSeat(skuId: string): boolean {
    const sku = this.known(skuId);
    return sku.consumedUnits < sku.prepaidUnits.enabled;
  }

  /** The names of the plans a set of licenses enables, looked up in the tenant's subscribedSkus. */
  enabledPlanNames(licenses: readonly License[]): Set<string> {
    const names = new Set<string>();
    for (const l of licenses) {
      for (const p of this.skusById.get(l.skuId)?.servicePlans ?? []) {
        if (!l.disabledPlans.includes(p.servicePlanId)) names.add(p.servicePlanName);
      }
    }
    return names;
  }

  /** Dependencies unmet by `after` that `before` met (a user already broken is not blamed on this change). */
  newUnmetDependencies(before: readonly License[], after: readonly License[]): UnmetDependency[] {
    const alreadyUnmet = new Set(findUnmetDependencies(this.enabledPlanNames(before)).map((d) => d.plan));
    return findUnmetDependencies(this.enabledPlanNames(after)).filter((d) => !alreadyUnmet.has(d.plan));
  }

  /** "ENTERPRISEPACK (…) (SHAREPOINTENTERPRISE) and STANDARDPACK (…) (SHAREPOINTSTANDARD)": pairs of `after` whose plans exclude each other, and that `before` did not have. */
  newConflictsBetween(before: readonly License[], after: readonly License[]): string[] {
    const pairs = (licenses: readonly License[]): string[] =>
      findConflictsBetween(licenses.map((l) => this.enabledPlanNames([l]))).map(
        ({ first, second, conflict: c }) =>
          `${this.name(licenses[first].skuId)} (${c.conflictsWith}) and ${this.name(licenses[second].skuId)} (${c.plan})`,
      );
    const existing = new Set(pairs(before));
    return pairs(after).filter((p) => !existing.has(p));
  }

  /** Replaces a user's states, keeping assignedLicenses and consumedUnits true. */
  setUserStates(user: User, states: LicenseAssignmentState[]): void {
    const before = heldSkuIds(user.licenseAssignmentStates);
    const after = heldSkuIds(states);
    for (const skuId of before) if (!after.has(skuId)) this.known(skuId).consumedUnits--;
    for (const skuId of after) if (!before.has(skuId)) this.known(skuId).consumedUnits++;
    const replaced = { licenseAssignmentStates: user.licenseAssignmentStates, assignedLicenses: user.assignedLicenses };
    user.licenseAssignmentStates = states;
    user.assignedLicenses = deriveAssignedLicenses(states);
    this.userChanged(user, replaced);
  }
}
