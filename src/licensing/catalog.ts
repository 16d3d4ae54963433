/**
 * Microsoft's catalog of products and their service plans, "Product names and service plan
 * identifiers for licensing". Graph's subscribedSkus carries skuPartNumber and plan names but not
 * the names people use, so those come from here. The data is generated from the copy of Microsoft's
 * CSV in data/licensing/ (`npm run refresh-catalog`); this module only looks it up.
 */
import catalogData from "./catalogData.json";

export interface CatalogPlan {
  readonly id: string;
  readonly name: string;
  readonly friendlyName: string;
}

export interface CatalogProduct {
  readonly skuId: string;
  readonly skuPartNumber: string;
  readonly name: string;
  readonly plans: readonly CatalogPlan[];
}

/** The shape of catalogData.json, as scripts/catalogCsv.ts writes it. */
export interface CatalogData {
  /** By skuPartNumber (ignoring case), then skuId; each product's plans by name, then id. */
  readonly products: readonly CatalogProduct[];
  /**
   * servicePlanName → one friendly name. Products name a plan slightly differently ("Exchange
   * Foundation", "EXCHANGE FOUNDATION"): this is the one most products use, a tie going to the first
   * in the CSV, so the choice is stable across refreshes. Each product's plans keep their own.
   */
  readonly planFriendlyNames: Readonly<Record<string, string>>;
}

export const CATALOG_SOURCE: { readonly title: string; readonly url: string; readonly copyOf: string } = {
  title: "Product names and service plan identifiers for licensing",
  url: "https://learn.microsoft.com/entra/identity/users/licensing-service-plan-reference",
  // The CSV carries no date of its own; update this with data/licensing/README.md on each refresh.
  copyOf: "December 2025",
};

// Typed here, so that data of another shape does not compile.
const DATA: CatalogData = catalogData;

export const CATALOG_PRODUCTS: readonly CatalogProduct[] = DATA.products;

/** First in catalog order wins: Microsoft lists one skuPartNumber (MCOPSTN5) on two products. */
function indexBy(key: (p: CatalogProduct) => string): ReadonlyMap<string, CatalogProduct> {
  const index = new Map<string, CatalogProduct>();
  for (const p of CATALOG_PRODUCTS) if (!index.has(key(p))) index.set(key(p), p);
  return index;
}

const BY_SKU_PART_NUMBER = indexBy((p) => p.skuPartNumber.toLowerCase());
const BY_SKU_ID = indexBy((p) => p.skuId.toLowerCase());
const PLAN_FRIENDLY_NAMES: ReadonlyMap<string, string> = new Map(Object.entries(DATA.planFriendlyNames));
/** Lower-cased plan name → friendly name, for names Graph spells in another case (Deskless, DESKLESS). */
const PLAN_FRIENDLY_NAMES_ANY_CASE: ReadonlyMap<string, string> = (() => {
  const index = new Map<string, string>();
  for (const [plan, friendly] of PLAN_FRIENDLY_NAMES)
    if (!index.has(plan.toLowerCase())) index.set(plan.toLowerCase(), friendly);
  return index;
})();

/** The product of a skuPartNumber (STANDARDPACK), in any letter case. */
export function catalogProduct(skuPartNumber: string): CatalogProduct | undefined {
  return BY_SKU_PART_NUMBER.get(skuPartNumber.trim().toLowerCase());
}

/** The product of a skuId, in any letter case. */
export function catalogProductById(skuId: string): CatalogProduct | undefined {
  return BY_SKU_ID.get(skuId.trim().toLowerCase());
}

/** The friendly name of a servicePlanName (EXCHANGE_S_ENTERPRISE → Exchange Online (Plan 2)); the exact spelling first. */
export function planFriendlyName(servicePlanName: string): string | undefined {
  const name = servicePlanName.trim();
  return PLAN_FRIENDLY_NAMES.get(name) ?? PLAN_FRIENDLY_NAMES_ANY_CASE.get(name.toLowerCase());
}

/** The name people read for a plan: its friendly name, or the servicePlanName the catalog does not list. */
export function planDisplayName(servicePlanName: string): string {
  return planFriendlyName(servicePlanName) ?? servicePlanName;
}
