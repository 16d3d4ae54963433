/**
 * The products the tenant generator can give a simulated tenant, with Microsoft's real identifiers.
 *
 * Source of every skuId, skuPartNumber, product name, servicePlanId and servicePlanName below:
 * Microsoft's "Product names and service plan identifiers for licensing"
 * (learn.microsoft.com/entra/identity/users/licensing-service-plan-reference), read from
 * MicrosoftDocs/entra-docs, docs/identity/users/licensing-service-plan-reference.md at commit
 * 067a0c7b0bb2091db6379c757c7aca0bc4f89d4a ("last updated on October 29, 2025"). Each id was copied
 * from the product's own row of that table; none is invented.
 *
 * A product lists a subset of the real product's plans: every plan that servicePlanRules.ts reasons
 * about (Exchange, SharePoint, Skype/Teams, Office apps, Yammer, Intune, RMS, Workplace Analytics,
 * Audio Conferencing) where the real product has it, and a few everyday ones (Planner, Forms, Sway,
 * To-Do, Stream, Whiteboard) so that disabledPlans examples look like real ones.
 */

/** Service plans by servicePlanName, with their real servicePlanId (same source as above). */
export const SERVICE_PLANS = {
  EXCHANGE_S_STANDARD: "9aaf7827-d63c-4b61-89c3-182f06f82e5c", // Exchange Online (Plan 1)
  EXCHANGE_S_ENTERPRISE: "efb87545-963c-4e0d-99df-69c6916d9eb0", // Exchange Online (Plan 2)
  EXCHANGE_S_DESKLESS: "4a82b400-a79f-41a4-b4e2-e94f5787b113", // Exchange Online Kiosk
  EXCHANGE_S_ARCHIVE_ADDON: "176a09a6-7ec5-4039-ac02-b2791c6ba793", // Exchange Online Archiving
  SHAREPOINTSTANDARD: "c7699d2e-19aa-44de-8edf-1736da088ca1", // SharePoint (Plan 1)
  SHAREPOINTENTERPRISE: "5dbe027f-2339-4123-9542-606e4d348a72", // SharePoint (Plan 2)
  SHAREPOINTDESKLESS: "902b47e5-dcb2-4fdc-858b-c63a90a2bdb9", // SharePoint Kiosk
  SHAREPOINTWAC: "e95bec33-7c88-4a70-8e19-b10bd9d0c014", // Office for the Web
  TEAMS1: "57ff2da0-773e-42df-b2af-ffb7a2317929", // Microsoft Teams
  MCOSTANDARD: "0feaeb32-d00e-4d66-bd5a-43b5b83db82c", // Skype for Business Online (Plan 2)
  MCOIMP: "afc06cb0-b4f4-4473-8286-d644f70d8faf", // Skype for Business Online (Plan 1)
  MCOMEETADV: "3e26ee1f-8a5f-4d52-aee2-b81ce45c8f40", // Microsoft 365 Audio Conferencing
  MCOEV: "4828c8ec-dc2e-4779-b502-87ac9ce28ab7", // Microsoft 365 Phone System
  OFFICESUBSCRIPTION: "43de0ff5-c92c-492b-9116-175376d08c38", // Microsoft 365 Apps for enterprise
  OFFICE_BUSINESS: "094e7854-93fc-4d55-b2c0-3ab5369ebdc1", // Microsoft 365 Apps for business
  OFFICEMOBILE_SUBSCRIPTION: "c63d4d19-e8cb-460e-b37c-4d6c34603745", // Office Mobile Apps for Office 365
  YAMMER_ENTERPRISE: "7547a3fe-08ee-4ccb-b430-5077c5041653", // Yammer Enterprise
  INTUNE_A: "c1ec4a95-1f05-45b3-a911-aa3fa01094f5", // Microsoft Intune Plan 1
  INTUNE_O365: "882e1d05-acd1-4ccb-8708-6ee03664b117", // Mobile Device Management for Office 365
  INTUNE_SMBIZ: "8e9ff0ff-aa7a-4b20-83c1-2f636b600ac2", // Microsoft Intune (business)
  RMS_S_ENTERPRISE: "bea4c11e-220a-4e6d-8eb8-8ea15d019f90", // Azure Rights Management
  RMS_S_BASIC: "31cf2cfc-6b0d-4adc-a336-88b724ed8122", // Microsoft Azure Rights Management Service
  RMS_S_PREMIUM: "6c57d4b6-3b23-47a5-9bc9-69f17b4947b3", // Azure Information Protection Premium P1
  RMS_S_PREMIUM2: "5689bec4-755d-4753-8b61-40975025187c", // Azure Information Protection Premium P2
  AAD_PREMIUM: "41781fb2-bc02-4b7c-bd55-b576c07bb09d", // Microsoft Entra ID P1
  AAD_PREMIUM_P2: "eec0eb4f-6444-4f95-aba0-50c24d67f998", // Microsoft Entra ID P2
  MFA_PREMIUM: "8a256a2b-b617-496d-b51b-e76466e88db0", // Microsoft Azure Multi-Factor Authentication
  ATP_ENTERPRISE: "f20fedf3-f3c3-43c3-8267-2bfdd51c0939", // Microsoft Defender for Office 365 (Plan 1)
  THREAT_INTELLIGENCE: "8e0c0a52-6a6c-4d40-8370-dd62790dcd70", // Microsoft Defender for Office 365 (Plan 2)
  WINDEFATP: "871d91ec-ec1a-452b-a83f-bd76c7d770ef", // Microsoft Defender for Endpoint
  MDE_SMB: "bfc1bbd9-981b-4f71-9b82-17c35fd0e2a4", // Microsoft Defender for Business
  WIN10_PRO_ENT_SUB: "21b439ba-a0ca-424f-a6cc-52f954a5b111", // Windows 10/11 Enterprise (Original)
  WIN10_ENT_LOC_F1: "e041597c-9c7f-4ed9-99b0-2663301576f7", // Windows 10 Enterprise E3 (Local Only)
  WINBIZ: "8e229017-d77b-43d5-9305-903395523b99", // Windows 10/11 Business
  PROJECTWORKMANAGEMENT: "b737dad2-2f6c-4c65-90e3-ca563267e8b9", // Microsoft Planner
  FORMS_PLAN_E1: "159f4cd6-e380-449f-a816-af1a9ef76344", // Microsoft Forms (Plan E1)
  FORMS_PLAN_E3: "2789c901-c14e-48ab-a76a-be334d9d793a", // Microsoft Forms (Plan E3)
  FORMS_PLAN_E5: "e212cbc7-0961-4c40-9825-01117710dcb1", // Microsoft Forms (Plan E5)
  FORMS_PLAN_K: "f07046bd-2a3c-4b96-b0be-dea79d7cbfb8", // Microsoft Forms (Plan F1)
  SWAY: "a23b959c-7ce8-4e57-9140-b90eb88a9e97", // Sway
  STREAM_O365_E1: "743dd19e-1ce3-4c62-a3ad-49ba8f63a2f6", // Microsoft Stream for Office 365 E1
  STREAM_O365_E3: "9e700747-8b1d-45e5-ab8d-ef187ceec156", // Microsoft Stream for Office 365 E3
  STREAM_O365_E5: "6c6042f5-6f01-4d67-b8c1-eb99d36eed3e", // Microsoft Stream for Office 365 E5
  STREAM_O365_K: "3ffba0d2-38e5-4d5e-8ec0-98f2b05c09d9", // Microsoft Stream for Office 365 F3
  BPOS_S_TODO_1: "5e62787c-c316-451f-b873-1d05acd4d12c", // To-Do (Plan 1)
  BPOS_S_TODO_2: "c87f142c-d1e9-4363-8630-aaea9c4d9ae5", // To-Do (Plan 2)
  BPOS_S_TODO_3: "3fb82609-8c27-4f7b-bd51-30634711ee67", // To-Do (Plan 3)
  BPOS_S_TODO_FIRSTLINE: "80873e7a-cd2a-4e67-b061-1b5381a676a5", // To-Do (Firstline)
  WHITEBOARD_PLAN1: "b8afc642-032e-4de5-8c0a-507a7bba7e5d", // Whiteboard (Plan 1)
  WHITEBOARD_PLAN2: "94a54592-cd8b-425e-87c6-97868b000b91", // Whiteboard (Plan 2)
  WHITEBOARD_PLAN3: "4a51bca5-1eff-43f5-878c-177680f191af", // Whiteboard (Plan 3)
  WHITEBOARD_FIRSTLINE1: "36b29273-c6d0-477a-aca6-6fbe24f538e3", // Whiteboard (Firstline)
  MYANALYTICS_P2: "33c4f319-9bdd-48d6-9c4d-410b750a4a5a", // Insights by MyAnalytics
  MIP_S_CLP1: "5136a095-5cf0-4aff-bec3-e84448b38ea5", // Information Protection for Office 365 - Standard
  WORKPLACE_ANALYTICS: "f477b0f0-3bb1-4890-940c-40fcee6ce05f", // Microsoft Workplace Analytics
  WORKPLACE_ANALYTICS_INSIGHTS_BACKEND: "ff7b261f-d98b-415b-827c-42a3fdf015af", // Microsoft Workplace Analytics Insights Backend
  WORKPLACE_ANALYTICS_INSIGHTS_USER: "b622badb-1b45-48d5-920f-4b27a2c0996c", // Microsoft Workplace Analytics Insights User
} as const;

export type ServicePlanName = keyof typeof SERVICE_PLANS;

/** A service plan as subscribedSkus lists it (provisioningStatus and appliesTo are filled in by the generator). */
export interface CatalogServicePlan {
  readonly servicePlanId: string;
  readonly servicePlanName: ServicePlanName;
}

export interface CatalogProduct {
  readonly skuId: string;
  readonly skuPartNumber: string;
  /** The name people use ("Office 365 E3"); subscribedSkus does not carry it. */
  readonly displayName: string;
  readonly servicePlans: readonly CatalogServicePlan[];
}

function plans(...names: ServicePlanName[]): CatalogServicePlan[] {
  return names.map((servicePlanName) => ({ servicePlanId: SERVICE_PLANS[servicePlanName], servicePlanName }));
}

/** Products by skuPartNumber. */
export const PRODUCTS = {
  STANDARDPACK: {
    skuId: "18181a46-0d4e-45cd-891e-60aabd171b4e",
    skuPartNumber: "STANDARDPACK",
    displayName: "Office 365 E1",
    servicePlans: plans(
      "EXCHANGE_S_STANDARD",
      "SHAREPOINTSTANDARD",
      "SHAREPOINTWAC",
      "TEAMS1",
      "MCOSTANDARD",
      "OFFICEMOBILE_SUBSCRIPTION",
      "YAMMER_ENTERPRISE",
      "INTUNE_O365",
      "RMS_S_BASIC",
      "PROJECTWORKMANAGEMENT",
      "FORMS_PLAN_E1",
      "SWAY",
      "STREAM_O365_E1",
      "BPOS_S_TODO_1",
      "WHITEBOARD_PLAN1",
      "MYANALYTICS_P2",
    ),
  },
  ENTERPRISEPACK: {
    skuId: "6fd2c87f-b296-42f0-b197-1e91e994b900",
    skuPartNumber: "ENTERPRISEPACK",
    displayName: "Office 365 E3",
    servicePlans: plans(
      "EXCHANGE_S_ENTERPRISE",
      "SHAREPOINTENTERPRISE",
      "SHAREPOINTWAC",
      "OFFICESUBSCRIPTION",
      "TEAMS1",
      "MCOSTANDARD",
      "YAMMER_ENTERPRISE",
      "INTUNE_O365",
      "RMS_S_ENTERPRISE",
      "MIP_S_CLP1",
      "PROJECTWORKMANAGEMENT",
      "FORMS_PLAN_E3",
      "SWAY",
      "STREAM_O365_E3",
      "BPOS_S_TODO_2",
      "WHITEBOARD_PLAN2",
      "MYANALYTICS_P2",
    ),
  },
  ENTERPRISEPREMIUM: {
    skuId: "c7df2760-2c81-4ef7-b578-5b5392b571df",
    skuPartNumber: "ENTERPRISEPREMIUM",
    displayName: "Office 365 E5",
    servicePlans: plans(
      "EXCHANGE_S_ENTERPRISE",
      "SHAREPOINTENTERPRISE",
      "SHAREPOINTWAC",
      "OFFICESUBSCRIPTION",
      "TEAMS1",
      "MCOSTANDARD",
      "MCOMEETADV",
      "MCOEV",
      "YAMMER_ENTERPRISE",
      "INTUNE_O365",
      "RMS_S_ENTERPRISE",
      "ATP_ENTERPRISE",
      "THREAT_INTELLIGENCE",
      "PROJECTWORKMANAGEMENT",
      "FORMS_PLAN_E5",
      "SWAY",
      "STREAM_O365_E5",
      "BPOS_S_TODO_3",
      "WHITEBOARD_PLAN3",
      "MYANALYTICS_P2",
    ),
  },
  SPE_F1: {
    skuId: "66b55226-6b4f-492c-910c-a3b7a3c9d993",
    skuPartNumber: "SPE_F1",
    displayName: "Microsoft 365 F3",
    servicePlans: plans(
      "EXCHANGE_S_DESKLESS",
      "SHAREPOINTDESKLESS",
      "SHAREPOINTWAC",
      "TEAMS1",
      "MCOIMP",
      "OFFICEMOBILE_SUBSCRIPTION",
      "YAMMER_ENTERPRISE",
      "INTUNE_A",
      "INTUNE_O365",
      "RMS_S_ENTERPRISE",
      "RMS_S_PREMIUM",
      "AAD_PREMIUM",
      "MFA_PREMIUM",
      "WIN10_ENT_LOC_F1",
      "PROJECTWORKMANAGEMENT",
      "FORMS_PLAN_K",
      "SWAY",
      "STREAM_O365_K",
      "BPOS_S_TODO_FIRSTLINE",
      "WHITEBOARD_FIRSTLINE1",
    ),
  },
  SPB: {
    skuId: "cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46",
    skuPartNumber: "SPB",
    displayName: "Microsoft 365 Business Premium",
    servicePlans: plans(
      "EXCHANGE_S_STANDARD",
      "EXCHANGE_S_ARCHIVE_ADDON",
      "SHAREPOINTSTANDARD",
      "SHAREPOINTWAC",
      "OFFICE_BUSINESS",
      "TEAMS1",
      "MCOSTANDARD",
      "YAMMER_ENTERPRISE",
      "INTUNE_A",
      "INTUNE_SMBIZ",
      "INTUNE_O365",
      "RMS_S_ENTERPRISE",
      "RMS_S_PREMIUM",
      "AAD_PREMIUM",
      "MFA_PREMIUM",
      "ATP_ENTERPRISE",
      "MDE_SMB",
      "WINBIZ",
      "PROJECTWORKMANAGEMENT",
      "FORMS_PLAN_E1",
      "SWAY",
      "BPOS_S_TODO_1",
      "WHITEBOARD_PLAN1",
    ),
  },
  SPE_E5: {
    skuId: "06ebc4ee-1bb5-47dd-8120-11324bc54e06",
    skuPartNumber: "SPE_E5",
    displayName: "Microsoft 365 E5",
    servicePlans: plans(
      "EXCHANGE_S_ENTERPRISE",
      "SHAREPOINTENTERPRISE",
      "SHAREPOINTWAC",
      "OFFICESUBSCRIPTION",
      "TEAMS1",
      "MCOSTANDARD",
      "MCOMEETADV",
      "MCOEV",
      "YAMMER_ENTERPRISE",
      "INTUNE_A",
      "INTUNE_O365",
      "RMS_S_ENTERPRISE",
      "RMS_S_PREMIUM",
      "RMS_S_PREMIUM2",
      "AAD_PREMIUM",
      "AAD_PREMIUM_P2",
      "MFA_PREMIUM",
      "ATP_ENTERPRISE",
      "THREAT_INTELLIGENCE",
      "WINDEFATP",
      "WIN10_PRO_ENT_SUB",
      "PROJECTWORKMANAGEMENT",
      "FORMS_PLAN_E5",
      "SWAY",
      "STREAM_O365_E5",
      "BPOS_S_TODO_3",
      "WHITEBOARD_PLAN3",
    ),
  },
  WORKPLACE_ANALYTICS: {
    skuId: "3d957427-ecdc-4df2-aacd-01cc9d519da8",
    skuPartNumber: "WORKPLACE_ANALYTICS",
    displayName: "Microsoft Workplace Analytics",
    // The complete product: its WORKPLACE_ANALYTICS plan needs Exchange Online Plan 1 or 2 (servicePlanRules.ts).
    servicePlans: plans(
      "WORKPLACE_ANALYTICS",
      "WORKPLACE_ANALYTICS_INSIGHTS_BACKEND",
      "WORKPLACE_ANALYTICS_INSIGHTS_USER",
    ),
  },
  MCOMEETADV: {
    skuId: "0c266dff-15dd-4b49-8397-2bb16070ed52",
    skuPartNumber: "MCOMEETADV",
    displayName: "Microsoft 365 Audio Conferencing",
    // The complete product: one plan, which needs Skype for Business Online Plan 2 (MCOSTANDARD).
    servicePlans: plans("MCOMEETADV"),
  },
} as const satisfies Record<string, CatalogProduct>;

export type ProductKey = keyof typeof PRODUCTS;

/** Every product of the catalog, in a stable order. */
export const PRODUCT_CATALOG: readonly CatalogProduct[] = Object.values(PRODUCTS);

/** Display names by skuPartNumber, for code that only has a subscribedSku. */
export const PRODUCT_DISPLAY_NAMES: Readonly<Record<string, string>> = Object.fromEntries(
  PRODUCT_CATALOG.map((p) => [p.skuPartNumber, p.displayName]),
);

export function productBySkuId(skuId: string): CatalogProduct | undefined {
  const wanted = skuId.toLowerCase();
  return PRODUCT_CATALOG.find((p) => p.skuId === wanted);
}

/** The display name of a catalog product, by skuId or skuPartNumber. */
export function productDisplayName(skuIdOrPartNumber: string): string | undefined {
  return productBySkuId(skuIdOrPartNumber)?.displayName ?? PRODUCT_DISPLAY_NAMES[skuIdOrPartNumber];
}

/** The id of a plan of a product; throws if the product does not have that plan (a bug in the caller). */
export function planIdOf(product: CatalogProduct, planName: ServicePlanName): string {
  const plan = product.servicePlans.find((p) => p.servicePlanName === planName);
  if (!plan) throw new Error(`${product.displayName} has no service plan ${planName}`);
  return plan.servicePlanId;
}
