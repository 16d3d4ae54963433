/**
 * What the log holds, with the bot running as in production and its log captured:
 * - a refusal: one info line with what was refused and what the person was told, no stack trace
 *   (a refusal is the bot working as meant); Patti clicks Approve on a request that does not exist;
 * - a change: every decision and every write to the tenant, once each at info with the request id.
 */
import assert from "node:assert/strict";
import { Writable } from "node:stream";
import pino from "pino";
import { startBot, type RunningBot } from "../../src/app";
import { loadSettings } from "../../src/config";
import { PEOPLE, personalChatOf, TeamsChannel } from "../support/botHarness";
import { cardOf, cardTexts, executeData, onlyCard } from "../support/cardText";
import { DEMO } from "../support/demoTenant";
import { scratchDir } from "../support/scratch";

describe("the log of refusals, decisions and writes", () => {
  const lines: string[] = [];
  let channel: TeamsChannel;
  let bot: RunningBot;
  before(async () => {
    channel = await TeamsChannel.start();
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(
          ...chunk
            .toString()
            .split("\n")
            .filter((l) => l !== ""),
        );
        done();
      },
    });
    const settings = loadSettings({
      PORT: "0",
      SIMULATOR_SNAPSHOT: DEMO,
      SIMULATOR_PROCESSING_DELAY_MS: "20",
      PLAYGROUND: "false",
      DATA_DIR: scratchDir("log"),
    });
    bot = await startBot(settings, pino({ level: "info" }, sink), { pollDelaysMs: [10] });
    channel.tenantId = bot.tenant.tenantId;
  });
  after(async () => {
    await bot.close();
    await channel.close();
  });

  it("Approve on a request that does not exist: one info line, the refusal and its answer, no stack", async () => {
    const before = lines.length;
    const answer = await channel.invoke(
      bot.endpoint,
      "approve",
      { requestId: 999, version: 1 },
      { from: PEOPLE.patti },
      () => bot.answered(),
    );
    const [title, told] = cardTexts(answer.card ?? { body: [] });
    assert.equal(title, "Nothing was changed");
    const logged = lines.slice(before).map((l) => JSON.parse(l) as Record<string, unknown>);
    const refused = logged.filter((l) => l.msg === "request refused");
    assert.equal(refused.length, 1, JSON.stringify(logged));
    assert.equal(refused[0].level, 30);
    assert.equal(refused[0].refusal, "ActionRefused");
    assert.equal(refused[0].userMessage, told);
    assert.deepEqual(
      logged.filter((l) => Number(l.level) >= 40),
      [],
      "nothing at warn or above",
    );
    assert.ok(!lines.slice(before).some((l) => l.includes('"stack"')), lines.slice(before).join("\n"));
  });

  it("a group's change, requested and approved: stored, approved and sent once each at info, with the request id", async () => {
    const before = lines.length;
    const adele = { from: PEOPLE.adele };
    const preview = onlyCard(
      await channel.say(bot.endpoint, "move group Sales from E1 to E3", undefined, adele, () => bot.answered()),
    );
    const asked = await channel.invoke(
      bot.endpoint,
      "requestApproval",
      executeData(preview, "requestApproval"),
      adele,
      () => bot.answered(),
    );
    const requestCard = cardOf(asked.replies[0]);
    const approved = await channel.invoke(
      bot.endpoint,
      "approve",
      executeData(requestCard, "approve"),
      { from: PEOPLE.patti, conversationId: personalChatOf(PEOPLE.adele) },
      () => bot.answered(),
    );
    assert.equal(approved.status, 200);
    assert.ok(cardTexts(approved.card ?? { body: [] }).includes("Approved: applying"), "Patti's approval went through");
    await bot.approvals.idle();
    const logged = lines.slice(before).map((l) => JSON.parse(l) as Record<string, unknown>);
    const id = Number(/#(\d+)/.exec(cardTexts(requestCard)[0])?.[1]);
    const once = (msg: string) => {
      const found = logged.filter((l) => l.msg === msg);
      assert.equal(found.length, 1, `${msg}: ${JSON.stringify(logged.map((l) => l.msg))}`);
      assert.equal(found[0].level, 30);
      assert.equal(found[0].request, id);
    };
    once("request stored");
    once("approved");
    once("sending the license change to Graph");
    assert.deepEqual(
      logged.filter((l) => Number(l.level) >= 40),
      [],
      "nothing at warn or above",
    );
  });
});
