/**
 * Recovery with a real process kill: the bot runs as a child process (`node src/main.ts`) against a
 * simulated tenant that lives here, in the test's process, so that the tenant outlives the bot. The
 * bot is killed with SIGKILL (no shutdown hook, no last write) at each point where a request can be
 * caught in the middle, started again on the same data folder, and must finish the request from
 * what the store and the tenant hold: the change ends in the tenant, made by exactly one write.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import type { LicenseRequest } from "../../src/store/requestStore";
import { GraphSimulatorServer } from "../../src/simulator/graphServer";
import { TenantState } from "../../src/simulator/tenantState";
import { PEOPLE, personalChatOf, type ReceivedActivity } from "../support/botHarness";
import { BotProcess } from "../support/botProcess";
import { cardOf, cardTexts, executeData } from "../support/cardText";
import { DEMO } from "../support/demoTenant";
import { E1, E3 } from "../support/productIds";

const ASK = "move group Marketing from E1 to E3";
/** Patti approves in Adele's chat, where the approval card went (no approvals channel is set). */
const AS_PATTI = { from: PEOPLE.patti, conversationId: personalChatOf(PEOPLE.adele) };
/** Bounds each wait; the whole case is bounded by mocha's timeout below. */
const WAIT_MS = 20_000;

interface CardRef {
  readonly requestId: number;
  readonly version: number;
}

describe("restart: the bot process killed with a request in the middle", function () {
  this.timeout(90_000);

  let simulator: GraphSimulatorServer;
  let bot: BotProcess | undefined;
  let marketing: string;

  /** The demo tenant in this process, group processing taking `processingDelayMs` per stage. */
  async function startTenant(processingDelayMs: number): Promise<string> {
    simulator = new GraphSimulatorServer(
      TenantState.fromJson(JSON.parse(readFileSync(DEMO, "utf8")), { processingDelayMs }),
    );
    const found = simulator.state.groups().find((g) => g.displayName === "Marketing");
    assert.ok(found, "the demo tenant has a Marketing group");
    marketing = found.id;
    return simulator.listen(0);
  }

  afterEach(async function () {
    // What the bot said, for a failed case: its output across every start.
    if (this.currentTest?.state === "failed" && bot) console.error(bot.output());
    await bot?.close();
    bot = undefined;
    await simulator.close();
    simulator.state.stop();
  });

  /** Polls `condition` until it holds; fails naming `what` after WAIT_MS. */
  async function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = WAIT_MS): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await condition())) {
      if (Date.now() > deadline)
        assert.fail(`waited ${timeoutMs} ms for ${what} (the bot's output follows the failure)`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  const marketingSkus = () => simulator.state.group(marketing)?.assignedLicenses.map((l) => l.skuId);

  /** Adele previews the change (Marketing E1 → E3 unless told) and clicks "Request approval": the pending request's card reference. */
  async function requestApproval(running: BotProcess, ask = ASK): Promise<CardRef> {
    const preview = await running.say(ask);
    assert.equal(preview.status, 200);
    const request = executeData(cardOf(preview.replies.at(-1)), "requestApproval");
    const requested = await running.invoke("requestApproval", request);
    assert.equal(requested.status, 200);
    // The request's card, with Approve, is sent into the conversation (no approvals channel is set).
    const cards = requested.replies.filter((r) => r.attachments !== undefined).map((r) => cardOf(r));
    const withApprove = cards.find((c) => (c.actions ?? []).some((a) => (a as { verb?: unknown }).verb === "approve"));
    assert.ok(
      withApprove,
      `no card with an Approve button was sent; the invoke answered: ${JSON.stringify(requested.card && cardTexts(requested.card))}`,
    );
    return refOf(executeData(withApprove, "approve"));
  }

  /** Patti clicks Approve on the card showing `ref`; the card she gets back says it is approved. */
  async function approve(running: BotProcess, ref: CardRef): Promise<void> {
    const approved = await running.invoke("approve", ref, AS_PATTI);
    assert.equal(approved.status, 200);
    assert.ok(approved.card, "the invoke answered with a card");
    const texts = cardTexts(approved.card);
    assert.ok(!texts.includes("Nothing was changed"), `the approval was refused: ${texts.join(" | ")}`);
    assert.ok(texts.includes("Approved: applying"), `not approved: ${texts.join(" | ")}`);
  }

  /** Waits for the requester's "Request #N is done" message, sent by whichever start of the bot finished it. */
  async function untilDone(
    running: BotProcess,
    requestId: number,
    from: { replies: number; updates: number },
  ): Promise<ReceivedActivity> {
    const done = new RegExp(`^Request #${requestId} is done`);
    let message: ReceivedActivity | undefined;
    await until(`request #${requestId} to be done`, () => {
      message = running.since(from).replies.find((a) => done.test(a.text ?? ""));
      return message !== undefined;
    });
    return message!;
  }

  /** Stops the bot, then reads the request and its audit trail from the bot's SQLite file. */
  async function stored(
    running: BotProcess,
    requestId: number,
  ): Promise<{ request: LicenseRequest; actions: string[] }> {
    await running.stop();
    const store = running.openStore();
    try {
      const request = store.get(requestId);
      assert.ok(request, `request #${requestId} is in the store`);
      return { request, actions: store.audit(requestId).map((a) => a.action) };
    } finally {
      store.close();
    }
  }

  /** The change is in the tenant: Marketing holds E3 and not E1, and every member has been processed. */
  async function assertApplied(): Promise<void> {
    assert.deepEqual(marketingSkus(), [E3]);
    await simulator.state.whenIdle();
    assert.equal(simulator.state.group(marketing)?.licenseProcessingState?.state, "ProcessingComplete");
  }

  it("(a) killed after approval, before the Graph call took effect: the restarted bot applies it, once", async () => {
    const url = await startTenant(20);
    simulator.setFaults({ writes: "hold" });
    bot = await BotProcess.start({ simulatorUrl: url });
    const start = bot.mark();
    const ref = await requestApproval(bot);
    await approve(bot, ref);

    await until("the bot's assignLicense to reach the tenant (held)", () => simulator.counters.held === 1);
    await bot.kill("SIGKILL");
    // The held write's client is gone: it is dropped, never applied. Only then may writes flow again.
    await until("the held write to be dropped", () => simulator.counters.dropped === 1);
    simulator.setFaults({ writes: "normal" });
    assert.equal(simulator.counters.writes, 0);
    assert.deepEqual(marketingSkus(), [E1], "the tenant is unchanged");

    await bot.restart();
    await untilDone(bot, ref.requestId, start);
    const { request, actions } = await stored(bot, ref.requestId);
    assert.equal(request.status, "done");
    assert.equal(simulator.counters.writes, 1);
    assert.equal(simulator.counters.byRoute["POST /groups/{id}/assignLicense"], 2, "one dropped, one applied");
    await assertApplied();
    // Two attempts on record; the restarted bot waited out the first, found it not in effect (so no
    // "found-applied") and sent it again.
    assert.deepEqual(
      actions.filter((a) => a !== "requested"),
      ["approved", "applying", "applying", "graph-call", "finished"],
    );
  });

  it("(b) killed after the Graph call took effect, before the bot recorded the answer: not sent again", async () => {
    const url = await startTenant(20);
    simulator.setFaults({ writes: "apply-then-hang" });
    bot = await BotProcess.start({ simulatorUrl: url });
    const start = bot.mark();
    const ref = await requestApproval(bot);
    await approve(bot, ref);

    await until("the bot's assignLicense to be applied (its answer never sent)", () => simulator.counters.writes === 1);
    await bot.kill("SIGKILL");
    simulator.setFaults({ writes: "normal" });
    assert.deepEqual(marketingSkus(), [E3], "the change is in the tenant");

    await bot.restart();
    await untilDone(bot, ref.requestId, start);
    const { request, actions } = await stored(bot, ref.requestId);
    assert.equal(request.status, "done");
    assert.equal(simulator.counters.writes, 1, "reconcile saw the change in effect and did not send it again");
    assert.equal(simulator.counters.byRoute["POST /groups/{id}/assignLicense"], 1);
    await assertApplied();
    assert.ok(actions.includes("found-applied"), `audit: ${actions.join(", ")}`);
    assert.ok(!actions.includes("graph-call"), `audit: ${actions.join(", ")}`);
    assert.equal(actions.at(-1), "finished");
  });

  it("(c) killed while Entra is still processing the group: the follow-up resumes and reports", async () => {
    // 2 s a stage (Queued, then InProgress): still processing when the restarted bot is up (about 1 s).
    const url = await startTenant(2000);
    bot = await BotProcess.start({ simulatorUrl: url });
    const start = bot.mark();
    const ref = await requestApproval(bot);
    await approve(bot, ref);

    // The bot has recorded Graph's 202 ("processing") once it shows it on the request's cards.
    await until("the bot to record the Graph call (a card showing processing)", () =>
      bot!
        .since(start)
        .updates.some(
          (u) =>
            u.activity.attachments !== undefined &&
            cardTexts(cardOf(u.activity)).includes("Applied: Entra is processing the members"),
        ),
    );
    await bot.kill("SIGKILL");
    assert.equal(simulator.counters.writes, 1);

    await bot.restart();
    assert.notEqual(
      simulator.state.group(marketing)?.licenseProcessingState?.state,
      "ProcessingComplete",
      "processing ended before the bot was up again; raise the processing delay so that the follow-up really resumes",
    );
    const done = await untilDone(bot, ref.requestId, start);
    assert.match(done.text ?? "", /: 25 of 25 now hold Office 365 E3\.$/);
    const { request, actions } = await stored(bot, ref.requestId);
    assert.equal(request.status, "done");
    assert.equal(simulator.counters.writes, 1);
    await assertApplied();
    assert.equal(actions.filter((a) => a === "graph-call").length, 1);
    assert.ok(!actions.includes("found-applied"), `audit: ${actions.join(", ")}`);
    assert.equal(actions.at(-1), "finished");
  });

  it("(b, a user) killed after a user's change took effect, before the bot recorded the answer: not sent again", async () => {
    const url = await startTenant(20);
    const megan = simulator.state.user("megan@contoso.com");
    assert.ok(megan, "the demo tenant has Megan");
    const directSkus = () => simulator.state.user(megan.id)?.assignedLicenses.map((l) => l.skuId);
    assert.deepEqual(directSkus(), [E1]);
    simulator.setFaults({ writes: "apply-then-hang" });
    bot = await BotProcess.start({ simulatorUrl: url });
    const start = bot.mark();
    const ref = await requestApproval(bot, "upgrade user megan@contoso.com from E1 to E3");
    await approve(bot, ref);

    await until("the bot's assignLicense to be applied (its answer never sent)", () => simulator.counters.writes === 1);
    await bot.kill("SIGKILL");
    simulator.setFaults({ writes: "normal" });
    assert.deepEqual(directSkus(), [E3]);

    await bot.restart();
    await untilDone(bot, ref.requestId, start);
    const { request, actions } = await stored(bot, ref.requestId);
    assert.equal(request.status, "done");
    assert.equal(simulator.counters.writes, 1);
    assert.deepEqual(directSkus(), [E3]);
    assert.ok(actions.includes("found-applied"), `audit: ${actions.join(", ")}`);
    assert.ok(!actions.includes("graph-call"), `audit: ${actions.join(", ")}`);
  });

  it("(d) restarted with nothing in flight: a pending request survives as it was and can still be approved", async () => {
    const url = await startTenant(20);
    bot = await BotProcess.start({ simulatorUrl: url });
    const start = bot.mark();
    const ref = await requestApproval(bot);
    await bot.kill("SIGKILL");

    const store = bot.openStore();
    const pending = store.get(ref.requestId);
    store.close();
    assert.equal(pending?.status, "pending");
    assert.equal(pending?.version, ref.version);

    await bot.restart();
    // "status N" shows it pending, its Approve button at the same version.
    const status = await bot.say(`status ${ref.requestId}`);
    const card = cardOf(status.replies.at(-1));
    assert.ok(cardTexts(card).includes("Waiting for an approver"), cardTexts(card).join(" | "));
    assert.deepEqual(refOf(executeData(card, "approve")), ref);
    assert.equal(simulator.counters.writes, 0, "nothing applied by the restart");

    // The card Patti had before the restart still works.
    await approve(bot, ref);
    await untilDone(bot, ref.requestId, start);
    const { request } = await stored(bot, ref.requestId);
    assert.equal(request.status, "done");
    assert.equal(simulator.counters.writes, 1);
    await assertApplied();
  });

  it("(e) killed while the approval card was being sent (stored, not delivered): the restarted bot sends it, and it can be approved", async () => {
    const url = await startTenant(20);
    bot = await BotProcess.start({ simulatorUrl: url });
    const preview = await bot.say(ASK);
    const request = executeData(cardOf(preview.replies.at(-1)), "requestApproval");
    // The connector takes a minute to answer: the bot is killed while the card is on its way.
    bot.channel.connectorDelayMs = 60_000;
    const mark = bot.mark();
    const click = bot.invoke("requestApproval", request).catch(() => undefined);
    await until("the request card to reach the connector", () =>
      bot!.since(mark).replies.some((r) => r.attachments !== undefined),
    );
    await bot.kill("SIGKILL");
    await click;
    bot.channel.connectorDelayMs = 0;

    const restarted = bot.mark();
    await bot.restart();
    let card: ReturnType<typeof cardOf> | undefined;
    await until("the restarted bot to send the request card again", () => {
      const sent = bot!
        .since(restarted)
        .replies.filter((r) => r.attachments !== undefined)
        .map((r) => cardOf(r));
      card = sent.find((c) => (c.actions ?? []).some((a) => (a as { verb?: unknown }).verb === "approve"));
      return card !== undefined;
    });
    assert.ok(card);
    const ref = refOf(executeData(card, "approve"));
    assert.deepEqual(ref, { requestId: 1, version: 1 });
    await approve(bot, ref);
    await untilDone(bot, 1, restarted);
    const { request: done } = await stored(bot, 1);
    assert.equal(done.status, "done");
    assert.equal(done.cards.length, 1, "the card the restarted bot sent is the one kept up to date");
    assert.equal(simulator.counters.writes, 1);
  });

  it("(f) killed while the Graph write was in flight, Graph completing it after the client left: the restarted bot waits out the write's time limit, finds it applied and does not send it again", async () => {
    const url = await startTenant(20);
    // Graph finishes the write 1.5 s after it came, whether or not the bot is still there.
    simulator.setFaults({ writes: "apply-late", lateWriteMs: 1500 });
    bot = await BotProcess.start({ simulatorUrl: url });
    const start = bot.mark();
    const ref = await requestApproval(bot);
    await approve(bot, ref);
    await until(
      "the bot's assignLicense to reach the tenant",
      () => (simulator.counters.byRoute["POST /groups/{id}/assignLicense"] ?? 0) === 1,
    );
    await bot.kill("SIGKILL");
    simulator.setFaults({ writes: "normal" });
    assert.deepEqual(marketingSkus(), [E1], "not applied yet when the bot restarts");

    await bot.restart();
    await untilDone(bot, ref.requestId, start);
    const { request, actions } = await stored(bot, ref.requestId);
    assert.equal(request.status, "done");
    assert.equal(simulator.counters.byRoute["POST /groups/{id}/assignLicense"], 1, "sent once");
    assert.equal(simulator.counters.writes, 1);
    await assertApplied();
    assert.deepEqual(
      actions.filter((a) => a !== "requested"),
      ["approved", "applying", "found-applied", "finished"],
    );
  });
});

function refOf(data: unknown): CardRef {
  const ref = data as Partial<CardRef>;
  assert.equal(typeof ref.requestId, "number", `no requestId in ${JSON.stringify(data)}`);
  assert.equal(typeof ref.version, "number", `no version in ${JSON.stringify(data)}`);
  return { requestId: ref.requestId!, version: ref.version! };
}
