/**
 * The directory's entity types as Graph shows them: each one's properties, default property set,
 * filterable properties (default and advanced queries) and sortable ones; and the projection of an
 * entity onto the properties a request selects.
 */
import type { FilterSupport } from "../odata/filterSupport";
import type { Group, User } from "../snapshot";
import type { TenantState } from "../tenantState";

/**
 * The brief asks for `id` in every entity even when $select leaves it out. (Real Graph returns
 * only the selected properties; flip this to match it exactly.)
 */
const ALWAYS_INCLUDE_ID = true;

export type Getter<T> = (entity: T, state: TenantState) => unknown;

export interface EntityType<T> {
  /** For error messages, as Graph names them ("microsoft.graph.user"). */
  typeName: string;
  /** Resource name in filter errors ("User"). */
  resource: string;
  /** Entity set in @odata.context ("users"). */
  entitySet: string;
  props: Readonly<Record<string, Getter<T>>>;
  /** Graph's default property set, returned when $select is absent. */
  defaults: readonly string[];
  filter: FilterSupport;
  /** $filter support with `ConsistencyLevel: eventual` (Graph's advanced queries). */
  advancedFilter: FilterSupport;
  orderBy: readonly string[];
}

/** assignedPlans as Entra derives it: every enabled plan of every product the user holds. */
function assignedPlans(user: User, state: TenantState): unknown[] {
  const skus = new Map(state.subscribedSkus().map((s) => [s.skuId, s]));
  const dates = new Map(user.licenseAssignmentStates.map((s) => [s.skuId, s.lastUpdatedDateTime]));
  const plans: unknown[] = [];
  for (const license of user.assignedLicenses) {
    const sku = skus.get(license.skuId);
    if (!sku) continue;
    for (const plan of sku.servicePlans) {
      if (plan.appliesTo !== "User" || license.disabledPlans.includes(plan.servicePlanId)) continue;
      plans.push({
        assignedDateTime: dates.get(license.skuId) ?? null,
        capabilityStatus: "Enabled",
        // Graph gives the workload ("exchange", "SharePoint"…); the snapshot only knows the plan name.
        service: plan.servicePlanName,
        servicePlanId: plan.servicePlanId,
      });
    }
  }
  return plans;
}

const stringOps = ["eq", "startswith", "in"] as const;
const advancedStringOps = ["eq", "ne", "startswith", "endswith", "in"] as const;

export const userType: EntityType<User> = {
  typeName: "microsoft.graph.user",
  resource: "User",
  entitySet: "users",
  props: {
    id: (u) => u.id,
    businessPhones: () => [],
    displayName: (u) => u.displayName,
    givenName: (u) => u.givenName,
    jobTitle: (u) => u.jobTitle,
    mail: (u) => u.mail,
    mobilePhone: () => null,
    officeLocation: () => null,
    preferredLanguage: () => null,
    surname: (u) => u.surname,
    userPrincipalName: (u) => u.userPrincipalName,
    department: (u) => u.department,
    accountEnabled: (u) => u.accountEnabled,
    userType: (u) => u.userType,
    usageLocation: (u) => u.usageLocation,
    assignedLicenses: (u) => u.assignedLicenses,
    assignedPlans: (u, s) => assignedPlans(u, s),
    licenseAssignmentStates: (u) => u.licenseAssignmentStates,
  },
  defaults: [
    "businessPhones",
    "displayName",
    "givenName",
    "jobTitle",
    "mail",
    "mobilePhone",
    "officeLocation",
    "preferredLanguage",
    "surname",
    "userPrincipalName",
  ],
  filter: {
    id: { type: "string", ops: ["eq", "in"] },
    displayName: { type: "string", ops: stringOps },
    userPrincipalName: { type: "string", ops: stringOps },
    mail: { type: "string", ops: stringOps },
    givenName: { type: "string", ops: stringOps },
    surname: { type: "string", ops: stringOps },
    jobTitle: { type: "string", ops: stringOps },
    accountEnabled: { type: "boolean", ops: ["eq"] },
    usageLocation: { type: "string", ops: ["eq"] },
  },
  advancedFilter: {
    id: { type: "string", ops: ["eq", "ne", "in"] },
    displayName: { type: "string", ops: advancedStringOps },
    userPrincipalName: { type: "string", ops: advancedStringOps },
    mail: { type: "string", ops: advancedStringOps },
    givenName: { type: "string", ops: advancedStringOps },
    surname: { type: "string", ops: advancedStringOps },
    jobTitle: { type: "string", ops: advancedStringOps },
    department: { type: "string", ops: advancedStringOps },
    accountEnabled: { type: "boolean", ops: ["eq", "ne"] },
    usageLocation: { type: "string", ops: ["eq", "ne"] },
    // Who holds a product (directly or inherited): only as an advanced query here, as the product reads it.
    assignedLicenses: { type: "collection", lambdas: ["any"], element: { skuId: { type: "guid", ops: ["eq"] } } },
  },
  orderBy: ["displayName", "userPrincipalName"],
};

export const groupType: EntityType<Group> = {
  typeName: "microsoft.graph.group",
  resource: "Group",
  entitySet: "groups",
  props: {
    id: (g) => g.id,
    displayName: (g) => g.displayName,
    description: (g) => g.description,
    mail: (g) => g.mail,
    mailEnabled: (g) => g.mailEnabled,
    securityEnabled: (g) => g.securityEnabled,
    groupTypes: (g) => g.groupTypes,
    membershipRule: (g) => g.membershipRule,
    membershipRuleProcessingState: (g) => g.membershipRuleProcessingState,
    onPremisesSyncEnabled: (g) => g.onPremisesSyncEnabled,
    assignedLicenses: (g) => g.assignedLicenses,
    licenseProcessingState: (g) => g.licenseProcessingState,
  },
  // The licensing and kind fields come only with $select (stricter than Graph for
  // groupTypes/securityEnabled/…, which is the safe direction).
  defaults: ["displayName", "description", "mail"],
  filter: {
    id: { type: "string", ops: ["eq", "in"] },
    displayName: { type: "string", ops: stringOps },
    mail: { type: "string", ops: stringOps },
    mailEnabled: { type: "boolean", ops: ["eq"] },
    securityEnabled: { type: "boolean", ops: ["eq"] },
    onPremisesSyncEnabled: { type: "boolean", ops: ["eq"] },
    membershipRuleProcessingState: { type: "string", ops: ["eq"] },
    hasMembersWithLicenseErrors: { type: "boolean", ops: ["eq"] },
  },
  advancedFilter: {
    id: { type: "string", ops: ["eq", "ne", "in"] },
    displayName: { type: "string", ops: advancedStringOps },
    mail: { type: "string", ops: advancedStringOps },
    mailEnabled: { type: "boolean", ops: ["eq", "ne"] },
    securityEnabled: { type: "boolean", ops: ["eq", "ne"] },
    onPremisesSyncEnabled: { type: "boolean", ops: ["eq", "ne"] },
    membershipRuleProcessingState: { type: "string", ops: ["eq", "ne"] },
    // hasMembersWithLicenseErrors is refused with ConsistencyLevel: eventual (see listGroups).
  },
  orderBy: ["displayName"],
};

/** One entity in Graph's shape: the selected (or default) properties this type has, id first. */
export function project<T>(
  props: Readonly<Record<string, Getter<T>>>,
  defaults: readonly string[],
  entity: T,
  state: TenantState,
  select: readonly string[] | undefined,
): Record<string, unknown> {
  const names =
    select === undefined
      ? ["id", ...defaults]
      : select.includes("*")
        ? Object.keys(props)
        : ALWAYS_INCLUDE_ID
          ? ["id", ...select]
          : [...select];
  const out: Record<string, unknown> = {};
  for (const name of names) {
    const get = Object.prototype.hasOwnProperty.call(props, name) ? props[name] : undefined;
    if (get && !(name in out)) out[name] = get(entity, state);
  }
  return out;
}

/** Renders entities of a type as `project` does, with their @odata.type when `withType` (in a list of members). */
export function renderEntity<T>(
  type: EntityType<T>,
  state: TenantState,
  select: readonly string[] | undefined,
  withType: boolean,
): (entity: T) => Record<string, unknown> {
  return (entity) => {
    const body = project(type.props, type.defaults, entity, state, select);
    return withType ? { "@odata.type": `#${type.typeName}`, ...body } : body;
  };
}

export function isUser(m: User | Group): m is User {
  return "userPrincipalName" in m;
}
