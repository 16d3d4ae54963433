/**
 * Messages no person types but a forged or broken client can send: each is answered with what was
 * wrong and what to do, nothing of the tenant is changed, and the bot answers the next message.
 */
import assert from "node:assert/strict";
import { BotHarness } from "../support/botHarness";
import { cardOf, cardTexts, onlyText } from "../support/cardText";
import { DEMO } from "../support/demoTenant";

const BROKEN_NAME =
  "The name has a broken character in it (half of an emoji or symbol, as some copy and paste leaves), so I did not look it up and nothing was changed. Type the name again without that character.";
const NOT_TEXT =
  'I could not read that message: it had no text in it, so I did nothing. Type your request in words, for example "move group Sales from E1 to E3".';
const BAD_BUTTON =
  'That button\'s data was not understood, so I did nothing. Ask again in words, for example "move group Sales from E1 to E3".';

describe("bad input, through the bot", () => {
  let harness: BotHarness;
  before(async () => (harness = await BotHarness.start(DEMO)));
  after(async () => harness.close());
  beforeEach(() => harness.simulator.counters.reset());

  /** The bot still answers: "help" gets its card. */
  async function stillUp(): Promise<void> {
    const { replies } = await harness.say("help");
    assert.equal(cardTexts(cardOf(replies[0]))[0], "License Desk");
  }

  const names: readonly [string, string][] = [
    ["a change", "move group \uD800Sales from E1 to E3"],
    ["a change with the half pair at the end", "move group Sales\uDBFF from E1 to E3"],
    ["a user's change", "move user \uDC00megan@contoso.com from E1 to E3"],
    ["a migration", "migrate Oper\uD800ations to group licensing for E3"],
  ];
  for (const [what, typed] of names) {
    it(`half of a surrogate pair in the name of ${what}: says the name is broken, looks nothing up`, async () => {
      assert.equal(onlyText(await harness.say(typed)), BROKEN_NAME);
      const byRoute = harness.simulator.counters.byRoute;
      assert.equal(byRoute["GET /groups"], undefined);
      assert.equal(byRoute["GET /users"], undefined);
      assert.equal(harness.simulator.counters.writes, 0);
      await stillUp();
    });
  }

  it("a Refresh button whose name has half of a surrogate pair: the same answer", async () => {
    const forged = {
      command: "preview",
      request: { target: { hint: "group", name: "Sa\uD83Dles" }, from: "E1", to: "E3" },
    };
    assert.equal(onlyText(await harness.say("", forged)), BROKEN_NAME);
    assert.equal(harness.simulator.counters.writes, 0);
  });

  // Teams sends text as a string; a forged activity can send anything JSON has.
  const texts: readonly [string, unknown][] = [
    ["a number", 42],
    ["an object", { command: "seats" }],
    ["an array", ["seats"]],
    ["true", true],
  ];
  for (const [what, value] of texts) {
    it(`a message whose text is ${what}: says it had no text, reads nothing`, async () => {
      // The harness types text as a string, as Teams sends it; this activity is forged on purpose.
      assert.equal(onlyText(await harness.say(value as string)), NOT_TEXT);
      assert.equal(harness.simulator.counters.total, 0);
      await stillUp();
    });
  }

  const commands: readonly [string, unknown][] = [
    ["an object", { toString: "seats" }],
    ["a number", 7],
    ["an array", ["seats"]],
    ["null", null],
  ];
  for (const [what, command] of commands) {
    it(`a button whose command is ${what}: says the button was not understood, reads nothing`, async () => {
      assert.equal(onlyText(await harness.say("", { command })), BAD_BUTTON);
      assert.equal(harness.simulator.counters.total, 0);
      await stillUp();
    });
  }
});
