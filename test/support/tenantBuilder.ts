/**
 * A small tenant in the licensing model's terms (src/licensing/model.ts), built by hand for the unit
 * tests of previews, migrations and outcomes. Each builder gives the plain case; `extra` changes it.
 */
import type { LicenseState, Product, TenantGroup, TenantUser } from "../../src/licensing/model";
import { PLAN } from "./productIds";

/** A user product with these service plans: 100 seats, none used, unless told. */
export function product(
  skuId: string,
  skuPartNumber: string,
  plans: readonly string[] = [],
  enabledUnits = 100,
  consumedUnits = 0,
  extra: Partial<Product> = {},
): Product {
  return {
    skuId,
    skuPartNumber,
    appliesTo: "User",
    capabilityStatus: "Enabled",
    enabledUnits,
    consumedUnits,
    servicePlans: plans.map((name) => ({ id: PLAN[name], name, appliesTo: "User" as const })),
    ...extra,
  };
}

/** A license state, direct when `assignedByGroup` is null: Active, every plan enabled, unless `extra` says otherwise. */
export function licenseState(
  skuId: string,
  assignedByGroup: string | null,
  extra: Partial<LicenseState> = {},
): LicenseState {
  return { skuId, assignedByGroup, disabledPlans: [], state: "Active", error: null, ...extra };
}

/** A user holding each product its states name, whatever their state. */
export function user(
  id: string,
  states: readonly LicenseState[] = [],
  usageLocation: string | null = "US",
): TenantUser {
  const skus = [...new Set(states.map((s) => s.skuId))];
  return {
    id,
    displayName: `User ${id}`,
    userPrincipalName: `${id}@contoso.com`,
    usageLocation,
    userType: "Member",
    assignedLicenses: skus.map((skuId) => ({ skuId, disabledPlans: [] })),
    licenseStates: states,
  };
}

/** A cloud security group with assigned members and no licenses, unless `extra` says otherwise. */
export function securityGroup(id: string, displayName: string, extra: Partial<TenantGroup> = {}): TenantGroup {
  return {
    id,
    displayName,
    groupTypes: [],
    securityEnabled: true,
    mailEnabled: false,
    membershipRule: null,
    membershipRuleProcessingState: null,
    onPremisesSyncEnabled: null,
    assignedLicenses: [],
    licenseProcessingState: null,
    ...extra,
  };
}
