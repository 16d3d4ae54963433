/**
 * Which service plan carries the service of which, by workload (docs/service-continuity.md).
 *
 * Microsoft publishes no mapping from one product's plans to another's. Its catalog names the
 * plans of each workload by tier (Exchange Online Kiosk, Plan 1, Plan 2; Forms F1, E1, E3, E5…),
 * and the tiers below are License Desk's reading of those names. A plan carries another when a
 * workload lists both and the first is of the same or a higher tier; a plan no workload lists is
 * "unplaced": the check cannot confirm it is carried and says so. A plan may serve more than one
 * workload (Exchange Online Plan 2 is a mailbox and its archive); it is carried only when every
 * workload it serves is.
 */

export interface Workload {
  /** What people call the service, as titles name a loss: "desktop Office apps". */
  readonly name: string;
  /** servicePlanNames, lowest tier first; the plans of one tier are equivalents. */
  readonly tiers: readonly (readonly string[])[];
}

/** The workloads, the most noticed first: a title names the first few a change would lose. */
export const WORKLOADS: readonly Workload[] = [
  {
    name: "Exchange mailbox",
    tiers: [
      ["EXCHANGE_S_DESKLESS"],
      ["EXCHANGE_S_ESSENTIALS"],
      ["EXCHANGE_S_STANDARD", "EXCHANGE_S_STANDARD_MIDMARKET"],
      ["EXCHANGE_S_ENTERPRISE"],
    ],
  },
  // Exchange Online Plan 2 includes the archive that Plan 1 holders buy as Exchange Online Archiving.
  { name: "mailbox archive", tiers: [["EXCHANGE_S_ARCHIVE_ADDON", "EXCHANGE_S_ENTERPRISE"]] },
  {
    name: "SharePoint and OneDrive",
    tiers: [["SHAREPOINTDESKLESS"], ["SHAREPOINTSTANDARD"], ["SHAREPOINTENTERPRISE"]],
  },
  // Avatars and immersive spaces come with a Teams license (docs/service-continuity.md).
  {
    name: "Teams",
    tiers: [["MESH_AVATARS_FOR_TEAMS", "MESH_AVATARS_ADDITIONAL_FOR_TEAMS", "MESH_IMMERSIVE_FOR_TEAMS"], ["TEAMS1"]],
  },
  {
    name: "desktop Office apps",
    tiers: [["OFFICEMOBILE_SUBSCRIPTION"], ["OFFICE_BUSINESS"], ["OFFICESUBSCRIPTION"]],
  },
  // Microsoft 365 Apps for enterprise activates on shared computers without the separate plan.
  { name: "shared computer activation", tiers: [["OFFICE_SHARED_COMPUTER_ACTIVATION", "OFFICESUBSCRIPTION"]] },
  { name: "Office for the web", tiers: [["SHAREPOINTWAC"]] },
  { name: "Phone System", tiers: [["MCOEV"]] },
  { name: "Audio Conferencing", tiers: [["MCOMEETBASIC"], ["MCOMEETADV"]] },
  { name: "Calling Plan", tiers: [["MCOPSTN1"], ["MCOPSTN2"]] },
  { name: "Skype for Business", tiers: [["MCOIMP"], ["MCOSTANDARD"]] },
  { name: "Intune", tiers: [["INTUNE_O365"], ["INTUNE_A", "INTUNE_SMBIZ"]] },
  { name: "Entra ID P1", tiers: [["MFA_PREMIUM"], ["AAD_PREMIUM", "AAD_SMB"]] },
  { name: "Entra ID P2", tiers: [["AAD_PREMIUM_P2"]] },
  { name: "Windows", tiers: [["WINBIZ"], ["WIN10_ENT_LOC_F1"], ["WIN10_PRO_ENT_SUB"]] },
  { name: "Defender for Office 365", tiers: [["ATP_ENTERPRISE"], ["THREAT_INTELLIGENCE"]] },
  { name: "Defender for Endpoint", tiers: [["MDE_LITE"], ["MDE_SMB"], ["WINDEFATP"]] },
  {
    name: "Defender for Cloud Apps",
    tiers: [["ADALLOM_S_DISCOVERY", "ADALLOM_S_O365"], ["ADALLOM_S_STANDALONE"]],
  },
  { name: "Defender for Identity", tiers: [["ATA"]] },
  { name: "Microsoft 365 Defender", tiers: [["MTP"]] },
  {
    name: "Azure Information Protection",
    tiers: [["RMS_S_BASIC"], ["RMS_S_ENTERPRISE"], ["RMS_S_PREMIUM"], ["RMS_S_PREMIUM2"]],
  },
  { name: "Purview Information Protection", tiers: [["MIP_S_CLP1"], ["MIP_S_CLP2"]] },
  { name: "content explorer", tiers: [["ContentExplorer_Standard"], ["Content_Explorer"]] },
  { name: "data classification", tiers: [["MIP_S_Exchange"]] },
  { name: "eDiscovery", tiers: [["EQUIVIO_ANALYTICS"]] },
  { name: "Advanced Auditing", tiers: [["M365_ADVANCED_AUDITING"]] },
  { name: "Communication Compliance", tiers: [["MICROSOFT_COMMUNICATION_COMPLIANCE"]] },
  { name: "Communications DLP", tiers: [["COMMUNICATIONS_DLP"]] },
  // Exchange Online Plan 2 includes the data loss prevention that Plan 1 holders buy as an add-on.
  { name: "Data Loss Prevention", tiers: [["BPOS_S_DlpAddOn", "EXCHANGE_S_ENTERPRISE"]] },
  { name: "Endpoint DLP", tiers: [["MICROSOFTENDPOINTDLP"]] },
  { name: "Insider Risk Management", tiers: [["INSIDER_RISK"]] },
  { name: "Information Barriers", tiers: [["INFORMATION_BARRIERS"]] },
  { name: "Information Governance", tiers: [["INFO_GOVERNANCE"]] },
  { name: "Records Management", tiers: [["RECORDS_MANAGEMENT"]] },
  { name: "Customer Lockbox", tiers: [["LOCKBOX_ENTERPRISE", "CustomerLockboxA_Enterprise"]] },
  { name: "Customer Key", tiers: [["CUSTOMER_KEY"]] },
  { name: "Premium Encryption", tiers: [["PREMIUM_ENCRYPTION"]] },
  { name: "Privileged Access Management", tiers: [["PAM_ENTERPRISE"]] },
  { name: "Power BI", tiers: [["BI_AZURE_P0"], ["BI_AZURE_P2"], ["BI_AZURE_P3"]] },
  { name: "Planner", tiers: [["PROJECTWORKMANAGEMENT"]] },
  {
    name: "Project for the web",
    tiers: [["PROJECT_O365_F3"], ["PROJECT_O365_P1"], ["PROJECT_O365_P2"], ["PROJECT_O365_P3"]],
  },
  { name: "Forms", tiers: [["FORMS_PLAN_K"], ["FORMS_PLAN_E1"], ["FORMS_PLAN_E3"], ["FORMS_PLAN_E5"]] },
  {
    name: "Stream",
    tiers: [["STREAM_O365_K"], ["STREAM_O365_SMB", "STREAM_O365_E1"], ["STREAM_O365_E3"], ["STREAM_O365_E5"]],
  },
  { name: "To Do", tiers: [["BPOS_S_TODO_FIRSTLINE"], ["BPOS_S_TODO_1"], ["BPOS_S_TODO_2"], ["BPOS_S_TODO_3"]] },
  {
    name: "Whiteboard",
    tiers: [["WHITEBOARD_FIRSTLINE1"], ["WHITEBOARD_PLAN1"], ["WHITEBOARD_PLAN2"], ["WHITEBOARD_PLAN3"]],
  },
  {
    name: "Power Apps",
    tiers: [["POWERAPPS_O365_S1"], ["POWERAPPS_O365_P1"], ["POWERAPPS_O365_P2"], ["POWERAPPS_O365_P3"]],
  },
  { name: "Power Automate", tiers: [["FLOW_O365_S1"], ["FLOW_O365_P1"], ["FLOW_O365_P2"], ["FLOW_O365_P3"]] },
  { name: "Dataverse for Teams", tiers: [["CDS_O365_F1"], ["CDS_O365_P1"], ["CDS_O365_P2"], ["CDS_O365_P3"]] },
  {
    name: "Dataverse",
    tiers: [["DYN365_CDS_O365_F1"], ["DYN365_CDS_O365_P1"], ["DYN365_CDS_O365_P2"], ["DYN365_CDS_O365_P3"]],
  },
  {
    name: "Copilot Studio",
    tiers: [
      ["POWER_VIRTUAL_AGENTS_O365_F1"],
      ["POWER_VIRTUAL_AGENTS_O365_P1"],
      ["POWER_VIRTUAL_AGENTS_O365_P2"],
      ["POWER_VIRTUAL_AGENTS_O365_P3"],
    ],
  },
  {
    name: "Kaizala",
    tiers: [["KAIZALA_O365_P1"], ["KAIZALA_O365_P2"], ["KAIZALA_O365_P3"], ["KAIZALA_STANDALONE"]],
  },
  { name: "MyAnalytics", tiers: [["MYANALYTICS_P2"], ["EXCHANGE_ANALYTICS"]] },
  { name: "Excel advanced analytics", tiers: [["EXCEL_PREMIUM"]] },
  { name: "Bookings", tiers: [["MICROSOFTBOOKINGS"]] },
  { name: "Sway", tiers: [["SWAY"]] },
  { name: "Viva Engage", tiers: [["YAMMER_ENTERPRISE"]] },
  { name: "Loop", tiers: [["MICROSOFT_LOOP"]] },
  { name: "Clipchamp", tiers: [["CLIPCHAMP"]] },
  { name: "Graph connectors", tiers: [["GRAPH_CONNECTORS_SEARCH_INDEX"]] },
  { name: "Universal Print", tiers: [["UNIVERSAL_PRINT_01"]] },
  { name: "Windows Autopatch", tiers: [["Windows_Autopatch"]] },
  { name: "Windows Update for Business", tiers: [["WINDOWSUPDATEFORBUSINESS_DEPLOYMENTSERVICE"]] },
];

/**
 * Plans that are not a service of the user's own: losing them with a product loses nothing the
 * user had, so they are neither carried nor lost (docs/service-continuity.md gives the sources).
 */
export const BACKGROUND_PLANS: ReadonlyMap<string, string> = new Map([
  ["Bing_Chat_Enterprise", "Copilot Chat, which every work account has"],
  ["M365_LIGHTHOUSE_CUSTOMER_PLAN1", "the partner's Lighthouse portal, not the user's"],
  ["M365_LIGHTHOUSE_PARTNER_PLAN1", "the partner's Lighthouse portal, not the user's"],
  ["Nucleus", "a platform component Microsoft seeds with some products"],
  ["VIVA_LEARNING_SEEDED", "the Viva Learning app every Teams user has"],
  ["VIVAENGAGE_CORE", "the Viva Engage core every Microsoft 365 user has"],
  ["MICROSOFT_SEARCH", "Microsoft Search, which every work account has"],
  ["EXCHANGE_S_FOUNDATION", "the Exchange directory component under other services"],
  ["M365_AUDIT_PLATFORM", "the audit platform under Advanced Auditing"],
  ["Deskless", "retired (it was Microsoft StaffHub)"],
  ["COMMUNICATIONS_COMPLIANCE", "retired"],
  ["INSIDER_RISK_MANAGEMENT", "retired"],
  ["O365_SB_Relationship_Management", "retired"],
]);

/** Upper-cased plan name → [workload index, tier] of each workload that lists it, built once. */
const PLACES: ReadonlyMap<string, readonly (readonly [number, number])[]> = (() => {
  const places = new Map<string, [number, number][]>();
  WORKLOADS.forEach((w, workload) =>
    w.tiers.forEach((names, tier) => {
      for (const name of names) {
        const key = name.toUpperCase();
        places.set(key, [...(places.get(key) ?? []), [workload, tier]]);
      }
    }),
  );
  return places;
})();

/** Graph and the catalog spell a few names in another case (Deskless, DESKLESS). */
const key = (plan: string): string => plan.trim().toUpperCase();

const BACKGROUND: ReadonlyMap<string, string> = new Map([...BACKGROUND_PLANS].map(([n, why]) => [key(n), why]));

/** Why a plan is not a service of its own (BACKGROUND_PLANS), or undefined for a service. */
export function backgroundReason(plan: string): string | undefined {
  return BACKGROUND.get(key(plan));
}

/** Whether plan `target` provides the service of plan `source` in one workload they share, or is it. */
export function carries(target: string, source: string): boolean {
  if (key(target) === key(source)) return true;
  const t = PLACES.get(key(target)) ?? [];
  return (PLACES.get(key(source)) ?? []).some(([w, tier]) => t.some(([tw, tt]) => tw === w && tt >= tier));
}

/** What a move from one set of enabled plans to another keeps and loses, by plan name. */
export interface Continuity {
  /** Source plans the target keeps or carries. */
  readonly carried: readonly string[];
  /** Placed source plans the target does not carry, each with the workloads it takes away. */
  readonly lost: readonly { readonly plan: string; readonly workloads: readonly string[] }[];
  /** Source plans no workload lists that the target does not have: not confirmed either way. */
  readonly unplaced: readonly string[];
  /** Source plans that are not a service of their own and that the target does not have. */
  readonly background: readonly string[];
  /** Names of the workloads the source serves that the target keeps, in WORKLOADS order. */
  readonly keptWorkloads: readonly string[];
  /** Names of the workloads lost, in WORKLOADS order (the most noticed first). */
  readonly lostWorkloads: readonly string[];
}

/** Compare the plans a source enables with those a target will enable (servicePlanNames). */
export function continuity(source: readonly string[], target: readonly string[]): Continuity {
  const targetKeys = new Set(target.map(key));
  // The highest tier the target reaches in each workload.
  const reach = new Map<number, number>();
  for (const t of targetKeys)
    for (const [w, tier] of PLACES.get(t) ?? []) reach.set(w, Math.max(reach.get(w) ?? -1, tier));
  const carried: string[] = [];
  const lost: { plan: string; workloads: string[] }[] = [];
  const unplaced: string[] = [];
  const background: string[] = [];
  const kept = new Set<number>();
  const gone = new Set<number>();
  for (const plan of source) {
    const places = PLACES.get(key(plan)) ?? [];
    const missing = places.filter(([w, tier]) => (reach.get(w) ?? -1) < tier).map(([w]) => w);
    if (targetKeys.has(key(plan)) || (places.length > 0 && missing.length === 0)) {
      carried.push(plan);
      for (const [w] of places) kept.add(w);
    } else if (backgroundReason(plan) !== undefined) background.push(plan);
    else if (places.length === 0) unplaced.push(plan);
    else {
      lost.push({ plan, workloads: missing.map((w) => WORKLOADS[w].name) });
      for (const w of missing) gone.add(w);
      for (const [w] of places) if (!missing.includes(w)) kept.add(w);
    }
  }
  const names = (ws: ReadonlySet<number>): string[] => [...ws].sort((a, b) => a - b).map((w) => WORKLOADS[w].name);
  return { carried, lost, unplaced, background, keptWorkloads: names(kept), lostWorkloads: names(gone) };
}
