/**
 * The migration preview, end to end: "migrate Operations to group licensing for E3" → the real bot →
 * Graph over HTTP → the simulated demo tenant → the card a helpdesk engineer reads. The numbers are
 * read off the card as a person would read them and checked against the demo tenant itself
 * (tenants/demo.json, docs/tenant-snapshot.md). Nothing here writes to the tenant.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import type { User } from "../../src/simulator/snapshot";
import { BotHarness, countOverBlock, PEOPLE, personalChatOf } from "../support/botHarness";
import { cardOf, cardTexts, onlyCard, onlyText, record, type Card } from "../support/cardText";
import { DEMO, demo, demoGroup, demoSku } from "../support/demoTenant";
import { E3, PLAN } from "../support/productIds";

const YAMMER = PLAN.YAMMER_ENTERPRISE;
const SWAY = PLAN.SWAY;
const MEMBER_PAGES = "GET /groups/{id}/members/microsoft.graph.user";
const NOT_UNDERSTOOD = `That button's data was not understood, so I did nothing. Ask again in words, for example "move group Sales from E1 to E3".`;
const NO_ROLE =
  "You are not set up to request license changes. Ask your Teams administrator to add you to the License Desk requesters.";

const directE3 = (u: User) => u.licenseAssignmentStates.find((s) => s.skuId === E3 && s.assignedByGroup === null);
const line = (u: User) => `${u.displayName} (${u.userPrincipalName})`;

/** Operations as the demo tenant has it: who migrates, who stays outside, who is new. */
function operations() {
  const members = new Set(demoGroup("Operations").members);
  const inGroup = demo.users.filter((u) => members.has(u.id));
  const migrating = inGroup.filter((u) => directE3(u) !== undefined);
  return {
    migrating,
    /** Movers whose direct E3 disables only Yammer: Operations' E3 (Yammer and Sway off) would take Sway away. */
    mismatch: migrating.filter((u) => directE3(u)?.disabledPlans.length === 1),
    outside: demo.users.filter((u) => !members.has(u.id) && directE3(u) !== undefined),
    newMembers: inGroup.filter((u) => !u.licenseAssignmentStates.some((s) => s.skuId === E3)),
  };
}

/** The card's facts (the migration's counts), title → value. */
function facts(card: Card): Record<string, string> {
  const factSet = card.body.map(record).find((e) => e.type === "FactSet");
  assert.ok(factSet, "no counts on the card");
  return Object.fromEntries((factSet.facts as { title: string; value: string }[]).map((f) => [f.title, f.value]));
}

/** The texts between two headings of the card (the first up to the end when `until` is absent). */
function section(texts: readonly string[], from: string, until?: string): string[] {
  const start = texts.indexOf(from);
  assert.ok(start >= 0, `no "${from}" in ${texts.join(" | ")}`);
  const end = until === undefined ? texts.length : texts.indexOf(until, start);
  return texts.slice(start + 1, end < 0 ? texts.length : end);
}

/** The stages as shown: "1. Assign … (16 users)". */
function stages(card: Card): string[] {
  const texts = cardTexts(card);
  const rows = section(
    texts,
    "Stages, each approved before it runs",
    texts.find((t) => /^What to look at|^Nothing else to look at/.test(t)),
  );
  const lines: string[] = [];
  for (let i = 0; i < rows.length; i += 3) lines.push(`${rows[i]} ${rows[i + 1]} (${rows[i + 2]})`);
  return lines;
}

/** The findings, "LABEL title", with the names each shows. */
function findings(card: Card): { finding: string; users: string[] }[] {
  const found: { finding: string; users: string[] }[] = [];
  for (const element of card.body.map(record)) {
    if (element.type !== "ColumnSet") continue;
    const [label, rest] = (element.columns as { items: { text?: unknown }[] }[]).map((c) =>
      c.items.map((i) => String(i.text)),
    );
    if (!["BLOCKED", "WARNING", "INFO"].includes(label?.[0] ?? "")) continue;
    found.push({ finding: `${label[0]} ${rest[0]}`, users: rest[2] === undefined ? [] : rest[2].split("\n\n") });
  }
  return found;
}

/** The card's buttons: "type: title" with what each sends. */
function actions(card: Card): { button: string; data?: unknown; verb?: unknown }[] {
  return (card.actions ?? []).map(record).map((a) => ({
    button: `${String(a.type)}: ${String(a.title)}`,
    ...(a.data !== undefined ? { data: a.data } : {}),
    ...(a.verb !== undefined ? { verb: a.verb } : {}),
  }));
}

const refresh = (groupId: string, product: string) => ({
  command: "migration-preview",
  request: { group: { id: groupId }, product },
});

describe("migration previews on the demo tenant, through the bot", () => {
  let harness: BotHarness;
  before(async () => (harness = await BotHarness.start(DEMO)));
  after(async () => harness.close());
  const counters = () => harness.simulator.counters;
  const seen = countOverBlock(counters);

  describe("Operations to group licensing for E3", () => {
    const ops = demoGroup("Operations");
    const expected = operations();
    let card: Card;
    let texts: string[];
    let routes: Record<string, number>;

    before(async () => {
      counters().reset();
      card = onlyCard(await harness.say("migrate Operations to group licensing for E3"));
      texts = cardTexts(card);
      routes = { ...counters().byRoute };
    });

    it("the demo's documented numbers are the snapshot's: 13 movers (11 + 2), 8 outside, 3 new", () => {
      assert.equal(ops.members.length, 16);
      assert.equal(expected.migrating.length, 13);
      assert.equal(expected.mismatch.length, 2);
      assert.equal(expected.migrating.filter((u) => directE3(u)?.disabledPlans.length === 2).length, 11);
      assert.equal(expected.outside.length, 8);
      assert.equal(expected.newMembers.length, 3);
    });

    it("says what it does, its verdict and its counts", () => {
      assert.equal(texts[0], "Move direct Office 365 E3 users of Operations onto group licensing");
      assert.match(texts[1], /^16 members · checked \d{4}-\d\d-\d\d \d\d:\d\d UTC$/);
      assert.equal(texts[2], "Ready, with 2 warnings");
      assert.match(texts[3], /Nothing has changed yet\.$/);
      assert.deepEqual(facts(card), {
        "To migrate": "13",
        "Keep a direct license (outside the group)": "8",
        "New members who need a seat": "3",
        "Plan mismatch (direct license kept)": "2",
        Pilot: "5 users",
        Waves: "1 × up to 100 users",
      });
    });

    it("counts the seats: movers take none, the 3 new members take 3 of 95 free", () => {
      assert.deepEqual(section(texts, "After the migration").slice(0, 4), [
        "Office 365 E3",
        "29 / 124",
        "95",
        "92 (takes 3)",
      ]);
    });

    it("lists the stages in order: assign, verify, pilot of 5, then one wave of the other 6 eligible", () => {
      assert.deepEqual(stages(card), [
        "1. Assign Office 365 E3 to Operations with 2 plans disabled (16 users)",
        "2. Verify that 13 members hold Office 365 E3 both directly and from Operations (13 users)",
        "3. Pilot: remove the direct Office 365 E3 from 5 verified users (5 users)",
        "4. Wave 1 of 1: remove the direct Office 365 E3 from 6 verified users (6 users)",
      ]);
    });

    it("warns of the 8 outside the group and the 2 whose direct E3 enables Sway, naming them", () => {
      const found = findings(card);
      assert.deepEqual(
        found.map((f) => f.finding),
        [
          "WARNING 8 users hold Office 365 E3 directly without being members of Operations",
          "WARNING 2 of 13 movers hold a direct Office 365 E3 that enables plans Operations's would not",
          "INFO Operations will get Office 365 E3 with 2 plans disabled: Yammer Enterprise, Sway",
        ],
      );
      // Five names, then the count of the rest; each one of the 8.
      assert.equal(found[0].users.length, 6);
      assert.equal(found[0].users[5], "and 3 more");
      for (const u of found[0].users.slice(0, 5))
        assert.ok(expected.outside.map(line).includes(u), `${u} is not outside`);
      assert.deepEqual(
        found[1].users,
        expected.mismatch.map((u) => `${line(u)}: enables Sway, which Operations would disable`),
      );
    });

    it("shows the group assignment exactly as it will be sent, and the removal call, behind Details", () => {
      const details = section(texts, "The group assignment, exactly as it will be sent");
      assert.equal(
        details[0],
        `POST /groups/${ops.id}/assignLicense {"addLicenses":[{"skuId":"${E3}","disabledPlans":["${YAMMER}","${SWAY}"]}],"removeLicenses":[]}`,
      );
      assert.deepEqual(details.slice(1), [
        "Each removal, one call per user, nothing else added or removed",
        `POST /users/{id}/assignLicense {"addLicenses":[],"removeLicenses":["${E3}"]}`,
      ]);
      const container = card.body.map(record).find((e) => e.id === "details");
      assert.equal(container?.isVisible, false);
    });

    it("offers Details, Refresh and Request approval, each carrying the request resolved to ids", () => {
      const request = { group: { id: ops.id }, product: E3 };
      assert.deepEqual(actions(card), [
        { button: "Action.ToggleVisibility: Details" },
        { button: "Action.Submit: Refresh", data: refresh(ops.id, E3) },
        { button: "Action.Execute: Request approval", data: { request }, verb: "requestMigration" },
      ]);
    });

    it("reads the tenant in 7 requests: roles, products and subscriptions, the group by name, its members and nested groups, E3's holders", () => {
      assert.deepEqual(routes, {
        "POST /users/{id}/checkMemberGroups": 1,
        "GET /subscribedSkus": 1,
        "GET /directory/subscriptions": 1,
        "GET /groups": 1,
        [MEMBER_PAGES]: 1,
        "GET /groups/{id}/members/microsoft.graph.group": 1,
        "GET /users": 1,
      });
    });

    it("Refresh previews the same migration again, reading the group by its id", async () => {
      const again = onlyCard(await harness.say("", refresh(ops.id, E3)));
      assert.deepEqual(cardTexts(again).slice(0, 1), [texts[0]]);
      assert.deepEqual(facts(again), facts(card));
      assert.deepEqual(stages(again), stages(card));
      assert.equal(counters().byRoute["GET /groups/{id}"], 1);
      assert.equal(counters().byRoute["GET /groups"], undefined, "no search by name");
    });

    it("other phrasings ask for the same migration", async () => {
      for (const text of [
        "move direct E3 users of Operations to group licensing",
        "migrate the group Operations from direct E3 licenses to group-based licensing",
      ]) {
        const other = onlyCard(await harness.say(text));
        assert.equal(cardTexts(other)[0], texts[0], text);
        assert.deepEqual(facts(other), facts(card), text);
      }
    });
  });

  describe("the product left out", () => {
    it("is inferred when the members hold one product directly: Analytics Team's Workplace Analytics", async () => {
      const card = onlyCard(await harness.say("migrate Analytics Team to group licensing"));
      assert.equal(
        cardTexts(card)[0],
        "Move direct Microsoft Workplace Analytics users of Analytics Team onto group licensing",
      );
      assert.equal(facts(card)["To migrate"], "8");
      assert.deepEqual(
        actions(card)[1].data,
        refresh(demoGroup("Analytics Team").id, demoSku("WORKPLACE_ANALYTICS").skuId),
      );
    });

    it("is asked for when they hold several: Operations' E3 (13) before Audio Conferencing (4); a button previews that one", async () => {
      const ops = demoGroup("Operations").id;
      const card = onlyCard(await harness.say("migrate Operations to group licensing"));
      assert.deepEqual(cardTexts(card), [
        "Members of Operations hold 2 products directly. Which one should move onto group licensing?",
        "Most held first.",
      ]);
      assert.deepEqual(actions(card), [
        { button: "Action.Submit: Office 365 E3 (ENTERPRISEPACK)", data: refresh(ops, E3) },
        {
          button: "Action.Submit: Microsoft 365 Audio Conferencing (MCOMEETADV)",
          data: refresh(ops, demoSku("MCOMEETADV").skuId),
        },
      ]);
      const e3 = onlyCard(await harness.say("", refresh(ops, E3)));
      assert.equal(cardTexts(e3)[0], "Move direct Office 365 E3 users of Operations onto group licensing");
      assert.equal(facts(e3)["To migrate"], "13");
    });

    it("is refused, with the reason, when no member holds anything directly", async () => {
      assert.equal(
        onlyText(await harness.say("migrate Marketing to group licensing")),
        "No member of Marketing holds a product directly, so there is nothing to move onto group licensing. To give its members a product, assign it to the group instead.",
      );
    });
  });

  describe("a group with no direct holders of the product", () => {
    it("is blocked: nothing to migrate, and no Request approval button", async () => {
      const card = onlyCard(await harness.say("migrate Marketing to group licensing for E3"));
      const texts = cardTexts(card);
      assert.equal(texts[0], "Move direct Office 365 E3 users of Marketing onto group licensing");
      assert.equal(texts[2], "Blocked by 1 problem");
      assert.deepEqual(
        findings(card)
          .filter((f) => f.finding.startsWith("BLOCKED"))
          .map((f) => f.finding),
        ["BLOCKED 0 of 25 members of Marketing hold Office 365 E3 directly: there is nothing to migrate"],
      );
      assert.equal(facts(card)["To migrate"], "0");
      assert.deepEqual(
        actions(card).map((a) => a.button),
        ["Action.ToggleVisibility: Details", "Action.Submit: Refresh"],
      );
    });
  });

  describe("names", () => {
    it("a misspelt group suggests the closest, and its button previews that group's migration", async () => {
      const card = onlyCard(await harness.say("migrate Salse to group licensing for E3"));
      assert.deepEqual(cardTexts(card), ['I found no group named "Salse".', "Did you mean one of these?"]);
      const sales = demoGroup("Sales").id;
      const choice = actions(card);
      assert.deepEqual(choice, [
        {
          button: "Action.Submit: Group: Sales",
          data: { command: "migration-preview", request: { group: { id: sales }, product: "E3" } },
        },
      ]);
      assert.equal(
        cardTexts(onlyCard(await harness.say("", choice[0].data)))[0],
        "Move direct Office 365 E3 users of Sales onto group licensing",
      );
    });

    it("a prefix of several groups asks which one; only groups are looked for", async () => {
      const card = onlyCard(await harness.say("migrate Sal to group licensing for E3"));
      assert.deepEqual(cardTexts(card), ['2 groups match "Sal". Which one do you mean?', "Pick one."]);
      assert.deepEqual(
        actions(card).map((a) => a.button),
        ["Action.Submit: Group: Sales", "Action.Submit: Group: Sales EMEA"],
      );
      assert.equal(counters().byRoute["GET /users"], undefined, "no user search for a group");
    });

    it("a name like nothing in the tenant says no group was found", async () => {
      assert.equal(
        onlyText(await harness.say("migrate Xyzzyqq to group licensing for E3")),
        'I found no group named "Xyzzyqq". Check the name as it appears in Entra ID.',
      );
    });

    it("an unknown product is refused as in a change", async () => {
      assert.match(
        onlyText(await harness.say("migrate Operations to group licensing for E9")),
        /^I do not know a product called "E9"\. Did you mean /,
      );
    });
  });

  describe("who may ask, and buttons", () => {
    it("Megan, neither requester nor approver, is refused, by words or by button, and sees no member", async () => {
      const ops = demoGroup("Operations").id;
      assert.equal(
        onlyText(await harness.say("migrate Operations to group licensing for E3", undefined, { from: PEOPLE.megan })),
        NO_ROLE,
      );
      assert.equal(onlyText(await harness.say("", refresh(ops, E3), { from: PEOPLE.megan })), NO_ROLE);
      assert.equal(counters().byRoute[MEMBER_PAGES], undefined);
      assert.equal(counters().byRoute["GET /subscribedSkus"], undefined);
    });

    it("refuses forged or broken refresh data without reading or writing the tenant", async () => {
      const forged: unknown[] = [
        { command: "migration-preview", request: { group: { id: "not-a-guid" }, product: E3 } },
        { command: "migration-preview", request: { group: { id: "00000000-0000-0000-0000-000000000000' or 1 eq 1" } } },
        { command: "migration-preview", request: { group: { name: "" }, product: E3 } },
        { command: "migration-preview", request: { group: { id: demoGroup("Operations").id }, product: "" } },
        {
          command: "migration-preview",
          request: { group: { id: demoGroup("Operations").id }, product: "x".repeat(101) },
        },
        { command: "migration-preview", request: { target: { type: "group", id: randomUUID() }, to: E3 } },
        { command: "migration-preview", request: "migrate Operations to group licensing for E3" },
        { command: "migration-preview" },
      ];
      for (const data of forged)
        assert.equal(onlyText(await harness.say("", data)), NOT_UNDERSTOOD, JSON.stringify(data));
      assert.equal(counters().total, 0, JSON.stringify(counters().byRoute));
    });
  });

  // In a block of its own: mocha runs a block's own tests before its nested blocks.
  describe("afterwards", () => {
    it("wrote nothing to the tenant: every migration preview above only read", () => {
      assert.ok(seen.previews >= 10, `${seen.previews} previews`);
      assert.equal(seen.writes, 0);
    });
  });
});

/**
 * A pilot and a wave size set in the request (the pilot is "5 users or 5 %, whichever is larger,
 * configurable in the request"; waves of 100 unless set): shown on the card, carried by its
 * buttons, stored with the request and planned again with them when Patti approves. In a block of
 * its own, on a bot of its own: it writes to the tenant.
 */
describe("a migration with the pilot and wave size set in the request, through approval of stage 1", () => {
  const ASK = "migrate Operations to group licensing for E3 with a pilot of 2 in waves of 4";
  const ops = demoGroup("Operations");
  const settings = { pilot: { count: 2, percent: 0 }, waveSize: 4 };
  const request = { group: { id: ops.id }, product: E3, ...settings };
  let harness: BotHarness;
  let card: Card;
  before(async () => {
    harness = await BotHarness.start(DEMO);
    card = onlyCard(await harness.say(ASK));
  });
  after(async () => harness.close());

  it("shows a pilot of 2 and waves of up to 4: the 11 eligible are 2, then 4, 4 and 1", () => {
    assert.equal(operations().migrating.length - operations().mismatch.length, 11);
    assert.equal(cardTexts(card)[0], "Move direct Office 365 E3 users of Operations onto group licensing");
    assert.deepEqual(facts(card), {
      "To migrate": "13",
      "Keep a direct license (outside the group)": "8",
      "New members who need a seat": "3",
      "Plan mismatch (direct license kept)": "2",
      Pilot: "2 users",
      Waves: "3 × up to 4 users",
    });
    assert.deepEqual(stages(card), [
      "1. Assign Office 365 E3 to Operations with 2 plans disabled (16 users)",
      "2. Verify that 13 members hold Office 365 E3 both directly and from Operations (13 users)",
      "3. Pilot: remove the direct Office 365 E3 from 2 verified users (2 users)",
      "4. Wave 1 of 3: remove the direct Office 365 E3 from 4 verified users (4 users)",
      "5. Wave 2 of 3: remove the direct Office 365 E3 from 4 verified users (4 users)",
      "6. Wave 3 of 3: remove the direct Office 365 E3 from 1 verified user (1 user)",
    ]);
  });

  it("Refresh and Request approval carry the settings, and Refresh plans the same stages", async () => {
    assert.deepEqual(actions(card), [
      { button: "Action.ToggleVisibility: Details" },
      { button: "Action.Submit: Refresh", data: { command: "migration-preview", request } },
      { button: "Action.Execute: Request approval", data: { request }, verb: "requestMigration" },
    ]);
    const again = onlyCard(await harness.say("", { command: "migration-preview", request }));
    assert.deepEqual(facts(again), facts(card));
    assert.deepEqual(stages(again), stages(card));
  });

  it("refuses button data with settings out of bounds, without reading the tenant", async () => {
    harness.simulator.counters.reset();
    for (const bad of [
      { ...request, pilot: { count: 0, percent: 0 } },
      { ...request, pilot: { count: 1001, percent: 0 } },
      { ...request, pilot: { count: 2, percent: 101 } },
      { ...request, pilot: { count: 2.5, percent: 0 } },
      { ...request, pilot: { count: 2 } },
      { ...request, waveSize: 0 },
      { ...request, waveSize: 1001 },
      { ...request, waveSize: "4" },
    ]) {
      assert.equal(
        onlyText(await harness.say("", { command: "migration-preview", request: bad })),
        NOT_UNDERSTOOD,
        JSON.stringify(bad),
      );
    }
    assert.equal(harness.simulator.counters.total, 0);
  });

  it("Request approval stores the settings; Patti approves stage 1 and the pilot proposed removes exactly 2 direct E3", async function () {
    this.timeout(60_000);
    const requested = await harness.invoke("requestMigration", { request });
    assert.equal(requested.status, 200);
    const approve = requested.replies
      .filter((r) => (r.attachments ?? []).length > 0)
      .map((r) => (cardOf(r).actions ?? []).map(record).find((a) => a.verb === "approve"))
      .find((a) => a);
    assert.ok(approve, "no card with Approve was sent");
    const ref = approve.data as { requestId: number; version: number };
    const stored = harness.bot.approvals.get(ref.requestId);
    assert.equal(stored.preview.kind, "direct-to-group");
    assert.deepEqual("settings" in stored.preview ? stored.preview.settings : undefined, settings);

    const answer = await harness.invoke("approve", ref, {
      from: PEOPLE.patti,
      conversationId: personalChatOf(PEOPLE.adele),
    });
    assert.equal(answer.status, 200);
    assert.ok(
      answer.card && cardTexts(answer.card)[0] !== "Nothing was changed",
      `approve was refused: ${answer.card ? cardTexts(answer.card).join(" | ") : ""}`,
    );
    const deadline = Date.now() + 30_000;
    while (harness.bot.approvals.get(ref.requestId).stages.length < 2) {
      assert.ok(
        Date.now() < deadline,
        `stage 1 did not finish: ${JSON.stringify(harness.bot.approvals.get(ref.requestId).stages)}`,
      );
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const after = harness.bot.approvals.get(ref.requestId);
    // Re-planned with the stored settings at approval, the counts matched: stage 1 ran (the 2 plan
    // mismatches not verified, as planned), and the pilot is the request's 2 of the 11 verified.
    assert.equal(after.stages[0].status, "done-with-errors", JSON.stringify(after.stages[0]));
    const report = after.stages[0].report as { verified: string[]; notVerified: unknown[] };
    assert.deepEqual([report.verified.length, report.notVerified.length], [11, 2]);
    const pilot = after.stages[1];
    assert.equal(pilot.operations.length, 2);
    assert.match(pilot.title, /^Pilot: remove the direct Office 365 E3 of 2 verified users$/);
    assert.deepEqual(
      pilot.operations.map((o) => [o.path, o.body]),
      report.verified
        .slice(0, 2)
        .map((id) => [`/users/${id}/assignLicense`, { addLicenses: [], removeLicenses: [E3] }]),
    );
    assert.deepEqual("settings" in after.preview ? after.preview.settings : undefined, settings);
  });
});
