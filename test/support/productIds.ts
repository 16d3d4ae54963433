/**
 * Microsoft's identifiers of the products and service plans the tests name. They are the simulator
 * catalog's (src/simulator/productCatalog.ts), which takes them from Microsoft's catalog, so that
 * there is one copy of each.
 */
import { PRODUCTS, SERVICE_PLANS } from "../../src/simulator/productCatalog";

/** STANDARDPACK, Office 365 E1. */
export const E1: string = PRODUCTS.STANDARDPACK.skuId;
/** ENTERPRISEPACK, Office 365 E3. */
export const E3: string = PRODUCTS.ENTERPRISEPACK.skuId;
/** SPE_F1, Microsoft 365 F3. */
export const F3: string = PRODUCTS.SPE_F1.skuId;
/** MCOMEETADV, Microsoft 365 Audio Conferencing. */
export const AUDIO: string = PRODUCTS.MCOMEETADV.skuId;
/** WORKPLACE_ANALYTICS, Microsoft Workplace Analytics. */
export const WA: string = PRODUCTS.WORKPLACE_ANALYTICS.skuId;

/** Service plan ids by servicePlanName; a name none of the products has throws, so a misspelt plan cannot pass unnoticed. */
export const PLAN: Readonly<Record<string, string>> = new Proxy(SERVICE_PLANS, {
  get(plans, name) {
    if (typeof name === "string" && Object.hasOwn(plans, name)) return plans[name];
    throw new Error(`None of the simulator's products has a service plan ${String(name)}`);
  },
});
