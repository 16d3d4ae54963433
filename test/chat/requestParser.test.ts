import assert from "node:assert/strict";
import {
  parseChangeSentence,
  parseMigrationSentence,
  type ParsedChange,
  type ParsedMigration,
} from "../../src/chat/requestParser";

function group(name: string, from: string | undefined, to: string): ParsedChange {
  return { target: { hint: "group", name }, ...(from ? { from } : {}), to };
}
function user(name: string, from: string | undefined, to: string): ParsedChange {
  return { target: { hint: "user", name }, ...(from ? { from } : {}), to };
}
function either(name: string, from: string | undefined, to: string): ParsedChange {
  return { target: { hint: "either", name }, ...(from ? { from } : {}), to };
}

describe("request parser", () => {
  const understood: [string, ParsedChange][] = [
    // The README's phrasings.
    ["move group Sales from E1 to E3", group("Sales", "E1", "E3")],
    ["switch Sales from Office 365 E1 to Office 365 E3", either("Sales", "Office 365 E1", "Office 365 E3")],
    ["change group 'Sales EMEA' E1 -> E3", group("Sales EMEA", "E1", "E3")],
    ["upgrade Sales to E3", either("Sales", undefined, "E3")],
    ["move user megan@contoso.com from E1 to E3", user("megan@contoso.com", "E1", "E3")],
    ["move Megan Bowen from E1 to E3", either("Megan Bowen", "E1", "E3")],
    // Verbs.
    ["downgrade group Sales to E1", group("Sales", undefined, "E1")],
    ["migrate Sales from E1 to E3", either("Sales", "E1", "E3")],
    ["switch group Sales from E1 to E3", group("Sales", "E1", "E3")],
    ["change user megan@contoso.com to E5", user("megan@contoso.com", undefined, "E5")],
    // Separators.
    ["change group 'Sales EMEA' E1 → E3", group("Sales EMEA", "E1", "E3")],
    ["change group 'Sales EMEA' E1 => E3", group("Sales EMEA", "E1", "E3")],
    ["change group 'Sales EMEA' E1 to E3", group("Sales EMEA", "E1", "E3")],
    ["change group 'Sales EMEA' to E3", group("Sales EMEA", undefined, "E3")],
    ["change group Sales E1->E3", group("Sales", "E1", "E3")],
    ["move group 'Sales EMEA' from E1 to E3", group("Sales EMEA", "E1", "E3")],
    // Unquoted multi-word names: the known product phrase at the end of the left side is the source, longest first.
    ["change group Sales EMEA E1 -> E3", group("Sales EMEA", "E1", "E3")],
    ["change group Sales EMEA Office 365 E1 -> Office 365 E3", group("Sales EMEA", "Office 365 E1", "Office 365 E3")],
    ["switch Sales EMEA M365 Business Premium → M365 E3", either("Sales EMEA", "M365 Business Premium", "M365 E3")],
    ["upgrade Sales EMEA E1 to E3", either("Sales EMEA", "E1", "E3")],
    ["upgrade Sales EMEA to E3", either("Sales EMEA", undefined, "E3")],
    ["change group Sales EMEA VISIOCLIENT -> E3", group("Sales EMEA", "VISIOCLIENT", "E3")],
    ["move Letters from Home from E1 to E3", either("Letters from Home", "E1", "E3")],
    // Products as skuPartNumber, skuId, quoted, with "license".
    ["move group Sales from STANDARDPACK to ENTERPRISEPACK", group("Sales", "STANDARDPACK", "ENTERPRISEPACK")],
    [
      "move group Sales from 18181a46-0d4e-45cd-891e-60aabd171b4e to SPE_E3",
      group("Sales", "18181a46-0d4e-45cd-891e-60aabd171b4e", "SPE_E3"),
    ],
    ["move group Sales from 'Office 365 E1' to \"Office 365 E3\"", group("Sales", "Office 365 E1", "Office 365 E3")],
    ["move group Sales from the E1 license to the E3 license", group("Sales", "E1", "E3")],
    // Users and hints.
    ["move megan@contoso.com from E1 to E3", user("megan@contoso.com", "E1", "E3")],
    ["move the user Megan Bowen from E1 to E3", user("Megan Bowen", "E1", "E3")],
    ["move group named Sales from E1 to E3", group("Sales", "E1", "E3")],
    ["move the Sales group from E1 to E3", group("Sales", "E1", "E3")],
    ["move the 'Sales EMEA' group from E1 to E3", group("Sales EMEA", "E1", "E3")],
    ["move Sales licenses from E1 to E3", either("Sales", "E1", "E3")],
    ["upgrade Megan's license to M365 E3", either("Megan", undefined, "M365 E3")],
    ["switch from E1 to E3 for group Sales", group("Sales", "E1", "E3")],
    ["upgrade to E3 for Megan Bowen", either("Megan Bowen", undefined, "E3")],
    // Quotes of every kind; quoted names may hold from/to and the other quotes.
    ['move group "Sales EMEA" from E1 to E3', group("Sales EMEA", "E1", "E3")],
    ["move group “Sales EMEA” from E1 to E3", group("Sales EMEA", "E1", "E3")],
    ["move group ‘Sales EMEA’ from E1 to E3", group("Sales EMEA", "E1", "E3")],
    ['move group "O\'Brien & Sons (EMEA), #1" from E1 to E3', group("O'Brien & Sons (EMEA), #1", "E1", "E3")],
    ["move group 'O'Brien & Sons (EMEA), #1' from E1 to E3", group("O'Brien & Sons (EMEA), #1", "E1", "E3")],
    ["move ‘O’Brien’ from E1 to E3", either("O’Brien", "E1", "E3")],
    ["move group 'Trips from A to B' from E1 to E3", group("Trips from A to B", "E1", "E3")],
    ["move group 'Smiths' Group' from E1 to E3", group("Smiths' Group", "E1", "E3")],
    ["move “Sales ‘North’” to E3", either("Sales ‘North’", undefined, "E3")],
    // Case, spaces, politeness, mentions, punctuation.
    ["MOVE GROUP Sales FROM E1 TO E3", group("Sales", "E1", "E3")],
    ["  move   group   Sales   from  E1   to   E3  ", group("Sales", "E1", "E3")],
    ["move group Sales from E1 to E3.", group("Sales", "E1", "E3")],
    ["please move group Sales from E1 to E3", group("Sales", "E1", "E3")],
    ["can you move group Sales from E1 to E3 please?", group("Sales", "E1", "E3")],
    ["Could you please switch Sales from E1 to E3, thanks!", either("Sales", "E1", "E3")],
    ["<at>License Desk</at> move group Sales from E1 to E3", group("Sales", "E1", "E3")],
    ["<at>License Desk</at> can you please move group Sales from e1 to e3 please!!", group("Sales", "e1", "e3")],
    ["move group Sales from E1 to E3 🙏", group("Sales", "E1", "E3")],
    ["move group Sales\nfrom E1\tto E3", group("Sales", "E1", "E3")],
    ["move group Sales\u200b from E1 to E3", group("Sales", "E1", "E3")],
  ];
  for (const [text, expected] of understood) {
    it(`reads ${JSON.stringify(text)}`, () => assert.deepEqual(parseChangeSentence(text), expected));
  }

  const notRequests = [
    "",
    "help",
    "hello there",
    "move",
    "move Sales",
    "move group Sales",
    "move from E1 to E3",
    "move to E3",
    "E1 -> E3",
    "what does E3 cost?",
    "remove group Sales from E1 to E3",
    // Group-based licensing migration is another feature.
    "migrate Sales to group licensing for E3",
    "move direct E3 users of Sales to group licensing",
    "migrate Sales from direct assignment to group licensing",
    "move Sales to group-based licensing",
    // Unbalanced quotes, and product phrases that cannot be products.
    "move 'Sales from E1 to E3",
    "move group Sales from E1 to one two three four five six seven",
  ];
  for (const text of notRequests) {
    it(`does not read ${JSON.stringify(text)} as a change request`, () =>
      assert.equal(parseChangeSentence(text), undefined));
  }

  describe("hostile input", () => {
    it("keeps OData and template characters in names as typed", () => {
      assert.deepEqual(
        parseChangeSentence("move group Sales' or 1 eq 1 or displayName eq ' from E1 to E3"),
        group("Sales' or 1 eq 1 or displayName eq '", "E1", "E3"),
      );
      assert.deepEqual(parseChangeSentence("move group Sales${x} from E1 to E3"), group("Sales${x}", "E1", "E3"));
      assert.deepEqual(
        parseChangeSentence("move group 'R&D #1 (50%) + more?' from E1 to E3"),
        group("R&D #1 (50%) + more?", "E1", "E3"),
      );
      assert.deepEqual(parseChangeSentence("move group {{name}} from E1 to E3"), group("{{name}}", "E1", "E3"));
    });

    it("does not throw on long, odd or malformed text, and answers quickly", () => {
      const inputs = [
        "x".repeat(10_000),
        `move group ${"Sales ".repeat(2000)}from E1 to E3`,
        `move group Sales from E1 to ${"E3 ".repeat(3000)}`,
        "move " + "from ".repeat(199),
        "move a" + " from x".repeat(140),
        "move " + "x -> ".repeat(190),
        "move " + "a to ".repeat(190) + "b",
        "move '" + "a' to b ".repeat(120),
        "move " + "'a".repeat(450),
        "move \"\"\"'''“”‘’ from to -> => →",
        "move \u0000\u0001\u0007 group \u001b[31mSales from E1 to E3",
        "move group 🙂🙃 from E1 to E3",
        "move group ${process.exit(1)} from `E1` to E3",
        "\u{1F4A9}".repeat(3000),
        "<at>",
        "<at>" + "x".repeat(5000) + "</at>",
      ];
      const started = Date.now();
      for (const text of inputs) {
        const result = parseChangeSentence(text);
        assert.ok(
          result === undefined || (typeof result.to === "string" && result.target.name.length <= 256),
          JSON.stringify(text.slice(0, 40)),
        );
      }
      assert.ok(Date.now() - started < 1000, `took ${Date.now() - started} ms`);
    });

    it("reads control characters as spaces and emoji names as names", () => {
      assert.deepEqual(
        parseChangeSentence("move \u0000\u0001\u0007 group \u001bSales from E1 to E3"),
        group("Sales", "E1", "E3"),
      );
      assert.deepEqual(parseChangeSentence("move group 🙂🙃 from E1 to E3"), group("🙂🙃", "E1", "E3"));
    });

    it("does not throw when given something that is not a string at run time", () => {
      for (const value of [undefined, null, 42, {}, []]) {
        assert.equal(parseChangeSentence(value as unknown as string), undefined); // card data is untyped at run time
      }
    });
  });
});

describe("migration request parser", () => {
  const to = (group: string, product?: string): ParsedMigration =>
    product === undefined ? { group } : { group, product };
  const understood: [string, ParsedMigration][] = [
    // The README's phrasings.
    ["migrate Sales to group licensing for E3", to("Sales", "E3")],
    ["move direct E3 users of Sales to group licensing", to("Sales", "E3")],
    ["migrate Operations to group-based licensing", to("Operations")],
    ["move Operations from direct to group licensing for Office 365 E3", to("Operations", "Office 365 E3")],
    // Other ways to say where from and what.
    ["migrate Sales from direct assignment to group licensing", to("Sales")],
    ["move Sales from direct E3 to group licensing", to("Sales", "E3")],
    ["move Sales from direct E3 licenses to group-based licensing", to("Sales", "E3")],
    ["switch Operations to group based licensing with Office 365 E3.", to("Operations", "Office 365 E3")],
    ["migrate Sales to group licensing for the E3 license", to("Sales", "E3")],
    ["move Sales onto group licensing", to("Sales")],
    ["convert Sales to group licencing for E3", to("Sales", "E3")],
    ["move users of Sales to group licensing", to("Sales")],
    ["move the direct users of group Sales to group licensing", to("Sales")],
    ["migrate Sales's direct E3 users to group licensing", to("Sales", "E3")],
    ["migrate Sales direct users to group licensing", to("Sales")],
    ["migrate Sales licenses to group licensing", to("Sales")],
    ["move direct E3 users of Sales to group licensing for E3", to("Sales", "E3")],
    // Names: keywords, quotes, odd characters, words of the grammar inside.
    ["migrate group Sales EMEA to group licensing", to("Sales EMEA")],
    ["migrate Sales EMEA group to group licensing for E3", to("Sales EMEA", "E3")],
    ["migrate the 'Sales EMEA' group to group licensing", to("Sales EMEA")],
    [
      "please migrate group 'O'Brien & Sons (EMEA), #1' to group licensing for E3, thanks!",
      to("O'Brien & Sons (EMEA), #1", "E3"),
    ],
    ["move direct E3 users of 'Sales EMEA' to group licensing", to("Sales EMEA", "E3")],
    ["migrate “Sales to group licensing” to group licensing", to("Sales to group licensing")],
    ["<at>License Desk</at> migrate Letters from Home to group licensing", to("Letters from Home")],
    ["migrate Tools for Sales to group licensing for E3", to("Tools for Sales", "E3")],
    // A group named like the parts of a request stays whole.
    ["migrate All Users to group licensing", to("All Users")],
    ["move Power users of Contoso to group licensing", to("Power users of Contoso")],
  ];
  for (const [text, expected] of understood) {
    it(`reads ${JSON.stringify(text)}`, () => assert.deepEqual(parseMigrationSentence(text), expected));
  }

  const notMigrations = [
    "migrate Sales from E1 to E3",
    "move group Sales from E1 to E3",
    "migrate to group licensing for Sales",
    "migrate Sales",
    "migrate Sales to group",
    "migrate user Bob to group licensing",
    "migrate Bob user to group licensing",
    "move direct E1 users of Sales to group licensing for E3", // two products: which one?
    "migrate 'Sales to group licensing",
    "what is group licensing?",
  ];
  for (const text of notMigrations) {
    it(`does not read ${JSON.stringify(text)} as a migration`, () =>
      assert.equal(parseMigrationSentence(text), undefined));
  }

  describe("with a pilot and a wave size", () => {
    const ops = (
      settings: Pick<ParsedMigration, "pilot" | "waveSize">,
      product: string | undefined = "E3",
    ): ParsedMigration => ({ ...to("Operations", product), ...settings });
    const users = (count: number) => ({ pilot: { count, percent: 0 } });
    const percent = (n: number) => ({ pilot: { count: 0, percent: n } });
    const ASK = "migrate Operations to group licensing for E3";
    const withSettings: [string, ParsedMigration][] = [
      // The README's phrasings.
      [`${ASK} with a pilot of 10`, ops(users(10))],
      [`${ASK} pilot 10 users`, ops(users(10))],
      [`${ASK} pilot 10%`, ops(percent(10))],
      [`${ASK} in waves of 50`, ops({ waveSize: 50 })],
      [`${ASK} waves of 50 users`, ops({ waveSize: 50 })],
      // Both, in either order, with the usual joiners.
      [`${ASK} with a pilot of 2 in waves of 4`, ops({ ...users(2), waveSize: 4 })],
      [`${ASK} in waves of 4 with a pilot of 2`, ops({ ...users(2), waveSize: 4 })],
      [`${ASK}, pilot 10 %, waves of 200`, ops({ ...percent(10), waveSize: 200 })],
      [`${ASK} with a pilot of 1 user and waves of 1 user`, ops({ ...users(1), waveSize: 1 })],
      [
        `${ASK} with a pilot of 15 percent and in waves of up to 1,000 users, please`,
        ops({ ...percent(15), waveSize: 1000 }),
      ],
      [`please ${ASK} with a pilot of 1,000 users.`, ops(users(1000))],
      [`${ASK} with a pilot of 100%`, ops(percent(100))],
      // Without a product, with a quoted name, with the movers named first.
      ["migrate Operations to group licensing with a pilot of 3", { ...to("Operations"), ...users(3) }],
      ["migrate 'Operations' to group licensing for E3 in waves of 25", ops({ waveSize: 25 })],
      ["move direct E3 users of Operations to group licensing, pilot 5%", ops(percent(5))],
      // Settings words inside a quoted name are the name's.
      ["migrate 'Pilot of 10' to group licensing for E3", to("Pilot of 10", "E3")],
    ];
    for (const [text, expected] of withSettings) {
      it(`reads ${JSON.stringify(text)}`, () => assert.deepEqual(parseMigrationSentence(text), expected));
    }

    const refused = [
      // Out of bounds: a pilot of 1 to 1,000 users or 1 to 100 %, waves of 1 to 1,000.
      `${ASK} with a pilot of 0`,
      `${ASK} with a pilot of 1001`,
      `${ASK} pilot 0%`,
      `${ASK} pilot 101%`,
      `${ASK} in waves of 0`,
      `${ASK} in waves of 1001`,
      `${ASK} in waves of 99999999999`,
      // Given twice: which one?
      `${ASK} with a pilot of 2 and a pilot of 3`,
      `${ASK} in waves of 2 in waves of 3`,
      // Malformed: not a number, or not where settings go.
      `${ASK} with a pilot of ten`,
      `${ASK} pilot 10.5`,
      `${ASK} with a pilot`,
      `${ASK} with waves of -5`,
      `migrate Operations with a pilot of 10 to group licensing for E3`,
      // A change request does not take migration settings.
      "move group Sales from E1 to E3 with a pilot of 2",
    ];
    for (const text of refused) {
      it(`does not read ${JSON.stringify(text)}`, () => assert.equal(parseMigrationSentence(text), undefined));
    }

    it("leaves them to this parser: the change parser reads none of them", () => {
      for (const [text] of withSettings) assert.equal(parseChangeSentence(text), undefined, text);
    });

    it("keeps the default (no settings) when the request gives none", () => {
      const plain = parseMigrationSentence(ASK);
      assert.deepEqual(plain, to("Operations", "E3"));
      assert.ok(plain && !("pilot" in plain) && !("waveSize" in plain));
    });
  });

  it("leaves every migration to this parser: the change parser reads none of them", () => {
    for (const [text] of understood) assert.equal(parseChangeSentence(text), undefined, text);
  });

  it("does not throw on long, odd or malformed text, and answers quickly", () => {
    const inputs = [
      "migrate " + "x ".repeat(490) + "to group",
      "migrate a from direct " + "x ".repeat(480) + "to group licensing",
      "migrate a" + " from direct".repeat(80) + " to group licensing",
      "migrate " + "users of ".repeat(100) + "Sales to group licensing",
      "migrate " + "a to group licensing ".repeat(45),
      "migrate '" + "a' to group licensing ".repeat(40),
      "migrate " + "'a".repeat(450),
      "migrate Sales's direct" + " x".repeat(300) + " users to group licensing",
      "move " + "direct E3 users of ".repeat(50) + "Sales to group licensing",
      `migrate group ${"Sales ".repeat(2000)}to group licensing`,
      "migrate Sales to group licensing" + " with a pilot of 1".repeat(50),
      "migrate Sales to group licensing for E3" + ", waves of 1".repeat(60),
      "migrate Sales to group licensing for " + "pilot 1 ".repeat(110) + "%",
    ];
    const started = Date.now();
    for (const text of inputs) {
      const result = parseMigrationSentence(text);
      assert.ok(result === undefined || result.group.length <= 256, JSON.stringify(text.slice(0, 40)));
    }
    assert.ok(Date.now() - started < 1000, `took ${Date.now() - started} ms`);
    for (const value of [undefined, null, 42, {}, []])
      assert.equal(parseMigrationSentence(value as unknown as string), undefined);
  });
});
