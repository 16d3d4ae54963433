/**
 * Seat arithmetic, as Microsoft's guidance and common practice count it
 * (docs/graph-and-entra.md, "subscribedSkus").
 */
import type { Product } from "./model";

/** Seats free to assign: prepaidUnits.enabled − consumedUnits. Negative when the tenant is over-assigned. */
export function availableSeats(product: Pick<Product, "enabledUnits" | "consumedUnits">): number {
  return product.enabledUnits - product.consumedUnits;
}
