/**
 * The bot at scale, end to end: the real bot and its embedded simulated tenant over HTTP, driven as
 * Teams drives it (test/support/botHarness.ts, whose channel times every HTTP turn). For each
 * latency and group size it previews "All Employees" E1 → E3, asks for approval, approves, and
 * follows the change to its end, then prints:
 *
 * - requests: Graph round trips (a $batch counts once) of the preview, the floor ceil(N/999) + 3 and their ratio;
 * - preview ms: from the message to its answer, the time floor (requests × latency) and the ratio;
 * - slowest turn: the longest HTTP turn of each kind (message, invoke), which Teams waits for;
 * - card KB: the preview card's size (Teams refuses a card over 28 KB);
 * - apply s: from Approve to the outcome on the card (the re-check, the write, Entra's processing,
 *   the members read one by one);
 * - RSS MB: the process's peak resident memory so far (bot, tenant and harness together).
 *
 * Then, at 0 ms, a direct-to-group migration of N movers (test/support/migrationTenant.ts):
 * stage 1 approved, then "Approve all remaining stages" on the pilot, to the end: its Graph
 * requests against 3 × ceil(N/20) + 2 × ceil(N/999), its wall time, and the time of the first and
 * the last wave (from one approval to the next).
 *
 * Last, memory: the same preview of the largest group asked for ten times in a row (--previews),
 * with the heap in use after a garbage collection and the resident memory after each, to show
 * whether anything is kept from one preview to the next.
 *
 *   npm run bench [-- --sizes 1000,10000,100000] [--latencies 0,100] [--repeat 1] [--migrations 1000,10000]
 *                 [--previews 10]
 *
 * Figures, not assertions: the tests check request counts, card sizes and turn times.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { generateLargeTenant } from "../src/simulator/generator";
import { snapshotSchema } from "../src/simulator/snapshot";
import { BotHarness, PEOPLE, personalChatOf } from "../test/support/botHarness";
import { ASK, buildTenant } from "../test/support/migrationTenant";
import { cardOf, executeData, type Card } from "../test/support/cardText";

const E3 = "ENTERPRISEPACK";

function numbers(text: string): number[] {
  return text
    .split(",")
    .filter((s) => s.trim() !== "")
    .map((s) => Number(s.trim()));
}

/** A large tenant whose E3 has a seat for everyone, so that the change is approvable, written to `dir`. */
function tenantFile(dir: string, users: number): string {
  const snapshot = snapshotSchema.parse(generateLargeTenant({ users }));
  for (const sku of snapshot.subscribedSkus)
    if (sku.skuPartNumber === E3) sku.prepaidUnits.enabled = sku.consumedUnits + users;
  const path = join(dir, `large-${users}.json`);
  writeFileSync(path, JSON.stringify(snapshot));
  return path;
}

/** The card a message's answer ends with: the last update of its progress card, or its last reply. */
function answerCard(answer: Awaited<ReturnType<BotHarness["say"]>>): Card {
  const last = answer.updates.at(-1)?.activity ?? answer.replies.at(-1);
  return cardOf(last);
}

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
sampler.unref();

async function measure(path: string, users: number, latencyMs: number): Promise<string[]> {
  const harness = await BotHarness.start(path, 0, {
    // The large tenant has none of the demo's role groups: roles by the static lists.
    env: {
      REQUESTER_USER_IDS: PEOPLE.adele.aadObjectId,
      APPROVER_USER_IDS: PEOPLE.patti.aadObjectId,
      SIMULATOR_LATENCY_MS: String(latencyMs),
    },
    // Reported, not judged: a slow turn is a figure here.
    turnLimitMs: Number.POSITIVE_INFINITY,
  });
  try {
    const sim = harness.simulator;
    sim.counters.reset();
    let started = Date.now();
    const answer = await harness.say("move group All Employees from E1 to E3");
    const previewMs = Date.now() - started;
    const requests = sim.counters.roundTrips;
    const preview = answerCard(answer);
    const cardBytes = Buffer.byteLength(JSON.stringify(preview), "utf8");

    const asked = await harness.invoke("requestApproval", executeData(preview, "requestApproval"));
    const requestCard = asked.replies.map((r) => cardOf(r)).find((c) => JSON.stringify(c).includes('"approve"'));
    if (!requestCard) throw new Error("no request card with Approve");
    started = Date.now();
    // Patti approves on the card where it was sent: Adele's chat.
    await harness.invoke("approve", executeData(requestCard, "approve"), {
      from: PEOPLE.patti,
      conversationId: personalChatOf(PEOPLE.adele),
    });
    await harness.bot.approvals.idle();
    const applyMs = Date.now() - started;
    const status = harness.bot.approvals.get(1).status;

    const floor = Math.ceil(users / 999) + 3;
    const timeFloor = requests * latencyMs;
    const slowest = (kind: "message" | "invoke") =>
      Math.max(...harness.turns.filter((t) => t.kind === kind).map((t) => t.ms));
    return [
      String(latencyMs),
      users.toLocaleString("en-US"),
      `${requests} / ${floor} = ${(requests / floor).toFixed(2)}`,
      timeFloor > 0 ? `${previewMs} / ${timeFloor} = ${(previewMs / timeFloor).toFixed(2)}` : `${previewMs}`,
      `${slowest("message")} / ${slowest("invoke")}`,
      (cardBytes / 1024).toFixed(1),
      `${(applyMs / 1000).toFixed(1)} (${status})`,
      String(Math.round(peakRss / 2 ** 20)),
    ];
  } finally {
    await harness.close();
  }
}

/** One migration of `movers` users, at 0 ms: requests, wall time, the first and the last wave. */
async function measureMigration(movers: number): Promise<string[]> {
  const tenant = buildTenant({ movers });
  const harness = await BotHarness.start(tenant.path, 0, { turnLimitMs: Number.POSITIVE_INFINITY });
  try {
    const sim = harness.simulator;
    const adeleChat = { from: PEOPLE.patti, conversationId: personalChatOf(PEOPLE.adele) };
    sim.counters.reset();
    const started = Date.now();
    const preview = answerCard(await harness.say(ASK));
    const asked = await harness.invoke("requestMigration", executeData(preview, "requestMigration"));
    const id = asked.replies.length > 0 ? 1 : 0;
    if (id === 0) throw new Error("no migration request was made");
    const ref = () => ({ requestId: id, version: harness.bot.approvals.get(id).version });
    await harness.invoke("approve", ref(), adeleChat);
    await harness.bot.approvals.idle();
    await harness.invoke("approveAll", ref(), adeleChat);
    await harness.bot.approvals.idle();
    const wallMs = Date.now() - started;
    const request = harness.bot.approvals.get(id);
    const approvals = request.stages.map((s) => Date.parse(s.approvedAt ?? ""));
    const wave = (k: number) => approvals[k + 1]! - approvals[k]!;
    const waves = request.stages.length - 2;
    const floor = 3 * Math.ceil(movers / 20) + 2 * Math.ceil(movers / 999);
    return [
      movers.toLocaleString("en-US"),
      `${sim.counters.roundTrips} / ${floor} = ${(sim.counters.roundTrips / floor).toFixed(2)}`,
      `${(wallMs / 1000).toFixed(1)} (${request.status})`,
      String(waves),
      waves >= 2 ? `${wave(2)} / ${wave(request.stages.length - 2)}` : "-",
    ];
  } finally {
    await harness.close();
  }
}

/** The heap after a collection (when node runs with --expose-gc, as npm run bench does) and the RSS, in MB. */
function memoryNow(): string {
  (globalThis as { gc?: () => void }).gc?.();
  const { heapUsed, rss } = process.memoryUsage();
  return `${Math.round(heapUsed / 2 ** 20)} / ${Math.round(rss / 2 ** 20)}`;
}

/** `count` previews in a row of the group of `users` members, the memory after each. */
async function measureMemory(path: string, users: number, count: number): Promise<void> {
  const harness = await BotHarness.start(path, 0, {
    env: { REQUESTER_USER_IDS: PEOPLE.adele.aadObjectId, APPROVER_USER_IDS: PEOPLE.patti.aadObjectId },
    turnLimitMs: Number.POSITIVE_INFINITY,
  });
  try {
    console.log(`\nmemory, ${users.toLocaleString("en-US")} members, heap after GC / RSS in MB: before ${memoryNow()}`);
    const after: string[] = [];
    for (let n = 0; n < count; n++) {
      await harness.say("move group All Employees from E1 to E3");
      after.push(memoryNow());
    }
    console.log(`  after each preview: ${after.join(", ")}`);
  } finally {
    await harness.close();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sizes: { type: "string", default: "1000,10000,100000" },
      latencies: { type: "string", default: "0,100" },
      repeat: { type: "string", default: "1" },
      migrations: { type: "string", default: "1000,10000" },
      previews: { type: "string", default: "10" },
    },
  });
  const sizes = numbers(values.sizes);
  const latencies = numbers(values.latencies);
  const repeat = Number(values.repeat);
  const dir = mkdtempSync(join(tmpdir(), "license-desk-bench-"));
  const header = [
    "latency ms",
    "members",
    "requests / floor",
    "preview ms / floor",
    "slowest turn ms msg / invoke",
    "card KB",
    "apply s",
    "peak RSS MB",
  ];
  const widths = [10, 9, 20, 22, 28, 7, 20, 11];
  const line = (cells: string[]) => console.log(cells.map((c, i) => c.padStart(widths[i] ?? 10)).join("  "));
  try {
    const files = new Map(sizes.map((n) => [n, tenantFile(dir, n)]));
    line(header);
    for (const latencyMs of latencies)
      for (const n of sizes)
        for (let run = 0; run < repeat; run++) line(await measure(files.get(n) ?? "", n, latencyMs));
    console.log("\nmigration at 0 ms     requests / floor           wall s   waves   first / last wave ms");
    for (const movers of numbers(values.migrations)) {
      const cells = await measureMigration(movers);
      console.log(cells.map((c, i) => c.padStart([9, 26, 22, 7, 22][i] ?? 10)).join("  "));
    }
    const largest = Math.max(...sizes);
    if (Number(values.previews) > 0 && sizes.length > 0)
      await measureMemory(files.get(largest) ?? "", largest, Number(values.previews));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
