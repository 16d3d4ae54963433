/**
 * The licensing domain's view of a tenant: plain data read from Graph, with nothing of Graph's
 * wire format. Licensing logic (checks, seat math, planning) works on these and does no I/O.
 */

export type CapabilityStatus = "Enabled" | "Warning" | "Suspended" | "Deleted" | "LockedOut";

export interface ServicePlan {
  readonly id: string;
  readonly name: string;
  readonly appliesTo: "User" | "Company";
}

/** A product the tenant subscribes to (Graph: subscribedSku). */
export interface Product {
  readonly skuId: string;
  readonly skuPartNumber: string;
  readonly appliesTo: "User" | "Company";
  readonly capabilityStatus: CapabilityStatus;
  /** prepaidUnits.enabled: seats paid for and usable. */
  readonly enabledUnits: number;
  /**
   * prepaidUnits.warning: seats of an expired subscription still in its grace period; they work
   * until the subscription is renewed or suspended. Absent means none.
   */
  readonly warningUnits?: number;
  readonly consumedUnits: number;
  readonly servicePlans: readonly ServicePlan[];
}

/** A product on a user or a group, with the plans switched off for it. */
/** A commercial subscription behind a product (Graph's companySubscription). */
export interface Subscription {
  readonly skuId: string;
  /** Enabled, Warning, Suspended, Deleted or LockedOut. */
  readonly status: string;
  readonly isTrial: boolean;
  /** When it moves to its next state if not renewed (ISO 8601); null when Graph does not say. */
  readonly nextLifecycleDateTime: string | null;
  readonly totalLicenses: number;
}

/** The tenant's subscriptions as read for a preview: `list` undefined when the app may not read them. */
export interface SubscriptionsRead {
  readonly list: readonly Subscription[] | undefined;
  readonly readAt: Date;
}

export interface AssignedLicense {
  readonly skuId: string;
  readonly disabledPlans: readonly string[];
}

export type LicenseStateValue = "Active" | "ActiveWithError" | "Disabled" | "Error";

/** One source of one product on a user (Graph: licenseAssignmentState). */
export interface LicenseState {
  readonly skuId: string;
  /** null: assigned directly; otherwise the id of the group it is inherited from. */
  readonly assignedByGroup: string | null;
  readonly disabledPlans: readonly string[];
  readonly state: LicenseStateValue;
  /** null when there is no error (Graph's "None" is read as null). */
  readonly error: string | null;
}

export interface TenantUser {
  readonly id: string;
  readonly displayName: string;
  readonly userPrincipalName: string;
  readonly usageLocation: string | null;
  /** "Member" or "Guest" (an external user invited into the tenant); null when Graph does not say. */
  readonly userType: string | null;
  readonly assignedLicenses: readonly AssignedLicense[];
  readonly licenseStates: readonly LicenseState[];
}

export type LicenseProcessingState = "QueuedForProcessing" | "ProcessingInProgress" | "ProcessingComplete";

export interface TenantGroup {
  readonly id: string;
  readonly displayName: string;
  /** "Unified" marks a Microsoft 365 group, "DynamicMembership" a dynamic one. */
  readonly groupTypes: readonly string[];
  readonly securityEnabled: boolean;
  readonly mailEnabled: boolean;
  readonly membershipRule: string | null;
  /** A dynamic group's rule processing: "On", or "Paused" (members are not updated); null for others. */
  readonly membershipRuleProcessingState: string | null;
  /** true: synced from on-premises now; false: was synced once; null: never synced. */
  readonly onPremisesSyncEnabled: boolean | null;
  readonly assignedLicenses: readonly AssignedLicense[];
  /** null when the group has never had a license change. */
  readonly licenseProcessingState: LicenseProcessingState | null;
}

/** A group's direct members: users (who get its licenses) and nested groups (whose members do not). */
export interface GroupMembers {
  readonly users: readonly TenantUser[];
  readonly nestedGroups: readonly { readonly id: string; readonly displayName: string }[];
}
