/**
 * What a refusal leaves in the log: one info line with what was refused and what the person was
 * told, no stack trace (a refusal is the bot working as meant). The bot runs as in production,
 * with its log captured, and Patti clicks Approve on a request that does not exist.
 */
import assert from "node:assert/strict";
import { Writable } from "node:stream";
import pino from "pino";
import { startBot, type RunningBot } from "../../src/app";
import { loadSettings } from "../../src/config";
import { PEOPLE, TeamsChannel } from "../support/botHarness";
import { cardTexts } from "../support/cardText";
import { DEMO } from "../support/demoTenant";
import { scratchDir } from "../support/scratch";

describe("the log of a refused card action", () => {
  const lines: string[] = [];
  let channel: TeamsChannel;
  let bot: RunningBot;
  before(async () => {
    channel = await TeamsChannel.start();
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...chunk.toString().split("\n").filter((l) => l !== ""));
        done();
      },
    });
    const settings = loadSettings({ PORT: "0", SIMULATOR_SNAPSHOT: DEMO, PLAYGROUND: "false", DATA_DIR: scratchDir("log") });
    bot = await startBot(settings, pino({ level: "info" }, sink), { pollDelaysMs: [10] });
    channel.tenantId = bot.tenant.tenantId;
  });
  after(async () => {
    await bot.close();
    await channel.close();
  });

  it("Approve on a request that does not exist: one info line, the refusal and its answer, no stack", async () => {
    const before = lines.length;
    const answer = await channel.invoke(bot.endpoint, "approve", { requestId: 999, version: 1 }, { from: PEOPLE.patti });
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
});
