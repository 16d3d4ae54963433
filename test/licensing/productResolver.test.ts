import assert from "node:assert/strict";
import type { Product } from "../../src/licensing/model";
import { SKU_IDS as KNOWN_SKU_IDS } from "../../src/licensing/productNames";
import { looksLikeProductPhrase, resolveProduct } from "../../src/licensing/productResolver";
import { product } from "../support/tenantBuilder";

/** The products the module knows, and one it does not (Visio Plan 2). */
const SKU_IDS: Record<string, string> = { ...KNOWN_SKU_IDS, VISIOCLIENT: "c5928f49-12ba-48f7-ada3-0d743a3601d5" };

const tenant = (...skuPartNumbers: string[]): Product[] =>
  skuPartNumbers.map((part) => product(SKU_IDS[part], part, [], 10, 0));

function found(phrase: string, owned: readonly Product[]): string | undefined {
  const r = resolveProduct(phrase, owned);
  return r.kind === "found" ? r.product.skuPartNumber : `${r.kind}`;
}

describe("product resolver", () => {
  const everything = tenant(...Object.keys(SKU_IDS).filter((k) => k !== "ENTERPRISEPACK" && k !== "ENTERPRISEPREMIUM"));

  describe("aliases, names, skuPartNumbers and skuIds", () => {
    const cases: [string, string][] = [
      ["E1", "STANDARDPACK"],
      ["e1", "STANDARDPACK"],
      ["O365 E1", "STANDARDPACK"],
      ["Office E1", "STANDARDPACK"],
      ["Office 365 E1", "STANDARDPACK"],
      ["office365 e1", "STANDARDPACK"],
      ["  OFFICE   365   E1 ", "STANDARDPACK"],
      ["STANDARDPACK", "STANDARDPACK"],
      ["standardpack", "STANDARDPACK"],
      ["18181a46-0d4e-45cd-891e-60aabd171b4e", "STANDARDPACK"],
      ["18181A46-0D4E-45CD-891E-60AABD171B4E", "STANDARDPACK"],
      ["E3", "SPE_E3"],
      ["M365 E3", "SPE_E3"],
      ["Microsoft 365 E3", "SPE_E3"],
      ["Microsoft365 E3", "SPE_E3"],
      ["MS365 E3", "SPE_E3"],
      ["SPE_E3", "SPE_E3"],
      ["spe e3", "SPE_E3"],
      ["E5", "SPE_E5"],
      ["M365 E5", "SPE_E5"],
      ["Business Premium", "SPB"],
      ["Microsoft 365 Business Premium", "SPB"],
      ["SPB", "SPB"],
      ["Business Basic", "O365_BUSINESS_ESSENTIALS"],
      ["Business Standard", "O365_BUSINESS_PREMIUM"],
      ["F1", "M365_F1"],
      ["F3", "SPE_F1"],
      ["Microsoft 365 F3", "SPE_F1"],
      ["Audio Conferencing", "MCOMEETADV"],
      ["Workplace Analytics", "WORKPLACE_ANALYTICS"],
      ["Microsoft Workplace Analytics", "WORKPLACE_ANALYTICS"],
      // A product this module does not know is still found by its own skuPartNumber and skuId.
      ["VISIOCLIENT", "VISIOCLIENT"],
      ["c5928f49-12ba-48f7-ada3-0d743a3601d5", "VISIOCLIENT"],
    ];
    for (const [phrase, expected] of cases) {
      it(`resolves ${JSON.stringify(phrase)} to ${expected}`, () => assert.equal(found(phrase, everything), expected));
    }
  });

  it("finds E3 where the tenant owns only one E3, whichever it is", () => {
    assert.equal(found("E3", tenant("STANDARDPACK", "ENTERPRISEPACK")), "ENTERPRISEPACK");
    assert.equal(found("E3", tenant("STANDARDPACK", "SPE_E3")), "SPE_E3");
    assert.equal(found("O365 E3", tenant("ENTERPRISEPACK", "SPE_E3")), "ENTERPRISEPACK");
    assert.equal(found("M365 E3", tenant("ENTERPRISEPACK", "SPE_E3")), "SPE_E3");
  });

  it("asks which E3 where the tenant owns both Office 365 E3 and Microsoft 365 E3", () => {
    const owned = tenant("STANDARDPACK", "ENTERPRISEPACK", "SPE_E3");
    const r = resolveProduct("E3", owned);
    assert.equal(r.kind, "ambiguous");
    assert.ok(r.kind === "ambiguous");
    assert.equal(r.phrase, "E3");
    assert.deepEqual(
      r.candidates.map((p) => p.skuPartNumber),
      ["ENTERPRISEPACK", "SPE_E3"],
    );
    assert.equal(found("e 5", tenant("ENTERPRISEPREMIUM", "SPE_E5")), "ambiguous");
  });

  it("says which known product the tenant does not own", () => {
    assert.deepEqual(resolveProduct("Business Premium", tenant("STANDARDPACK")), {
      kind: "not-owned",
      phrase: "Business Premium",
      skuPartNumber: "SPB",
      name: "Microsoft 365 Business Premium",
    });
    assert.deepEqual(resolveProduct("SPE_E5", tenant("STANDARDPACK")), {
      kind: "not-owned",
      phrase: "SPE_E5",
      skuPartNumber: "SPE_E5",
      name: "Microsoft 365 E5",
    });
    assert.deepEqual(resolveProduct("06ebc4ee-1bb5-47dd-8120-11324bc54e06", []), {
      kind: "not-owned",
      phrase: "06ebc4ee-1bb5-47dd-8120-11324bc54e06",
      skuPartNumber: "SPE_E5",
      name: "Microsoft 365 E5",
    });
  });

  it("names every product an alias could mean when the tenant owns none of them", () => {
    assert.deepEqual(resolveProduct("E3", tenant("STANDARDPACK")), {
      kind: "not-owned",
      phrase: "E3",
      skuPartNumber: "ENTERPRISEPACK or SPE_E3",
      name: "Office 365 E3 or Microsoft 365 E3",
    });
  });

  it("suggests the closest owned products for a phrase that is no product", () => {
    const owned = tenant("STANDARDPACK", "ENTERPRISEPACK", "SPB", "VISIOCLIENT");
    const typo = resolveProduct("Ofice 365 E3", owned);
    assert.equal(typo.kind, "unknown");
    assert.ok(typo.kind === "unknown");
    assert.equal(typo.suggestions[0].skuPartNumber, "ENTERPRISEPACK");
    assert.ok(typo.suggestions.length <= 3);

    const e4 = resolveProduct("Office 365 E4", owned);
    assert.ok(e4.kind === "unknown");
    assert.deepEqual(e4.suggestions.map((p) => p.skuPartNumber).sort(), ["ENTERPRISEPACK", "STANDARDPACK"]);

    const premium = resolveProduct("Busines Premum", owned);
    assert.ok(premium.kind === "unknown");
    assert.deepEqual(
      premium.suggestions.map((p) => p.skuPartNumber),
      ["SPB"],
    );

    const visio = resolveProduct("Visio", owned);
    assert.ok(visio.kind === "unknown");
    assert.deepEqual(
      visio.suggestions.map((p) => p.skuPartNumber),
      ["VISIOCLIENT"],
    );

    const e7 = resolveProduct("E7", owned);
    assert.ok(e7.kind === "unknown");
    assert.deepEqual(e7.suggestions.map((p) => p.skuPartNumber).sort(), ["ENTERPRISEPACK", "STANDARDPACK"]);
  });

  it("suggests nothing for a phrase far from every product", () => {
    assert.deepEqual(resolveProduct("pizza", tenant("STANDARDPACK", "SPB")), {
      kind: "unknown",
      phrase: "pizza",
      suggestions: [],
    });
    assert.deepEqual(resolveProduct("   ", tenant("STANDARDPACK")), {
      kind: "unknown",
      phrase: "   ",
      suggestions: [],
    });
  });

  it("does not throw on hostile phrases", () => {
    for (const phrase of [
      "x".repeat(10_000),
      "E3' or 1 eq 1",
      "${x}",
      "\u0000\u001b",
      "🙂",
      "'",
      "__proto__",
      "constructor",
      "toString",
    ]) {
      const r = resolveProduct(phrase, everything);
      assert.ok(r.kind === "unknown" || r.kind === "not-owned", `${phrase.slice(0, 20)}: ${r.kind}`);
    }
  });

  it("knows product phrases without a tenant", () => {
    for (const phrase of [
      "E1",
      "e3",
      "Office 365 E3",
      "M365 E3",
      "Business Premium",
      "STANDARDPACK",
      "spe_e3",
      "POWER_BI_PRO",
      "18181a46-0d4e-45cd-891e-60aabd171b4e",
      "Audio Conferencing",
    ]) {
      assert.equal(looksLikeProductPhrase(phrase), true, phrase);
    }
    for (const phrase of ["Sales", "EMEA", "Sales EMEA", "EMEA E1", "Megan Bowen", "", "__proto__"]) {
      assert.equal(looksLikeProductPhrase(phrase), false, phrase);
    }
  });
});
