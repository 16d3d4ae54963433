/**
 * Approval and apply, end to end: a helpdesk engineer previews a change and asks for
 * approval, an approver clicks Approve on the Adaptive Card (Universal Actions: adaptiveCard/action
 * invokes), the bot applies exactly the previewed operation to the simulated tenant in one Graph
 * call, follows Entra's processing and reports. Everything is read as the people involved would
 * read it: the cards in the chat, the messages to the requester, and the tenant's own state and
 * write counters. Numbers come from the demo tenant (tenants/demo.json, docs/tenant-snapshot.md).
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { OutcomeReport } from "../../src/licensing/outcome";
import type { CheckId, CheckResult, Preview } from "../../src/licensing/preview";
import { DEMO_IDS } from "../../src/simulator/demoIds";
import { DEFAULT_INDEX_LAG_MS } from "../../src/simulator/readLag";
import {
  BotHarness,
  DEMO_TENANT_ID,
  PEOPLE,
  type BotAnswer,
  type HarnessOptions,
  type InvokeAnswer,
  type ReceivedActivity,
  type TeamsUser,
} from "../support/botHarness";
import { cardOf, cardTexts, executeData, onlyCard, onlyText, record, seatRow, type Card } from "../support/cardText";
import { DEMO, demo, demoGroup } from "../support/demoTenant";
import { E1, E3, PLAN } from "../support/productIds";
import { scratchDir } from "../support/scratch";

/** Adele's personal chat with the bot (the harness's default conversation for her). */
const ADELE_CHAT = `personal-chat-${PEOPLE.adele.id}`;
/** A helpdesk group chat where Adele asks and the approvers read the bot's cards. */
const HELPDESK_CHAT = "helpdesk-group-chat";
/** A Teams channel an approver names as the approvals channel. */
const APPROVALS_CHANNEL = "19:approvals@thread.tacv2";
const OTHER_TENANT = "9d1c3b7e-0000-4a1b-8c2d-3e4f5a6b7c8d";

const NOTHING_CHANGED = "Nothing was changed";

/** A demo user who holds no license, can be given one directly, and is in none of the groups the tests change. */
function unlicensedUser(): { id: string; userPrincipalName: string } {
  const changed = new Set(["Sales", "Marketing"].flatMap((name) => demoGroup(name).members));
  const user = demo.users.find(
    (u) => u.assignedLicenses.length === 0 && u.usageLocation !== null && !changed.has(u.id),
  );
  assert.ok(user, "the demo tenant has a user without licenses");
  return user;
}

// ---------------------------------------------------------------------------------------------
// Reading what the bot sent

/** The card an invoke put in place of the clicked one. */
function invokeCard(answer: InvokeAnswer): Card {
  assert.equal(answer.status, 200);
  assert.ok(answer.card, "the invoke was answered without a card");
  return answer.card;
}

/** The conversation an activity was sent to. */
function conversationOf(activity: ReceivedActivity): string {
  const conversation = (activity as unknown as { conversation?: { id?: unknown } }).conversation;
  assert.equal(typeof conversation?.id, "string", `no conversation on ${JSON.stringify(activity)}`);
  return String(conversation?.id);
}

/** The titles of a card's buttons, nested ones included. */
function buttonTitles(card: Card): string[] {
  const titles: string[] = [];
  const walk = (actions: unknown[] | undefined): void => {
    for (const action of (actions ?? []).map(record)) {
      titles.push(String(action.title));
      if (action.type === "Action.ShowCard") walk(record(action.card).actions as unknown[] | undefined);
    }
  };
  walk(card.actions);
  return titles;
}

/** A request card's head: number, who asked, status, status detail. */
function head(card: Card): string[] {
  return cardTexts(card).slice(0, 4);
}

/** What a request card says under "Outcome", up to "What was previewed". */
function outcome(card: Card): string[] {
  const texts = cardTexts(card);
  const start = texts.indexOf("Outcome");
  assert.ok(start > 0, `no outcome on ${texts.join(" | ")}`);
  return texts.slice(start + 1, texts.indexOf("What was previewed"));
}

/** A "Nothing was changed" notice: its reason, after checking its title. */
function refusal(answer: InvokeAnswer): string {
  return refusalOn(invokeCard(answer));
}

function refusalOn(card: Card): string {
  const texts = cardTexts(card);
  assert.equal(texts[0], NOTHING_CHANGED, `expected a refusal, got ${texts.slice(0, 4).join(" | ")}`);
  return texts[1];
}

/** What a click's work after its turn sent last: the clicked card replaced, or a new message. */
function cardAfterClick(answer: InvokeAnswer): Card {
  return cardOf(answer.updates.at(-1)?.activity ?? answer.replies.at(-1));
}

/** The cards the bot replaced since a mark, as the list of states each went through, by card id. */
function cardStates(updates: BotAnswer["updates"]): Map<string, string[]> {
  const states = new Map<string, string[]>();
  for (const update of updates) {
    const list = states.get(update.replaces) ?? [];
    list.push(head(cardOf(update.activity))[2]);
    states.set(update.replaces, list);
  }
  return states;
}

/** The last version of each card replaced since a mark, by card id. */
function lastCards(updates: BotAnswer["updates"]): Map<string, Card> {
  return new Map(updates.map((u) => [u.replaces, cardOf(u.activity)]));
}

/** The verdict of the preview a request card shows. */
function verdictOf(card: Card): string {
  const texts = cardTexts(card);
  const start = texts.indexOf("What was previewed");
  assert.ok(start > 0, `no preview on ${texts.join(" | ")}`);
  return texts[start + 3];
}

function check(preview: Preview, id: CheckId): CheckResult {
  const found = preview.checks.find((c) => c.id === id);
  assert.ok(found, `the preview has no ${id} check`);
  return found;
}

function reportOf(bot: BotHarness, requestId: number): OutcomeReport {
  const report = bot.bot.approvals.get(requestId).stages[0]?.report;
  assert.ok(report, `request #${requestId} has no report`);
  return report as OutcomeReport;
}

// ---------------------------------------------------------------------------------------------
// Playing the people

const harnesses: BotHarness[] = [];

async function start(options: HarnessOptions = {}): Promise<BotHarness> {
  const harness = await BotHarness.start(DEMO, 0, options);
  harnesses.push(harness);
  return harness;
}

interface Asked {
  readonly id: number;
  /** The request card sent into the conversation where it was asked: the one the bot keeps up to date. */
  readonly card: Card;
  /** Its activity id, which updates replace. */
  readonly cardId: string;
  /** What the click sent: the approval cards. */
  readonly answer: InvokeAnswer;
  /** The preview card, as the requester saw it before asking. */
  readonly previewCard: Card;
  /** Its activity id, which the click's answer replaces. */
  readonly previewId: string;
}

/** `who` previews `text` in `conversationId` and clicks "Request approval" on the preview card. */
async function ask(
  harness: BotHarness,
  text: string,
  conversationId = HELPDESK_CHAT,
  who: TeamsUser = PEOPLE.adele,
): Promise<Asked> {
  const previewed = await harness.say(text, undefined, { from: who, conversationId });
  const previewCard = onlyCard(previewed);
  const previewId = previewed.replies.at(-1)?.sentId ?? "";
  const answer = await harness.invoke("requestApproval", executeData(previewCard, "requestApproval"), {
    from: who,
    conversationId,
    replyToId: previewId,
  });
  // The click is answered at once; the preview runs again after it (docs/teams-limits.md).
  assert.equal(cardTexts(invokeCard(answer))[0], "Asking for approval…");
  // The clicked preview then becomes a card that cannot go stale: the preview as asked, no buttons but Details.
  const replaced = answer.updates.filter((u) => u.replaces === previewId).at(-1);
  assert.ok(replaced, "the clicked preview was not replaced by the request");
  const clicked = cardOf(replaced.activity);
  const said = cardTexts(clicked);
  const found = /^Approval requested: request #(\d+)$/.exec(said[0]);
  assert.ok(found, `no request after Request approval: ${said.slice(0, 4).join(" | ")}`);
  assert.equal(said[1], "The request card below follows it to the end: the decision, then the outcome.");
  assert.deepEqual(said.slice(2, 4), cardTexts(previewCard).slice(0, 2));
  assert.deepEqual(buttonTitles(clicked), ["Details"]);
  // It will be applied one day: the preview is history, not "nothing has changed yet".
  assert.equal(said[5], "As previewed when the request was made.");
  const here = answer.replies.filter((r) => conversationOf(r) === conversationId);
  assert.equal(here.length, 1, `expected one request card in ${conversationId}`);
  const card = cardOf(here[0]);
  const texts = head(card);
  assert.equal(texts[0], `License request #${found[1]}`);
  assert.equal(texts[2], "Waiting for an approver");
  return { id: Number(found[1]), card, cardId: here[0]?.sentId ?? "", answer, previewCard, previewId };
}

/** An approver's click on Approve of the card `card` in `conversationId`. */
function approve(
  harness: BotHarness,
  card: Card,
  who: TeamsUser = PEOPLE.patti,
  conversationId = HELPDESK_CHAT,
): Promise<InvokeAnswer> {
  return harness.invoke("approve", executeData(card, "approve"), { from: who, conversationId });
}

/** The Adaptive Card of the request as "status N" shows it to Patti. */
async function statusCard(harness: BotHarness, requestId: number): Promise<Card> {
  return onlyCard(
    await harness.say(`status ${requestId}`, undefined, { from: PEOPLE.patti, conversationId: HELPDESK_CHAT }),
  );
}

// ---------------------------------------------------------------------------------------------

describe("approval and apply on the demo tenant, through the bot", function () {
  // The Graph failure test waits for the Graph client's retries (up to a second each).
  this.timeout(20_000);

  afterEach(async () => {
    while (harnesses.length > 0) await harnesses.pop()?.close();
  });

  it("the demo's numbers are the snapshot's: E3 29 used of 124, E1 262 of 300; Sales 60, Marketing 25 members", () => {
    const sku = (id: string) => demo.subscribedSkus.find((s) => s.skuId === id);
    assert.equal(sku(E3)?.consumedUnits, 29);
    assert.equal(sku(E3)?.prepaidUnits.enabled, 124);
    assert.equal(sku(E1)?.consumedUnits, 262);
    assert.equal(sku(E1)?.prepaidUnits.enabled, 300);
    assert.equal(demoGroup("Sales").members.length, 60);
    assert.equal(demoGroup("Marketing").members.length, 25);
  });

  describe("the full path", () => {
    it("Sales E1 → E3: one Graph write; the report is the preview's prediction: 54 of 60 hold E3, the 6 conflicting users failed, E3 29 → 79", async () => {
      const harness = await start();
      const sim = harness.simulator;
      const sales = demoGroup("Sales");

      // Patti names a channel for approval cards.
      assert.equal(
        onlyText(
          await harness.say("use this channel for approvals", undefined, {
            from: PEOPLE.patti,
            conversationId: APPROVALS_CHANNEL,
          }),
        ),
        "From now on I send approval cards to this conversation.",
      );

      // Adele previews in her chat and asks for approval.
      const asked = await ask(harness, "move group Sales from E1 to E3", ADELE_CHAT);
      const previewTexts = cardTexts(asked.previewCard);
      assert.equal(previewTexts[2], "Ready, with 3 warnings");
      assert.deepEqual(seatRow(previewTexts, "Office 365 E3"), ["Office 365 E3", "29 / 124", "95", "45 (takes 50)"]);
      assert.deepEqual(seatRow(previewTexts, "Office 365 E1"), ["Office 365 E1", "262 / 300", "38", "88 (frees 50)"]);
      assert.equal(asked.id, 1);
      assert.match(
        head(asked.card)[1],
        /^Asked by Adele Vance on \d{4}-\d\d-\d\d \d\d:\d\d UTC · expires \d{4}-\d\d-\d\d \d\d:\d\d UTC$/,
      );
      // The approval card goes to the approvals channel, and to Adele's chat so she can follow it.
      assert.deepEqual(asked.answer.replies.map(conversationOf), [APPROVALS_CHANNEL, ADELE_CHAT]);
      const [channelCard, adeleCard] = asked.answer.replies;
      assert.deepEqual(buttonTitles(cardOf(channelCard)), ["Details", "Approve", "Reject", "Reject", "Cancel request"]);

      // What the preview predicted, as stored with the request.
      const { preview } = harness.bot.approvals.get(1);
      assert.equal(preview.kind, "group-change");
      if (preview.kind !== "group-change") return;
      const conflicts = check(preview, "conflicts");
      const e3 = preview.seats.ENTERPRISEPACK;
      const e1 = preview.seats.STANDARDPACK;
      assert.ok(e3 && e1);
      assert.equal(conflicts.status, "warn");
      assert.equal(conflicts.count, 6);
      assert.deepEqual([e3.consumed, e3.enabled, e3.needed], [29, 124, 50]);
      assert.deepEqual([e1.consumed, e1.enabled, e1.freed], [262, 300, 50]);
      const conflicting = (conflicts.users ?? []).map((u) => u.id).sort();
      assert.equal(conflicting.length, 6);

      // Patti approves in the channel.
      sim.counters.reset();
      const mark = harness.mark();
      const approved = await approve(harness, cardOf(channelCard), PEOPLE.patti, APPROVALS_CHANNEL);
      // Answered at once: the tenant is checked again after the click (docs/teams-limits.md).
      assert.equal(head(invokeCard(approved))[2], "Approved: applying");
      assert.match(
        head(invokeCard(approved))[3],
        /^Approved by Patti Fernandez on \d{4}-\d\d-\d\d \d\d:\d\d UTC\. Checking the tenant again before sending the change to Microsoft Graph\.$/,
      );
      await harness.bot.approvals.idle();

      // One write: the group's assignLicense, with the add and the remove together.
      assert.equal(sim.counters.writes, 1);
      assert.equal(sim.counters.byRoute["POST /groups/{id}/assignLicense"], 1);
      assert.equal(sim.counters.byRoute["POST /users/{id}/assignLicense"], undefined);
      const request = harness.bot.approvals.get(1);
      assert.equal(request.status, "done-with-errors");
      assert.equal(request.stages[0]?.graphStatus, 202);
      assert.match(request.stages[0]?.graphRequestId ?? "", /^[0-9a-f-]{36}$/);

      // The report against the preview: who moved, who failed and why, the seats.
      const report = reportOf(harness, 1);
      assert.equal(report.members, 60);
      assert.equal(report.holdTarget, 60 - 6);
      assert.equal(report.failed, conflicts.count);
      assert.deepEqual(
        report.errors.map((e) => [e.error, e.count]),
        [["MutuallyExclusiveViolation", 6]],
      );
      assert.deepEqual(report.errors[0]?.users.map((u) => u.id).sort(), conflicting);
      // E3 rises by exactly the seats the preview said were needed: 29 + 50 (the 6 who failed took none).
      assert.deepEqual(report.seats.ENTERPRISEPACK, {
        enabled: 124,
        consumed: e3.consumed + (e3.needed ?? 0),
        available: 124 - 79,
      });
      assert.equal(report.seats.ENTERPRISEPACK?.consumed, 79);
      // E1 falls by what the preview said would be freed: 262 − 50.
      assert.deepEqual(report.seats.STANDARDPACK, {
        enabled: 300,
        consumed: e1.consumed - (e1.freed ?? 0),
        available: 88,
      });

      // The tenant agrees: Sales holds E3 only; the 6 are in error for E3 from Sales, the other 54 hold it.
      const group = sim.state.group(sales.id);
      assert.deepEqual(
        group?.assignedLicenses.map((l) => l.skuId),
        [E3],
      );
      assert.equal(group?.licenseProcessingState?.state, "ProcessingComplete");
      for (const id of sales.members) {
        const user = sim.state.user(id);
        assert.ok(user);
        const fromSales = user.licenseAssignmentStates.find((s) => s.skuId === E3 && s.assignedByGroup === sales.id);
        if (conflicting.includes(id)) {
          assert.deepEqual(
            [fromSales?.state, fromSales?.error],
            ["Error", "MutuallyExclusiveViolation"],
            user.userPrincipalName,
          );
          assert.ok(
            !user.assignedLicenses.some((l) => l.skuId === E3),
            `${user.userPrincipalName} holds E3 though in error`,
          );
        } else {
          assert.ok(
            user.assignedLicenses.some((l) => l.skuId === E3),
            `${user.userPrincipalName} does not hold E3`,
          );
        }
      }
      assert.equal(sim.state.sku(E3)?.consumedUnits, 79);
      assert.equal(sim.state.sku(E1)?.consumedUnits, 212);

      // Adele is told when it is approved and when it is done, in her chat.
      const after = harness.since(mark);
      assert.deepEqual(
        after.replies.map((r) => [conversationOf(r), r.text]),
        [
          [ADELE_CHAT, "Patti Fernandez approved request #1. I am applying it now."],
          [ADELE_CHAT, "Request #1 is done: 54 of 60 now hold Office 365 E3, 6 failed (see the card)."],
        ],
      );

      // Both cards went through every state and now show the outcome.
      const states = cardStates(after.updates);
      assert.deepEqual([...states.keys()].sort(), [channelCard.sentId, adeleCard.sentId].sort());
      for (const list of states.values())
        assert.deepEqual(list, ["Approved: applying", "Applied: Entra is processing the members", "Done, with errors"]);
      for (const card of lastCards(after.updates).values()) {
        const texts = head(card);
        assert.match(texts[1], /^Asked by Adele Vance on \d{4}-\d\d-\d\d \d\d:\d\d UTC$/);
        assert.match(
          texts[3],
          /^Approved by Patti Fernandez on \d{4}-\d\d-\d\d \d\d:\d\d UTC\. Graph answered 202 \(request-id [0-9a-f-]{36}\)\.$/,
        );
        const shown = outcome(card);
        assert.deepEqual(shown.slice(0, 6), [
          "54 of 60 members now hold Office 365 E3; 6 did not get it.",
          "Office 365 E3: 79 / 124 used, 45 available now",
          "Office 365 E1: 212 / 300 used, 88 available now",
          "6",
          "MutuallyExclusiveViolation",
          "they hold a conflicting product from another source; remove it, then reprocess",
        ]);
        const named = shown[6]?.split("\n\n") ?? [];
        assert.equal(named.length, 6);
        assert.equal(named[5], "and 1 more");
        for (const line of named.slice(0, 5))
          assert.ok(
            (conflicts.users ?? []).some((u) => line === `${u.displayName} (${u.userPrincipalName})`),
            line,
          );
        assert.deepEqual(buttonTitles(card), ["Details", "Reprocess users in error"]);
      }
    });

    it("Marketing E1 → E3: one write, done, 25 of 25 hold E3; E3 29 → 54, E1 262 → 237", async () => {
      const harness = await start();
      const sim = harness.simulator;
      const marketing = demoGroup("Marketing");
      const asked = await ask(harness, "move group Marketing from E1 to E3");
      assert.deepEqual(seatRow(cardTexts(asked.previewCard), "Office 365 E3"), [
        "Office 365 E3",
        "29 / 124",
        "95",
        "70 (takes 25)",
      ]);
      sim.counters.reset();
      const mark = harness.mark();
      await approve(harness, asked.card);
      await harness.bot.approvals.idle();

      assert.equal(sim.counters.writes, 1);
      assert.equal(sim.counters.byRoute["POST /groups/{id}/assignLicense"], 1);
      assert.equal(harness.bot.approvals.get(asked.id).status, "done");
      const report = reportOf(harness, asked.id);
      assert.deepEqual(
        [report.members, report.holdTarget, report.holdSource, report.failed, report.errors.length],
        [25, 25, 0, 0, 0],
      );
      assert.deepEqual(report.seats, {
        ENTERPRISEPACK: { enabled: 124, consumed: 54, available: 70 },
        STANDARDPACK: { enabled: 300, consumed: 237, available: 63 },
      });
      assert.deepEqual(
        sim.state.group(marketing.id)?.assignedLicenses.map((l) => l.skuId),
        [E3],
      );
      for (const id of marketing.members) {
        const skus = sim.state.user(id)?.assignedLicenses.map((l) => l.skuId);
        assert.deepEqual(skus, [E3], id);
      }

      const after = harness.since(mark);
      assert.deepEqual(
        after.replies.map((r) => r.text),
        [
          "Patti Fernandez approved request #1. I am applying it now.",
          "Request #1 is done: 25 of 25 now hold Office 365 E3.",
        ],
      );
      const [card] = [...lastCards(after.updates).values()];
      assert.ok(card);
      assert.equal(head(card)[2], "Done");
      assert.deepEqual(outcome(card), [
        "25 of 25 members now hold Office 365 E3.",
        "Office 365 E3: 54 / 124 used, 70 available now",
        "Office 365 E1: 237 / 300 used, 63 available now",
      ]);
      assert.deepEqual(buttonTitles(card), ["Details"]);
    });

    it("a user: Megan Bowen E1 → E3, asked by Adele, approved by Patti: one write to the user, Megan holds E3 directly and no E1", async () => {
      const harness = await start();
      const sim = harness.simulator;
      const asked = await ask(harness, "move user megan@contoso.com from E1 to E3");
      assert.equal(cardTexts(asked.card)[5], "Move user Megan Bowen from Office 365 E1 to Office 365 E3");
      sim.counters.reset();
      const mark = harness.mark();
      await approve(harness, asked.card);
      await harness.bot.approvals.idle();

      assert.equal(sim.counters.writes, 1);
      assert.equal(sim.counters.byRoute["POST /users/{id}/assignLicense"], 1);
      assert.equal(sim.counters.byRoute["POST /groups/{id}/assignLicense"], undefined);
      const request = harness.bot.approvals.get(asked.id);
      assert.equal(request.status, "done");
      assert.equal(request.stages[0]?.graphStatus, 200);
      const megan = sim.state.user(DEMO_IDS.megan);
      assert.deepEqual(
        megan?.licenseAssignmentStates.map((s) => [s.skuId, s.assignedByGroup, s.state]),
        [[E3, null, "Active"]],
      );
      assert.deepEqual(
        megan?.assignedLicenses.map((l) => l.skuId),
        [E3],
      );
      const report = reportOf(harness, asked.id);
      assert.deepEqual([report.members, report.holdTarget, report.holdSource, report.failed], [1, 1, 0, 0]);
      assert.deepEqual(report.seats, {
        ENTERPRISEPACK: { enabled: 124, consumed: 30, available: 94 },
        STANDARDPACK: { enabled: 300, consumed: 261, available: 39 },
      });

      const after = harness.since(mark);
      assert.deepEqual(
        after.replies.map((r) => r.text),
        [
          "Patti Fernandez approved request #1. I am applying it now.",
          "Request #1 is done: Megan Bowen now holds Office 365 E3.",
        ],
      );
      const states = cardStates(after.updates);
      assert.deepEqual(
        [...states.values()],
        [["Approved: applying", "Applied: Entra is processing the members", "Done"]],
      );
      const [card] = [...lastCards(after.updates).values()];
      assert.ok(card);
      assert.deepEqual(outcome(card), [
        "Megan Bowen now holds Office 365 E3.",
        "Office 365 E3: 30 / 124 used, 94 available now",
        "Office 365 E1: 261 / 300 used, 39 available now",
      ]);
    });
  });

  describe("rejection and expiry", () => {
    it("Patti rejects with a reason: Adele is told why, the cards say so, nothing is written, and a later Approve is refused", async () => {
      const harness = await start();
      const sim = harness.simulator;
      const asked = await ask(harness, "move group Sales from E1 to E3");
      sim.counters.reset();
      const mark = harness.mark();
      const rejected = await harness.invoke(
        "reject",
        { ...record(executeData(asked.card, "reject")), reason: "  Sales has no budget for E3 this quarter.  " },
        { from: PEOPLE.patti, conversationId: HELPDESK_CHAT },
      );
      assert.deepEqual(head(invokeCard(rejected)).slice(2), [
        "Rejected",
        "Rejected by Patti Fernandez: Sales has no budget for E3 this quarter.",
      ]);
      assert.deepEqual(buttonTitles(invokeCard(rejected)), ["Details"]);
      const after = harness.since(mark);
      assert.deepEqual(
        after.replies.map((r) => [conversationOf(r), r.text]),
        [[HELPDESK_CHAT, "Patti Fernandez rejected request #1: Sales has no budget for E3 this quarter."]],
      );
      assert.deepEqual([...cardStates(after.updates).values()], [["Rejected"]]);
      const request = harness.bot.approvals.get(asked.id);
      assert.equal(request.status, "rejected");
      assert.equal(request.rejectionReason, "Sales has no budget for E3 this quarter.");

      // Jonas approves on the card as it was before the rejection: refused.
      const late = await approve(harness, asked.card, PEOPLE.jonas);
      assert.equal(refusal(late), "Request #1 is already rejected by Patti Fernandez. Nothing more was done.");
      // Under the notice, the request as it stands.
      assert.equal(cardTexts(invokeCard(late))[4], "Rejected");
      assert.equal(sim.counters.writes, 0);
      assert.deepEqual(
        sim.state.group(demoGroup("Sales").id)?.assignedLicenses.map((l) => l.skuId),
        [E1],
      );
    });

    it("a rejection without a reason is refused and the request stays pending", async () => {
      const harness = await start();
      const asked = await ask(harness, "move group Marketing from E1 to E3");
      const data = record(executeData(asked.card, "reject"));
      for (const reason of [undefined, "", "   \n  "]) {
        const answer = await harness.invoke("reject", reason === undefined ? data : { ...data, reason }, {
          from: PEOPLE.patti,
          conversationId: HELPDESK_CHAT,
        });
        assert.equal(refusal(answer), "Say why you reject it: the requester will read the reason.");
      }
      const request = harness.bot.approvals.get(asked.id);
      assert.deepEqual([request.status, request.version], ["pending", 1]);
    });

    it("a pending request expires after 24 h: the sweep closes it, tells Adele, writes nothing; so does an Approve after the time", async () => {
      let clock = new Date("2026-03-02T09:00:00.000Z");
      const harness = await start({ now: () => clock });
      const sim = harness.simulator;
      const first = await ask(harness, "move group Marketing from E1 to E3");
      assert.equal(head(first.card)[1], "Asked by Adele Vance on 2026-03-02 09:00 UTC · expires 2026-03-03 09:00 UTC");
      const second = await ask(harness, "move user megan@contoso.com from E1 to E3");
      sim.counters.reset();

      // A minute before: nothing expires.
      clock = new Date("2026-03-03T08:59:00.000Z");
      assert.equal(await harness.bot.approvals.expireDue(), 0);
      assert.equal(harness.bot.approvals.get(first.id).status, "pending");

      // 24 hours after: both are due; the sweep closes them.
      clock = new Date("2026-03-03T09:00:00.000Z");
      const mark = harness.mark();
      // An approval at that moment comes too late for the second request.
      const late = await approve(harness, second.card);
      assert.deepEqual(head(invokeCard(late)).slice(2), [
        "Expired without a decision",
        "Nobody decided in time, so nothing was changed. Ask again if it is still needed.",
      ]);
      assert.deepEqual(buttonTitles(invokeCard(late)), ["Details"]);
      assert.equal(await harness.bot.approvals.expireDue(), 1);
      await harness.bot.approvals.idle();
      assert.equal(harness.bot.approvals.get(first.id).status, "expired");
      assert.equal(harness.bot.approvals.get(second.id).status, "expired");
      assert.equal(sim.counters.writes, 0);

      const after = harness.since(mark);
      assert.deepEqual(
        after.replies.map((r) => r.text),
        [
          "Request #2 expired without a decision. Ask again if it is still needed.",
          "Request #1 expired without a decision. Ask again if it is still needed.",
        ],
      );
      assert.deepEqual(
        [...cardStates(after.updates).entries()].sort(),
        [
          [first.cardId, ["Expired without a decision"]],
          [second.cardId, ["Expired without a decision"]],
        ].sort(),
      );
      // Approve on the first card after the sweep: refused.
      assert.equal(
        refusal(await approve(harness, first.card, PEOPLE.jonas)),
        "Request #1 is already expired. Nothing more was done.",
      );
      assert.equal(sim.counters.writes, 0);
    });
  });

  describe("stale approvals", () => {
    it("an E3 seat given away between request and approval, with enough left: applied at the first click, the moved count said and shown", async () => {
      const harness = await start();
      const sim = harness.simulator;
      const asked = await ask(harness, "move group Marketing from E1 to E3");
      // Behind the bot's back, an E3 seat goes to someone else: 30 of 124 used, 94 free, 25 needed.
      sim.state.assignUserLicense(unlicensedUser().id, {
        addLicenses: [{ skuId: E3, disabledPlans: [] }],
        removeLicenses: [],
      });
      sim.counters.reset();

      const mark = harness.mark();
      await approve(harness, asked.card);
      await harness.bot.approvals.idle();
      // Checked again after the click: the card shows the seats as they were then.
      const shown = lastCards(harness.since(mark).updates).get(asked.cardId);
      assert.ok(shown);
      assert.deepEqual(seatRow(cardTexts(shown), "Office 365 E3"), [
        "Office 365 E3",
        "30 / 124",
        "94",
        "69 (takes 25)",
      ]);
      assert.equal(sim.counters.writes, 1);
      assert.equal(harness.bot.approvals.get(asked.id).status, "done");
      const told = harness.since(mark).replies.map((r) => r.text);
      assert.ok(
        told.includes(
          "Patti Fernandez approved request #1. Seats moved since the preview without changing the decision: Office 365 E3: 95 seats available when previewed, 94 now; 25 needed, still enough. I am applying it now.",
        ),
        told.join("\n"),
      );
    });

    it("who is affected changes between request and approval (a Marketing member given E1 directly as well): nothing is applied, the card shows the new preview, the old card is refused, the new one applies once", async () => {
      const harness = await start();
      const sim = harness.simulator;
      const marketing = demoGroup("Marketing");
      const asked = await ask(harness, "move group Marketing from E1 to E3");

      // Behind the bot's back, a member gets E1 directly as well: the change would no longer take their E1 away.
      const member = marketing.members.find(
        (id) => !sim.state.user(id)?.licenseAssignmentStates.some((l) => l.skuId === E1 && l.assignedByGroup === null),
      );
      assert.ok(member);
      sim.state.assignUserLicense(member, { addLicenses: [{ skuId: E1, disabledPlans: [] }], removeLicenses: [] });
      // The re-check reads the member listing, as the preview does: an index that shows a change once
      // it has caught up (docs/graph-contract.md, "Consistency").
      await new Promise((resolve) => setTimeout(resolve, DEFAULT_INDEX_LAG_MS));
      sim.counters.reset();

      // The click is answered at once; the tenant is checked again after it (docs/teams-limits.md).
      const mark = harness.mark();
      const clicked = head(invokeCard(await approve(harness, asked.card)));
      assert.deepEqual(clicked.slice(2, 3), ["Approved: applying"]);
      assert.match(clicked[3], /Checking the tenant again before sending the change to Microsoft Graph\.$/);
      await harness.bot.approvals.idle();
      assert.equal(sim.counters.writes, 0);
      const request = harness.bot.approvals.get(asked.id);
      assert.deepEqual([request.status, request.version], ["pending", 3]);
      assert.equal(request.stages[0]?.approvedBy, undefined, "the approval is undone");
      // The card in the chat shows the new preview, waiting for an approver again.
      const updated = lastCards(harness.since(mark).updates).get(asked.cardId);
      assert.ok(updated, "the request card in the chat was not updated");
      assert.equal(head(updated)[2], "Waiting for an approver");
      assert.deepEqual(seatRow(cardTexts(updated), "Office 365 E3"), [
        "Office 365 E3",
        "29 / 124",
        "95",
        "71 (takes 24)",
      ]);
      assert.deepEqual(executeData(updated, "approve"), { requestId: asked.id, version: 3 });
      assert.deepEqual(
        harness.since(mark).replies.map((r) => r.text),
        [
          "Patti Fernandez approved request #1, but the tenant has changed since it was previewed (users, seats needed or the call to make), so nothing was applied. The card shows the new preview: an approver must approve it again.",
        ],
      );

      // The card as it was (version 1) is out of date.
      assert.equal(
        refusal(await approve(harness, asked.card, PEOPLE.jonas)),
        "This card is out of date: request #1 has changed since it was shown. Look at the updated card and try again.",
      );
      assert.equal(sim.counters.writes, 0);

      // Approving what the card shows now applies it, once.
      await approve(harness, updated);
      await harness.bot.approvals.idle();
      assert.equal(sim.counters.writes, 1);
      // The member keeps E1 directly, whose SharePoint plan conflicts with E3's: they are in error and take no E3 seat (24 of 25).
      assert.equal(harness.bot.approvals.get(asked.id).status, "done-with-errors");
      assert.deepEqual(reportOf(harness, asked.id).seats.ENTERPRISEPACK, {
        enabled: 124,
        consumed: 29 + 24,
        available: 124 - 53,
      });
      assert.deepEqual(
        sim.state.group(marketing.id)?.assignedLicenses.map((l) => l.skuId),
        [E3],
      );
      // And the first card is still out of date afterwards.
      assert.equal(
        refusal(await approve(harness, asked.card, PEOPLE.jonas)),
        "Request #1 is already approved by Patti Fernandez and applied. Nothing more was done.",
      );
      assert.equal(sim.counters.writes, 1);
    });

    it("the change turns blocked before approval (Megan's E1 removed behind the bot's back): nothing is applied, now or on the new card", async () => {
      const harness = await start();
      const sim = harness.simulator;
      const asked = await ask(harness, "move user megan@contoso.com from E1 to E3");
      sim.state.assignUserLicense(DEMO_IDS.megan, { addLicenses: [], removeLicenses: [E1] });
      sim.counters.reset();

      const mark = harness.mark();
      await approve(harness, asked.card);
      await harness.bot.approvals.idle();
      const updated = lastCards(harness.since(mark).updates).get(asked.cardId);
      assert.ok(updated);
      assert.equal(verdictOf(updated), "Blocked by 1 problem");
      assert.ok(
        harness
          .since(mark)
          .replies.some(
            (r) =>
              r.text ===
              "Patti Fernandez approved request #1, but the tenant has changed since it was previewed and the change is now blocked, so nothing was applied. The card shows the new preview.",
          ),
      );
      // Approving the blocked preview on the new card is refused at once.
      assert.equal(
        refusal(await approve(harness, updated, PEOPLE.jonas)),
        "This change is blocked (the card says why), so it cannot be approved. Nothing was applied.",
      );
      assert.equal(sim.counters.writes, 0);
      assert.deepEqual(sim.state.user(DEMO_IDS.megan)?.assignedLicenses, []);
      assert.equal(harness.bot.approvals.get(asked.id).status, "pending");
    });
  });

  describe("undo", () => {
    /** "undo request N" said by Adele: the new request's card and the line that goes with it. */
    async function undo(harness: BotHarness, requestId: number): Promise<{ card: Card; text: string }> {
      const answer = await harness.say(`undo request ${requestId}`, undefined, { conversationId: HELPDESK_CHAT });
      assert.equal(answer.status, 200);
      assert.equal(
        answer.replies.length,
        2,
        `expected the request card and a line, got ${JSON.stringify(answer.replies)}`,
      );
      const [card, line] = answer.replies;
      return { card: cardOf(card), text: line?.text ?? "" };
    }

    /** The 17 plans E3 brings that E1 has nothing to carry, in E3's order, by the names people read: what undoing E1 → E3 takes back. */
    const E3_EXTRAS = [
      "To-Do (Plan 2)",
      "Common Data Service for Teams",
      "Information Protection and Governance Analytics – Standard",
      "Common Data Service",
      "Exchange Online (Plan 2)",
      "Power Automate for Office 365",
      "Microsoft Forms (Plan E3)",
      "Microsoft Kaizala Pro",
      "Information Protection for Office 365 - Standard",
      "Microsoft 365 Apps for enterprise",
      "Power Apps for Office 365",
      "Power Virtual Agents for Office 365",
      "Project for Office (Plan E3)",
      "Azure Rights Management",
      "SharePoint (Plan 2)",
      "Microsoft Stream for Office 365 E3",
      "Whiteboard (Plan 2)",
    ];

    it("undo of the applied Marketing change: request #2 restores E1 with the plans Marketing had off, warns with the 17 plans E3 brought, and Patti's approval makes one write", async () => {
      const harness = await start();
      const sim = harness.simulator;
      const marketing = demoGroup("Marketing");
      // Before the change, Marketing's E1 has Yammer and Sway off.
      // In the products' plan order, as Graph lists them.
      const off = [PLAN.SWAY, PLAN.YAMMER_ENTERPRISE];
      sim.state.assignGroupLicense(marketing.id, {
        addLicenses: [{ skuId: E1, disabledPlans: off }],
        removeLicenses: [],
      });
      await sim.state.whenIdle();
      const asked = await ask(harness, "move group Marketing from E1 to E3");
      // The request records what the change removes.
      const original = harness.bot.approvals.get(1).preview;
      assert.ok(original.kind === "group-change");
      assert.deepEqual(original.from, { skuId: E1, skuPartNumber: "STANDARDPACK", disabledPlans: off });
      await approve(harness, asked.card);
      await harness.bot.approvals.idle();
      assert.equal(harness.bot.approvals.get(1).status, "done");
      assert.deepEqual(sim.state.group(marketing.id)?.assignedLicenses, [{ skuId: E3, disabledPlans: off }]);
      sim.counters.reset();

      const asked2 = await undo(harness, 1);
      assert.equal(asked2.text, "Request #2 undoes request #1; it waits for an approver like any other.");
      assert.equal(head(asked2.card)[0], "License request #2");
      assert.equal(head(asked2.card)[2], "Waiting for an approver");
      assert.equal(verdictOf(asked2.card), "Ready, with 1 warning");
      const request = harness.bot.approvals.get(2);
      assert.equal(request.undoOf, 1);
      const { preview } = request;
      assert.ok(preview.kind === "group-change");
      // E1 back with exactly the plans it had off (not the carry-over), E3 removed, in one call.
      assert.deepEqual(preview.operations, [
        {
          method: "POST",
          path: `/groups/${marketing.id}/assignLicense`,
          body: { addLicenses: [{ skuId: E1, disabledPlans: off }], removeLicenses: [E3] },
        },
      ]);
      const continuity = check(preview, "service-continuity");
      assert.equal(continuity.status, "warn");
      assert.equal(
        continuity.title,
        "Undoing request #1 takes back 17 plans that came with Office 365 E3: To-Do (Plan 2), Common Data Service for Teams, Information Protection and Governance Analytics – Standard, Common Data Service, Exchange Online (Plan 2) and 12 more",
      );
      assert.equal(
        continuity.detail,
        `Members of Marketing lose the services of ${E3_EXTRAS.join(", ")}: they go back to Office 365 E1 as it was before request #1. ` +
          "Office 365 E1 is restored with 2 plans disabled, as before: Sway, Yammer Enterprise.",
      );
      assert.deepEqual(
        preview.checks.filter((c) => c.status !== "pass").map((c) => c.id),
        ["service-continuity", "guests"],
      );
      assert.equal(sim.counters.writes, 0);

      // Megan may not request, so she may not undo either.
      assert.equal(
        onlyText(await harness.say("undo request 1", undefined, { from: PEOPLE.megan })),
        "Only License Desk requesters and approvers can do that, and you are neither. Ask your Teams administrator to add you.",
      );

      // Patti approves: the approve-time preview restores the same way, so nothing changed and it applies.
      const approved = await approve(harness, asked2.card);
      assert.equal(head(invokeCard(approved))[2], "Approved: applying");
      await harness.bot.approvals.idle();
      assert.equal(harness.bot.approvals.get(2).status, "done");
      assert.equal(sim.counters.writes, 1);
      assert.equal(sim.counters.byRoute["POST /groups/{id}/assignLicense"], 1);
      assert.deepEqual(sim.state.group(marketing.id)?.assignedLicenses, [{ skuId: E1, disabledPlans: off }]);
    });

    it('a restore in a Request approval button\'s data is ignored: only "undo request N" restores', async () => {
      const harness = await start();
      const sim = harness.simulator;
      const marketing = demoGroup("Marketing");
      const asked = await ask(harness, "move group Marketing from E1 to E3");
      await approve(harness, asked.card);
      await harness.bot.approvals.idle();
      sim.counters.reset();
      // The inverse asked for in words is blocked by service continuity and offers no Request approval.
      const inverse = onlyCard(
        await harness.say("move group Marketing from E3 to E1", undefined, { conversationId: HELPDESK_CHAT }),
      );
      assert.equal(cardTexts(inverse)[2], "Blocked by 1 problem");
      assert.ok(!buttonTitles(inverse).includes("Request approval"));
      // Forged card data asking to restore is previewed without it, so it stays blocked.
      const forged = {
        request: {
          target: { type: "group", id: marketing.id },
          from: E3,
          to: E1,
          restore: { undoOf: 1, disabledPlans: [] },
        },
      };
      const answer = await harness.invoke("requestApproval", forged, {
        from: PEOPLE.adele,
        conversationId: HELPDESK_CHAT,
      });
      assert.equal(
        refusalOn(cardAfterClick(answer)),
        "The tenant has changed and this change is now blocked; nothing was requested. Ask for the preview again to see why.",
      );
      assert.equal(harness.bot.approvals.find(2), undefined);
      assert.equal(sim.counters.writes, 0);
    });

    it("undo is refused for a request that was not applied and for one that does not exist", async () => {
      const harness = await start();
      await ask(harness, "move group Marketing from E1 to E3");
      assert.equal(
        onlyText(await harness.say("undo request 1", undefined, { conversationId: HELPDESK_CHAT })),
        "Request #1 is pending; only an applied request can be undone.",
      );
      assert.equal(
        onlyText(await harness.say("undo request 7", undefined, { conversationId: HELPDESK_CHAT })),
        'I found no request #7 that you can act on here. Check the number on its card, or say "my requests". Nothing was changed.',
      );
      assert.equal(harness.bot.approvals.find(2), undefined);
    });

    it("undo of the applied user change (Megan E1 → E3): request #2 gives Megan back her E1 with Sway off, one write", async () => {
      const harness = await start();
      const sim = harness.simulator;
      sim.state.assignUserLicense(DEMO_IDS.megan, {
        addLicenses: [{ skuId: E1, disabledPlans: [PLAN.SWAY] }],
        removeLicenses: [],
      });
      const asked = await ask(harness, "move user megan@contoso.com from E1 to E3");
      await approve(harness, asked.card);
      await harness.bot.approvals.idle();
      assert.equal(harness.bot.approvals.get(1).status, "done");
      assert.deepEqual(sim.state.user(DEMO_IDS.megan)?.assignedLicenses, [{ skuId: E3, disabledPlans: [PLAN.SWAY] }]);
      sim.counters.reset();

      const asked2 = await undo(harness, 1);
      assert.equal(asked2.text, "Request #2 undoes request #1; it waits for an approver like any other.");
      assert.equal(verdictOf(asked2.card), "Ready, with 1 warning");
      const { preview } = harness.bot.approvals.get(2);
      assert.ok(preview.kind === "user-change");
      assert.deepEqual(preview.operations, [
        {
          method: "POST",
          path: `/users/${DEMO_IDS.megan}/assignLicense`,
          body: { addLicenses: [{ skuId: E1, disabledPlans: [PLAN.SWAY] }], removeLicenses: [E3] },
        },
      ]);
      const continuity = check(preview, "service-continuity");
      assert.equal(continuity.status, "warn");
      assert.equal(
        continuity.detail,
        `Megan Bowen loses the services of ${E3_EXTRAS.join(", ")}: they go back to Office 365 E1 as it was before request #1. Office 365 E1 is restored with 1 plan disabled, as before: Sway.`,
      );

      await approve(harness, asked2.card);
      await harness.bot.approvals.idle();
      assert.equal(harness.bot.approvals.get(2).status, "done");
      assert.equal(sim.counters.writes, 1);
      assert.equal(sim.counters.byRoute["POST /users/{id}/assignLicense"], 1);
      assert.deepEqual(sim.state.user(DEMO_IDS.megan)?.assignedLicenses, [{ skuId: E1, disabledPlans: [PLAN.SWAY] }]);
    });
  });

  describe("idempotence", () => {
    it("20 approvals of one request at once, from Patti and Jonas: one Graph write, one approved card, 19 notices", async () => {
      const harness = await start();
      const sim = harness.simulator;
      const asked = await ask(harness, "move group Marketing from E1 to E3");
      sim.counters.reset();
      const mark = harness.mark();
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) => approve(harness, asked.card, i % 2 === 0 ? PEOPLE.patti : PEOPLE.jonas)),
      );
      await harness.bot.approvals.idle();

      assert.equal(sim.counters.writes, 1);
      assert.equal(sim.counters.byRoute["POST /groups/{id}/assignLicense"], 1);
      const heads = answers.map((a) => head(invokeCard(a)));
      const winners = heads.filter((h) => h[0] === "License request #1");
      assert.equal(winners.length, 1, JSON.stringify(heads));
      assert.equal(winners[0]?.[2], "Approved: applying");
      const approver = /^Approved by (Patti Fernandez|Jonas Klein) on /.exec(winners[0]?.[3] ?? "")?.[1];
      assert.ok(approver, winners[0]?.[3]);
      const notices = heads.filter((h) => h[0] === NOTHING_CHANGED);
      assert.equal(notices.length, 19);
      for (const notice of notices) {
        assert.match(
          notice[1],
          new RegExp(
            `^Request #1 (was|is) already approved by ${approver} and (is being )?applied\\. Nothing more was done\\.$|^Request #1 changed while I was working on it; look at its card for where it stands\\.$`,
          ),
          notice[1],
        );
      }
      const request = harness.bot.approvals.get(asked.id);
      assert.equal(request.status, "done");
      assert.equal(request.stages[0]?.approvedBy?.name, approver);
      assert.equal(sim.state.sku(E3)?.consumedUnits, 54);
      // Adele is told once that it was approved, once that it is done.
      assert.deepEqual(
        harness.since(mark).replies.map((r) => r.text),
        [
          `${approver} approved request #1. I am applying it now.`,
          "Request #1 is done: 25 of 25 now hold Office 365 E3.",
        ],
      );
    });

    it("a double click by one approver: one write, the second click gets a notice", async () => {
      const harness = await start();
      const sim = harness.simulator;
      const asked = await ask(harness, "move user megan@contoso.com from E1 to E3");
      sim.counters.reset();
      const mark = harness.mark();
      const [a, b] = await Promise.all([approve(harness, asked.card), approve(harness, asked.card)]);
      await harness.bot.approvals.idle();
      assert.equal(sim.counters.writes, 1);
      const titles = [a, b].map((x) => head(invokeCard(x))[0]).sort();
      assert.deepEqual(titles, ["License request #1", NOTHING_CHANGED].sort());
      assert.deepEqual(
        harness.since(mark).replies.map((r) => r.text),
        [
          "Patti Fernandez approved request #1. I am applying it now.",
          "Request #1 is done: Megan Bowen now holds Office 365 E3.",
        ],
      );
      // A third click once it is done: still one write.
      assert.equal(
        refusal(await approve(harness, asked.card)),
        "Request #1 is already approved by Patti Fernandez and applied. Nothing more was done.",
      );
      assert.equal(sim.counters.writes, 1);
    });
  });

  describe("roles, and forged or stale invokes", () => {
    let harness: BotHarness;
    let asked: Asked;

    beforeEach(async () => {
      harness = await start();
      asked = await ask(harness, "move group Marketing from E1 to E3");
      harness.simulator.counters.reset();
    });

    /** Nothing was written, request #1 is pending as it was, and the bot answers the next message. */
    async function unchanged(): Promise<void> {
      assert.equal(harness.simulator.counters.writes, 0);
      const request = harness.bot.approvals.get(asked.id);
      assert.deepEqual([request.status, request.version], ["pending", 1]);
      assert.equal(head(await statusCard(harness, asked.id))[2], "Waiting for an approver");
    }

    const cases: {
      name: string;
      verb: string;
      data: (ref: { requestId: number; version: number }) => unknown;
      from?: TeamsUser;
      conversationId?: string;
      tenantId?: string;
      says: string;
    }[] = [
      {
        name: "an unknown request id",
        verb: "approve",
        data: () => ({ requestId: 999, version: 1 }),
        says: 'I found no request #999 that you can act on here. Check the number on its card, or say "my requests". Nothing was changed.',
      },
      {
        name: "a request of another conversation (an approver's own chat, where the card was never shown)",
        verb: "approve",
        data: (ref) => ref,
        conversationId: `personal-chat-${PEOPLE.patti.id}`,
        says: 'I found no request #1 that you can act on here. Check the number on its card, or say "my requests". Nothing was changed.',
      },
      {
        name: "approve all stages of a single-stage change",
        verb: "approveAll",
        data: (ref) => ref,
        says: "Request #1 has a single stage: approve it with Approve. Nothing was changed.",
      },
      {
        name: "a wrong verb",
        verb: "approveEverything",
        data: (ref) => ref,
        says: "That button's data was not understood. Ask for the preview or the status again.",
      },
      {
        name: "no verb",
        verb: "",
        data: (ref) => ref,
        says: "That button's data was not understood. Ask for the preview or the status again.",
      },
      {
        name: "a missing version",
        verb: "approve",
        data: (ref) => ({ requestId: ref.requestId }),
        says: "That button's data was not understood. Ask for the preview or the status again.",
      },
      {
        name: "no data",
        verb: "approve",
        data: () => undefined,
        says: "That button's data was not understood. Ask for the preview or the status again.",
      },
      {
        name: "a request id as a string",
        verb: "approve",
        data: (ref) => ({ requestId: String(ref.requestId), version: ref.version }),
        says: "That button's data was not understood. Ask for the preview or the status again.",
      },
      {
        name: "a fractional version",
        verb: "approve",
        data: (ref) => ({ requestId: ref.requestId, version: 1.5 }),
        says: "That button's data was not understood. Ask for the preview or the status again.",
      },
      {
        name: "a negative request id",
        verb: "approve",
        data: () => ({ requestId: -1, version: 1 }),
        says: "That button's data was not understood. Ask for the preview or the status again.",
      },
      {
        name: "a reason that is not text",
        verb: "reject",
        data: (ref) => ({ ...ref, reason: 42 }),
        says: "That button's data was not understood. Ask for the preview or the status again.",
      },
      {
        name: "a version the request never had",
        verb: "approve",
        data: (ref) => ({ requestId: ref.requestId, version: 7 }),
        says: "This card is out of date: request #1 has changed since it was shown. Look at the updated card and try again.",
      },
      {
        name: "Megan, who is no approver, approving",
        verb: "approve",
        data: (ref) => ref,
        from: PEOPLE.megan,
        says: "Only License Desk requesters and approvers can do that, and you are neither. Ask your Teams administrator to add you.",
      },
      {
        name: "Megan rejecting",
        verb: "reject",
        data: (ref) => ({ ...ref, reason: "no" }),
        from: PEOPLE.megan,
        says: "Only License Desk requesters and approvers can do that, and you are neither. Ask your Teams administrator to add you.",
      },
      {
        name: "Adele, the requester and no approver, approving her own request",
        verb: "approve",
        data: (ref) => ref,
        from: PEOPLE.adele,
        says: "Only License Desk approvers can do that, and you are not one. Ask an approver, or your Teams administrator to add you.",
      },
      {
        name: "Patti approving from another tenant",
        verb: "approve",
        data: (ref) => ref,
        tenantId: OTHER_TENANT,
        says: "This bot serves another organization's tenant; your action was not accepted.",
      },
      {
        name: "Adele cancelling from another tenant",
        verb: "cancel",
        data: (ref) => ref,
        from: PEOPLE.adele,
        tenantId: OTHER_TENANT,
        says: "This bot serves another organization's tenant; your action was not accepted.",
      },
      {
        name: "Patti cancelling Adele's request",
        verb: "cancel",
        data: (ref) => ref,
        says: "Only the person who asked for this change can cancel it.",
      },
      {
        name: "reprocess on a pending request",
        verb: "reprocess",
        data: (ref) => ref,
        says: "Request #1 has no users in error to reprocess.",
      },
    ];

    for (const c of cases) {
      it(`${c.name}: a "Nothing was changed" card, no write`, async () => {
        const answer = await harness.invoke(c.verb, c.data({ requestId: asked.id, version: 1 }), {
          from: c.from ?? PEOPLE.patti,
          conversationId: c.conversationId ?? HELPDESK_CHAT,
          ...(c.tenantId ? { tenantId: c.tenantId } : {}),
        });
        assert.equal(refusal(answer), c.says);
        assert.equal(answer.replies.length, 0);
        assert.equal(answer.updates.length, 0);
        await unchanged();
      });
    }

    it("separation of duties: Patti asks, Patti cannot approve, Jonas can", async () => {
      const own = await ask(harness, "move user megan@contoso.com from E1 to E3", HELPDESK_CHAT, PEOPLE.patti);
      assert.equal(
        refusal(await approve(harness, own.card, PEOPLE.patti)),
        "You asked for this change, so someone else must approve it.",
      );
      assert.equal(harness.simulator.counters.writes, 0);
      assert.equal(head(invokeCard(await approve(harness, own.card, PEOPLE.jonas)))[2], "Approved: applying");
      await harness.bot.approvals.idle();
      assert.equal(harness.simulator.counters.writes, 1);
      assert.equal(harness.bot.approvals.get(own.id).stages[0]?.approvedBy?.name, "Jonas Klein");
    });

    it("Megan, neither requester nor approver, clicking Request approval: refused, no request stored", async () => {
      const answer = await harness.invoke("requestApproval", executeData(asked.previewCard, "requestApproval"), {
        from: PEOPLE.megan,
        conversationId: HELPDESK_CHAT,
      });
      assert.equal(
        refusal(answer),
        "You are not set up to request license changes. Ask your Teams administrator to add you to the License Desk requesters.",
      );
      assert.equal(answer.replies.length, 0);
      assert.equal(harness.bot.approvals.find(asked.id + 1), undefined);
      await unchanged();
    });

    it("Request approval with forged request data is refused before anything is read", async () => {
      const answer = await harness.invoke(
        "requestApproval",
        { request: { target: { type: "group", id: "not-a-guid'" }, from: E1, to: E3 } },
        { conversationId: HELPDESK_CHAT },
      );
      assert.equal(refusal(answer), "That button's data was not understood. Ask for the preview or the status again.");
      assert.equal(harness.bot.approvals.find(2), undefined);
      await unchanged();
    });

    it("Adele cancels her own request: cancelled, the card says so, and Approve is refused afterwards", async () => {
      const mark = harness.mark();
      const cancelled = await harness.invoke("cancel", executeData(asked.card, "cancel"), {
        from: PEOPLE.adele,
        conversationId: HELPDESK_CHAT,
      });
      assert.deepEqual(head(invokeCard(cancelled)).slice(2), ["Cancelled by the requester", "Nothing was changed."]);
      assert.equal(harness.bot.approvals.get(asked.id).status, "cancelled");
      assert.deepEqual([...cardStates(harness.since(mark).updates).values()], [["Cancelled by the requester"]]);
      assert.equal(
        refusal(await approve(harness, asked.card)),
        "Request #1 is already cancelled. Nothing more was done.",
      );
      assert.equal(harness.simulator.counters.writes, 0);
    });

    it('another tenant\'s user is not shown a request: "status 1" is refused', async () => {
      const answer = await harness.say("status 1", undefined, { from: PEOPLE.patti, tenantId: OTHER_TENANT });
      assert.equal(onlyText(answer), "This bot serves another organization's tenant; your action was not accepted.");
      await unchanged();
    });
  });

  describe("Graph failure", () => {
    it("assignLicense lands but Graph answers 504: sent once, found in effect, followed to done", async () => {
      const harness = await start();
      const sim = harness.simulator;
      const asked = await ask(harness, "move group Marketing from E1 to E3");
      sim.counters.reset();
      sim.setFaults({ writes: "apply-then-504" });
      try {
        await approve(harness, asked.card);
        await harness.bot.approvals.idle();
      } finally {
        sim.setFaults({ writes: "normal" });
      }
      // Never sent again: a second assignLicense could not be told from a new change.
      assert.equal(sim.counters.byRoute["POST /groups/{id}/assignLicense"], 1);
      assert.equal(sim.counters.writes, 1);
      assert.equal(harness.bot.approvals.get(asked.id).status, "done");
      assert.equal(sim.state.sku(E3)?.consumedUnits, 29 + 25);
    });

    it("assignLicense keeps answering 429: after the client's bounded retries the request is failed, the tenant unchanged, Adele told", async () => {
      const harness = await start();
      const sim = harness.simulator;
      const marketing = demoGroup("Marketing");
      const asked = await ask(harness, "move group Marketing from E1 to E3");
      sim.counters.reset();
      // The approval reads the tenant (roles, a fresh preview) before it is accepted; the throttling
      // starts once it is, while the cards are being updated (a slow channel gives the time).
      harness.connectorDelayMs = 300;
      const mark = harness.mark();
      await approve(harness, asked.card);
      // The click is answered before the tenant is checked again: the throttling starts after that check.
      for (let i = 0; i < 500 && harness.bot.approvals.get(asked.id).stages[0]?.checkedAt === undefined; i++)
        await new Promise((resolve) => setTimeout(resolve, 10));
      assert.equal(
        sim.counters.byRoute["POST /groups/{id}/assignLicense"],
        undefined,
        "the change was sent before the throttling started",
      );
      sim.setFaults({ throttleRate: 1, retryAfterSeconds: 0 });
      harness.connectorDelayMs = 0;
      try {
        await harness.bot.approvals.idle();
      } finally {
        sim.setFaults({ throttleRate: 0 });
      }

      // Sent once, retried three times by the client, then given up: bounded.
      assert.equal(sim.counters.byRoute["POST /groups/{id}/assignLicense"], 4);
      assert.ok(sim.counters.throttled >= 4, `throttled ${sim.counters.throttled}`);
      const request = harness.bot.approvals.get(asked.id);
      assert.equal(request.status, "failed");
      assert.equal(request.stages[0]?.graphStatus, 429);
      // The tenant is as it was.
      assert.deepEqual(
        sim.state.group(marketing.id)?.assignedLicenses.map((l) => l.skuId),
        [E1],
      );
      assert.equal(sim.state.sku(E3)?.consumedUnits, 29);
      assert.equal(sim.state.sku(E1)?.consumedUnits, 262);

      const reason = new RegExp(
        `Microsoft Graph is busy and did not let me change the licenses of the group ${marketing.id} \\(Graph request-id [0-9a-f-]{36}\\): Too many requests\\. Retry after the interval given in the Retry-After header\\.\\.? Try again in a few minutes\\.`,
      );
      const after = harness.since(mark);
      assert.equal(after.replies.length, 2, JSON.stringify(after.replies.map((r) => r.text)));
      assert.equal(after.replies[0]?.text, "Patti Fernandez approved request #1. I am applying it now.");
      assert.match(
        after.replies[1]?.text ?? "",
        new RegExp(`^Request #1 could not be applied: ${reason.source} Nothing was changed\\.$`),
      );
      const card = lastCards(after.updates).get(asked.cardId);
      assert.ok(card);
      assert.equal(head(card)[2], "Failed: nothing was changed");
      assert.match(
        head(card)[3],
        new RegExp(`^Approved by Patti Fernandez on .+ UTC\\. ${reason.source} The tenant was not changed\\.$`),
      );
      assert.deepEqual(buttonTitles(card), ["Details"]);
      // None of the four reached the tenant.
      assert.equal(sim.counters.writes, 0);
    });
  });

  describe("status, my requests, and the approvals channel", () => {
    it('"status", "status N" and "my requests" answer from the store', async () => {
      let clock = new Date("2026-03-02T09:15:00.000Z");
      const harness = await start({ now: () => clock });
      const none = 'You have no requests yet. Ask for a change, e.g. "move group Sales from E1 to E3".';
      assert.equal(onlyText(await harness.say("my requests")), none);
      const marketing = await ask(harness, "move group Marketing from E1 to E3");
      await approve(harness, marketing.card);
      await harness.bot.approvals.idle();
      clock = new Date("2026-03-02T10:40:00.000Z");
      await ask(harness, "move user megan@contoso.com from E1 to E3");
      await ask(harness, "move group Sales from E1 to E3", HELPDESK_CHAT, PEOPLE.patti);

      const adeles =
        "Your requests:\n\n" +
        "- #2 Megan Bowen: Office 365 E1 → Office 365 E3, pending (2026-03-02 10:40 UTC)\n" +
        "- #1 Marketing: Office 365 E1 → Office 365 E3, done (2026-03-02 09:15 UTC)\n\n" +
        "Say **status N** for one of them.";
      assert.equal(onlyText(await harness.say("my requests")), adeles);
      assert.equal(onlyText(await harness.say("status")), adeles);
      assert.equal(
        onlyText(await harness.say("my requests", undefined, { from: PEOPLE.patti })),
        "Your requests:\n\n- #3 Sales: Office 365 E1 → Office 365 E3, pending (2026-03-02 10:40 UTC)\n\nSay **status N** for one of them.",
      );
      assert.equal(onlyText(await harness.say("my requests", undefined, { from: PEOPLE.megan })), none);

      const one = onlyCard(await harness.say("status 1"));
      assert.deepEqual(head(one).slice(0, 3), [
        "License request #1",
        "Asked by Adele Vance on 2026-03-02 09:15 UTC",
        "Done",
      ]);
      assert.equal(outcome(one)[0], "25 of 25 members now hold Office 365 E3.");
      const two = onlyCard(await harness.say("status 2"));
      assert.deepEqual(head(two).slice(0, 3), [
        "License request #2",
        "Asked by Adele Vance on 2026-03-02 10:40 UTC · expires 2026-03-03 10:40 UTC",
        "Waiting for an approver",
      ]);
      assert.equal(
        onlyText(await harness.say("status 99")),
        'I found no request #99 that you can act on here. Check the number on its card, or say "my requests". Nothing was changed.',
      );
      // Someone who neither requests nor approves is not shown requests.
      assert.equal(
        onlyText(await harness.say("status 1", undefined, { from: PEOPLE.megan })),
        "Only License Desk requesters and approvers can do that, and you are neither. Ask your Teams administrator to add you.",
      );
    });

    it('"use this channel for approvals" by Patti sends the next approval card to that channel as well as to the requester\'s chat', async () => {
      const harness = await start();
      // Before: the card goes to the requester's conversation only.
      const before = await ask(harness, "move group Marketing from E1 to E3", ADELE_CHAT);
      assert.deepEqual(before.answer.replies.map(conversationOf), [ADELE_CHAT]);

      assert.equal(
        onlyText(
          await harness.say("use this channel for approvals", undefined, {
            from: PEOPLE.patti,
            conversationId: APPROVALS_CHANNEL,
          }),
        ),
        "From now on I send approval cards to this conversation.",
      );
      const after = await ask(harness, "move user megan@contoso.com from E1 to E3", ADELE_CHAT);
      assert.deepEqual(after.answer.replies.map(conversationOf), [APPROVALS_CHANNEL, ADELE_CHAT]);
      for (const reply of after.answer.replies)
        assert.deepEqual(head(cardOf(reply)).slice(0, 3), [
          "License request #2",
          head(after.card)[1],
          "Waiting for an approver",
        ]);
      // Jonas approves in the channel; both cards are updated.
      const mark = harness.mark();
      await approve(harness, cardOf(after.answer.replies[0]), PEOPLE.jonas, APPROVALS_CHANNEL);
      await harness.bot.approvals.idle();
      assert.deepEqual(
        [...cardStates(harness.since(mark).updates).keys()].sort(),
        after.answer.replies.map((r) => r.sentId).sort(),
      );
      assert.equal(harness.bot.approvals.get(2).status, "done");
    });

    it('"use this channel for approvals" by Adele or Megan, who approve nothing, is refused and changes nothing', async () => {
      const harness = await start();
      for (const who of [PEOPLE.adele, PEOPLE.megan]) {
        assert.equal(
          onlyText(
            await harness.say("use this channel for approvals", undefined, {
              from: who,
              conversationId: APPROVALS_CHANNEL,
            }),
          ),
          "Only License Desk approvers can do that, and you are not one. Ask an approver, or your Teams administrator to add you.",
        );
      }
      const asked = await ask(harness, "move group Marketing from E1 to E3", ADELE_CHAT);
      assert.deepEqual(asked.answer.replies.map(conversationOf), [ADELE_CHAT]);
    });
  });
});

describe("approval holds against forged letter case, repeated clicks and other approvals", function () {
  this.timeout(60_000);
  afterEach(async () => {
    for (const h of harnesses.splice(0)) await h.close();
  });

  it("Patti cannot approve her own request by sending her aadObjectId in upper or mixed case; the tenant id in any case is hers", async () => {
    const harness = await start();
    const asked = await ask(harness, "move group Finance from E1 to E3", HELPDESK_CHAT, PEOPLE.patti);
    const spellings = [
      PEOPLE.patti.aadObjectId,
      PEOPLE.patti.aadObjectId.toUpperCase(),
      PEOPLE.patti.aadObjectId.replace(/[a-f]/g, (c, i: number) => (i % 2 ? c.toUpperCase() : c)),
    ];
    for (const aadObjectId of spellings) {
      for (const tenantId of [DEMO_TENANT_ID, DEMO_TENANT_ID.toUpperCase()]) {
        const answer = await harness.invoke("approve", executeData(asked.card, "approve"), {
          from: { ...PEOPLE.patti, aadObjectId },
          conversationId: HELPDESK_CHAT,
          tenantId,
        });
        assert.equal(
          refusal(answer),
          "You asked for this change, so someone else must approve it.",
          `${aadObjectId} / ${tenantId}`,
        );
      }
    }
    assert.equal(harness.simulator.counters.writes, 0);
    assert.equal(harness.bot.approvals.get(asked.id).status, "pending");
    // Jonas in upper case is still Jonas, an approver, in a conversation whose id is compared exactly.
    const jonas = { ...PEOPLE.jonas, aadObjectId: PEOPLE.jonas.aadObjectId.toUpperCase() };
    const elsewhere = await harness.invoke("approve", executeData(asked.card, "approve"), {
      from: jonas,
      conversationId: HELPDESK_CHAT.toUpperCase(),
    });
    assert.equal(
      refusal(elsewhere),
      'I found no request #1 that you can act on here. Check the number on its card, or say "my requests". Nothing was changed.',
    );
    await approve(harness, asked.card, jonas);
    await harness.bot.approvals.idle();
    assert.equal(harness.simulator.counters.writes, 1);
    assert.equal(harness.bot.approvals.get(asked.id).stages[0]?.approvedBy?.id, PEOPLE.jonas.aadObjectId);
  });

  it("seven clicks on one preview's Request approval make one request; each shows request #1", async () => {
    const harness = await start();
    const asked = await ask(harness, "move group Marketing from E1 to E3");
    for (let click = 2; click <= 7; click++) {
      const again = await harness.invoke("requestApproval", executeData(asked.previewCard, "requestApproval"), {
        from: PEOPLE.adele,
        conversationId: HELPDESK_CHAT,
        replyToId: asked.previewId,
      });
      assert.equal(cardTexts(cardAfterClick(again))[0], "Approval requested: request #1");
      assert.equal(again.replies.length, 0, "no second approval card");
    }
    assert.equal(harness.bot.approvals.find(2), undefined);
  });

  it("approving one request leaves another pending request on the same product approvable at the first click", async () => {
    const harness = await start();
    const marketing = await ask(harness, "move group Marketing from E1 to E3");
    const sales = await ask(harness, "move group Sales from E1 to E3");
    await approve(harness, marketing.card);
    await harness.bot.approvals.idle();
    const answer = await approve(harness, sales.card);
    assert.equal(head(invokeCard(answer))[2], "Approved: applying");
    await harness.bot.approvals.idle();
    // Sales has members whose licenses conflict in the demo tenant: applied, with those in error.
    assert.deepEqual(
      [harness.bot.approvals.get(marketing.id).status, harness.bot.approvals.get(sales.id).status],
      ["done", "done-with-errors"],
    );
    assert.equal(harness.simulator.counters.writes, 2);
  });
});

/**
 * The demo tenant with `count` more users shaped like Megan (E1 assigned directly, nothing else):
 * user1@contoso.com, user2@contoso.com…; E1's consumed units count them. Its path.
 */
function demoWithDirectE1Users(count: number): string {
  const megan = demo.users.find((u) => u.userPrincipalName === "megan@contoso.com");
  assert.ok(megan, "the demo tenant has Megan");
  const users = Array.from({ length: count }, (_, i) => {
    const n = i + 1;
    const upn = `user${n}@contoso.com`;
    const id = `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
    return {
      ...megan,
      id,
      displayName: `User ${n}`,
      givenName: "User",
      surname: String(n),
      userPrincipalName: upn,
      mail: upn,
    };
  });
  const snapshot = {
    ...demo,
    users: [...demo.users, ...users],
    subscribedSkus: demo.subscribedSkus.map((s) =>
      s.skuId === E1 ? { ...s, consumedUnits: s.consumedUnits + count } : s,
    ),
  };
  const path = join(scratchDir("snapshot"), "tenant.json");
  writeFileSync(path, JSON.stringify(snapshot));
  return path;
}

describe("twenty pending requests on one product", function () {
  this.timeout(60_000);
  afterEach(async () => {
    for (const h of harnesses.splice(0)) await h.close();
  });

  it("20 users' E1 → E3 requests, all approved at once with 75 E3 seats to spare: each applies at the first click, 20 writes, E3 29 → 49", async () => {
    // A clock that stands still: the cards say "checked 09:00" whatever minute the test crosses.
    const harness = await BotHarness.start(demoWithDirectE1Users(20), 0, {
      pollDelaysMs: [10],
      now: () => new Date("2026-03-02T09:00:00.000Z"),
    });
    harnesses.push(harness);
    const asked: Asked[] = [];
    for (let n = 1; n <= 20; n++) asked.push(await ask(harness, `move user user${n}@contoso.com from E1 to E3`));
    assert.deepEqual(
      asked.map((a) => a.id),
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    const answers = await Promise.all(asked.map((a) => approve(harness, a.card)));
    assert.deepEqual(
      answers.map((answer) => head(invokeCard(answer))[2]),
      Array.from({ length: 20 }, () => "Approved: applying"),
    );
    await harness.bot.approvals.idle();
    assert.deepEqual(
      asked.map((a) => harness.bot.approvals.get(a.id).status),
      Array.from({ length: 20 }, () => "done"),
    );
    assert.equal(harness.simulator.counters.writes, 20);
    const e3 = harness.simulator.state.subscribedSkus().find((s) => s.skuId === E3);
    assert.equal(e3?.consumedUnits, 49);
  });
});

describe("Request approval and Approve with Graph 2 s away (docs/teams-limits.md)", function () {
  this.timeout(90_000);
  afterEach(async () => {
    for (const h of harnesses.splice(0)) await h.close();
  });

  it("Request approval is answered after one Graph call (the requester's roles); the preview runs again after it and the request card follows", async () => {
    const harness = await BotHarness.start(DEMO, 0);
    harnesses.push(harness);
    const sim = harness.simulator;
    const previewed = await harness.say("move group Marketing from E1 to E3");
    const previewId = previewed.replies.at(-1)?.sentId ?? "";
    sim.setFaults({ latencyMs: 2000 });
    sim.counters.reset();
    const answer = await harness.invoke("requestApproval", executeData(onlyCard(previewed), "requestApproval"), {
      replyToId: previewId,
    });
    const click = harness.turns.find((t) => t.kind === "invoke");
    assert.ok((click?.ms ?? Infinity) < 3000, `the click took ${click?.ms} ms`);
    assert.equal(cardTexts(invokeCard(answer))[0], "Asking for approval…");
    // After the turn: the preview again (at least three calls, 2 s each), then the request stored and sent.
    assert.ok(sim.counters.total >= 4, JSON.stringify(sim.counters.byRoute));
    assert.equal(
      cardTexts(cardOf(answer.updates.find((u) => u.replaces === previewId)?.activity))[0],
      "Approval requested: request #1",
    );
    assert.equal(harness.bot.approvals.get(1).status, "pending");
  });

  it("Approve is answered after one Graph call (the approver's roles); the re-check, the write and the follow-up come after it, and the cards follow", async () => {
    const harness = await BotHarness.start(DEMO, 0);
    harnesses.push(harness);
    const sim = harness.simulator;
    const asked = await ask(harness, "move group Marketing from E1 to E3");
    sim.setFaults({ latencyMs: 2000 });
    sim.counters.reset();
    const mark = harness.mark();
    const clicked = await approve(harness, asked.card);
    const turn = harness.turns.at(-1);
    assert.equal(turn?.kind, "invoke");
    assert.ok((turn?.ms ?? Infinity) < 3000, `the click took ${turn?.ms} ms`);
    assert.deepEqual(sim.counters.byRoute, { "POST /users/{id}/checkMemberGroups": 1 });
    assert.equal(head(invokeCard(clicked))[2], "Approved: applying");
    await harness.bot.approvals.idle();
    assert.equal(harness.bot.approvals.get(asked.id).status, "done");
    assert.equal(sim.counters.writes, 1);
    assert.deepEqual(cardStates(harness.since(mark).updates).get(asked.cardId), [
      "Approved: applying",
      "Applied: Entra is processing the members",
      "Done",
    ]);
  });
});

describe("following Entra's processing through a throttle burst", function () {
  this.timeout(60_000);
  afterEach(async () => {
    for (const h of harnesses.splice(0)) await h.close();
  });

  it("six seconds of 429s while the group is processing: the follow-up keeps reading and reports the request done", async () => {
    // Processing takes 2 s, so the burst starts while the group is still processing.
    const harness = await BotHarness.start(DEMO, 2000);
    harnesses.push(harness);
    const sim = harness.simulator;
    const asked = await ask(harness, "move group Marketing from E1 to E3");
    await approve(harness, asked.card);
    for (let i = 0; i < 200 && harness.bot.approvals.get(asked.id).status !== "processing"; i++)
      await new Promise((r) => setTimeout(r, 10));
    assert.equal(harness.bot.approvals.get(asked.id).status, "processing");
    sim.setFaults({ throttleRate: 1 });
    await new Promise((r) => setTimeout(r, 6000));
    assert.ok(sim.counters.throttled > 3, `only ${sim.counters.throttled} requests were throttled`);
    assert.equal(harness.bot.approvals.get(asked.id).status, "processing");
    sim.setFaults({ throttleRate: 0 });
    await harness.bot.approvals.idle();
    assert.equal(harness.bot.approvals.get(asked.id).status, "done");
    assert.equal(sim.counters.writes, 1);
  });
});

describe("following Entra's processing when Graph's reads lag behind the write (docs/graph-contract.md, \"Consistency\")", function () {
  this.timeout(60_000);
  afterEach(async () => {
    for (const h of harnesses.splice(0)) await h.close();
  });

  it("Sales' state reads 'complete' from before the write and its member listing is a minute behind: the outcome waits for the members and reports 54 of 60 within seconds", async () => {
    // Both lags outlast the test: only the members read one by one can show the change.
    const harness = await BotHarness.start(DEMO, 300, {
      env: { SIMULATOR_INDEX_LAG_MS: "60000", SIMULATOR_PROCESSING_STATE_LAG_MS: "60000" },
    });
    harnesses.push(harness);
    const sim = harness.simulator;
    assert.equal(sim.state.group(demoGroup("Sales").id)?.licenseProcessingState?.state, "ProcessingComplete");
    const asked = await ask(harness, "move group Sales from E1 to E3");
    const started = Date.now();
    await approve(harness, asked.card);
    await harness.bot.approvals.idle();
    assert.ok(Date.now() - started < 10_000, `took ${Date.now() - started} ms`);
    const request = harness.bot.approvals.get(asked.id);
    assert.equal(request.status, "done-with-errors");
    const report = reportOf(harness, asked.id);
    assert.deepEqual([report.members, report.holdTarget, report.failed], [60, 54, 6]);
    // Processing had finished (600 ms) before the follow-up took it as the end.
    assert.equal(sim.state.group(demoGroup("Sales").id)?.licenseProcessingState?.state, "ProcessingComplete");
    assert.equal(sim.counters.writes, 1);
  });
});

describe("following Entra's processing while Graph is down", function () {
  this.timeout(60_000);
  afterEach(async () => {
    for (const h of harnesses.splice(0)) await h.close();
  });

  it("Graph answering 503 for 90 minutes while the group is processing: the follow-up keeps reading and reports the request done, after one write", async () => {
    let minutesLater = 0;
    const harness = await BotHarness.start(DEMO, 2000, {
      now: () => new Date(Date.now() + minutesLater * 60_000),
      pollDelaysMs: [20],
    });
    harnesses.push(harness);
    const sim = harness.simulator;
    const asked = await ask(harness, "move group Marketing from E1 to E3");
    await approve(harness, asked.card);
    for (let i = 0; i < 200 && harness.bot.approvals.get(asked.id).status !== "processing"; i++)
      await new Promise((r) => setTimeout(r, 10));
    assert.equal(harness.bot.approvals.get(asked.id).status, "processing");
    const mark = harness.mark();
    sim.setFaults({ outage: true, retryAfterSeconds: 0 });
    // The bot's clock runs 90 minutes on while every read fails; Entra finishes processing meanwhile.
    for (minutesLater = 1; minutesLater <= 90; minutesLater++) await new Promise((r) => setTimeout(r, 50));
    await sim.state.whenIdle();
    const failedReads = sim.counters.unavailable;
    assert.ok(failedReads >= 90, `only ${failedReads} reads failed during the outage`);
    assert.equal(harness.bot.approvals.get(asked.id).status, "processing");
    sim.setFaults({ outage: false });
    await harness.bot.approvals.idle();
    assert.equal(harness.bot.approvals.get(asked.id).status, "done");
    assert.equal(sim.counters.writes, 1);
    assert.ok(
      harness
        .since(mark)
        .replies.some((r) => /^Request #1 is done.*: 25 of 25 now hold Office 365 E3\.$/.test(r.text ?? "")),
      harness
        .since(mark)
        .replies.map((r) => r.text)
        .join(" | "),
    );
  });
});

describe("following Entra's processing to its deadline", function () {
  this.timeout(30_000);
  afterEach(async () => {
    for (const h of harnesses.splice(0)) await h.close();
  });

  it("a group still processing 24 hours after approval: the request fails with what to check, after one write", async () => {
    let hoursLater = 0;
    const harness = await BotHarness.start(DEMO, 600_000, {
      now: () => new Date(Date.now() + hoursLater * 3_600_000),
      pollDelaysMs: [20],
    });
    harnesses.push(harness);
    const asked = await ask(harness, "move group Marketing from E1 to E3");
    await approve(harness, asked.card);
    for (let i = 0; i < 200 && harness.bot.approvals.get(asked.id).status !== "processing"; i++)
      await new Promise((r) => setTimeout(r, 10));
    assert.equal(harness.bot.approvals.get(asked.id).status, "processing");
    const mark = harness.mark();
    hoursLater = 24;
    await harness.bot.approvals.idle();
    const request = harness.bot.approvals.get(asked.id);
    const message =
      "Entra has not finished processing the group's licenses within 24 hours of the approval, so I stopped following it. " +
      "Check the group's Licenses page in the Microsoft Entra admin center (processing state and users in error); if it is still processing, open a Microsoft support request.";
    assert.deepEqual([request.status, request.stages[0]?.error], ["failed", message]);
    assert.ok(harness.since(mark).replies.some((r) => r.text === `Request #1: the change was sent, but ${message}`));
    assert.equal(harness.simulator.counters.writes, 1);
  });
});
