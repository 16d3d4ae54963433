/**
 * The tenant snapshot format: what the simulated tenant loads and what the generator writes.
 *
 * Every entity is in Microsoft Graph v1.0's own JSON shape (the subset the product uses), so a
 * snapshot can be compared field by field with what Graph returns. Groups carry one field Graph
 * does not return on the entity itself: `members`, the ids of their direct members (users or
 * groups), which the simulator serves from `/groups/{id}/members`.
 *
 * This module checks the shape only; `validateSnapshot` (tenantState.ts) checks that a snapshot
 * agrees with itself. The format is documented in docs/tenant-snapshot.md.
 */
import { z } from "zod";
import { GUID } from "../directoryId";

const guid = z.string().regex(GUID, "must be a GUID");

export const servicePlanInfoSchema = z.object({
  servicePlanId: guid,
  servicePlanName: z.string().min(1),
  provisioningStatus: z.string().default("Success"),
  appliesTo: z.enum(["User", "Company"]).default("User"),
});

export const capabilityStatuses = ["Enabled", "Warning", "Suspended", "Deleted", "LockedOut"] as const;

export const subscribedSkuSchema = z.object({
  id: z.string().optional(),
  accountId: z.string().optional(),
  skuId: guid,
  skuPartNumber: z.string().min(1),
  appliesTo: z.enum(["User", "Company"]),
  capabilityStatus: z.enum(capabilityStatuses),
  consumedUnits: z.number().int().nonnegative(),
  prepaidUnits: z.object({
    enabled: z.number().int().nonnegative(),
    suspended: z.number().int().nonnegative().default(0),
    warning: z.number().int().nonnegative().default(0),
    lockedOut: z.number().int().nonnegative().default(0),
  }),
  servicePlans: z.array(servicePlanInfoSchema),
});

export const assignedLicenseSchema = z.object({
  skuId: guid,
  disabledPlans: z.array(guid).default([]),
});

export const licenseAssignmentStateValues = ["Active", "ActiveWithError", "Disabled", "Error"] as const;
/** Graph documents `None` and `null` for "no error", and `Other` where older pages say `Others`. */
export const licenseErrorValues = [
  "CountViolation",
  "MutuallyExclusiveViolation",
  "DependencyViolation",
  "ProhibitedInUsageLocationViolation",
  "UniquenessViolation",
  "Other",
  "None",
] as const;

export const licenseAssignmentStateSchema = z.object({
  skuId: guid,
  /** null: assigned directly; otherwise the id of the group it is inherited from. */
  assignedByGroup: guid.nullable(),
  disabledPlans: z.array(guid).default([]),
  state: z.enum(licenseAssignmentStateValues),
  error: z.enum(licenseErrorValues).nullable().default(null),
  lastUpdatedDateTime: z.string().nullable().default(null),
});

export const userSchema = z.object({
  id: guid,
  displayName: z.string(),
  userPrincipalName: z.string().min(3),
  mail: z.string().nullable().default(null),
  givenName: z.string().nullable().default(null),
  surname: z.string().nullable().default(null),
  jobTitle: z.string().nullable().default(null),
  department: z.string().nullable().default(null),
  accountEnabled: z.boolean().default(true),
  /** "Guest" for an external user invited into the tenant. */
  userType: z.enum(["Member", "Guest"]).default("Member"),
  /** Two letters (ISO 3166-1 alpha-2), or null when never set. */
  usageLocation: z.string().length(2).nullable(),
  assignedLicenses: z.array(assignedLicenseSchema),
  licenseAssignmentStates: z.array(licenseAssignmentStateSchema),
});

export const licenseProcessingStates = ["QueuedForProcessing", "ProcessingInProgress", "ProcessingComplete"] as const;

export const groupSchema = z.object({
  id: guid,
  displayName: z.string(),
  description: z.string().nullable().default(null),
  mail: z.string().nullable().default(null),
  mailEnabled: z.boolean(),
  securityEnabled: z.boolean(),
  /** "Unified" marks a Microsoft 365 group, "DynamicMembership" a dynamic one. */
  groupTypes: z.array(z.string()),
  membershipRule: z.string().nullable().default(null),
  membershipRuleProcessingState: z.enum(["On", "Paused"]).nullable().default(null),
  /** true: synced from on-premises now; false: was synced once; null: never synced. */
  onPremisesSyncEnabled: z.boolean().nullable().default(null),
  assignedLicenses: z.array(assignedLicenseSchema),
  licenseProcessingState: z
    .object({ state: z.enum(licenseProcessingStates) })
    .nullable()
    .default(null),
  /** Not a Graph property: the ids of the group's direct members (users or groups). */
  members: z.array(guid),
});

export const organizationSchema = z.object({
  id: guid,
  displayName: z.string(),
  /** The directory's country, which group assignment uses for users without a usage location. */
  countryLetterCode: z.string().length(2),
  verifiedDomains: z.array(z.object({ name: z.string(), isDefault: z.boolean().default(false) })).default([]),
});

/** A commercial subscription (Graph's companySubscription), as GET /directory/subscriptions lists it. */
export const companySubscriptionSchema = z.object({
  id: z.string(),
  commerceSubscriptionId: z.string().nullable().default(null),
  createdDateTime: z.string().nullable().default(null),
  isTrial: z.boolean().default(false),
  /** When the subscription moves to its next state (status) if not renewed. */
  nextLifecycleDateTime: z.string().nullable().default(null),
  skuId: guid,
  skuPartNumber: z.string(),
  status: z.enum(["Enabled", "Deleted", "Suspended", "Warning", "LockedOut"]),
  totalLicenses: z.number().int().min(0),
});

export const snapshotSchema = z.object({
  organization: organizationSchema,
  subscribedSkus: z.array(subscribedSkuSchema),
  /** The products' subscriptions; none listed means none is known (not that a product has none). */
  subscriptions: z.array(companySubscriptionSchema).default([]),
  users: z.array(userSchema),
  groups: z.array(groupSchema),
});

export type ServicePlanInfo = z.infer<typeof servicePlanInfoSchema>;
export type SubscribedSku = z.infer<typeof subscribedSkuSchema>;
export type AssignedLicense = z.infer<typeof assignedLicenseSchema>;
export type LicenseAssignmentState = z.infer<typeof licenseAssignmentStateSchema>;
export type LicenseError = (typeof licenseErrorValues)[number];
export type User = z.infer<typeof userSchema>;
export type Group = z.infer<typeof groupSchema>;
export type Organization = z.infer<typeof organizationSchema>;
export type CompanySubscription = z.infer<typeof companySubscriptionSchema>;
export type TenantSnapshot = z.infer<typeof snapshotSchema>;
/** What a generator writes: the defaults may be left out. */
export type TenantSnapshotInput = z.input<typeof snapshotSchema>;
