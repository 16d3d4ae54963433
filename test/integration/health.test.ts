/**
 * The bot's HTTP face to probes and to whoever posts to it: /healthz and /readyz, and what a request
 * the bot cannot handle is answered (a fixed message; the detail goes to the log only).
 */
import assert from "node:assert/strict";
import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import pino from "pino";
import { startBot, type RunningBot } from "../../src/app";
import { loadSettings } from "../../src/config";
import type { GraphSimulatorServer } from "../../src/simulator/graphServer";
import { TeamsChannel } from "../support/botHarness";
import { DEMO } from "../support/demoTenant";
import { scratchDir } from "../support/scratch";

const INTERNAL_ERROR =
  '{"code":"InternalError","message":"The bot could not handle this request; the details are in its log."}';

/** The bot on the demo tenant with its log captured as parsed JSON lines. */
async function startLoggedBot(): Promise<{ bot: RunningBot; logged: Record<string, unknown>[] }> {
  const logged: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split("\n"))
        if (line !== "") logged.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const settings = loadSettings({
    PORT: "0",
    SIMULATOR_SNAPSHOT: DEMO,
    SIMULATOR_PROCESSING_DELAY_MS: "0",
    PLAYGROUND: "false",
    DATA_DIR: scratchDir("health"),
  });
  return { bot: await startBot(settings, pino({ level: "info" }, sink), { pollDelaysMs: [10] }), logged };
}

function simulatorOf(bot: RunningBot): GraphSimulatorServer {
  const simulator = bot.tenant.simulator;
  assert.ok(simulator, "the bot runs on the simulated tenant");
  return simulator;
}

/** GET `path` of the bot's host: the status and the body as text. */
async function probe(bot: RunningBot, path: string): Promise<{ status: number; body: string }> {
  const response = await fetch(new URL(path, bot.endpoint));
  return { status: response.status, body: await response.text() };
}

describe("the bot's probes and error answers", () => {
  let bot: RunningBot;
  let logged: Record<string, unknown>[];
  let channel: TeamsChannel;
  before(async () => {
    ({ bot, logged } = await startLoggedBot());
    channel = await TeamsChannel.start();
    channel.tenantId = bot.tenant.tenantId;
  });
  after(async () => {
    await bot.close();
    await channel.close();
  });
  beforeEach(() => simulatorOf(bot).counters.reset());

  it("GET /readyz: 200 ready when the store and the tenant answer, with one cheap Graph read", async () => {
    assert.deepEqual(await probe(bot, "/readyz"), {
      status: 200,
      body: '{"status":"ready","checks":{"store":"ok","graph":"ok"}}',
    });
    assert.deepEqual(simulatorOf(bot).counters.byRoute, { "GET /organization": 1 });
  });

  it("GET /readyz: 503 naming graph while the tenant throttles everything, the reason only in the log", async () => {
    const from = logged.length;
    simulatorOf(bot).setFaults({ throttleRate: 1, retryAfterSeconds: 0 });
    try {
      assert.deepEqual(await probe(bot, "/readyz"), {
        status: 503,
        body: '{"status":"not ready","checks":{"store":"ok","graph":"failed"}}',
      });
    } finally {
      simulatorOf(bot).setFaults({ throttleRate: 0 });
    }
    const failures = logged.slice(from).filter((l) => l.msg === "readiness check failed");
    assert.deepEqual(
      failures.map((l) => [l.level, l.dependency]),
      [[40, "graph"]],
    );
    assert.match(JSON.stringify(failures[0].err), /429/);
    assert.equal((await probe(bot, "/readyz")).status, 200, "ready again once the tenant answers");
  });

  it("an activity the adapter cannot parse: 500 with the fixed message, the adapter's text only in the log", async () => {
    const from = logged.length;
    const response = await fetch(bot.endpoint, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ ...channel.activity({ text: "help" }), type: 5 }),
    });
    assert.equal(response.status, 500);
    assert.equal(await response.text(), INTERNAL_ERROR);
    const failed = logged.slice(from).filter((l) => l.msg === "request failed");
    assert.equal(failed.length, 1, JSON.stringify(logged.slice(from)));
    assert.match(JSON.stringify(failed[0].err), /validateAndFixActivity\(\): missing activity type/);
  });

  it("a message whose channel refuses the reply: 500 with the fixed message, not the channel's error text", async () => {
    const refusing = http.createServer((_req, res) => {
      res.statusCode = 400;
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ error: { code: "BadArgument", message: "conversation 19:secret-thread is unknown" } }));
    });
    refusing.listen(0, "127.0.0.1");
    await once(refusing, "listening");
    try {
      const from = logged.length;
      const activity = {
        ...channel.activity({ type: "message", text: "help" }),
        serviceUrl: `http://127.0.0.1:${(refusing.address() as AddressInfo).port}`,
      };
      const response = await fetch(bot.endpoint, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(activity),
      });
      assert.equal(response.status, 500);
      assert.equal(await response.text(), INTERNAL_ERROR);
      const failed = logged.slice(from).filter((l) => l.msg === "request failed");
      assert.deepEqual(
        failed.map((l) => [l.level, l.status, l.detail]),
        [[50, 500, "conversation 19:secret-thread is unknown"]],
      );
    } finally {
      refusing.close();
    }
  });
});

describe("the bot's readiness once its tenant is gone", () => {
  let bot: RunningBot;
  before(async () => ({ bot } = await startLoggedBot()));
  after(async () => bot.close());

  it("GET /readyz: 503 naming graph when the simulated tenant has stopped; /healthz still 200", async () => {
    assert.equal((await probe(bot, "/readyz")).status, 200);
    await simulatorOf(bot).close();
    assert.deepEqual(await probe(bot, "/readyz"), {
      status: 503,
      body: '{"status":"not ready","checks":{"store":"ok","graph":"failed"}}',
    });
    assert.deepEqual(await probe(bot, "/healthz"), { status: 200, body: '{"status":"ok"}' });
  });
});
