/**
 * Direct-to-group migrations end to end: Adele asks "migrate Migration Group to group
 * licensing for E3", requests approval, Patti approves stage 1 (assign E3 to the group and verify
 * every mover), the pilot and the waves. The real bot talks to a simulated tenant built here (a
 * snapshot under the OS's temporary folder, every derived field computed as Entra would), and the
 * procedure's rule (docs/graph-and-entra.md, "Migrating from direct to group licensing") is checked
 * after every Graph write the tenant applies: no user is ever without E3, even for a moment.
 *
 * Covered: 2,000 users through every stage; users outside the group, users whose direct E3 enables
 * plans the group's would not, users in error, a user whose inherited E3 fails between verification
 * and their wave; 429s during the waves; a stop between waves; a wave interrupted by SIGKILL of the
 * bot's process; "status N".
 */
import assert from "node:assert/strict";
import { isHolding } from "../../src/simulator/derivedFields";
import { GraphSimulatorServer } from "../../src/simulator/graphServer";
import type { User } from "../../src/simulator/snapshot";
import { TenantState } from "../../src/simulator/tenantState";
import { isMigrationStageReport } from "../../src/requests/stageReport";
import {
  BotHarness,
  PEOPLE,
  personalChatOf,
  type BotAnswer,
  type InvokeAnswer,
  type SentActivity,
} from "../support/botHarness";
import { BotProcess } from "../support/botProcess";
import { cardOf, cardTexts } from "../support/cardText";
import { ASK, AUDIO, buildTenant, E1, E3, GROUP_DISABLED, GROUP_ID } from "../support/migrationTenant";

/** The migration's closing reminder, on its done notice and card. */
const AUTOMATION =
  "Once the migration is done, retire or change whatever assigns Office 365 E3 directly (scripts, provisioning, HR-driven automation): Microsoft's procedure keeps it running during the migration, and left running it gives back the direct licenses the migration removed.";
/** Patti approves in Adele's chat, where the request's card went (no approvals channel is set). */
const AS_PATTI = { from: PEOPLE.patti, conversationId: personalChatOf(PEOPLE.adele) };
const USER_REMOVALS = "POST /users/{id}/assignLicense";
const GROUP_ASSIGNS = "POST /groups/{id}/assignLicense";
const NOTHING_CHANGED = "Nothing was changed";
/** Bounds each wait for the bot; mocha's timeout bounds each case. */
const WAIT_MS = 60_000;

type Card = { body: unknown[]; actions?: unknown[] };
type Json = Record<string, unknown>;

interface CardRef {
  readonly requestId: number;
  readonly version: number;
}

// ---------------------------------------------------------------------------------------------
// The tenant's side: the invariant after every write, and what each user holds

const holdsE3 = (u: User) => u.licenseAssignmentStates.some((s) => s.skuId === E3.skuId && isHolding(s));
const directE3 = (u: User) => u.licenseAssignmentStates.find((s) => s.skuId === E3.skuId && s.assignedByGroup === null);
const inheritedE3 = (u: User) =>
  u.licenseAssignmentStates.find((s) => s.skuId === E3.skuId && s.assignedByGroup === GROUP_ID);

/**
 * The tenant's users as the simulated tenant holds them, read in place. TenantState.users() hands
 * out a deep copy, which for 2,000 users after each of 2,001 writes costs most of a minute; this
 * reads the same objects without copying, and only reads them. Falls back to users() if the
 * tenant's layout ever changes (slower, same answer).
 */
function liveUsers(state: TenantState): readonly User[] {
  const data: unknown = Reflect.get(state, "data");
  const users = typeof data === "object" && data !== null ? (data as { users?: unknown }).users : undefined;
  return Array.isArray(users) ? (users as User[]) : state.users();
}

/**
 * Watches every write the tenant applies. After each one, every user who held E3 at the start must
 * still hold it (Active or ActiveWithError, from any source). Violations are counted, never thrown:
 * an exception inside the listener would break the simulator's answer, not fail the test.
 */
class Invariant {
  writes = 0;
  /** Applied writes to a user's assignLicense (the removals). */
  userWrites = 0;
  violations = 0;
  firstViolation: string | undefined;
  /** Applied writes by path, e.g. "/users/{id}/assignLicense" → 1. */
  readonly byPath = new Map<string, number>();
  private readonly watched: ReadonlySet<string>;
  private readonly unsubscribe: () => void;
  private readonly afterWrite: ((write: { path: string }) => void)[] = [];

  constructor(
    private readonly simulator: GraphSimulatorServer,
    holders: readonly string[],
  ) {
    this.watched = new Set(holders);
    // The in-place read sees exactly what the tenant serves.
    assert.deepEqual(liveUsers(simulator.state), simulator.state.users());
    this.unsubscribe = simulator.onWrite((write) => this.check(write));
  }

  /** Also runs `listener` after each write, once the invariant is checked (to inject faults mid-wave). */
  then(listener: (write: { path: string }) => void): void {
    this.afterWrite.push(listener);
  }

  private check(write: { method: string; path: string; status: number }): void {
    this.writes++;
    this.byPath.set(write.path, (this.byPath.get(write.path) ?? 0) + 1);
    if (/^\/users\/[^/]+\/assignLicense$/.test(write.path)) this.userWrites++;
    this.checkNow(`write #${this.writes} (${write.method} ${write.path} → ${write.status})`);
    for (const listener of this.afterWrite) listener(write);
  }

  /** Checks every watched user now; `when` names the moment in the first violation's message. */
  checkNow(when: string): void {
    for (const u of liveUsers(this.simulator.state)) {
      if (this.watched.has(u.id) && !holdsE3(u)) {
        this.violations++;
        this.firstViolation ??= `${u.displayName} holds no E3 after ${when}: ${JSON.stringify(u.licenseAssignmentStates)}`;
      }
    }
  }

  /** Removal writes for one user. */
  removalsOf(userId: string): number {
    return this.byPath.get(`/users/${userId}/assignLicense`) ?? 0;
  }

  assertHeld(): void {
    assert.ok(this.writes > 0, "no write was seen: the listener was not called");
    assert.equal(this.violations, 0, this.firstViolation);
  }

  close(): void {
    this.unsubscribe();
  }
}

// ---------------------------------------------------------------------------------------------
// The chat's side, for the bot in this process (BotHarness) or in a child process (BotProcess)

type Bot = Pick<BotHarness, "say" | "invoke" | "mark" | "since">;
type Mark = ReturnType<Bot["mark"]>;

function record(value: unknown): Json {
  assert.ok(
    typeof value === "object" && value !== null && !Array.isArray(value),
    `not an object: ${JSON.stringify(value)}`,
  );
  return value as Json;
}

/** The data of a card's Action.Execute with `verb` (top-level buttons), or undefined. */
function buttonData(card: Card, verb: string): unknown {
  const action = (card.actions ?? []).map(record).find((a) => a.type === "Action.Execute" && a.verb === verb);
  return action?.data;
}

function buttonTitles(card: Card): string[] {
  return (card.actions ?? []).map(record).map((a) => String(a.title));
}

function refOf(data: unknown): CardRef {
  const ref = record(data);
  assert.equal(typeof ref.requestId, "number", `no requestId in ${JSON.stringify(data)}`);
  assert.equal(typeof ref.version, "number", `no version in ${JSON.stringify(data)}`);
  return { requestId: ref.requestId as number, version: ref.version as number };
}

function hasCard(activity: SentActivity): boolean {
  return (activity.attachments ?? []).some((a) => a.contentType === "application/vnd.microsoft.card.adaptive");
}

/** The card a person sees last for request #id: sent once, then updated in place. */
function latestRequestCard(bot: Bot, from: Mark, requestId: number): Card {
  const { replies, updates } = bot.since(from);
  const mine = (activities: readonly SentActivity[]) =>
    activities
      .filter(hasCard)
      .map((a) => cardOf(a))
      .filter((c) => cardTexts(c)[0]?.startsWith(`License request #${requestId}:`) === true);
  const card = mine(updates.map((u) => u.activity)).at(-1) ?? mine(replies).at(-1);
  assert.ok(card, `no card of request #${requestId} was sent`);
  return card;
}

/** Polls until a message to the chat matches `pattern`; its text. */
async function untilMessage(bot: Bot, from: Mark, pattern: RegExp, what: string): Promise<string> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const found = bot.since(from).replies.find((r) => pattern.test(r.text ?? ""));
    if (found) return found.text ?? "";
    if (Date.now() > deadline) {
      const said = bot
        .since(from)
        .replies.map((r) => r.text)
        .filter((t) => t);
      assert.fail(`waited ${WAIT_MS} ms for ${what}; the bot said: ${said.join(" | ")}`);
    }
    await sleep(20);
  }
}

async function until(what: string, condition: () => boolean, timeoutMs = WAIT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`waited ${timeoutMs} ms for ${what}`);
    await sleep(10);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The preview's card: it may replace a "Checking N members…" card in place. */
function previewCardOf(answer: BotAnswer): Card {
  assert.equal(answer.status, 200);
  const update = answer.updates.filter((u) => hasCard(u.activity)).at(-1);
  return update ? cardOf(update.activity) : cardOf(answer.replies.at(-1));
}

/** Adele asks for the migration and clicks "Request approval": the request's first card reference. */
async function requestMigration(bot: Bot): Promise<{ ref: CardRef; preview: Card }> {
  const preview = previewCardOf(await bot.say(ASK));
  const data = buttonData(preview, "requestMigration");
  assert.ok(data, `the preview offers no "Request approval": ${cardTexts(preview).join(" | ")}`);
  const requested = await bot.invoke("requestMigration", data);
  assert.equal(requested.status, 200);
  const withApprove = requested.replies
    .filter(hasCard)
    .map((r) => cardOf(r))
    .find((c) => buttonData(c, "approve") !== undefined);
  assert.ok(
    withApprove,
    `no card with Approve was sent: ${JSON.stringify(requested.card && cardTexts(requested.card))}`,
  );
  return { ref: refOf(buttonData(withApprove, "approve")), preview };
}

/** Patti clicks a button of the request's card (approve, approveAll, stop); the card she gets back. */
async function click(bot: Bot, verb: "approve" | "approveAll" | "stop", ref: CardRef): Promise<Card> {
  const answer: InvokeAnswer = await bot.invoke(verb, ref, AS_PATTI);
  assert.equal(answer.status, 200);
  assert.ok(answer.card, "the invoke was answered without a card");
  const texts = cardTexts(answer.card);
  assert.notEqual(texts[0], NOTHING_CHANGED, `${verb} was refused: ${texts.join(" | ")}`);
  return answer.card;
}

/** Waits for the message that stage `stage` (1-based) of request #id is done, and returns the card's next reference. */
async function untilStageDone(
  bot: Bot,
  from: Mark,
  requestId: number,
  stage: number,
): Promise<{ message: string; ref: CardRef; card: Card }> {
  const message = await untilMessage(
    bot,
    from,
    new RegExp(`^Request #${requestId}: stage ${stage} is done`),
    `stage ${stage} of request #${requestId} to be done`,
  );
  const card = latestRequestCard(bot, from, requestId);
  const data = buttonData(card, "approve");
  assert.ok(data, `the card proposes no next stage: ${cardTexts(card).join(" | ")}`);
  return { message, ref: refOf(data), card };
}

async function untilFinished(bot: Bot, from: Mark, requestId: number): Promise<string> {
  return untilMessage(bot, from, new RegExp(`^Request #${requestId} is done`), `request #${requestId} to be done`);
}

/** The migration card's facts (progress), title → value. */
function facts(card: Card): Record<string, string> {
  const factSet = card.body.map(record).find((e) => e.type === "FactSet");
  assert.ok(factSet, `no FactSet on ${cardTexts(card).join(" | ")}`);
  return Object.fromEntries((factSet.facts as { title: string; value: string }[]).map((f) => [f.title, f.value]));
}

/** The stage lines of the migration card: "1. Give … and verify: done (approved by Patti Fernandez)". */
function stageLines(card: Card): string[] {
  const texts = cardTexts(card);
  const start = texts.indexOf("Stages");
  assert.ok(start > 0, `no stages on ${texts.join(" | ")}`);
  return texts.slice(start + 1).filter((t) => /^\d+(–\d+)?\. /.test(t));
}

/** A problem section of the card: its title and the users it lists. */
function problem(card: Card, titlePattern: RegExp): { title: string; users: string } {
  const texts = cardTexts(card);
  const at = texts.findIndex((t) => titlePattern.test(t));
  assert.ok(at >= 0, `no ${titlePattern} on the card: ${texts.join(" | ")}`);
  return { title: texts[at], users: texts[at + 1] ?? "" };
}

// ---------------------------------------------------------------------------------------------

describe("migration to group licensing, through the bot, with the invariant checked after every write", function () {
  this.timeout(180_000);

  describe("a group of 2,000 users, end to end", () => {
    let tenant: ReturnType<typeof buildTenant>;
    let harness: BotHarness;
    let simulator: GraphSimulatorServer;
    let invariant: Invariant;

    before(async () => {
      tenant = buildTenant({ movers: 2000 });
      harness = await BotHarness.start(tenant.path, 0);
      assert.ok(harness.bot.tenant.simulator, "the bot runs on the simulated tenant");
      simulator = harness.bot.tenant.simulator;
    });
    after(async () => {
      invariant?.close();
      await harness?.close();
    });

    it("assigns E3 to the group once, verifies 2,000, pilots 100, removes the rest in waves; nobody is ever without E3", async () => {
      const timings: string[] = [];
      let started = Date.now();
      const lap = (what: string) => {
        timings.push(`${what} ${Date.now() - started} ms`);
        started = Date.now();
      };
      const consumedBefore = simulator.state.sku(E3.skuId)?.consumedUnits;
      assert.equal(consumedBefore, 2000);

      const from = harness.mark();
      const { ref: first, preview } = await requestMigration(harness);
      const previewFacts = facts(preview);
      assert.equal(previewFacts["To migrate"], "2,000");
      assert.equal(previewFacts["Pilot"], "100 users");
      assert.equal(previewFacts["Waves"], "19 × up to 100 users");
      lap("preview and request");

      // Before the first approval: from here on, every applied write is checked.
      invariant = new Invariant(simulator, tenant.users.holders);
      simulator.counters.reset();

      await click(harness, "approve", first);
      const stage1 = await untilStageDone(harness, from, first.requestId, 1);
      assert.match(
        stage1.message,
        /\(2,000 verified, 0 moved off their direct license\)\. Next, waiting for an approver: Pilot: remove the direct Office 365 E3 of 100 verified users\.$/,
      );
      assert.equal(simulator.counters.byRoute[GROUP_ASSIGNS], 1);
      assert.equal(
        simulator.counters.byRoute[USER_REMOVALS] ?? 0,
        0,
        "nothing is removed before the pilot is approved",
      );
      assert.deepEqual(simulator.state.group(GROUP_ID)?.assignedLicenses, [
        { skuId: E3.skuId, disabledPlans: GROUP_DISABLED },
      ]);
      assert.equal(
        simulator.state.sku(E3.skuId)?.consumedUnits,
        consumedBefore,
        "E3 from the group takes no seat from users who hold it directly",
      );
      lap("stage 1 (assign, process, verify)");

      await click(harness, "approve", stage1.ref);
      const pilot = await untilStageDone(harness, from, first.requestId, 2);
      assert.match(
        pilot.message,
        /\(2,000 verified, 100 moved off their direct license\)\. Next, waiting for an approver: Wave 1 of 19: remove the direct Office 365 E3 of 100 verified users\.$/,
      );
      assert.equal(simulator.counters.byRoute[USER_REMOVALS], 100);
      // The pilot is the first 100 verified users, in member order.
      for (const id of tenant.users.movers.slice(0, 100)) assert.equal(directE3(simulator.state.user(id)!), undefined);
      for (const id of tenant.users.movers.slice(100))
        assert.ok(directE3(simulator.state.user(id)!), "a user after the pilot keeps the direct E3");
      assert.deepEqual(buttonTitles(pilot.card), [
        "Details",
        "Continue: approve this stage",
        "Approve all remaining stages",
        "Stop here",
      ]);
      lap("pilot");

      await click(harness, "approveAll", pilot.ref);
      const done = await untilFinished(harness, from, first.requestId);
      lap("19 waves");
      assert.equal(
        done,
        `Request #${first.requestId} is done: 2,000 verified, 2,000 moved off their direct license. ${AUTOMATION}`,
      );

      // The tenant: one group write, one removal per user, nobody without E3 at any point.
      invariant.assertHeld();
      assert.equal(simulator.counters.byRoute[GROUP_ASSIGNS], 1);
      assert.equal(simulator.counters.byRoute[USER_REMOVALS], 2000);
      assert.equal(simulator.counters.writes, 2001);
      assert.equal(simulator.counters.throttled, 0);
      assert.equal(invariant.byPath.get(`/groups/${GROUP_ID}/assignLicense`), 1);
      const twice = tenant.users.movers.filter((id) => invariant.removalsOf(id) !== 1);
      assert.deepEqual(twice, [], "every user's direct E3 is removed exactly once");
      for (const u of simulator.state.users().filter((x) => tenant.users.members.includes(x.id))) {
        const e3 = u.licenseAssignmentStates.filter((s) => s.skuId === E3.skuId);
        assert.equal(e3.length, 1, `${u.displayName}: ${JSON.stringify(e3)}`);
        assert.equal(e3[0].assignedByGroup, GROUP_ID);
        assert.equal(e3[0].state, "Active");
        assert.deepEqual(u.assignedLicenses, [{ skuId: E3.skuId, disabledPlans: GROUP_DISABLED }]);
      }
      // Same product from two sources takes one seat: neither the group nor the removals changed the count.
      assert.equal(simulator.state.sku(E3.skuId)?.consumedUnits, consumedBefore);

      // The card, updated in place: done, 2,000 verified and moved, every stage done.
      const card = latestRequestCard(harness, from, first.requestId);
      const texts = cardTexts(card);
      assert.ok(texts.includes("Done"), texts.slice(0, 6).join(" | "));
      assert.ok(
        texts.includes(`2,000 verified, 2,000 moved off their direct license. ${AUTOMATION}`),
        texts.slice(0, 6).join(" | "),
      );
      assert.deepEqual(facts(card), {
        "To migrate": "2,000",
        Verified: "2,000",
        "Moved to group licensing": "2,000",
        "Keep a direct license (outside the group)": "0",
      });
      const stages = stageLines(card);
      // 21 stages: the 19 waves, alike, in one line.
      assert.equal(stages.length, 3, stages.join("\n"));
      assert.match(
        stages[0],
        /^1\. Give Migration Group Office 365 E3 and verify: done \(approved by Patti Fernandez\)$/,
      );
      assert.match(
        stages[1],
        /^2\. Pilot: remove the direct Office 365 E3 of 100 verified users: done \(approved by Patti Fernandez\)$/,
      );
      assert.equal(stages[2], "3–21. Waves 1 to 19, 1,900 users in all: done (approved by Patti Fernandez)");
      assert.deepEqual(buttonTitles(card), ["Details"], "nothing left to approve");

      // "status N" shows the same card.
      const status = await harness.say(`status ${first.requestId}`);
      const shown = cardOf(status.replies.at(-1));
      assert.deepEqual(cardTexts(shown), texts);
      console.log(`      2,000 users: ${timings.join(", ")}; ${invariant.writes} writes checked`);
    });
  });
  describe("who is not moved: users outside the group, plan mismatch, users in error, and a group changed before a wave", () => {
    let tenant: ReturnType<typeof buildTenant>;
    let harness: BotHarness;
    let simulator: GraphSimulatorServer;
    let invariant: Invariant;

    before(async () => {
      // 34 members: 2 plan mismatch, 2 also holding E1 directly, 30 movers; 3 outside the group.
      // Audio Conferencing has seats for 30: the 2 last movers will not get it (see below).
      tenant = buildTenant({ movers: 30, mismatch: 2, conflicted: 2, outside: 3, newInConflict: 1, audioSeats: 30 });
      harness = await BotHarness.start(tenant.path, 0);
      assert.ok(harness.bot.tenant.simulator, "the bot runs on the simulated tenant");
      simulator = harness.bot.tenant.simulator;
    });
    after(async () => {
      invariant?.close();
      await harness?.close();
    });

    it("moves only verified users, leaves everyone else's direct E3, and reports each with the reason and what to do", async () => {
      const { users } = tenant;
      const original = new Map(tenant.snapshot.users.map((u) => [u.id, u]));
      const from = harness.mark();
      const { ref: first, preview } = await requestMigration(harness);
      const previewFacts = facts(preview);
      assert.equal(previewFacts["To migrate"], "34");
      assert.equal(previewFacts["Keep a direct license (outside the group)"], "3");
      assert.equal(previewFacts["Plan mismatch (direct license kept)"], "2");
      assert.equal(previewFacts["Pilot"], "5 users");
      const previewTexts = cardTexts(preview).join("\n");
      for (const name of ["Outside User 1", "Mismatch User 1", "Mismatch User 2", "Conflicted User 1"])
        assert.ok(previewTexts.includes(name), `the preview names ${name}`);

      invariant = new Invariant(simulator, tenant.users.holders);
      simulator.counters.reset();

      await click(harness, "approve", first);
      const stage1 = await untilStageDone(harness, from, first.requestId, 1);
      assert.equal(simulator.counters.byRoute[GROUP_ASSIGNS], 1);
      // Verified: the 30 movers. Not verified: the 2 in error and the 2 whose direct E3 enables Sway.
      assert.match(stage1.message, /\(30 verified, 0 moved off their direct license, 4 not verified\)/);
      for (const id of users.conflicted) {
        const inherited = inheritedE3(simulator.state.user(id)!);
        assert.equal(inherited?.state, "Error");
        assert.equal(inherited?.error, "MutuallyExclusiveViolation");
      }
      const notVerified = problem(stage1.card, /not verified: their direct license stays$/);
      assert.equal(notVerified.title, "4 not verified: their direct license stays");
      assert.match(
        notVerified.users,
        /Conflicted User 1 \(conflicted\.user\.1@contoso\.com\): Office 365 E3 from the group is in error \(MutuallyExclusiveViolation\): they hold a conflicting product from another source; remove it, then reprocess\./,
      );
      assert.match(
        notVerified.users,
        /Mismatch User 1 \(mismatch\.user\.1@contoso\.com\): Office 365 E3 from the group would not enable Sway, which the direct one enables\./,
      );
      // A member who does not move is in error too: reported with what to do.
      const others = problem(stage1.card, /other member is in error/);
      assert.equal(others.title, "1 other member is in error on the product from the group");
      assert.equal(
        others.users,
        "New Member 1 (new.member.1@contoso.com): MutuallyExclusiveViolation: they hold a conflicting product from another source; remove it, then reprocess",
      );

      await click(harness, "approve", stage1.ref);
      const pilot = await untilStageDone(harness, from, first.requestId, 2);
      assert.match(
        pilot.message,
        /\(30 verified, 5 moved off their direct license, 4 not verified\)\. Next, waiting for an approver: Wave 1 of 1: remove the direct Office 365 E3 of 25 verified users\.$/,
      );

      // Between the pilot and the wave, behind the bot's back: an administrator adds Audio
      // Conferencing to the group, with seats for 30. Entra processes members in order and the two
      // last movers get CountViolation, for everything the group gives them: their E3 from the group is in Error.
      simulator.state.assignGroupLicense(GROUP_ID, {
        addLicenses: [{ skuId: AUDIO.skuId, disabledPlans: [] }],
        removeLicenses: [],
      });
      await simulator.state.whenIdle();
      invariant.checkNow("Audio Conferencing was added to the group");
      const failing = users.movers.slice(-2);
      for (const id of failing) {
        const u = simulator.state.user(id)!;
        assert.equal(inheritedE3(u)?.state, "Error", JSON.stringify(u.licenseAssignmentStates));
        assert.equal(inheritedE3(u)?.error, "CountViolation");
        assert.ok(directE3(u), "they still hold E3 directly");
      }

      // The wave reads the group again before removing anything: it changed since the plan, so the
      // migration stops, saying what changed, and removes nothing more.
      const removalsBefore = simulator.counters.byRoute[USER_REMOVALS];
      await click(harness, "approve", pilot.ref);
      const stopped = await untilMessage(
        harness,
        from,
        new RegExp(`^Request #${first.requestId}: Migration Group changed`),
        "the migration to stop",
      );
      assert.equal(
        stopped,
        `Request #${first.requestId}: Migration Group changed since the migration was planned: it held Office 365 E3 when its members were verified, and now holds Office 365 E3, Microsoft 365 Audio Conferencing. Nobody's direct license was removed in this stage. Check the group, then ask for the migration again.`,
      );
      assert.equal(harness.bot.approvals.get(first.requestId).status, "failed");
      assert.equal(simulator.counters.byRoute[USER_REMOVALS], removalsBefore);

      invariant.assertHeld();
      // Removed: the 5 of the pilot, once each; nobody else.
      const removed = users.movers.slice(0, 5);
      assert.deepEqual(
        removed.filter((id) => invariant.removalsOf(id) !== 1),
        [],
      );
      for (const id of [...users.movers.slice(5), ...users.mismatch, ...users.conflicted, ...users.outside])
        assert.equal(invariant.removalsOf(id), 0, `${simulator.state.user(id)?.displayName} was written to`);
      for (const id of removed) assert.equal(directE3(simulator.state.user(id)!), undefined);
      // Everyone not moved keeps the direct E3 they had; the users outside the group are exactly as they were.
      for (const id of [...users.movers.slice(5), ...users.mismatch, ...users.conflicted])
        assert.ok(directE3(simulator.state.user(id)!), `${simulator.state.user(id)?.displayName} keeps the direct E3`);
      for (const id of users.outside) assert.deepEqual(simulator.state.user(id), original.get(id));
      for (const id of users.conflicted)
        assert.ok(
          simulator.state
            .user(id)!
            .licenseAssignmentStates.some((s) => s.skuId === E1.skuId && s.assignedByGroup === null),
          "E1 is not touched",
        );

      const card = latestRequestCard(harness, from, first.requestId);
      assert.deepEqual(facts(card), {
        "To migrate": "34",
        Verified: "30",
        "Moved to group licensing": "5",
        "Keep a direct license (outside the group)": "3",
      });
      assert.deepEqual(stageLines(card), [
        "1. Give Migration Group Office 365 E3 and verify: done-with-errors (approved by Patti Fernandez)",
        "2. Pilot: remove the direct Office 365 E3 of 5 verified users: done (approved by Patti Fernandez)",
        "3. Wave 1 of 1: remove the direct Office 365 E3 of 25 verified users: failed (approved by Patti Fernandez)",
      ]);
    });
  });
  describe("300 users, in this process", () => {
    let tenant: ReturnType<typeof buildTenant>;
    let harness: BotHarness;
    let simulator: GraphSimulatorServer;
    let invariant: Invariant | undefined;

    beforeEach(async () => {
      // A pilot of 15, then waves of 100, 100 and 85.
      tenant = buildTenant({ movers: 300 });
      harness = await BotHarness.start(tenant.path, 0);
      assert.ok(harness.bot.tenant.simulator, "the bot runs on the simulated tenant");
      simulator = harness.bot.tenant.simulator;
    });
    afterEach(async () => {
      invariant?.close();
      invariant = undefined;
      await harness?.close();
    });

    /** Adele requests, Patti approves stage 1: the reference of the pilot's approval. */
    async function throughStage1(from: Mark): Promise<CardRef> {
      const { ref } = await requestMigration(harness);
      invariant = new Invariant(simulator, tenant.users.holders);
      simulator.counters.reset();
      await click(harness, "approve", ref);
      return (await untilStageDone(harness, from, ref.requestId, 1)).ref;
    }

    it("429s during the pilot and the waves: every user is removed exactly once, and nobody is ever without E3", async () => {
      const from = harness.mark();
      const pilotRef = await throughStage1(from);
      // From here every third request Graph sees is throttled, the $batch items one by one.
      simulator.setFaults({ throttleRate: 0.3, retryAfterSeconds: 0 });
      await click(harness, "approve", pilotRef);
      const wave1 = await untilStageDone(harness, from, pilotRef.requestId, 2);
      await click(harness, "approveAll", wave1.ref);
      const done = await untilFinished(harness, from, pilotRef.requestId);
      assert.equal(
        done,
        `Request #${pilotRef.requestId} is done: 300 verified, 300 moved off their direct license. ${AUTOMATION}`,
      );

      assert.ok(invariant);
      invariant.assertHeld();
      assert.ok(simulator.counters.throttled > 100, `only ${simulator.counters.throttled} requests were throttled`);
      // Throttled calls were sent again: more calls than removals, but each user's removal applied once.
      assert.ok(
        simulator.counters.byRoute[USER_REMOVALS] > 300,
        `${simulator.counters.byRoute[USER_REMOVALS]} removal calls`,
      );
      assert.equal(invariant.userWrites, 300);
      assert.deepEqual(
        tenant.users.movers.filter((id) => invariant!.removalsOf(id) !== 1),
        [],
      );
      for (const id of tenant.users.movers) {
        const u = simulator.state.user(id)!;
        assert.equal(directE3(u), undefined);
        assert.equal(inheritedE3(u)?.state, "Active");
      }
    });

    it("stopped between waves: cancelled, the users of later waves keep their direct E3, nobody lost E3", async () => {
      const from = harness.mark();
      const pilotRef = await throughStage1(from);
      await click(harness, "approve", pilotRef);
      const wave1 = await untilStageDone(harness, from, pilotRef.requestId, 2);
      await click(harness, "approve", wave1.ref);
      const wave2 = await untilStageDone(harness, from, pilotRef.requestId, 3);
      assert.match(
        wave2.message,
        /\(300 verified, 115 moved off their direct license\)\. Next, waiting for an approver: Wave 2 of 3: remove the direct Office 365 E3 of 100 verified users\.$/,
      );

      // "status N" between waves: the migration card with its stages and counts, waiting for an approver.
      const status = cardOf((await harness.say(`status ${pilotRef.requestId}`)).replies.at(-1));
      const statusTexts = cardTexts(status);
      assert.ok(
        statusTexts.includes(
          "Stage 4 waits for an approver: Wave 2 of 3: remove the direct Office 365 E3 of 100 verified users",
        ),
        statusTexts.join(" | "),
      );
      assert.ok(statusTexts.includes("300 verified, 115 moved off their direct license."), statusTexts.join(" | "));
      assert.deepEqual(facts(status), {
        "To migrate": "300",
        Verified: "300",
        "Moved to group licensing": "115",
        "Keep a direct license (outside the group)": "0",
      });
      assert.deepEqual(stageLines(status), [
        "1. Give Migration Group Office 365 E3 and verify: done (approved by Patti Fernandez)",
        "2. Pilot: remove the direct Office 365 E3 of 15 verified users: done (approved by Patti Fernandez)",
        "3. Wave 1 of 3: remove the direct Office 365 E3 of 100 verified users: done (approved by Patti Fernandez)",
        "4. Wave 2 of 3: remove the direct Office 365 E3 of 100 verified users: pending",
      ]);
      assert.deepEqual(buttonTitles(status), [
        "Details",
        "Continue: approve this stage",
        "Approve all remaining stages",
        "Stop here",
      ]);

      const stopped = await click(harness, "stop", wave2.ref);
      await untilMessage(harness, from, /stopped the migration/, "the stop to be told");
      const stoppedTexts = cardTexts(stopped);
      assert.ok(
        !stoppedTexts.includes("Cancelled by the requester"),
        `Patti stopped it, not Adele: ${stoppedTexts.slice(0, 5).join(" | ")}`,
      );
      assert.ok(
        stoppedTexts.includes("Stopped by an approver after stage 3: users not yet moved keep their direct license"),
        stoppedTexts.slice(0, 5).join(" | "),
      );
      assert.ok(
        stoppedTexts.includes("300 verified, 115 moved off their direct license."),
        stoppedTexts.slice(0, 5).join(" | "),
      );
      assert.deepEqual(buttonTitles(stopped), ["Details"], "nothing left to approve");
      assert.equal(harness.bot.approvals.get(pilotRef.requestId).status, "cancelled");
      await harness.bot.approvals.idle();

      assert.ok(invariant);
      invariant.assertHeld();
      assert.equal(invariant.userWrites, 115);
      const moved = tenant.users.movers.slice(0, 115);
      const kept = tenant.users.movers.slice(115);
      assert.deepEqual(
        moved.filter((id) => invariant!.removalsOf(id) !== 1),
        [],
      );
      for (const id of moved) assert.equal(directE3(simulator.state.user(id)!), undefined);
      for (const id of kept) {
        const u = simulator.state.user(id)!;
        assert.equal(invariant.removalsOf(id), 0);
        assert.ok(directE3(u), `${u.displayName} keeps the direct E3`);
        assert.equal(inheritedE3(u)?.state, "Active");
      }
      // A stopped migration cannot be continued with the card of before.
      const late = await harness.invoke("approve", wave2.ref, AS_PATTI);
      assert.equal(cardTexts(late.card ?? { body: [] })[0], NOTHING_CHANGED);
      assert.equal(invariant.userWrites, 115);
    });
  });

  describe("a wave interrupted by a restart: the bot's process killed (SIGKILL) in the middle of a $batch of removals", () => {
    let simulator: GraphSimulatorServer;
    let bot: BotProcess | undefined;
    let invariant: Invariant | undefined;

    afterEach(async function () {
      if (this.currentTest?.state === "failed" && bot) console.error(bot.output());
      invariant?.close();
      await bot?.close();
      bot = undefined;
      await simulator.close();
      simulator.state.stop();
    });

    it("continues from where it was: users already removed are recognised, nobody is removed twice, it ends done", async () => {
      const tenant = buildTenant({ movers: 300 });
      simulator = new GraphSimulatorServer(TenantState.fromJson(tenant.snapshot, { processingDelayMs: 0 }));
      const url = await simulator.listen(0);
      bot = await BotProcess.start({ simulatorUrl: url });
      const running = bot;
      const from = running.mark();
      const { ref } = await requestMigration(running);
      invariant = new Invariant(simulator, tenant.users.holders);
      const watch = invariant;
      await click(running, "approve", ref);
      const pilot = await untilStageDone(running, from, ref.requestId, 1);
      await click(running, "approve", pilot.ref);
      const wave1 = await untilStageDone(running, from, ref.requestId, 2);
      assert.equal(watch.userWrites, 15);

      // Wave 1 removes users 16 to 115 in $batches of 20. The 65th removal (the 10th of its batch)
      // is applied and never answered; the 9 before it in the batch are applied, the 10 after never sent.
      const CUT = 65;
      watch.then(() => {
        if (watch.userWrites === CUT) simulator.setFaults({ writes: "apply-then-hang" });
      });
      await click(running, "approveAll", wave1.ref);
      await until("the 65th removal to be applied", () => watch.userWrites === CUT);
      await sleep(200);
      assert.equal(watch.userWrites, CUT, "nothing is applied while the batch hangs");
      await running.kill("SIGKILL");
      simulator.setFaults({ writes: "normal" });
      const removedBefore = tenant.users.movers.filter((id) => directE3(simulator.state.user(id)!) === undefined);
      assert.deepEqual(removedBefore, tenant.users.movers.slice(0, CUT));

      await running.restart();
      const done = await untilFinished(running, from, ref.requestId);
      assert.equal(
        done,
        `Request #${ref.requestId} is done: 300 verified, 300 moved off their direct license. ${AUTOMATION}`,
      );
      watch.assertHeld();
      // Each user's direct E3 removed by exactly one applied write, across both runs of the bot.
      assert.equal(watch.userWrites, 300);
      assert.deepEqual(
        tenant.users.movers.filter((id) => watch.removalsOf(id) !== 1),
        [],
      );
      assert.equal(watch.byPath.get(`/groups/${GROUP_ID}/assignLicense`), 1);
      for (const id of tenant.users.movers) {
        const u = simulator.state.user(id)!;
        assert.equal(directE3(u), undefined);
        assert.equal(inheritedE3(u)?.state, "Active");
      }

      const status = cardOf((await running.say(`status ${ref.requestId}`)).replies.at(-1));
      const texts = cardTexts(status);
      assert.ok(texts.includes("Done"), texts.slice(0, 6).join(" | "));
      assert.deepEqual(facts(status), {
        "To migrate": "300",
        Verified: "300",
        "Moved to group licensing": "300",
        "Keep a direct license (outside the group)": "0",
      });
      assert.equal(stageLines(status).length, 5);

      await running.stop();
      const store = running.openStore();
      try {
        const request = store.get(ref.requestId);
        assert.equal(request?.status, "done");
        // The interrupted wave ran again after the restart, from the store, without a new approval.
        const actions = store
          .audit(ref.requestId)
          .map((a) => `${a.action}${typeof a.details.stage === "number" ? ` ${a.details.stage}` : ""}`);
        assert.equal(actions.filter((a) => a === "applying 2").length, 1, actions.join(", "));
        assert.equal(actions.filter((a) => a === "approved 2").length, 1, actions.join(", "));
      } finally {
        store.close();
      }
    });
  });
  it("with the member listing a minute behind Graph's writes, stage 1 verifies every mover from their own reads and proposes the pilot", async () => {
    // The listing would show nobody holding E3 from the group yet: only reads of each user can verify.
    const tenant = buildTenant({ movers: 40 });
    const harness = await BotHarness.start(tenant.path, 0, { env: { SIMULATOR_INDEX_LAG_MS: "60000" } });
    try {
      const from = harness.mark();
      const { ref } = await requestMigration(harness);
      await click(harness, "approve", ref);
      await untilStageDone(harness, from, ref.requestId, 1);
      const report = harness.bot.approvals.get(ref.requestId).stages[0]?.report;
      assert.ok(isMigrationStageReport(report) && report.kind === "assign");
      assert.equal(report.verified?.length, 40);
      assert.deepEqual(report.notVerified, []);
    } finally {
      await harness.close();
    }
  });

  it("the watch itself: a direct E3 removed with nothing from the group is counted as a violation, not thrown", async () => {
    const tenant = buildTenant({ movers: 2 });
    const simulator = new GraphSimulatorServer(TenantState.fromJson(tenant.snapshot, { processingDelayMs: 0 }));
    const watch = new Invariant(simulator, tenant.users.holders);
    try {
      const [victim] = tenant.users.movers;
      const answer = await simulator.handle({
        method: "POST",
        url: `/v1.0/users/${victim}/assignLicense`,
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ addLicenses: [], removeLicenses: [E3.skuId] }),
      });
      assert.equal(answer.status, 200);
      assert.equal(watch.writes, 1);
      assert.equal(watch.violations, 1);
      assert.match(
        watch.firstViolation ?? "",
        /^Mover 1 holds no E3 after write #1 \(POST \/users\/.+\/assignLicense → 200\)/,
      );
      assert.throws(() => watch.assertHeld());
    } finally {
      watch.close();
      simulator.state.stop();
    }
  });
});
