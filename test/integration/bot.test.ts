/**
 * The whole path: a Bot Framework activity → restify + CloudAdapter → LicenseDesk → Graph client →
 * simulated tenant over HTTP → Adaptive Card back to the conversation.
 */
import assert from "node:assert/strict";
import { BotHarness, PEOPLE } from "../support/botHarness";
import { cardOf, cardTexts } from "../support/cardText";
import { DEMO, demo } from "../support/demoTenant";

describe("the bot on the demo tenant", () => {
  let harness: BotHarness;
  before(async () => (harness = await BotHarness.start(DEMO)));
  after(async () => harness.close());
  beforeEach(() => harness.bot.tenant.simulator?.counters.reset());

  it("answers help with a card of what it can do", async () => {
    const { status, replies } = await harness.say("help");
    assert.equal(status, 200);
    assert.equal(replies.length, 1);
    const texts = cardTexts(cardOf(replies[0]));
    assert.equal(texts[0], "License Desk");
    assert.ok(texts.includes("seats"));
  });

  it("answers seats with every user product's seats, read in one Graph call", async () => {
    const { replies } = await harness.say("show licenses");
    const texts = cardTexts(cardOf(replies[0]));
    const e3 = demo.subscribedSkus.find((s) => s.skuPartNumber === "ENTERPRISEPACK");
    assert.ok(e3, "the demo tenant owns Office 365 E3");
    const row = texts.indexOf("Office 365 E3");
    assert.ok(row > 0, `no Office 365 E3 row in ${texts.join(" | ")}`);
    assert.deepEqual(texts.slice(row, row + 5), [
      "Office 365 E3",
      "ENTERPRISEPACK",
      `${e3.consumedUnits} / ${e3.prepaidUnits.enabled}`,
      String(e3.prepaidUnits.enabled - e3.consumedUnits),
      e3.capabilityStatus,
    ]);
    const userProducts = demo.subscribedSkus.filter((s) => s.appliesTo === "User").length;
    assert.equal(texts.filter((t) => /^\d+ \/ \d+$/.test(t)).length, userProducts);
    assert.equal(harness.bot.tenant.simulator?.counters.byRoute["GET /subscribedSkus"], 1);
  });

  it("answers a card button's command as if it were typed", async () => {
    const { replies } = await harness.say("", { command: "seats" });
    assert.equal(cardTexts(cardOf(replies[0]))[0], "Licenses");
  });

  it("points to help when it does not understand", async () => {
    const { replies } = await harness.say("make me a sandwich");
    assert.equal(replies.length, 1);
    assert.equal(
      replies[0].text,
      "I did not understand that. Try for example:\n\n- move group Sales from E1 to E3\n- upgrade user megan@contoso.com to Office 365 E3\n- change group 'Sales EMEA' E1 -> E3\n\nSay **help** for everything I can do.",
    );
  });

  it("shows a preview only to people who may request changes, and says so politely to others", async () => {
    const { replies } = await harness.say("move group Marketing from E1 to E3", undefined, { from: PEOPLE.megan });
    assert.deepEqual(
      replies.map((r) => r.text),
      ["You are not set up to request license changes. Ask your Teams administrator to add you to the License Desk requesters."],
    );
    assert.equal(harness.bot.tenant.simulator?.counters.byRoute["GET /subscribedSkus"], undefined, "nothing of the tenant was read for her");
  });

  it("answers nothing of this tenant to someone from another tenant", async () => {
    for (const text of ["seats", "move group Marketing from E1 to E3", "status"]) {
      const { replies } = await harness.say(text, undefined, { tenantId: "0f0f0f0f-0000-4000-8000-000000000000" });
      assert.deepEqual(replies.map((r) => r.text), ["This bot serves another organization's tenant; your action was not accepted."], text);
    }
    assert.equal(harness.bot.tenant.simulator?.counters.total, 0);
  });

  it("survives 10 KB of text and answers the next message", async () => {
    const { status, replies } = await harness.say("licenses ".repeat(1200));
    assert.equal(status, 200);
    assert.equal(replies.length, 1);
    assert.equal((await harness.say("seats")).replies.length, 1);
  });

  it("rides out throttling: Graph's 429 with Retry-After is retried by the client", async () => {
    const simulator = harness.simulator;
    simulator.setFaults({ throttleRate: 0.5, retryAfterSeconds: 0 });
    try {
      const { replies } = await harness.say("seats");
      assert.equal(cardTexts(cardOf(replies[0]))[0], "Licenses");
      assert.equal(simulator.counters.byRoute["GET /subscribedSkus"], 2, "one throttled request, one retry");
    } finally {
      simulator.setFaults({ throttleRate: 0 });
    }
  });

  it("says what happened and what to do when Graph cannot be reached", async () => {
    const simulator = harness.simulator;
    await simulator.close();
    try {
      const { replies } = await harness.say("seats");
      assert.equal(replies.length, 1);
      assert.match(replies[0].text ?? "", /^I could not reach Microsoft Graph to read the tenant's subscribed products: .+Try again in a minute/);
    } finally {
      await simulator.listen(Number(new URL(simulatorUrl(harness)).port));
    }
  });
});

function simulatorUrl(h: BotHarness): string {
  const match = /at (http:\/\/\S+)$/.exec(h.bot.tenant.description);
  assert.ok(match);
  return match[1];
}
