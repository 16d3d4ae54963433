/**
 * Names people use for products. Graph's subscribedSkus carries only skuPartNumber, so the names
 * and skuIds come from Microsoft's catalog (catalog.ts); the short names staff type are kept here.
 * A product the catalog does not list is shown by its skuPartNumber.
 */
import { catalogProduct } from "./catalog";

export function productName(skuPartNumber: string): string {
  return catalogProduct(skuPartNumber)?.name ?? skuPartNumber;
}

/**
 * The short names helpdesk staff type, besides the catalog's full names. One alias may name several
 * products ("E3" is both Office 365 E3 and Microsoft 365 E3): the tenant's own products decide
 * (productResolver.ts). Matching ignores case, spaces, hyphens and underscores and reads
 * "Microsoft 365"/"MS365" as "M365" and "Office 365" as "O365", so "office365 e3" and
 * "Microsoft365 Business Premium" need no entry of their own.
 */
const ALIASES: Readonly<Record<string, readonly string[]>> = {
  STANDARDPACK: ["E1", "O365 E1", "Office E1"],
  ENTERPRISEPACK: ["E3", "O365 E3", "Office E3"],
  ENTERPRISEPREMIUM: ["E5", "O365 E5", "Office E5"],
  SPE_E3: ["E3", "M365 E3"],
  SPE_E5: ["E5", "M365 E5"],
  O365_BUSINESS_ESSENTIALS: ["Business Basic", "M365 Business Basic", "Office 365 Business Essentials"],
  O365_BUSINESS_PREMIUM: ["Business Standard", "M365 Business Standard"],
  SPB: ["Business Premium", "M365 Business Premium"],
  M365_F1: ["F1", "M365 F1"],
  SPE_F1: ["F3", "M365 F3"],
  WORKPLACE_ANALYTICS: ["Workplace Analytics"],
  MCOMEETADV: ["Audio Conferencing"],
};

/** A product this module knows by name, whether or not a tenant owns it. */
export interface KnownProduct {
  readonly skuPartNumber: string;
  readonly skuId: string | undefined;
  readonly name: string;
  readonly aliases: readonly string[];
}

/**
 * The products with aliases, named and identified by the catalog. Not every catalog product yet:
 * the resolver answers "the tenant does not own it" for any product known here, and the catalog
 * repeats display names ("Visio Plan 2" twice) and near-names ("Microsoft 365 E3 (500 seats min)_HUB")
 * that would turn a typo's suggestions into wrong products.
 */
export const KNOWN_PRODUCTS: readonly KnownProduct[] = Object.entries(ALIASES).flatMap(([skuPartNumber, aliases]) => {
  const product = catalogProduct(skuPartNumber);
  return product ? [{ skuPartNumber, skuId: product.skuId, name: product.name, aliases }] : [];
});

/** skuIds of the products above, so that a product named by its skuId is recognised even when the tenant does not own it. */
export const SKU_IDS: Readonly<Record<string, string>> = Object.fromEntries(
  KNOWN_PRODUCTS.flatMap((p) => (p.skuId ? [[p.skuPartNumber, p.skuId]] : [])),
);
