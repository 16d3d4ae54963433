/**
 * The products the tenant generator can give a simulated tenant: Microsoft's real products, each
 * with every service plan Microsoft's catalog lists for it (src/licensing/catalog.ts), so that the
 * simulated subscribedSkus is what a real tenant reads, plan for plan.
 */
import { catalogProduct } from "../licensing/catalog";

/** The products the generator uses, by skuPartNumber. */
const PRODUCT_KEYS = [
  "STANDARDPACK",
  "ENTERPRISEPACK",
  "ENTERPRISEPREMIUM",
  "SPE_F1",
  "SPB",
  "SPE_E5",
  "WORKPLACE_ANALYTICS",
  "MCOMEETADV",
] as const;

export type ProductKey = (typeof PRODUCT_KEYS)[number];

/** A service plan as subscribedSkus lists it (provisioningStatus and appliesTo are filled in by the generator). */
export interface SimulatedServicePlan {
  readonly servicePlanId: string;
  readonly servicePlanName: string;
}

export interface SimulatedProduct {
  readonly skuId: string;
  readonly skuPartNumber: string;
  /** The name people use ("Office 365 E3"); subscribedSkus does not carry it. */
  readonly displayName: string;
  readonly servicePlans: readonly SimulatedServicePlan[];
}

function simulated(key: ProductKey): SimulatedProduct {
  const p = catalogProduct(key);
  // The keys above are the catalog's; a refresh that drops one must fail loudly here.
  if (!p) throw new Error(`Microsoft's catalog has no product ${key}`);
  return {
    skuId: p.skuId,
    skuPartNumber: p.skuPartNumber,
    displayName: p.name,
    servicePlans: p.plans.map((x) => ({ servicePlanId: x.id, servicePlanName: x.name })),
  };
}

/** Products by skuPartNumber. */
export const PRODUCTS: Readonly<Record<ProductKey, SimulatedProduct>> = Object.fromEntries(
  PRODUCT_KEYS.map((k) => [k, simulated(k)]),
) as Record<ProductKey, SimulatedProduct>;

/** Every product the generator uses, in a stable order. */
export const PRODUCT_CATALOG: readonly SimulatedProduct[] = PRODUCT_KEYS.map((k) => PRODUCTS[k]);

/** servicePlanName → servicePlanId over these products (Microsoft gives a plan one id in every product). */
export const SERVICE_PLANS: Readonly<Record<string, string>> = Object.fromEntries(
  PRODUCT_CATALOG.flatMap((p) => p.servicePlans.map((x) => [x.servicePlanName, x.servicePlanId] as const)),
);

/** The id of a plan of a product; throws if the product does not have that plan (a bug in the caller). */
export function planIdOf(product: SimulatedProduct, planName: string): string {
  const plan = product.servicePlans.find((p) => p.servicePlanName === planName);
  if (!plan) throw new Error(`${product.displayName} has no service plan ${planName}`);
  return plan.servicePlanId;
}
