/**
 * The preview, end to end: a chat message → the real bot → Graph over HTTP → the simulated tenant →
 * the card a helpdesk engineer and an approver read. Numbers are read off the card as a person would
 * read them, and checked against the demo tenant (tenants/demo.json, docs/tenant-snapshot.md).
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DEMO_IDS } from "../../src/simulator/demoIds";
import { generateDemoTenant, generateLargeTenant } from "../../src/simulator/generator";
import type { TenantSnapshotInput } from "../../src/simulator/snapshot";
import { BotHarness, countOverBlock, PEOPLE } from "../support/botHarness";
import { cardOf, cardTexts, onlyCard, onlyText, record, seatRow, type Json } from "../support/cardText";
import { DEMO, demo, demoGroup, demoSku } from "../support/demoTenant";
import { E1, E3 } from "../support/productIds";
import { scratchDir } from "../support/scratch";

const M365_E3 = "05e9a617-0261-4cee-bb44-138d3ef5d965";

function demoSeats(skuPartNumber: string): { enabled: number; consumed: number } {
  const sku = demoSku(skuPartNumber);
  return { enabled: sku.prepaidUnits.enabled, consumed: sku.consumedUnits };
}

/** Members of a demo group who hold `skuId` from any source (they need no new seat of it). */
function demoMembersHolding(groupName: string, skuId: string): number {
  const members = new Set(demoGroup(groupName).members);
  return demo.users.filter((u) => members.has(u.id) && u.assignedLicenses.some((l) => l.skuId === skuId)).length;
}

// ---------------------------------------------------------------------------------------------
// Reading a card as a person would

function list(value: unknown): unknown[] {
  assert.ok(Array.isArray(value), `not an array: ${JSON.stringify(value)}`);
  return value;
}

interface Finding {
  label: string;
  title: string;
  detail: string;
  /** The names line by line, "and N more" last; [] when the finding names nobody. */
  users: string[];
}

const LABELS = new Set(["BLOCKED", "WARNING", "INFO"]);

/** The findings of a preview card ("What to look at"), in order. */
function findings(card: { body: unknown[] }): Finding[] {
  const found: Finding[] = [];
  for (const element of card.body.map(record)) {
    if (element.type !== "ColumnSet") continue;
    const columns = list(element.columns).map(record);
    const first = list(columns[0]?.items).map(record)[0];
    if (!first || typeof first.text !== "string" || !LABELS.has(first.text)) continue;
    const texts = list(columns[1]?.items)
      .map(record)
      .map((item) => String(item.text));
    found.push({
      label: first.text,
      title: texts[0] ?? "",
      detail: texts[1] ?? "",
      users: texts[2] === undefined ? [] : texts[2].split("\n\n"),
    });
  }
  return found;
}

/** The card's submit buttons, with what each sends. */
function buttons(card: { actions?: unknown[] }): { title: string; data: unknown }[] {
  return (card.actions ?? [])
    .map(record)
    .filter((a) => a.type === "Action.Submit")
    .map((a) => ({ title: String(a.title), data: a.data }));
}

/** The colour of the TextBlock that shows `text`. */
function colorOf(card: { body: unknown[] }, text: string): unknown {
  let color: unknown = "(no such text)";
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (typeof node === "object" && node !== null) {
      const element = node as Json;
      if (element.type === "TextBlock" && element.text === text) color = element.color;
      Object.values(element).forEach(walk);
    }
  };
  walk(card.body);
  return color;
}

function refreshData(type: "group" | "user", id: string, from: string, to: string): unknown {
  return { command: "preview", request: { target: { type, id }, from, to } };
}

function writeTenant(dir: string, name: string, snapshot: TenantSnapshotInput): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(snapshot));
  return path;
}

const MEMBER_PAGES = "GET /groups/{id}/members/microsoft.graph.user";

// ---------------------------------------------------------------------------------------------

describe("previews on the demo tenant, through the bot", () => {
  let harness: BotHarness;
  before(async () => (harness = await BotHarness.start(DEMO)));
  after(async () => harness.close());
  const counters = () => harness.simulator.counters;
  /** Writes and previews over every test of this block. */
  const seen = countOverBlock(counters);

  describe("the three verdicts, and a user", () => {
    it("the demo's documented numbers are the snapshot's", () => {
      // docs/tenant-snapshot.md: E3 29 used of 124, 95 free; E1 262 of 300, 38 free; the groups' sizes.
      assert.deepEqual(demoSeats("ENTERPRISEPACK"), { enabled: 124, consumed: 29 });
      assert.deepEqual(demoSeats("STANDARDPACK"), { enabled: 300, consumed: 262 });
      assert.equal(demoGroup("Marketing").members.length, 25);
      assert.equal(demoMembersHolding("Marketing", E3), 0);
      assert.equal(demoGroup("Sales").members.length, 60);
      assert.equal(demoMembersHolding("Sales", E3), 4);
      assert.equal(demoGroup("Customer Support").members.length, 120);
      assert.equal(demoMembersHolding("Customer Support", E3), 0);
    });

    it("Marketing E1 → E3 is ready: 25 new E3 seats of 95 free, 25 E1 seats freed", async () => {
      const card = onlyCard(await harness.say("move group Marketing from E1 to E3"));
      const texts = cardTexts(card);
      assert.equal(texts[0], "Move group Marketing from Office 365 E1 to Office 365 E3");
      assert.match(texts[1], /^25 members · checked \d{4}-\d\d-\d\d \d\d:\d\d UTC$/);
      assert.equal(texts[2], "Ready: every check passed");
      assert.equal(texts[3], "Nothing has changed yet.");
      assert.deepEqual(seatRow(texts, "Office 365 E3"), ["Office 365 E3", "29 / 124", "95", "70 (takes 25)"]);
      assert.deepEqual(seatRow(texts, "Office 365 E1"), ["Office 365 E1", "262 / 300", "38", "63 (frees 25)"]);
      // Ready: the only finding is worth knowing, the 2 agency guests who get E3 too.
      assert.deepEqual(findings(card), [
        {
          label: "INFO",
          title: "2 of 25 members of Marketing are guests",
          detail:
            "Guests (external users invited into the tenant) get Office 365 E3 from Marketing like everyone else, each on one of your seats. Check that they should, or take them out of the group.",
          users: ["Maria Thomas (maria.thomas@contoso.com)", "Ethan Nguyen (ethan.nguyen@contoso.com)"],
        },
      ]);
      assert.ok(texts.includes("What to look at (1)"));
      // The operation, exactly as it will be sent, behind Details.
      const marketing = demoGroup("Marketing").id;
      assert.ok(
        texts.includes(
          `POST /groups/${marketing}/assignLicense {"addLicenses":[{"skuId":"${E3}","disabledPlans":[]}],"removeLicenses":["${E1}"]}`,
        ),
        texts.join(" | "),
      );
      const actions = (card.actions ?? []).map(record).map((a) => `${String(a.type)}: ${String(a.title)}`);
      assert.ok(actions.includes("Action.ToggleVisibility: Details"), actions.join(", "));
      assert.deepEqual(buttons(card)[0], { title: "Refresh", data: refreshData("group", marketing, E1, E3) });
      // Adele's roles, read from the tenant (the demo's helpdesk group); then, found by its exact
      // name: subscribedSkus and the subscriptions, the group, one page of 25 members, one of nested groups.
      assert.deepEqual(counters().byRoute, {
        "POST /users/{id}/checkMemberGroups": 1,
        "GET /subscribedSkus": 1,
        "GET /directory/subscriptions": 1,
        "GET /groups": 1,
        [MEMBER_PAGES]: 1,
        "GET /groups/{id}/members/microsoft.graph.group": 1,
      });
    });

    it("Refresh previews the same change again, reading the group by its id", async () => {
      const marketing = demoGroup("Marketing").id;
      const card = onlyCard(await harness.say("", refreshData("group", marketing, E1, E3)));
      const texts = cardTexts(card);
      assert.equal(texts[0], "Move group Marketing from Office 365 E1 to Office 365 E3");
      assert.equal(texts[2], "Ready: every check passed");
      assert.deepEqual(seatRow(texts, "Office 365 E3"), ["Office 365 E3", "29 / 124", "95", "70 (takes 25)"]);
      assert.equal(counters().byRoute["GET /groups/{id}"], 1);
      assert.equal(counters().byRoute["GET /groups"], undefined, "no search by name");
    });

    it("Sales E1 → E3 has warnings: 6 keep E1 from another source, 6 conflict, 4 already in error", async () => {
      const card = onlyCard(await harness.say("move group Sales from E1 to E3"));
      const texts = cardTexts(card);
      assert.equal(texts[0], "Move group Sales from Office 365 E1 to Office 365 E3");
      assert.match(texts[1], /^60 members · /);
      assert.equal(texts[2], "Ready, with 3 warnings");
      // 60 members, 4 of whom hold E3 already: 56 new seats. E1: 60 − 4 (in error, no seat) − 6 (keep it directly) = 50 freed.
      assert.deepEqual(seatRow(texts, "Office 365 E3"), ["Office 365 E3", "29 / 124", "95", "45 (takes 50)"]);
      assert.deepEqual(seatRow(texts, "Office 365 E1"), ["Office 365 E1", "262 / 300", "38", "88 (frees 50)"]);

      const found = findings(card);
      assert.deepEqual(
        found.map((f) => [f.label, f.title]),
        [
          ["WARNING", "6 of 60 members hold Office 365 E1 from another source"],
          ["WARNING", "6 of 60 members keep a license that conflicts with Office 365 E3"],
          ["WARNING", "4 of 60 members are in a license error on Sales"],
          ["INFO", "3 of 60 members have no usage location"],
        ],
      );
      assert.ok(texts.includes("What to look at (4)"));

      const sales = new Set(demoGroup("Sales").members);
      const members = demo.users.filter((u) => sales.has(u.id));
      const line = (u: { displayName: string; userPrincipalName: string }) =>
        `${u.displayName} (${u.userPrincipalName})`;
      const directE1 = members
        .filter((u) => u.licenseAssignmentStates.some((s) => s.skuId === E1 && s.assignedByGroup === null))
        .map(line);
      const inError = members
        .filter((u) =>
          u.licenseAssignmentStates.some((s) => s.assignedByGroup !== null && s.error === "MutuallyExclusiveViolation"),
        )
        .map(line);
      const noLocation = members.filter((u) => u.usageLocation === null).map(line);
      assert.equal(directE1.length, 6);
      // Five names, then the count of the rest.
      for (const f of found.slice(0, 2)) {
        assert.equal(f.users.length, 6, JSON.stringify(f.users));
        assert.equal(f.users[5], "and 1 more");
        for (const u of f.users.slice(0, 5))
          assert.ok(
            directE1.some((name) => u.startsWith(name)),
            `${u} holds no direct E1`,
          );
      }
      assert.match(found[1].detail, /SharePoint \(Plan 2\) with SharePoint \(Plan 1\)/);
      assert.deepEqual(
        found[2].users,
        inError.map((u) => `${u}: MutuallyExclusiveViolation on Office 365 E1`),
      );
      assert.deepEqual(found[3].users, noLocation);
    });

    it("Customer Support E1 → E3 is blocked on seats: 25 short of the 120 it needs, in red, with what to do", async () => {
      const card = onlyCard(await harness.say("upgrade Customer Support to E3"));
      const texts = cardTexts(card);
      assert.equal(texts[0], "Move group Customer Support from Office 365 E1 to Office 365 E3");
      assert.equal(texts[2], "Blocked by 1 problem");
      assert.match(texts[3], /Fix what is marked BLOCKED, then press Refresh\. Nothing has changed\./);
      assert.deepEqual(seatRow(texts, "Office 365 E3"), ["Office 365 E3", "29 / 124", "95", "short by 25 (needs 120)"]);
      assert.deepEqual(seatRow(texts, "Office 365 E1"), ["Office 365 E1", "262 / 300", "38", "158 (frees 120)"]);
      assert.equal(colorOf(card, "short by 25 (needs 120)"), "Attention");
      const found = findings(card);
      assert.deepEqual(
        found.map((f) => [f.label, f.title]),
        [["BLOCKED", "Office 365 E3: 120 seats needed, 95 available, 25 short"]],
      );
      assert.match(found[0].detail, /Buy at least 25 more Office 365 E3 licenses or free 25 seats/);
      // The source was not named: it is the one product the group holds.
      assert.deepEqual(buttons(card)[0].data, refreshData("group", demoGroup("Customer Support").id, E1, E3));
    });

    it("a user by user principal name: Megan Bowen E1 → E3 is ready, one seat", async () => {
      const card = onlyCard(await harness.say("move user megan@contoso.com from E1 to E3"));
      const texts = cardTexts(card);
      assert.equal(texts[0], "Move user Megan Bowen from Office 365 E1 to Office 365 E3");
      assert.match(texts[1], /^megan@contoso\.com · checked /);
      assert.equal(texts[2], "Ready: every check passed");
      assert.deepEqual(seatRow(texts, "Office 365 E3"), ["Office 365 E3", "29 / 124", "95", "94 (takes 1)"]);
      assert.deepEqual(seatRow(texts, "Office 365 E1"), ["Office 365 E1", "262 / 300", "38", "39 (frees 1)"]);
      assert.ok(
        texts.includes(
          `POST /users/${DEMO_IDS.megan}/assignLicense {"addLicenses":[{"skuId":"${E3}","disabledPlans":[]}],"removeLicenses":["${E1}"]}`,
        ),
        texts.join(" | "),
      );
      assert.deepEqual(buttons(card)[0].data, refreshData("user", DEMO_IDS.megan, E1, E3));
    });

    it("a user by display name, without the word user, is the same user", async () => {
      const card = onlyCard(await harness.say("move Megan Bowen from E1 to E3"));
      const texts = cardTexts(card);
      assert.equal(texts[0], "Move user Megan Bowen from Office 365 E1 to Office 365 E3");
      assert.equal(texts[2], "Ready: every check passed");
      assert.deepEqual(buttons(card)[0].data, refreshData("user", DEMO_IDS.megan, E1, E3));
    });
  });

  describe("names", () => {
    it("finds a group whose name has a quote, &, parentheses, a comma and # by one exact-name query", async () => {
      const card = onlyCard(await harness.say("move group 'O'Brien & Sons (EMEA), #1' from E1 to E3"));
      const texts = cardTexts(card);
      assert.equal(texts[0], "Move group O'Brien & Sons (EMEA), #1 from Office 365 E1 to Office 365 E3");
      assert.match(texts[1], /^4 members · /);
      assert.equal(texts[2], "Ready: every check passed");
      assert.deepEqual(seatRow(texts, "Office 365 E3"), ["Office 365 E3", "29 / 124", "95", "91 (takes 4)"]);
      assert.deepEqual(buttons(card)[0].data, refreshData("group", demoGroup("O'Brien & Sons (EMEA), #1").id, E1, E3));
      // The first query (displayName eq '…') found it: no fallback to a prefix search.
      assert.equal(counters().byRoute["GET /groups"], 1);
    });

    it("a name cannot change the query: OData written into a name is searched for as a name", async () => {
      // Unescaped, these would match Sales and Marketing (or every group starting with M).
      for (const name of ["Sales' or displayName eq 'Marketing", "Sales'' or startswith(displayName,''M"]) {
        const text = onlyText(await harness.say(`move group ${name} from E1 to E3`));
        assert.equal(text, `I found no group named "${name}". Check the name as it appears in Entra ID.`);
      }
    });

    it("an exact name wins over longer names that start with it: Sales is not confused with Sales EMEA", async () => {
      const card = onlyCard(await harness.say("move group Sales to E3"));
      assert.equal(cardTexts(card)[0], "Move group Sales from Office 365 E1 to Office 365 E3");
    });

    it("a prefix of several groups asks which one, one button each; a button previews that group", async () => {
      const card = onlyCard(await harness.say("move group Sal to E3"));
      assert.deepEqual(cardTexts(card), ['2 groups match "Sal". Which one do you mean?', "Pick one."]);
      const choice = buttons(card);
      assert.deepEqual(choice, [
        {
          title: "Group: Sales",
          data: { command: "preview", request: { target: { type: "group", id: demoGroup("Sales").id }, to: "E3" } },
        },
        {
          title: "Group: Sales EMEA",
          data: {
            command: "preview",
            request: { target: { type: "group", id: demoGroup("Sales EMEA").id }, to: "E3" },
          },
        },
      ]);

      const sales = cardTexts(onlyCard(await harness.say("", choice[0].data)));
      assert.equal(sales[0], "Move group Sales from Office 365 E1 to Office 365 E3");
      assert.equal(sales[2], "Ready, with 3 warnings");
      // Sales EMEA holds nothing: with no source named, there is nothing to move from.
      assert.equal(
        onlyText(await harness.say("", choice[1].data)),
        'The group Sales EMEA holds no product, so there is nothing to move from. Say which product to move from, e.g. "move group Sales EMEA from E1 to E3".',
      );
    });

    it("a misspelt name suggests the closest: Salse → a button for Sales", async () => {
      const card = onlyCard(await harness.say("move group Salse from E1 to E3"));
      assert.deepEqual(cardTexts(card), ['I found no group named "Salse".', "Did you mean one of these?"]);
      const choice = buttons(card);
      assert.deepEqual(choice, [
        {
          title: "Group: Sales",
          data: {
            command: "preview",
            request: { target: { type: "group", id: demoGroup("Sales").id }, from: "E1", to: "E3" },
          },
        },
      ]);
      assert.equal(
        cardTexts(onlyCard(await harness.say("", choice[0].data)))[0],
        "Move group Sales from Office 365 E1 to Office 365 E3",
      );
    });

    it("a name like nothing in the tenant says no group or user was found", async () => {
      assert.equal(
        onlyText(await harness.say("move Xyzzyqq from E1 to E3")),
        'I found no group or user named "Xyzzyqq". Check the name as it appears in Entra ID.',
      );
    });

    it("an unknown product names the phrase and suggests the closest products", async () => {
      const text = onlyText(await harness.say("move group Sales from E1 to E9"));
      assert.equal(
        text,
        'I do not know a product called "E9". Did you mean Office 365 E1 (STANDARDPACK), Office 365 E3 (ENTERPRISEPACK) or Office 365 E5 (ENTERPRISEPREMIUM)? Say **seats** to see the products this tenant owns.',
      );
    });

    it("a product the tenant does not own says so", async () => {
      assert.ok(!demo.subscribedSkus.some((s) => s.skuPartNumber === "O365_BUSINESS_ESSENTIALS"));
      assert.equal(
        onlyText(await harness.say("move group Sales from E1 to Business Basic")),
        "This tenant does not own Microsoft 365 Business Basic (O365_BUSINESS_ESSENTIALS). Say **seats** to see the products it owns.",
      );
    });

    it("a product name that fits two owned products asks which: E5 is Office 365 E5 or Microsoft 365 E5", async () => {
      const card = onlyCard(await harness.say("move group Sales from E1 to E5"));
      assert.deepEqual(cardTexts(card), [
        'Which product do you mean by "E5"?',
        "This tenant owns more than one product by that name.",
      ]);
      assert.deepEqual(
        buttons(card).map((b) => b.title),
        ["Office 365 E5 (ENTERPRISEPREMIUM)", "Microsoft 365 E5 (SPE_E5)"],
      );
    });

    it("the Microsoft 365 group Project Phoenix holds no product, and cannot hold one", async () => {
      assert.equal(
        onlyText(await harness.say("upgrade Project Phoenix to E3")),
        'The group Project Phoenix holds no product, so there is nothing to move from. Say which product to move from, e.g. "move group Project Phoenix from E1 to E3".',
      );
      const card = onlyCard(await harness.say("move group Project Phoenix from E1 to E3"));
      const texts = cardTexts(card);
      assert.equal(texts[2], "Blocked by 2 problems");
      assert.deepEqual(
        findings(card)
          .filter((f) => f.label === "BLOCKED")
          .map((f) => f.title),
        [
          "Project Phoenix does not hold Office 365 E1",
          "Project Phoenix cannot hold licenses: it is a Microsoft 365 group without security enabled",
        ],
      );
      // Nothing would move: no seat taken or freed.
      assert.deepEqual(seatRow(texts, "Office 365 E3"), ["Office 365 E3", "29 / 124", "95", "95 (unchanged)"]);
      assert.deepEqual(seatRow(texts, "Office 365 E1"), ["Office 365 E1", "262 / 300", "38", "38 (unchanged)"]);
    });
  });

  describe("card buttons", () => {
    it("refuses forged or broken button data without reading or writing the tenant", async () => {
      const forged: unknown[] = [
        { command: "preview", request: { target: { type: "group", id: "not-a-guid" }, to: "E3" } },
        {
          command: "preview",
          request: { target: { type: "group", id: "00000000-0000-0000-0000-000000000000' or 1 eq 1" }, to: "E3" },
        },
        { command: "preview", request: { target: { type: "tenant", id: randomUUID() }, to: "E3" } },
        { command: "preview", request: { target: { type: "group", id: demoGroup("Sales").id }, to: "" } },
        { command: "preview", request: "move group Sales from E1 to E3" },
        { command: "preview" },
      ];
      for (const data of forged) {
        const text = onlyText(await harness.say("", data));
        assert.equal(
          text,
          `That button's data was not understood, so I did nothing. Ask again in words, for example "move group Sales from E1 to E3".`,
          JSON.stringify(data),
        );
      }
      assert.equal(counters().total, 0, JSON.stringify(counters().byRoute));
      assert.equal(counters().writes, 0);
    });

    it("a well-formed button for a group that does not exist gets a clear answer, and the bot stays up", async () => {
      const id = randomUUID();
      const text = onlyText(
        await harness.say("", { command: "preview", request: { target: { type: "group", id }, to: "E3" } }),
      );
      assert.match(
        text,
        new RegExp(
          `^Microsoft Graph would not let me read the group ${id}( \\(Graph request-id [^)]+\\))?: Resource '${id}' does not exist`,
        ),
      );
      assert.equal(counters().byRoute["GET /groups/{id}"], 1);
      assert.equal(counters().writes, 0);
      assert.equal(cardTexts(onlyCard(await harness.say("seats")))[0], "Licenses");
    });
  });

  describe("bad input", () => {
    const seatsStillWork = async () => assert.equal(cardTexts(onlyCard(await harness.say("seats")))[0], "Licenses");

    it("empty text gets the help card", async () => {
      const texts = cardTexts(onlyCard(await harness.say("")));
      assert.equal(texts[0], "License Desk");
      assert.ok(texts.includes("move group Sales from E1 to E3"));
      await seatsStillWork();
    });

    it("10 KB of text gets one short answer", async () => {
      const text = `move group ${"Sales ".repeat(1700)}from E1 to E3`;
      assert.ok(text.length > 10_000);
      const answer = onlyText(await harness.say(text));
      assert.match(answer, /^I did not understand that\. Try for example:/);
      assert.ok(answer.length < 500, `${answer.length} characters`);
      await seatsStillWork();
    });

    it("control characters, emoji and template syntax get one answer each, as text, never a failure", async () => {
      assert.equal(
        onlyText(await harness.say("move group ${x} from E1 to E3")),
        'I found no group named "${x}". Check the name as it appears in Entra ID.',
      );
      for (const input of [
        "move group \u0000Sa\u0007les\u001b[31m from E1 to E3",
        "move group 🚀🔥 from E1 to E3 🙏",
        "${1+1} $when {{x}} \u202e\u200b",
        "\u0000\u0001\u0002",
      ]) {
        const answer = await harness.say(input);
        assert.equal(answer.status, 200);
        assert.equal(answer.replies.length, 1, `${JSON.stringify(input)}: ${JSON.stringify(answer.replies)}`);
        assert.doesNotMatch(answer.replies[0].text ?? "", /Something went wrong/);
      }
      await seatsStillWork();
    });
  });

  // In a block of its own: mocha runs a block's own tests before its nested blocks.
  describe("afterwards", () => {
    it("wrote nothing to the tenant: every preview above only read", () => {
      assert.ok(seen.previews >= 20, `${seen.previews} previews`);
      assert.equal(seen.writes, 0);
    });
  });
});

// ---------------------------------------------------------------------------------------------

describe("previews of large groups: the request budget and the progress card", () => {
  let dir: string;
  let harness: BotHarness;
  /** Groups without licenses, of sizes around the page size (999) and the progress threshold (2000). */
  const BOUNDARY = [999, 1000, 1999];
  const large = generateLargeTenant({ users: 2500 });

  before(async () => {
    dir = scratchDir("large");
    const snapshot: TenantSnapshotInput = {
      ...large,
      groups: [
        ...large.groups,
        ...BOUNDARY.map((n) => ({
          id: randomUUID(),
          displayName: `Boundary ${n}`,
          mailEnabled: false,
          securityEnabled: true,
          groupTypes: [],
          assignedLicenses: [],
          members: large.users.slice(0, n).map((u) => u.id),
        })),
      ],
    };
    // The large tenant has none of the demo's role groups: roles by the static lists, so no Graph call checks them.
    harness = await BotHarness.start(writeTenant(dir, "large.json", snapshot), 0, {
      env: { REQUESTER_USER_IDS: PEOPLE.adele.aadObjectId, APPROVER_USER_IDS: PEOPLE.patti.aadObjectId },
    });
  });
  after(async () => {
    await harness?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const counters = () => harness.simulator.counters;
  beforeEach(() => counters().reset());

  const sizes: readonly [string, number][] = [
    ["Pilot Ring", 25],
    ["Sales", 250],
    ...BOUNDARY.map((n): [string, number] => [`Boundary ${n}`, n]),
    ["All Employees", 2500],
  ];
  for (const [name, n] of sizes) {
    it(`${name} (${n.toLocaleString("en-US")} members): ceil(N/999) member pages, at most ceil(N/999) + 4 requests, no writes`, async () => {
      const answer = await harness.say(`move group ${name} from E1 to E3`);
      assert.equal(answer.status, 200);
      const pages = Math.ceil(n / 999);
      assert.equal(counters().byRoute[MEMBER_PAGES], pages, JSON.stringify(counters().byRoute));
      assert.ok(counters().total <= pages + 4, `${counters().total} requests: ${JSON.stringify(counters().byRoute)}`);
      assert.equal(counters().writes, 0);
      // The preview (in place of the progress card for a large group) counts every member.
      const preview =
        answer.updates.length > 0
          ? cardOf(answer.updates[answer.updates.length - 1].activity)
          : cardOf(answer.replies[answer.replies.length - 1]);
      const texts = cardTexts(preview);
      assert.equal(texts[0], `Move group ${name} from Office 365 E1 to Office 365 E3`);
      assert.match(texts[1], new RegExp(`^${n.toLocaleString("en-US")} members · `));
      if (n < 2000) {
        assert.equal(answer.replies.length, 1, "no progress card under 2,000 members");
        assert.equal(answer.updates.length, 0);
      }
    });
  }

  it("All Employees: the E3 seats it needs are counted exactly (2,250 needed: the 250 who keep a conflicting E1 get none; 500 free)", async () => {
    const e3 = large.subscribedSkus.find((s) => s.skuId === E3);
    assert.ok(e3);
    const free = e3.prepaidUnits.enabled - e3.consumedUnits;
    assert.equal(free, 500);
    const answer = await harness.say("move group All Employees from E1 to E3");
    const texts = cardTexts(cardOf(answer.updates[0]?.activity));
    assert.equal(texts[2], "Blocked by 1 problem");
    assert.deepEqual(seatRow(texts, "Office 365 E3"), [
      "Office 365 E3",
      `0 / ${e3.prepaidUnits.enabled}`,
      "500",
      "short by 1750 (needs 2250)",
    ]);
  });

  it("a group of 2,000 members or more gets a progress card at once, then the preview in its place", async () => {
    const answer = await harness.say("move group All Employees from E1 to E3");
    assert.equal(answer.replies.length, 1, JSON.stringify(answer.replies.map((r) => r.attachments?.[0]?.content)));
    assert.deepEqual(cardTexts(cardOf(answer.replies[0])), [
      "Checking 2,500 members of All Employees…",
      "This takes a few seconds for a large group. This card will show the result.",
    ]);
    assert.equal(answer.updates.length, 1);
    assert.equal(answer.updates[0].replaces, answer.replies[0].sentId);
    assert.equal(
      cardTexts(cardOf(answer.updates[0].activity))[0],
      "Move group All Employees from Office 365 E1 to Office 365 E3",
    );
  });

  it("replaces the progress card even when the channel is slower to take it than the members are to read", async () => {
    harness.connectorDelayMs = 500;
    try {
      const answer = await harness.say("move group All Employees from E1 to E3");
      assert.equal(
        answer.replies.length,
        1,
        `the preview came as a second message: ${JSON.stringify(answer.replies.map((r) => cardTexts(cardOf(r))[0]))}`,
      );
      assert.equal(cardTexts(cardOf(answer.replies[0]))[0], "Checking 2,500 members of All Employees…");
      assert.equal(answer.updates.length, 1);
      assert.equal(answer.updates[0].replaces, answer.replies[0].sentId);
      assert.equal(
        cardTexts(cardOf(answer.updates[0].activity))[0],
        "Move group All Employees from Office 365 E1 to Office 365 E3",
      );
    } finally {
      harness.connectorDelayMs = 0;
    }
  });
});

// ---------------------------------------------------------------------------------------------

describe("a message's turn with Graph 2 s away (docs/teams-limits.md)", function () {
  this.timeout(60_000);
  let harness: BotHarness | undefined;
  after(async () => harness?.close());

  it("ends once the typing indicator is sent; the preview, which takes several Graph calls, follows it in the chat", async () => {
    harness = await BotHarness.start(DEMO, 0, { env: { SIMULATOR_LATENCY_MS: "2000" } });
    harness.simulator.counters.reset();
    const started = Date.now();
    const answer = await harness.say("move group Marketing from E1 to E3");
    const answeredMs = Date.now() - started;
    const turn = harness.turns.at(-1);
    assert.equal(turn?.kind, "message");
    assert.ok((turn?.ms ?? Infinity) < 1000, `the turn took ${turn?.ms} ms`);
    // At least three calls in a row, 2 s each: the answer came long after the turn.
    assert.ok(harness.simulator.counters.total >= 3, JSON.stringify(harness.simulator.counters.byRoute));
    assert.ok(answeredMs >= 6000, `answered after ${answeredMs} ms`);
    assert.equal(cardTexts(onlyCard(answer))[2], "Ready: every check passed");
  });
});

describe("a tenant that owns both Office 365 E3 and Microsoft 365 E3", () => {
  let dir: string;
  let harness: BotHarness;

  before(async () => {
    dir = scratchDir("two-e3");
    const tenant = generateDemoTenant();
    const o365e3 = tenant.subscribedSkus.find((s) => s.skuId === E3);
    assert.ok(o365e3);
    // Nobody holds it, so the snapshot stays consistent: 0 consumed of 10.
    const m365e3 = {
      ...o365e3,
      id: `${tenant.organization.id}_${M365_E3}`,
      skuId: M365_E3,
      skuPartNumber: "SPE_E3",
      consumedUnits: 0,
      prepaidUnits: { enabled: 10, suspended: 0, warning: 0, lockedOut: 0 },
    };
    harness = await BotHarness.start(
      writeTenant(dir, "two-e3.json", { ...tenant, subscribedSkus: [...tenant.subscribedSkus, m365e3] }),
    );
  });
  after(async () => {
    await harness?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('asks which product "E3" means, and each button previews that product', async () => {
    const card = onlyCard(await harness.say("move group Marketing from E1 to E3"));
    assert.deepEqual(cardTexts(card), [
      'Which product do you mean by "E3"?',
      "This tenant owns more than one product by that name.",
    ]);
    const choice = buttons(card);
    const request = (to: string) => ({
      command: "preview",
      request: { target: { hint: "group", name: "Marketing" }, from: "E1", to },
    });
    assert.deepEqual(choice, [
      { title: "Office 365 E3 (ENTERPRISEPACK)", data: request(E3) },
      { title: "Microsoft 365 E3 (SPE_E3)", data: request(M365_E3) },
    ]);

    const office = cardTexts(onlyCard(await harness.say("", choice[0].data)));
    assert.equal(office[0], "Move group Marketing from Office 365 E1 to Office 365 E3");
    assert.deepEqual(seatRow(office, "Office 365 E3"), ["Office 365 E3", "29 / 124", "95", "70 (takes 25)"]);

    const microsoft = cardTexts(onlyCard(await harness.say("", choice[1].data)));
    assert.equal(microsoft[0], "Move group Marketing from Office 365 E1 to Microsoft 365 E3");
    assert.equal(microsoft[2], "Blocked by 1 problem");
    assert.deepEqual(seatRow(microsoft, "Microsoft 365 E3"), [
      "Microsoft 365 E3",
      "0 / 10",
      "10",
      "short by 15 (needs 25)",
    ]);
  });

  it('"M365 E3" names one of them without asking', async () => {
    const texts = cardTexts(onlyCard(await harness.say("move group Marketing from E1 to M365 E3")));
    assert.equal(texts[0], "Move group Marketing from Office 365 E1 to Microsoft 365 E3");
  });
});
