import assert from "node:assert/strict";
import { helpCard, seatsCard } from "../../src/cards/cards";
import type { Product } from "../../src/licensing/model";
import { cardTexts } from "../support/cardText";

function product(
  skuPartNumber: string,
  enabledUnits: number,
  consumedUnits: number,
  extra: Partial<Product> = {},
): Product {
  return {
    skuId: "00000000-0000-0000-0000-000000000000",
    skuPartNumber,
    appliesTo: "User",
    capabilityStatus: "Enabled",
    enabledUnits,
    consumedUnits,
    servicePlans: [],
    ...extra,
  };
}

describe("cards", () => {
  it("help lists each command with what it does, as Adaptive Card 1.5", () => {
    const card = helpCard();
    assert.equal(card.version, "1.5");
    assert.deepEqual(cardTexts(card).slice(-4), [
      "seats",
      "The tenant's products: seats used, paid for and available.",
      "help",
      "This list.",
    ]);
  });

  it("seats shows used / paid and available per user product, by name, over-assignment in red", () => {
    const card = seatsCard([
      product("ENTERPRISEPACK", 250, 180),
      product("STANDARDPACK", 100, 103),
      product("SPE_E5", 10, 0, { capabilityStatus: "Suspended" }),
      product("FLOW_FREE_TENANT", 1, 0, { appliesTo: "Company" }),
      product("CONTOSO_CUSTOM", 5, 5),
    ]);
    assert.deepEqual(cardTexts(card), [
      "Licenses",
      "4 products that can be assigned to users. Available = paid − used.",
      "Product",
      "Used / paid",
      "Available",
      "Status",
      "CONTOSO_CUSTOM",
      "CONTOSO_CUSTOM",
      "5 / 5",
      "0",
      "Enabled",
      "Microsoft 365 E5",
      "SPE_E5",
      "0 / 10",
      "10",
      "Suspended",
      "Office 365 E1",
      "STANDARDPACK",
      "103 / 100",
      "3 over",
      "Enabled",
      "Office 365 E3",
      "ENTERPRISEPACK",
      "180 / 250",
      "70",
      "Enabled",
    ]);
    const json = JSON.stringify(card);
    assert.match(json, /"text":"3 over","color":"Attention"/);
    assert.match(json, /"text":"70","color":"Good"/);
  });

  it("seats shows seats in grace as in grace, not over, and says what grace means", () => {
    const card = seatsCard([
      product("ENTERPRISEPACK", 0, 5, { warningUnits: 10, capabilityStatus: "Warning" }),
      product("STANDARDPACK", 20, 12, { warningUnits: 5 }),
      product("SPE_E3", 0, 17, { warningUnits: 10, capabilityStatus: "Warning" }),
    ]);
    const texts = cardTexts(card);
    assert.equal(
      texts[1],
      "3 products that can be assigned to users. Available = paid − used. In grace: seats of an expired subscription that still work until it is renewed or suspended.",
    );
    assert.deepEqual(texts.slice(6), [
      "Microsoft 365 E3",
      "SPE_E3",
      "17 / 0",
      "7 over",
      "Warning",
      "Office 365 E1",
      "STANDARDPACK",
      "12 / 20",
      "8, and 5 in grace (renew)",
      "Enabled",
      "Office 365 E3",
      "ENTERPRISEPACK",
      "5 / 0",
      "5 used of 10 in grace (renew)",
      "Warning",
    ]);
    assert.match(JSON.stringify(card), /"text":"5 used of 10 in grace \(renew\)","color":"Warning"/);
  });

  it("seats says so when there is nothing to show", () => {
    assert.equal(cardTexts(seatsCard([]))[1], "This tenant has no products that can be assigned to users.");
  });

  it("binds data as text: a template expression inside a product name stays literal", () => {
    const texts = cardTexts(seatsCard([product("${products[0].name}", 1, 0)]));
    assert.ok(texts.includes("${products[0].name}"));
  });
});
