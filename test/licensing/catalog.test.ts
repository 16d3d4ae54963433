import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { catalogJson, parseCatalogCsv } from "../../scripts/catalogCsv";
import { GUID } from "../../src/directoryId";
import {
  CATALOG_PRODUCTS,
  CATALOG_SOURCE,
  catalogProduct,
  catalogProductById,
  planFriendlyName,
} from "../../src/licensing/catalog";
import catalogData from "../../src/licensing/catalogData.json";
import { KNOWN_PRODUCTS, productName, SKU_IDS } from "../../src/licensing/productNames";

const ROOT = path.resolve(__dirname, "../..");
const CSV = path.join(ROOT, "data/licensing/product-names-and-service-plan-identifiers.csv");
const DATA_FILE = path.join(ROOT, "src/licensing/catalogData.json");
const HEADER =
  "Product_Display_Name,String_Id,GUID,Service_Plan_Name,Service_Plan_Id,Service_Plans_Included_Friendly_Names";

const planNames = (skuPartNumber: string): string[] => catalogProduct(skuPartNumber)?.plans.map((p) => p.name) ?? [];

describe("product catalog", () => {
  it("holds every product and plan of Microsoft's list", () => {
    assert.equal(CATALOG_PRODUCTS.length, 569);
    assert.equal(
      CATALOG_PRODUCTS.reduce((n, p) => n + p.plans.length, 0),
      5448,
    );
    assert.equal(
      CATALOG_SOURCE.url,
      "https://learn.microsoft.com/entra/identity/users/licensing-service-plan-reference",
    );
    assert.equal(CATALOG_SOURCE.copyOf, "December 2025");
  });

  it("is the data the refresh script makes of the CSV copy, byte for byte", () => {
    const parsed = parseCatalogCsv(readFileSync(CSV, "utf8"));
    assert.deepEqual(parsed.data, catalogData);
    assert.equal(catalogJson(parsed.data), readFileSync(DATA_FILE, "utf8"));
  });

  it("knows Office 365 E3 with its skuId and plans", () => {
    const e3 = catalogProduct("ENTERPRISEPACK");
    assert.ok(e3);
    assert.equal(e3.name, "Office 365 E3");
    assert.equal(e3.skuId, "6fd2c87f-b296-42f0-b197-1e91e994b900");
    assert.deepEqual(
      e3.plans.find((p) => p.name === "EXCHANGE_S_ENTERPRISE"),
      {
        id: "efb87545-963c-4e0d-99df-69c6916d9eb0",
        name: "EXCHANGE_S_ENTERPRISE",
        friendlyName: "Exchange Online (Plan 2)",
      },
    );
    assert.equal(e3.plans.length, 36);
  });

  it("lists Office 365 E1's Power Platform and Project plans (the _P1 series)", () => {
    const e1 = planNames("STANDARDPACK");
    for (const plan of [
      "PROJECT_O365_P1",
      "FLOW_O365_P1",
      "POWERAPPS_O365_P1",
      "POWER_VIRTUAL_AGENTS_O365_P1",
      "CDS_O365_P1",
      "DYN365_CDS_O365_P1",
      "EXCHANGE_S_STANDARD",
    ]) {
      assert.ok(e1.includes(plan), plan);
    }
    assert.ok(!e1.includes("EXCHANGE_S_ENTERPRISE"));
  });

  it("finds products by skuPartNumber and skuId in any letter case", () => {
    assert.equal(catalogProduct("enterprisepack")?.skuPartNumber, "ENTERPRISEPACK");
    assert.equal(catalogProduct(" Spe_E3 ")?.name, "Microsoft 365 E3");
    assert.equal(catalogProductById("6FD2C87F-B296-42F0-B197-1E91E994B900")?.skuPartNumber, "ENTERPRISEPACK");
    assert.equal(catalogProductById("18181a46-0d4e-45cd-891e-60aabd171b4e")?.name, "Office 365 E1");
  });

  it("answers undefined for what it does not list", () => {
    for (const phrase of ["NOT_A_PRODUCT", "", "__proto__", "constructor", "E3"]) {
      assert.equal(catalogProduct(phrase), undefined, phrase);
      assert.equal(planFriendlyName(phrase), undefined, phrase);
    }
    assert.equal(catalogProductById("00000000-0000-0000-0000-000000000000"), undefined);
  });

  it("gives each plan name one friendly name: the one most products use", () => {
    // "Exchange Foundation" under most products, "EXCHANGE FOUNDATION" or the plan name under a few.
    assert.equal(planFriendlyName("EXCHANGE_S_FOUNDATION"), "Exchange Foundation");
    assert.equal(planFriendlyName("AAD_PREMIUM"), "Microsoft Entra ID P1");
    assert.equal(planFriendlyName("EXCHANGE_S_ENTERPRISE"), "Exchange Online (Plan 2)");
    assert.equal(planFriendlyName("exchange_s_enterprise"), "Exchange Online (Plan 2)");
  });

  it("keeps both products Microsoft lists under one skuPartNumber, and finds the first", () => {
    const both = CATALOG_PRODUCTS.filter((p) => p.skuPartNumber === "MCOPSTN5");
    assert.deepEqual(
      both.map((p) => [p.skuId, p.name]),
      [
        ["54a152dc-90de-4996-93d2-bc47e670fc06", "Skype for Business PSTN Domestic Calling (120 Minutes)"],
        ["d43177b5-475b-4880-92d4-d54c27b5efbd", "Skype for Business PSTN Calling Domestic Small"],
      ],
    );
    assert.equal(catalogProduct("MCOPSTN5")?.skuId, "54a152dc-90de-4996-93d2-bc47e670fc06");
    assert.equal(catalogProductById("d43177b5-475b-4880-92d4-d54c27b5efbd")?.name, both[1].name);
  });

  it("has lower-case GUIDs, one product per skuId, no plan twice in a product and no stray white space", () => {
    const lowerGuid = (id: string) => GUID.test(id) && id === id.toLowerCase();
    const tidy = (s: string) => s !== "" && s === s.trim() && !/\s\s|[\t\u00a0]/.test(s);
    assert.equal(new Set(CATALOG_PRODUCTS.map((p) => p.skuId)).size, CATALOG_PRODUCTS.length);
    for (const p of CATALOG_PRODUCTS) {
      assert.ok(lowerGuid(p.skuId), p.skuPartNumber);
      assert.ok(tidy(p.skuPartNumber) && tidy(p.name), p.skuId);
      assert.ok(p.plans.length > 0, p.skuPartNumber);
      assert.equal(new Set(p.plans.map((plan) => plan.id)).size, p.plans.length, p.skuPartNumber);
      for (const plan of p.plans) {
        assert.ok(lowerGuid(plan.id), `${p.skuPartNumber} ${plan.name}`);
        assert.ok(tidy(plan.name) && tidy(plan.friendlyName), `${p.skuPartNumber} ${plan.id}`);
      }
    }
    // Microsoft's file has "MCOCAP_FACULTY" and its GUID followed by a no-break space.
    assert.equal(catalogProduct("MCOCAP_FACULTY")?.skuId, "420c7602-7f70-4895-9394-d3d679ea36fb");
  });

  describe("productNames", () => {
    it("names every catalog product by its display name", () => {
      assert.equal(productName("VISIOCLIENT"), "Visio Plan 2");
      assert.equal(productName("STANDARDPACK"), "Office 365 E1");
      assert.equal(productName("NOT_IN_THE_CATALOG"), "NOT_IN_THE_CATALOG");
      for (const k of KNOWN_PRODUCTS) {
        assert.deepEqual(
          [k.name, k.skuId],
          [catalogProduct(k.skuPartNumber)?.name, catalogProduct(k.skuPartNumber)?.skuId],
        );
      }
    });

    it("finds every product that has aliases in the catalog, and knows those products", () => {
      const aliased = KNOWN_PRODUCTS.map((k) => k.skuPartNumber);
      const expected = [
        "ENTERPRISEPACK",
        "ENTERPRISEPREMIUM",
        "M365_F1",
        "MCOMEETADV",
        "O365_BUSINESS_ESSENTIALS",
        "O365_BUSINESS_PREMIUM",
        "SPB",
        "SPE_E3",
        "SPE_E5",
        "SPE_F1",
        "STANDARDPACK",
        "WORKPLACE_ANALYTICS",
      ];
      assert.deepEqual([...aliased].sort(), expected);
      assert.ok(KNOWN_PRODUCTS.every((k) => k.aliases.length > 0));
      assert.deepEqual(Object.keys(SKU_IDS).sort(), expected);
      assert.equal(SKU_IDS.SPE_E3, "05e9a617-0261-4cee-bb44-138d3ef5d965");
    });
  });
});

describe("catalog CSV parser", () => {
  const row = (cells: string[]) => cells.map((c) => (c.includes(",") ? `"${c}"` : c)).join(",");
  const SKU = "11111111-1111-4111-8111-111111111111";
  const PLAN_A = "22222222-2222-4222-8222-222222222222";
  const PLAN_B = "33333333-3333-4333-8333-333333333333";

  it("reads Microsoft's quirks: BOM, CRLF, quoted commas, white space, repeated rows and plans", () => {
    const csv = [
      `\ufeff${HEADER}`,
      row(["Dynamics 365, Sample Edition", "SAMPLE\u00a0", `${SKU.toUpperCase()} `, "PLAN_B", PLAN_B, "Plan\tB"]),
      row(["Dynamics 365, Sample Edition", "SAMPLE\u00a0", `${SKU.toUpperCase()} `, "PLAN_B", PLAN_B, "Plan\tB"]),
      row(["Dynamics 365, Sample Edition", "SAMPLE", SKU, "PLAN_A ", PLAN_A, "Plan A"]),
      row(["Dynamics 365, Sample Edition", "SAMPLE", SKU, "PLAN_A_OTHER_NAME", PLAN_A, "Plan A again"]),
      "",
    ].join("\r\n");
    const { data, notes } = parseCatalogCsv(csv);
    assert.deepEqual(data, {
      products: [
        {
          skuId: SKU,
          skuPartNumber: "SAMPLE",
          name: "Dynamics 365, Sample Edition",
          plans: [
            { id: PLAN_A, name: "PLAN_A", friendlyName: "Plan A" },
            { id: PLAN_B, name: "PLAN_B", friendlyName: "Plan B" },
          ],
        },
      ],
      planFriendlyNames: { PLAN_A: "Plan A", PLAN_B: "Plan B" },
    });
    assert.equal(notes.length, 2);
  });

  it("picks the friendly name most products use, the first met on a tie", () => {
    const product = (n: number, friendly: string) =>
      row([`P${n}`, `P${n}`, `${n}1111111-1111-4111-8111-111111111111`, "PLAN_A", PLAN_A, friendly]);
    const csv = [HEADER, product(1, "Tie one"), product(2, "Tie two"), product(3, "Most"), product(4, "Most")];
    assert.equal(parseCatalogCsv(csv.join("\n")).data.planFriendlyNames.PLAN_A, "Most");
    assert.equal(parseCatalogCsv(csv.slice(0, 3).join("\n")).data.planFriendlyNames.PLAN_A, "Tie one");
  });

  it("refuses a wrong header, a field that is no GUID, and an empty name, naming the row", () => {
    assert.throws(() => parseCatalogCsv("a,b,c,d,e,f\n"), /row 1: expected the columns/);
    assert.throws(
      () => parseCatalogCsv(`${HEADER}\n${row(["P", "P", "not-a-guid", "PLAN_A", PLAN_A, "A"])}\n`),
      /row 2: GUID is not a GUID/,
    );
    assert.throws(
      () =>
        parseCatalogCsv(
          `${HEADER}\n${row(["P", "P", SKU, "PLAN_A", PLAN_A, "A"])}\n${row(["P", "P", SKU, " ", PLAN_B, "B"])}\n`,
        ),
      /row 3: Service_Plan_Name is empty/,
    );
    assert.throws(() => parseCatalogCsv(`${HEADER}\nP,P,${SKU},PLAN_A\n`), /column|record/i);
  });
});
