/**
 * The whole path: a Bot Framework activity → restify + CloudAdapter → ChatService → Graph client →
 * simulated tenant over HTTP → Adaptive Card back to the conversation.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BotHarness, PEOPLE, type InvokeAnswer } from "../support/botHarness";
import { cardOf, cardTexts, onlyCard, onlyText, type Card } from "../support/cardText";
import { DEMO, demo } from "../support/demoTenant";
import { scratchDir } from "../support/scratch";

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

  it("answers a channel that asks for its replies in the turn's response (deliveryMode expectReplies) inside the turn", async () => {
    const response = await fetch(harness.bot.endpoint, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        type: "message",
        id: "expect-replies-1",
        text: "move group Marketing from E1 to E3",
        deliveryMode: "expectReplies",
        channelId: "msteams",
        serviceUrl: "http://127.0.0.1:9/",
        from: PEOPLE.adele,
        recipient: { id: "bot", name: "License Desk" },
        conversation: {
          id: "expect-replies-chat",
          conversationType: "personal",
          tenantId: harness.bot.tenant.tenantId,
        },
        channelData: { tenant: { id: harness.bot.tenant.tenantId } },
      }),
    });
    assert.equal(response.status, 200);
    const body = (await response.json()) as { activities: { type: string; attachments?: { content: Card }[] }[] };
    const cards = body.activities.filter((a) => a.type === "message").map((a) => a.attachments?.[0]?.content);
    assert.equal(cards.length, 1);
    assert.equal(cardTexts(cards[0] as Card)[2], "Ready: every check passed");
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

  it("answers seats only to requesters and approvers: Megan, who is neither, is told so and nothing is read", async () => {
    assert.equal(
      onlyText(await harness.say("seats", undefined, { from: PEOPLE.megan })),
      "Only License Desk requesters and approvers can do that, and you are neither. Ask your Teams administrator to add you.",
    );
    assert.equal(harness.bot.tenant.simulator?.counters.byRoute["GET /subscribedSkus"], undefined);
    assert.equal(cardTexts(onlyCard(await harness.say("seats", undefined, { from: PEOPLE.patti })))[0], "Licenses");
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
      [
        "You are not set up to request license changes. Ask your Teams administrator to add you to the License Desk requesters.",
      ],
    );
    assert.equal(
      harness.bot.tenant.simulator?.counters.byRoute["GET /subscribedSkus"],
      undefined,
      "nothing of the tenant was read for her",
    );
  });

  it("answers nothing of this tenant to someone from another tenant", async () => {
    for (const text of ["seats", "move group Marketing from E1 to E3", "status"]) {
      const { replies } = await harness.say(text, undefined, { tenantId: "0f0f0f0f-0000-4000-8000-000000000000" });
      assert.deepEqual(
        replies.map((r) => r.text),
        ["This bot serves another organization's tenant; your action was not accepted."],
        text,
      );
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
      // Seats are for requesters and approvers: the first call is Adele's role check.
      assert.match(
        replies[0].text ?? "",
        new RegExp(
          `^I could not reach Microsoft Graph to check the group memberships of the user ${PEOPLE.adele.aadObjectId}: .+Try again in a minute`,
        ),
      );
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

/** A group of the demo tenant whose name is markdown: a person can name a group anything. */
const MARKDOWN_GROUP = "**Sales** [x](http://evil)";
/** How the bot must write it in markdown, so that Teams shows it as it is. */
const ESCAPED_GROUP = String.raw`\*\*Sales\*\* \[x\](http://evil)`;

describe("names and reasons that are markdown are shown as they are", () => {
  let dir: string;
  let harness: BotHarness;
  before(async () => {
    dir = scratchDir("markdown");
    const snapshot = JSON.parse(readFileSync(DEMO, "utf8")) as { groups: object[] };
    snapshot.groups.push({
      id: randomUUID(),
      displayName: MARKDOWN_GROUP,
      mailEnabled: false,
      securityEnabled: true,
      groupTypes: [],
      assignedLicenses: [],
      members: [],
    });
    const path = join(dir, "tenant.json");
    writeFileSync(path, JSON.stringify(snapshot));
    harness = await BotHarness.start(path);
  });
  after(async () => {
    await harness?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("a group named like markdown: the preview card shows its name escaped", async () => {
    const texts = cardTexts(onlyCard(await harness.say(`move group ${MARKDOWN_GROUP} from E1 to E3`)));
    assert.equal(texts[0], `Move group ${ESCAPED_GROUP} from Office 365 E1 to Office 365 E3`);
    assert.ok(texts.includes(`${ESCAPED_GROUP} does not hold Office 365 E1`), texts.join(" | "));
    assert.ok(!texts.some((t) => t.includes(MARKDOWN_GROUP)), "no text shows the name unescaped");
  });

  it("a group named like markdown: the refusal text names it escaped", async () => {
    assert.equal(
      onlyText(await harness.say(`upgrade group ${MARKDOWN_GROUP} to E3`)),
      `The group ${ESCAPED_GROUP} holds no product, so there is nothing to move from. Say which product to move from, e.g. "move group ${ESCAPED_GROUP} from E1 to E3".`,
    );
  });

  it("a typed name that is markdown comes back escaped", async () => {
    assert.equal(
      onlyText(await harness.say("move user _nobody_@fabrikam.example from E1 to E3")),
      String.raw`I found no user named "\_nobody\_@fabrikam.example". Check the name as it appears in Entra ID.`,
    );
  });

  it('a rejection reason "_urgent_" reaches the request card escaped', async () => {
    const chat = { conversationId: "helpdesk-group-chat" };
    const preview = onlyCard(await harness.say("move group Marketing from E1 to E3", undefined, chat));
    const asked = await harness.invoke("requestApproval", buttonData(preview.actions, "requestApproval"), chat);
    const card = cardOf(asked.replies[0]);
    const rejected = await harness.invoke(
      "reject",
      { ...(buttonData(card.actions, "reject") as object), reason: "_urgent_" },
      { ...chat, from: PEOPLE.patti },
    );
    assert.deepEqual(cardTexts(invoked(rejected)).slice(2, 4), [
      "Rejected",
      String.raw`Rejected by Patti Fernandez: \_urgent\_`,
    ]);
  });
});

/** The data of the card's Action.Execute button with this verb, also inside a ShowCard (as Reject's is). */
function buttonData(actions: Card["actions"], verb: string): unknown {
  for (const action of (actions ?? []) as { type?: string; verb?: string; data?: unknown; card?: Card }[]) {
    if (action.type === "Action.Execute" && action.verb === verb) return action.data;
    const inner = action.type === "Action.ShowCard" ? buttonData(action.card?.actions, verb) : undefined;
    if (inner !== undefined) return inner;
  }
  assert.fail(`no ${verb} button in ${JSON.stringify(actions)}`);
}

function invoked(answer: InvokeAnswer): Card {
  assert.equal(answer.status, 200);
  assert.ok(answer.card, "answered with a card");
  return answer.card;
}
