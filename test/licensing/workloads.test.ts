import assert from "node:assert/strict";
import { CATALOG_PRODUCTS, catalogProduct } from "../../src/licensing/catalog";
import { previewUserChange } from "../../src/licensing/changePreview";
import type { Product } from "../../src/licensing/model";
import type { CheckResult } from "../../src/licensing/preview";
import { BACKGROUND_PLANS, WORKLOADS, carries, continuity } from "../../src/licensing/workloads";
import { licenseState, user } from "../support/tenantBuilder";

/** A product as Graph's subscribedSkus lists it, with every plan Microsoft's catalog gives it. */
function realProduct(skuPartNumber: string): Product {
  const c = catalogProduct(skuPartNumber);
  if (!c) throw new Error(`${skuPartNumber} is not in the catalog`);
  return {
    skuId: c.skuId,
    skuPartNumber: c.skuPartNumber,
    appliesTo: "User",
    capabilityStatus: "Enabled",
    enabledUnits: 100,
    consumedUnits: 1,
    servicePlans: c.plans.map((p) => ({ id: p.id, name: p.name, appliesTo: "User" as const })),
  };
}

/** service-continuity for Megan, holding `from` directly, moved to `to`. */
function continuityCheck(from: string, to: string): CheckResult {
  const s = realProduct(from);
  const t = realProduct(to);
  const p = previewUserChange({
    user: user("megan", [licenseState(s.skuId, null)]),
    groupNames: new Map(),
    products: [s, t],
    fromSkuId: s.skuId,
    toSkuId: t.skuId,
  });
  const c = p.checks.find((x) => x.id === "service-continuity");
  if (!c) throw new Error("no service-continuity check");
  return c;
}

describe("workloads: which plan carries which", () => {
  it("a plan of the same or a higher tier of a workload carries the plan, and a plan carries itself", () => {
    assert.equal(carries("EXCHANGE_S_ENTERPRISE", "EXCHANGE_S_STANDARD"), true);
    assert.equal(carries("EXCHANGE_S_ENTERPRISE", "EXCHANGE_S_DESKLESS"), true);
    assert.equal(carries("EXCHANGE_S_ENTERPRISE", "EXCHANGE_S_ARCHIVE_ADDON"), true);
    assert.equal(carries("EXCHANGE_S_STANDARD", "EXCHANGE_S_ESSENTIALS"), true);
    assert.equal(carries("STREAM_O365_E1", "STREAM_O365_SMB"), true);
    assert.equal(carries("TEAMS1", "MESH_AVATARS_FOR_TEAMS"), true);
    assert.equal(carries("KAIZALA_O365_P3", "KAIZALA_O365_P2"), true);
    assert.equal(carries("ANYTHING_NEW", "ANYTHING_NEW"), true);
    // Graph spells a few plan names in another case than the catalog.
    assert.equal(carries("exchange_s_enterprise", "EXCHANGE_S_STANDARD"), true);
  });

  it("a lower plan, or a plan of another workload, carries nothing", () => {
    assert.equal(carries("EXCHANGE_S_STANDARD", "EXCHANGE_S_ENTERPRISE"), false);
    assert.equal(carries("EXCHANGE_S_ESSENTIALS", "EXCHANGE_S_STANDARD"), false);
    assert.equal(carries("MESH_AVATARS_FOR_TEAMS", "TEAMS1"), false);
    assert.equal(carries("OFFICESUBSCRIPTION", "SHAREPOINTWAC"), false);
    assert.equal(carries("EXCHANGE_S_ENTERPRISE", "SHAREPOINTSTANDARD"), false);
    assert.equal(carries("ANYTHING_NEW", "OTHER_NEW"), false);
  });

  it("a plan that serves two workloads is carried only when both are: Plan 1 keeps the mailbox, not the archive", () => {
    const c = continuity(["EXCHANGE_S_ENTERPRISE"], ["EXCHANGE_S_STANDARD", "EXCHANGE_S_ARCHIVE_ADDON"]);
    assert.deepEqual(c.lost, [
      { plan: "EXCHANGE_S_ENTERPRISE", workloads: ["Exchange mailbox", "Data Loss Prevention"] },
    ]);
    assert.deepEqual(c.keptWorkloads, ["mailbox archive"]);
  });

  it("sorts what is not carried into lost, unplaced and not a service of its own", () => {
    const c = continuity(["TEAMS1", "NEW_PLAN", "MICROSOFT_SEARCH", "SWAY"], ["SWAY"]);
    assert.deepEqual(c.carried, ["SWAY"]);
    assert.deepEqual(c.lost, [{ plan: "TEAMS1", workloads: ["Teams"] }]);
    assert.deepEqual(c.unplaced, ["NEW_PLAN"]);
    assert.deepEqual(c.background, ["MICROSOFT_SEARCH"]);
    assert.deepEqual(c.lostWorkloads, ["Teams"]);
    assert.deepEqual(c.keptWorkloads, ["Sway"]);
  });

  it("names only plans of Microsoft's catalog, each once, and none both a service and background", () => {
    const known = new Set(CATALOG_PRODUCTS.flatMap((p) => p.plans.map((x) => x.name)));
    const listed = WORKLOADS.flatMap((w) => w.tiers.flat());
    assert.deepEqual(
      [...listed, ...BACKGROUND_PLANS.keys()].filter((n) => !known.has(n)),
      [],
    );
    for (const w of WORKLOADS) assert.equal(new Set(w.tiers.flat()).size, w.tiers.flat().length, w.name);
    assert.deepEqual(
      listed.filter((n) => BACKGROUND_PLANS.has(n)),
      [],
    );
  });
});

/**
 * Real moves between Microsoft's products, each with every plan the catalog lists: the verdict and
 * the title people read (for a block, the workloads lost, most noticed first).
 */
const PAIRS: readonly (readonly [from: string, to: string, status: CheckResult["status"], title: string])[] = [
  // Upgrades: nothing is lost.
  ["STANDARDPACK", "ENTERPRISEPACK", "pass", "Office 365 E3 carries all 34 plans Office 365 E1 enables for User megan"],
  [
    "ENTERPRISEPACK",
    "ENTERPRISEPREMIUM",
    "pass",
    "Office 365 E5 carries 33 of the 36 plans Office 365 E3 enables for User megan; the other 3 are not services of their own",
  ],
  ["STANDARDPACK", "SPE_E3", "pass", "Microsoft 365 E3 carries all 34 plans Office 365 E1 enables for User megan"],
  ["ENTERPRISEPACK", "SPE_E3", "pass", "Microsoft 365 E3 carries all 36 plans Office 365 E3 enables for User megan"],
  [
    "SPE_E3",
    "SPE_E5",
    "pass",
    "Microsoft 365 E5 carries 49 of the 50 plans Microsoft 365 E3 enables for User megan; the other is not a service of its own",
  ],
  ["DESKLESSPACK", "STANDARDPACK", "pass", "Office 365 E1 carries all 26 plans Office 365 F3 enables for User megan"],
  ["DESKLESSPACK", "SPE_F1", "pass", "Microsoft 365 F3 carries all 26 plans Office 365 F3 enables for User megan"],
  ["SPE_F1", "SPE_E3", "pass", "Microsoft 365 E3 carries all 39 plans Microsoft 365 F3 enables for User megan"],
  [
    "O365_BUSINESS_ESSENTIALS",
    "O365_BUSINESS_PREMIUM",
    "pass",
    "Microsoft 365 Business Standard carries all 13 plans Microsoft 365 Business Basic enables for User megan",
  ],
  [
    "O365_BUSINESS_PREMIUM",
    "SPB",
    "pass",
    "Microsoft 365 Business Premium carries all 37 plans Microsoft 365 Business Standard enables for User megan",
  ],
  ["ENTERPRISEPREMIUM", "SPE_E5", "pass", "Microsoft 365 E5 carries all 56 plans Office 365 E5 enables for User megan"],
  [
    "STANDARDPACK",
    "ENTERPRISEPREMIUM",
    "pass",
    "Office 365 E5 carries 31 of the 34 plans Office 365 E1 enables for User megan; the other 3 are not services of their own",
  ],
  [
    "MCOMEETADV",
    "ENTERPRISEPREMIUM",
    "pass",
    "Office 365 E5 carries all 1 plan Microsoft 365 Audio Conferencing enables for User megan",
  ],
  [
    "EMS",
    "EMSPREMIUM",
    "pass",
    "Enterprise Mobility + Security E5 carries all 7 plans Enterprise Mobility + Security E3 enables for User megan",
  ],
  [
    "AAD_PREMIUM",
    "SPE_E3",
    "pass",
    "Microsoft 365 E3 carries 3 of the 4 plans Microsoft Entra ID P1 enables for User megan; the other is not a service of its own",
  ],
  // Not confirmed: a plan no workload places, everything else kept.
  [
    "SPB",
    "SPE_E5",
    "warn",
    "Not confirmed: Microsoft 365 E5 may not carry 1 plan Microsoft 365 Business Premium enables for User megan",
  ],
  [
    "O365_BUSINESS_PREMIUM",
    "SPE_E3",
    "warn",
    "Not confirmed: Microsoft 365 E3 may not carry 1 plan Microsoft 365 Business Standard enables for User megan",
  ],
  // Downgrades and sideways moves: the workloads lost, named.
  [
    "ENTERPRISEPACK",
    "STANDARDPACK",
    "block",
    "User megan would lose Exchange mailbox, mailbox archive, SharePoint and OneDrive, desktop Office apps, shared computer activation and 15 more with Office 365 E1",
  ],
  ["ENTERPRISEPACK", "Office_365_E3_(no_Teams)", "block", "User megan would lose Teams with Office 365 E3 (no Teams)"],
  ["SPE_E3", "Microsoft_365_E3_(no_Teams)", "block", "User megan would lose Teams with Microsoft 365 E3 (no Teams)"],
  [
    "ENTERPRISEPREMIUM",
    "ENTERPRISEPACK",
    "block",
    "User megan would lose Phone System, Audio Conferencing, Defender for Office 365, Defender for Cloud Apps, Microsoft 365 Defender and 29 more with Office 365 E3",
  ],
  [
    "SPE_E3",
    "ENTERPRISEPACK",
    "block",
    "User megan would lose Intune, Entra ID P1, Windows, Defender for Endpoint, Defender for Cloud Apps and 7 more with Office 365 E3",
  ],
  [
    "SPE_E5",
    "SPE_E3",
    "block",
    "User megan would lose Phone System, Audio Conferencing, Entra ID P2, Defender for Office 365, Defender for Endpoint and 34 more with Microsoft 365 E3",
  ],
  [
    "STANDARDPACK",
    "DESKLESSPACK",
    "block",
    "User megan would lose Exchange mailbox, SharePoint and OneDrive, Skype for Business, Project for the web, Forms and 10 more with Office 365 F3",
  ],
  [
    "O365_BUSINESS_PREMIUM",
    "O365_BUSINESS_ESSENTIALS",
    "block",
    "User megan would lose desktop Office apps, Intune, Azure Information Protection, Project for the web, Stream and 9 more with Microsoft 365 Business Basic",
  ],
  [
    "SPB",
    "O365_BUSINESS_PREMIUM",
    "block",
    "User megan would lose mailbox archive, shared computer activation, Intune, Entra ID P1, Windows and 11 more with Microsoft 365 Business Standard",
  ],
  [
    "SPE_E3",
    "SPB",
    "block",
    "User megan would lose Exchange mailbox, SharePoint and OneDrive, desktop Office apps, Windows, Purview Information Protection and 10 more with Microsoft 365 Business Premium",
  ],
  [
    "SPE_E5",
    "ENTERPRISEPREMIUM",
    "block",
    "User megan would lose Intune, Entra ID P1, Entra ID P2, Windows, Defender for Endpoint and 10 more with Office 365 E5",
  ],
  [
    "SPB",
    "SPE_E3",
    "block",
    "User megan would lose Defender for Office 365, Defender for Endpoint, Project for the web, Dataverse for Teams, Dataverse and 1 more with Microsoft 365 E3",
  ],
  [
    "EMSPREMIUM",
    "EMS",
    "block",
    "User megan would lose Entra ID P2, Defender for Cloud Apps, Defender for Identity, Azure Information Protection with Enterprise Mobility + Security E3",
  ],
];

describe("service-continuity on Microsoft's real products", () => {
  for (const [from, to, status, title] of PAIRS) {
    it(`${from} → ${to}: ${status}`, () => {
      const c = continuityCheck(from, to);
      assert.equal(c.title, title);
      assert.equal(c.status, status);
    });
  }

  it("covers at least 25 real pairs, upgrades and downgrades alike", () => {
    assert.ok(PAIRS.length >= 25, `${PAIRS.length} pairs`);
    assert.ok(PAIRS.filter((p) => p[2] === "pass").length >= 10);
    assert.ok(PAIRS.filter((p) => p[2] === "block").length >= 10);
  });

  it("a block lists the lost plans by their friendly names and says what to do", () => {
    const c = continuityCheck("ENTERPRISEPACK", "Office_365_E3_(no_Teams)");
    assert.equal(
      c.detail,
      "Office 365 E3 (no Teams) has nothing that carries Microsoft Teams: choose a target that includes it, or, if losing it is intended, disable it on the Office 365 E3 assignment first.",
    );
  });

  it("a pass names the workloads kept and the plans that are not services of their own", () => {
    const c = continuityCheck("SPE_E3", "SPE_E5");
    assert.match(
      c.detail,
      /^Nobody loses a service: Exchange mailbox, mailbox archive, SharePoint and OneDrive, Teams, /,
    );
    assert.match(
      c.detail,
      /Not a service of their own, so nothing is lost without them: Microsoft 365 Lighthouse \(Plan 2\): the partner's Lighthouse portal, not the user's\.$/,
    );
  });

  it("not confirmed lists the unplaced plans by name and never blocks on them alone", () => {
    const c = continuityCheck("SPB", "SPE_E5");
    assert.match(c.detail, /cannot place Microsoft Invoicing in a workload/);
    const both = continuityCheck("SPB", "SPE_E3");
    assert.match(
      both.detail,
      /Not confirmed: License Desk cannot place Microsoft Invoicing, Purview Discovery in a workload/,
    );
  });
});
