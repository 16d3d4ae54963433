/**
 * The licensing domain's view of a tenant: plain data read from Graph, with nothing of Graph's
 * wire format. Licensing logic (checks, seat math, planning) works on these and does no I/O.
 */

export type CapabilityStatus = "Enabled" | "Warning" | "Suspended" | "Deleted" | "LockedOut";

export interface ServicePlan {
  readonly id: string;
  readonly name: string;
}

/** A product the tenant subscribes to (Graph: subscribedSku). */
export interface Product {
  readonly skuId: string;
  readonly skuPartNumber: string;
  readonly appliesTo: "User" | "Company";
  readonly capabilityStatus: CapabilityStatus;
  /** prepaidUnits.enabled: seats paid for and usable. */
  readonly enabledUnits: number;
  readonly consumedUnits: number;
  readonly servicePlans: readonly ServicePlan[];
}
