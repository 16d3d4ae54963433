/**
 * Names people use for products. Graph's subscribedSkus carries only skuPartNumber, so the names
 * come from Microsoft's "Product names and service plan identifiers for licensing" list
 * (../shared/domain-facts.md). A product not listed here is shown by its skuPartNumber.
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
