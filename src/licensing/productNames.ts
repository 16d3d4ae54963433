/**
 * Names people use for products. Graph's subscribedSkus carries only skuPartNumber, so the names
 * come from Microsoft's "Product names and service plan identifiers for licensing" list
 * (docs/graph-and-entra.md, "Product names"). A product not listed here is shown by its skuPartNumber.
 */
const PRODUCT_NAMES: Readonly<Record<string, string>> = {
  STANDARDPACK: "Office 365 E1",
  ENTERPRISEPACK: "Office 365 E3",
  ENTERPRISEPREMIUM: "Office 365 E5",
  SPE_E3: "Microsoft 365 E3",
  SPE_E5: "Microsoft 365 E5",
  O365_BUSINESS_ESSENTIALS: "Microsoft 365 Business Basic",
  O365_BUSINESS_PREMIUM: "Microsoft 365 Business Standard",
  SPB: "Microsoft 365 Business Premium",
  M365_F1: "Microsoft 365 F1",
  SPE_F1: "Microsoft 365 F3",
  WORKPLACE_ANALYTICS: "Microsoft Workplace Analytics",
  MCOMEETADV: "Microsoft 365 Audio Conferencing",
};

export function productName(skuPartNumber: string): string {
  return PRODUCT_NAMES[skuPartNumber] ?? skuPartNumber;
}

/**
 * skuIds of the products above (same source), so that a product named by its skuId is recognised
 * even when the tenant does not own it.
 */
export const SKU_IDS: Readonly<Record<string, string>> = {
  STANDARDPACK: "18181a46-0d4e-45cd-891e-60aabd171b4e",
  ENTERPRISEPACK: "6fd2c87f-b296-42f0-b197-1e91e994b900",
  ENTERPRISEPREMIUM: "c7df2760-2c81-4ef7-b578-5b5392b571df",
  SPE_E3: "05e9a617-0261-4cee-bb44-138d3ef5d965",
  SPE_E5: "06ebc4ee-1bb5-47dd-8120-11324bc54e06",
  O365_BUSINESS_ESSENTIALS: "3b555118-da6a-4418-894f-7df1e2096870",
  O365_BUSINESS_PREMIUM: "f245ecc8-75af-4f8e-b61f-27d8114de5f3",
  SPB: "cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46",
  M365_F1: "44575883-256e-4a79-9da4-ebe9acabe2b2",
  SPE_F1: "66b55226-6b4f-492c-910c-a3b7a3c9d993",
  WORKPLACE_ANALYTICS: "3d957427-ecdc-4df2-aacd-01cc9d519da8",
  MCOMEETADV: "0c266dff-15dd-4b49-8397-2bb16070ed52",
};

/**
 * The short names helpdesk staff type, besides the full names above. One alias may name several
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

export const KNOWN_PRODUCTS: readonly KnownProduct[] = Object.keys(PRODUCT_NAMES).map((skuPartNumber) => ({
  skuPartNumber,
  skuId: SKU_IDS[skuPartNumber],
  name: productName(skuPartNumber),
  aliases: ALIASES[skuPartNumber] ?? [],
}));
