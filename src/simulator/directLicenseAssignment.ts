/**
 * Entra's rules for a user's direct licenses (assignLicense on a user): answered at once, all or
 * nothing (docs/graph-and-entra.md, "assignLicense"). A product must be assignable and have a free seat, the user needs a usage
 * location, only a direct license can be removed, and the result may neither enable conflicting
 * plans nor leave a plan without the plan it depends on.
 */
import { findPlanConflicts, type UnmetDependency } from "../licensing/servicePlanRules";
import type { AssignLicenseRequest } from "./assignLicenseRequest";
import { isHolding } from "./derivedFields";
import { describeUser } from "./entityDescriptions";
import { directoryBadRequest } from "./graphErrors";
import { heldSkuIds, type License } from "./licenseValues";
import type { LicenseAssignmentState, User } from "./snapshot";
import type { TenantSkus } from "./tenantSkus";

/**
 * Applies a checked request (checkRequestedLicenses) to the user's direct licenses, or throws
 * Graph's refusal and changes nothing. `timestamp` stamps the states it changes.
 */
export function assignDirectLicenses(
  user: User,
  request: AssignLicenseRequest,
  skus: TenantSkus,
  timestamp: () => string,
): void {
  for (const add of request.addLicenses) checkCapability(skus, add.skuId);
  if (request.addLicenses.length > 0 && !user.usageLocation) {
    throw directoryBadRequest("License assignment cannot be done for user with invalid usage location.");
  }
  for (const skuId of request.removeLicenses) checkDirectlyHeld(skus, user, skuId);
  checkSeatsForDirectAdds(skus, user, request.addLicenses);
  const next = applyDirectChange(user.licenseAssignmentStates, request, timestamp());
  checkDirectPlans(skus, user, next, request.addLicenses);
  skus.setUserStates(user, next);
}

function checkCapability(skus: TenantSkus, skuId: string): void {
  const sku = skus.known(skuId);
  if (
    sku.capabilityStatus === "Suspended" ||
    sku.capabilityStatus === "LockedOut" ||
    sku.capabilityStatus === "Deleted"
  ) {
    throw directoryBadRequest(
      `License ${skus.name(skuId)} cannot be assigned: its subscription is ${sku.capabilityStatus}.`,
    );
  }
}

function checkDirectlyHeld(skus: TenantSkus, user: User, skuId: string): void {
  const states = user.licenseAssignmentStates.filter((s) => s.skuId === skuId);
  if (states.some((s) => s.assignedByGroup === null)) return;
  if (states.length > 0)
    throw directoryBadRequest(
      "User license is inherited from a group membership and it cannot be removed directly from the user.",
    );
  throw directoryBadRequest(
    `License ${skus.name(skuId)} is not assigned to ${describeUser(user)}, so it cannot be removed.`,
  );
}

function checkSeatsForDirectAdds(skus: TenantSkus, user: User, adds: readonly License[]): void {
  const held = heldSkuIds(user.licenseAssignmentStates);
  for (const add of adds) {
    if (held.has(add.skuId) || skus.hasFreeSeat(add.skuId)) continue;
    const sku = skus.known(add.skuId);
    throw directoryBadRequest(
      `License assignment failed because there are not enough licenses for ${sku.skuPartNumber} (${sku.skuId}): ` +
        `${sku.consumedUnits} of ${sku.prepaidUnits.enabled} enabled units are consumed.`,
    );
  }
}

/** After a direct change: no added product may conflict with any other held plan, and no dependency may break. */
function checkDirectPlans(
  skus: TenantSkus,
  user: User,
  next: readonly LicenseAssignmentState[],
  adds: readonly License[],
): void {
  const holding = next.filter(isHolding);
  for (const add of adds) {
    const others = holding.filter((s) => !(s.assignedByGroup === null && s.skuId === add.skuId));
    const conflict = findPlanConflicts(skus.enabledPlanNames(others), skus.enabledPlanNames([add]))[0];
    if (conflict) {
      throw directoryBadRequest(
        `Conflicting service plans: ${conflict.plan} (in ${skus.name(add.skuId)}) and ${conflict.conflictsWith} cannot both be enabled for ${describeUser(user)}.`,
      );
    }
  }
  const broken = skus.newUnmetDependencies(user.licenseAssignmentStates.filter(isHolding), holding);
  if (broken.length > 0) {
    throw directoryBadRequest(
      `Dependent service plans would lose their prerequisite for ${describeUser(user)}: ${describeDependencies(broken)}.`,
    );
  }
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
