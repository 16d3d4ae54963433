/**
 * Recovery with a real process kill: the bot runs as a child process (`node src/main.ts`) against a
 * simulated tenant that lives here, in the test's process, so that the tenant outlives the bot. The
 * bot is killed with SIGKILL (no shutdown hook, no last write) at each point where a request can be
 * caught in the middle, started again on the same data folder, and must finish the request from
 * what the store and the tenant hold: the change ends in the tenant, made by exactly one write.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import type { LicenseRequest } from "../../src/requests/licenseRequest";
import { GraphSimulatorServer } from "../../src/simulator/graphServer";
import { TenantState } from "../../src/simulator/tenantState";
import { PEOPLE, personalChatOf, type ReceivedActivity } from "../support/botHarness";
import { BotProcess } from "../support/botProcess";
import { cardOf, cardTexts, executeData } from "../support/cardText";
import { DEMO } from "../support/demoTenant";
import { E1, E3 } from "../support/productIds";

const ASK = "move group Marketing from E1 to E3";
const MEGAN_ASK = "upgrade user megan@contoso.com from E1 to E3";
/** Patti approves in Adele's chat, where the approval card went (no approvals channel is set). */
const AS_PATTI = { from: PEOPLE.patti, conversationId: personalChatOf(PEOPLE.adele) };
/** Bounds each wait; the whole case is bounded by mocha's timeout below. */
const WAIT_MS = 20_000;

interface CardRef {
  readonly requestId: number;
  readonly version: number;
}

describe("restart: the bot process killed with a request in the middle", function () {
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

  /** Stops the bot, then reads the request, its audit trail and the undelivered cards from the bot's SQLite file. */
  async function stored(
    running: BotProcess,
    requestId: number,
  ): Promise<{ request: LicenseRequest; actions: string[]; undelivered: unknown[] }> {
    await running.stop();
    const store = running.openStore();
    try {
      const request = store.get(requestId);
      assert.ok(request, `request #${requestId} is in the store`);
      return { request, actions: store.audit(requestId).map((a) => a.action), undelivered: store.undelivered() };
    } finally {
      store.close();
    }
  }

  /** How many "Request #N is done" messages the bot sent since `from`. */
  function doneMessages(running: BotProcess, requestId: number, from: { replies: number; updates: number }): number {
    const done = new RegExp(`^Request #${requestId} is done`);
    return running.since(from).replies.filter((a) => done.test(a.text ?? "")).length;
  }

  /** The change is in the tenant: Marketing holds E3 and not E1, and every member has been processed. */
  async function assertApplied(): Promise<void> {
    assert.deepEqual(marketingSkus(), [E3]);
    await simulator.state.whenIdle();
    assert.equal(simulator.state.group(marketing)?.licenseProcessingState?.state, "ProcessingComplete");
  }

  /** Where a step of the table leaves the bot when it is killed, and what the restarted bot must do. */
  interface KillPoint {
    readonly step: string;
    /** What Adele asks (Marketing E1 → E3 unless told). */
    readonly ask?: string;
    /** Entra's processing time per stage, in ms (20 unless told). */
    readonly processingDelayMs?: number;
    /** Runs the request up to the kill point; the request's id, when one was made. */
    reach(running: BotProcess): Promise<CardRef | undefined>;
    /** Just after the kill: the faults back to normal and the tenant as the step left it. */
    afterKill?(): Promise<void>;
    /** The restarted bot is driven on from here, when the step needs a person's click; the request's id. */
    resume?(running: BotProcess, ref: CardRef | undefined): Promise<CardRef>;
    /** The request's audit trail at the end, "requested" left out. */
    readonly audit: readonly string[];
  }

  const SENT_ONCE = ["approved", "checked-again", "applying", "graph-call", "finished"];

  /** Asks, clicks Request approval and Approve: the request on its way to Graph. */
  async function requestAndApprove(running: BotProcess, ask = ASK): Promise<CardRef> {
    const ref = await requestApproval(running, ask);
    await approve(running, ref);
    return ref;
  }

  const KILL_POINTS: readonly KillPoint[] = [
    {
      step: "Request approval clicked, the request not stored yet (the click's re-check reading a slow Graph)",
      async reach(running) {
        const preview = await running.say(ASK);
        const data = executeData(cardOf(preview.replies.at(-1)), "requestApproval");
        simulator.setFaults({ latencyMs: 3000 });
        const before = simulator.counters.total;
        const click = running.invoke("requestApproval", data).catch(() => undefined);
        await until("the click's re-check to reach the tenant", () => simulator.counters.total > before);
        pendingClick = { click, data };
        return undefined;
      },
      async afterKill() {
        await pendingClick?.click;
        simulator.setFaults({ latencyMs: 0 });
        const store = bot!.openStore();
        try {
          assert.equal(store.get(1), undefined, "no request was stored");
        } finally {
          store.close();
        }
      },
      async resume(running) {
        // Adele clicks the same preview's Request approval again: now it is stored, and approved.
        const requested = await running.invoke("requestApproval", pendingClick!.data);
        assert.equal(requested.status, 200);
        const card = requested.replies
          .filter((r) => r.attachments !== undefined)
          .map((r) => cardOf(r))
          .find((c) => (c.actions ?? []).some((a) => (a as { verb?: unknown }).verb === "approve"));
        assert.ok(card, "the second click sent the request card");
        const ref = refOf(executeData(card, "approve"));
        await approve(running, ref);
        return ref;
      },
      audit: SENT_ONCE,
    },
    {
      step: "stored, its approval card on its way to Teams",
      async reach(running) {
        const preview = await running.say(ASK);
        const data = executeData(cardOf(preview.replies.at(-1)), "requestApproval");
        // The connector takes a minute to answer: the bot is killed while the card is on its way.
        running.channel.connectorDelayMs = 60_000;
        const mark = running.mark();
        pendingClick = { click: running.invoke("requestApproval", data).catch(() => undefined), data };
        await until("the request card to reach the connector", () =>
          running.since(mark).replies.some((r) => r.attachments !== undefined),
        );
        return undefined;
      },
      async afterKill() {
        await pendingClick?.click;
        bot!.channel.connectorDelayMs = 0;
        restartedAt = bot!.mark();
      },
      async resume(running) {
        // The restarted bot sends the card again, and that card is approved.
        let card: ReturnType<typeof cardOf> | undefined;
        await until("the restarted bot to send the request card again", () => {
          card = running
            .since(restartedAt!)
            .replies.filter((r) => r.attachments !== undefined)
            .map((r) => cardOf(r))
            .find((c) => (c.actions ?? []).some((a) => (a as { verb?: unknown }).verb === "approve"));
          return card !== undefined;
        });
        const ref = refOf(executeData(card!, "approve"));
        assert.deepEqual(ref, { requestId: 1, version: 1 });
        await approve(running, ref);
        return ref;
      },
      audit: SENT_ONCE,
    },
    {
      step: "pending, its card delivered, nothing in flight",
      reach: (running) => requestApproval(running),
      async afterKill() {
        const store = bot!.openStore();
        try {
          assert.deepEqual(
            [store.get(1)?.status, store.get(1)?.version, store.undelivered().length],
            ["pending", 1, 0],
          );
        } finally {
          store.close();
        }
      },
      async resume(running, ref) {
        // "status 1" shows it pending with Approve at the same version, and the card from before works.
        const card = cardOf((await running.say("status 1")).replies.at(-1));
        assert.ok(cardTexts(card).includes("Waiting for an approver"), cardTexts(card).join(" | "));
        assert.deepEqual(refOf(executeData(card, "approve")), ref);
        assert.equal(simulator.counters.writes, 0, "nothing applied by the restart");
        await approve(running, ref!);
        return ref!;
      },
      audit: SENT_ONCE,
    },
    {
      step: "approved, the click answered, the re-check against the tenant reading a slow Graph",
      async reach(running) {
        const ref = await requestApproval(running);
        const before = simulator.counters.byRoute["GET /subscribedSkus"] ?? 0;
        // The click itself reads the approver's roles only (1 s here); the re-check reads on after it.
        simulator.setFaults({ latencyMs: 1000 });
        await approve(running, ref);
        await until(
          "the re-check to reach the tenant",
          () => (simulator.counters.byRoute["GET /subscribedSkus"] ?? 0) > before,
        );
        return ref;
      },
      async afterKill() {
        simulator.setFaults({ latencyMs: 0 });
        const store = bot!.openStore();
        try {
          const request = store.get(1);
          assert.deepEqual([request?.status, request?.stages[0]?.checkedAt], ["approved", undefined]);
        } finally {
          store.close();
        }
      },
      // The restarted bot checks the tenant again, then applies: nobody clicks again.
      audit: SENT_ONCE,
    },
    {
      step: "approved, the Graph write held and then dropped (sent, never in effect)",
      async reach(running) {
        simulator.setFaults({ writes: "hold" });
        const ref = await requestAndApprove(running);
        await until("the bot's assignLicense to reach the tenant (held)", () => simulator.counters.held === 1);
        return ref;
      },
      async afterKill() {
        // The held write's client is gone: it is dropped, never applied. Only then may writes flow again.
        await until("the held write to be dropped", () => simulator.counters.dropped === 1);
        simulator.setFaults({ writes: "normal" });
        assert.deepEqual([simulator.counters.writes, marketingSkus()], [0, [E1]], "the tenant is unchanged");
      },
      // Two attempts on record: the restarted bot waited out the first, found it not in effect and sent it again.
      audit: ["approved", "checked-again", "applying", "applying", "graph-call", "finished"],
    },
    {
      step: "the Graph write in flight, Graph completing it after the bot died",
      async reach(running) {
        simulator.setFaults({ writes: "apply-late", lateWriteMs: 1500 });
        const ref = await requestAndApprove(running);
        await until(
          "the bot's assignLicense to reach the tenant",
          () => (simulator.counters.byRoute["POST /groups/{id}/assignLicense"] ?? 0) === 1,
        );
        return ref;
      },
      async afterKill() {
        simulator.setFaults({ writes: "normal" });
        assert.deepEqual(marketingSkus(), [E1], "not applied yet when the bot restarts");
      },
      // The restarted bot waits out the write's time limit, finds it applied and does not send it again.
      audit: ["approved", "checked-again", "applying", "found-applied", "finished"],
    },
    {
      step: "the group's write in effect, its answer never recorded",
      async reach(running) {
        simulator.setFaults({ writes: "apply-then-hang" });
        const ref = await requestAndApprove(running);
        await until("the bot's assignLicense to be applied (no answer)", () => simulator.counters.writes === 1);
        return ref;
      },
      async afterKill() {
        simulator.setFaults({ writes: "normal" });
        assert.deepEqual(marketingSkus(), [E3], "the change is in the tenant");
      },
      audit: ["approved", "checked-again", "applying", "found-applied", "finished"],
    },
    {
      step: "a user's write in effect, its answer never recorded",
      ask: MEGAN_ASK,
      async reach(running) {
        simulator.setFaults({ writes: "apply-then-hang" });
        const ref = await requestAndApprove(running, MEGAN_ASK);
        await until("the bot's assignLicense to be applied (no answer)", () => simulator.counters.writes === 1);
        return ref;
      },
      async afterKill() {
        simulator.setFaults({ writes: "normal" });
        assert.deepEqual(meganSkus(), [E3], "the change is in the tenant");
      },
      audit: ["approved", "checked-again", "applying", "found-applied", "finished"],
    },
    {
      step: "Entra still processing the group (the follow-up under way)",
      // 2 s a stage (Queued, then InProgress): still processing when the restarted bot is up (about 1 s).
      processingDelayMs: 2000,
      async reach(running) {
        const start = running.mark();
        const ref = await requestAndApprove(running);
        // The bot has recorded Graph's 202 once it shows "processing" on the request's cards.
        await until("a card showing processing", () =>
          running
            .since(start)
            .updates.some(
              (u) =>
                u.activity.attachments !== undefined &&
                cardTexts(cardOf(u.activity)).includes("Applied: Entra is processing the members"),
            ),
        );
        return ref;
      },
      async afterKill() {
        assert.equal(simulator.counters.writes, 1);
        assert.notEqual(
          simulator.state.group(marketing)?.licenseProcessingState?.state,
          "ProcessingComplete",
          "processing ended before the restart; raise the processing delay so that the follow-up really resumes",
        );
      },
      audit: SENT_ONCE,
    },
    {
      step: "done, its messages sent",
      async reach(running) {
        const start = running.mark();
        const ref = await requestAndApprove(running);
        await untilDone(running, ref.requestId, start);
        return ref;
      },
      audit: SENT_ONCE,
    },
  ];

  /** What a step's click left for its afterKill and resume. */
  let pendingClick: { click: Promise<unknown>; data: unknown } | undefined;
  let restartedAt: { replies: number; updates: number } | undefined;
  const meganSkus = () => simulator.state.user("megan@contoso.com")?.assignedLicenses.map((l) => l.skuId);

  it("a restart at every step of a request: the request ends done, its cards delivered, after exactly one effective write", async function () {
    this.timeout(KILL_POINTS.length * 30_000);
    for (const point of KILL_POINTS) {
      const url = await startTenant(point.processingDelayMs ?? 20);
      pendingClick = undefined;
      restartedAt = undefined;
      try {
        bot = await BotProcess.start({ simulatorUrl: url });
        const start = bot.mark();
        let ref = await point.reach(bot);
        const doneBefore = ref !== undefined && doneMessages(bot, ref.requestId, start) === 1;
        await bot.kill("SIGKILL");
        await point.afterKill?.();
        const sinceRestart = bot.mark();
        await bot.restart();
        if (point.resume) ref = await point.resume(bot, ref);
        assert.ok(ref, "the step made a request");
        if (doneBefore) {
          // Nothing is sent again: give the restarted bot's recovery time to act, were it to.
          await new Promise((resolve) => setTimeout(resolve, 1500));
          assert.equal(doneMessages(bot, ref.requestId, sinceRestart), 0, "no second done message");
        } else {
          await untilDone(bot, ref.requestId, start);
          assert.equal(doneMessages(bot, ref.requestId, start), 1, "one done message");
        }
        const { request, actions, undelivered } = await stored(bot, ref.requestId);
        assert.equal(request.status, "done");
        assert.equal(simulator.counters.writes, 1, "exactly one effective write");
        assert.deepEqual(undelivered, [], "every card delivered");
        assert.ok(request.cards.length >= 1, "the request's card is on record");
        if (point.ask) assert.deepEqual(meganSkus(), [E3]);
        else await assertApplied();
        assert.deepEqual(
          actions.filter((a) => a !== "requested"),
          point.audit,
        );
      } catch (error) {
        if (bot) console.error(bot.output());
        throw new Error(`killed at "${point.step}": ${error instanceof Error ? error.message : String(error)}`, {
          cause: error,
        });
      } finally {
        await bot?.close();
        bot = undefined;
        await simulator.close();
        simulator.state.stop();
      }
    }
  });
});

function refOf(data: unknown): CardRef {
  const ref = data as Partial<CardRef>;
  assert.equal(typeof ref.requestId, "number", `no requestId in ${JSON.stringify(data)}`);
  assert.equal(typeof ref.version, "number", `no version in ${JSON.stringify(data)}`);
  return { requestId: ref.requestId!, version: ref.version! };
}
