/**
 * Runs the real bot (restify + CloudAdapter + simulated tenant over HTTP) on free ports, and plays
 * the Bot Framework channel: it posts activities to /api/messages and collects what the bot sends
 * back to the conversation through its connector endpoint, as Teams or the Playground would.
 *
 * The channel's side (TeamsChannel: the activities and the connector) is shared with
 * botProcess.ts, which runs the bot as a child process instead.
 */
import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { startBot, type RunningBot } from "../../src/app";
import { loadSettings } from "../../src/config";
import { createLogger } from "../../src/log";
import type { GraphSimulatorServer } from "../../src/simulator/graphServer";
import type { RequestCounters } from "../../src/simulator/requestCounters";
import { scratchDir } from "./scratch";
import { DEMO_IDS } from "../../src/simulator/demoIds";

export interface SentActivity {
  type: string;
  text?: string;
  attachments?: { contentType: string; content: unknown }[];
}

/** An activity as the connector received it, with the id it answered (`sent-N`, N counting every send). */
export type ReceivedActivity = SentActivity & { sentId: string };

/** An activity the bot replaced in place (Bot Framework's updateActivity). */
export interface UpdatedActivity {
  /** The id of the activity it replaces, from the URL: the id the connector gave when it was sent. */
  replaces: string;
  activity: SentActivity;
}

/** What the bot did in answer to one message. */
export interface BotAnswer {
  status: number;
  /** Activities sent, in order (typing indicators left out). */
  replies: ReceivedActivity[];
  /** Activities replaced in place, in order. */
  updates: UpdatedActivity[];
}

/** People of the demo tenant, as Teams names them in activities. */
export const PEOPLE = {
  /** Helpdesk engineer (License Desk Helpdesk group): may request. */
  adele: { id: "user-adele", name: "Adele Vance", aadObjectId: DEMO_IDS.adele },
  /** Approver (License Desk Approvers group). */
  patti: { id: "user-patti", name: "Patti Fernandez", aadObjectId: DEMO_IDS.patti },
  /** Second approver. */
  jonas: { id: "user-jonas", name: "Jonas Klein", aadObjectId: "0a4d0211-6be4-4024-ba2e-539a8f49fd3f" },
  /** Neither requester nor approver. */
  megan: { id: "user-megan", name: "Megan Bowen", aadObjectId: DEMO_IDS.megan },
} as const;

export type TeamsUser = { readonly id: string; readonly name: string; readonly aadObjectId: string };

export const DEMO_TENANT_ID: string = DEMO_IDS.organization;

export interface HarnessOptions {
  /** Where the request store lives; a new temporary folder when not given (pass the same one to "restart"). */
  readonly dataDir?: string;
  /** Waits between reads of a group's processing state. */
  readonly pollDelaysMs?: readonly number[];
  readonly now?: () => Date;
  /** More settings, as environment variables (e.g. REQUESTER_USER_IDS for a tenant without the demo's groups). */
  readonly env?: Readonly<Record<string, string>>;
  /** The longest a turn may take before the test fails (TURN_LIMIT_MS unless given). */
  readonly turnLimitMs?: number;
}

/** Where an activity comes from: a personal chat by default. */
export interface Origin {
  readonly from?: TeamsUser;
  readonly conversationId?: string;
  readonly tenantId?: string;
  /** For a card's click: the id of the message whose card was clicked, as Teams sends it. */
  readonly replyToId?: string;
}

/** What the bot answered to a card's Universal Action. */
export interface InvokeAnswer extends BotAnswer {
  /** The card the invoke response puts in place of the clicked one. */
  card: { body: unknown[]; actions?: unknown[] } | undefined;
}

/**
 * The Bot Framework channel's side of the conversation, as Teams or the Playground plays it: posts
 * activities (messages, card invokes) to a bot's messaging endpoint, and runs the connector that
 * receives what the bot sends and updates. It outlives any one bot, so a bot restarted on the
 * same data still reaches it through the conversations it stored.
 */
/**
 * The longest an HTTP turn (a message or a card's invoke) may take: Teams and the Bot Service stop
 * waiting after about 15 s, and a card's invoke should be answered within a few seconds
 * (docs/teams-limits.md). Every turn a test makes is held to it.
 */
export const TURN_LIMIT_MS = 5000;

/** One HTTP turn as the channel timed it. */
export interface TimedTurn {
  readonly kind: "message" | "invoke";
  readonly ms: number;
}

export class TeamsChannel {
  private activityCount = 0;
  /** Every turn posted so far, with how long the bot took to answer its HTTP request. */
  readonly turns: TimedTurn[] = [];
  /** A turn slower than this fails (the benchmark, which reports turns rather than judging them, lifts it). */
  turnLimitMs = TURN_LIMIT_MS;
  /** When the connector last heard from the bot. */
  private lastTraffic = 0;
  /** How long the connector takes to answer each activity the bot sends or updates, as a slow channel would. */
  connectorDelayMs = 0;
  /** Every activity the bot has sent to the conversation, in order, with the id the connector gave it. */
  private readonly received: ReceivedActivity[] = [];
  /** Every update of an activity, in order. */
  private readonly updated: UpdatedActivity[] = [];
  private sent = 0;
  private readonly connector: Server;
  /** The connector's URL, given to the bot as the activities' serviceUrl; set by start(). */
  serviceUrl = "";
  /** The tenant activities come from when an origin does not say. */
  tenantId = DEMO_TENANT_ID;

  private constructor() {
    this.connector = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk: Buffer) => (body += chunk.toString()));
      req.on("end", () => {
        this.lastTraffic = Date.now();
        const activity = JSON.parse(body) as SentActivity;
        // updateActivity: PUT /v3/conversations/{conversationId}/activities/{activityId}.
        const update =
          req.method === "PUT" ? /\/v3\/conversations\/[^/]+\/activities\/([^/?]+)$/.exec(req.url ?? "") : null;
        let id: string;
        if (update) {
          id = decodeURIComponent(update[1]);
          this.updated.push({ replaces: id, activity });
        } else {
          id = `sent-${++this.sent}`;
          this.received.push({ ...activity, sentId: id });
        }
        const answer = () => {
          // Not writeHead(...).end(): restify, loaded in this process, patches writeHead to return nothing.
          res.statusCode = 200;
          res.setHeader("content-type", "application/json");
          res.end(JSON.stringify({ id }));
        };
        if (this.connectorDelayMs > 0) setTimeout(answer, this.connectorDelayMs);
        else answer();
      });
    });
  }

  /** Starts the connector on a free port. */
  static async start(): Promise<TeamsChannel> {
    const channel = new TeamsChannel();
    channel.connector.listen(0, "127.0.0.1");
    await once(channel.connector, "listening");
    channel.serviceUrl = `http://127.0.0.1:${(channel.connector.address() as AddressInfo).port}`;
    return channel;
  }

  /**
   * Sends one message from a Teams user to the bot at `endpoint` and returns what the bot answered
   * (typing indicators left out): its turn ends before the answer, so `answered` waits for it.
   */
  async say(
    endpoint: string,
    text: string,
    value: unknown,
    origin: Origin,
    answered: (mark: { replies: number; updates: number }) => Promise<void>,
  ): Promise<BotAnswer> {
    const mark = this.mark();
    const response = await this.post(endpoint, { type: "message", text, value }, origin);
    await answered(mark);
    return { status: response.status, ...this.since(mark) };
  }

  /**
   * Waits until the bot has sent something since `mark` and then nothing for `quietMs`: how a
   * channel that cannot see inside the bot (a bot in another process) knows a message is answered.
   */
  async quiet(
    mark: { replies: number; updates: number },
    { quietMs = 300, timeoutMs = 60_000, expectSomething = true } = {},
  ): Promise<void> {
    const started = Date.now();
    for (;;) {
      const { replies, updates } = this.since(mark);
      const heard = !expectSomething || replies.length > 0 || updates.length > 0;
      if (heard && Date.now() - Math.max(this.lastTraffic, started) >= quietMs) return;
      assert.ok(Date.now() - started < timeoutMs, `no answer within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /**
   * Clicks an Action.Execute button: an `adaptiveCard/action` invoke with the button's verb and
   * data. What the click started after its turn (a request's cards) is waited for with `answered`.
   */
  async invoke(
    endpoint: string,
    verb: string,
    data: unknown,
    origin: Origin,
    answered: (mark: { replies: number; updates: number }) => Promise<void>,
  ): Promise<InvokeAnswer> {
    const mark = this.mark();
    const response = await this.post(
      endpoint,
      { type: "invoke", name: "adaptiveCard/action", value: { action: { type: "Action.Execute", verb, data } } },
      origin,
    );
    const body = (await response.json().catch(() => undefined)) as
      { value?: { body: unknown[]; actions?: unknown[] } } | undefined;
    await answered(mark);
    return { status: response.status, card: body?.value, ...this.since(mark) };
  }

  /** Where the conversation stands now, to read what the bot does from here on with `since`. */
  mark(): { replies: number; updates: number } {
    return { replies: this.received.length, updates: this.updated.length };
  }

  /** What the bot sent and updated since `mark` (including proactive messages), typing indicators left out. */
  since(mark: { replies: number; updates: number }): { replies: ReceivedActivity[]; updates: UpdatedActivity[] } {
    return {
      replies: this.received.slice(mark.replies).filter((a) => a.type !== "typing"),
      updates: this.updated.slice(mark.updates),
    };
  }

  /** An activity as Teams sends it: from `origin` (Adele's personal chat by default), in the demo tenant. */
  activity(activity: Record<string, unknown>, origin: Origin = {}): Record<string, unknown> {
    const from = origin.from ?? PEOPLE.adele;
    const tenantId = origin.tenantId ?? this.tenantId;
    return {
      id: `activity-${++this.activityCount}`,
      timestamp: new Date().toISOString(),
      channelId: "msteams",
      serviceUrl: this.serviceUrl,
      from,
      recipient: { id: "bot", name: "License Desk" },
      conversation: { id: origin.conversationId ?? personalChatOf(from), conversationType: "personal", tenantId },
      channelData: { tenant: { id: tenantId } },
      ...(origin.replyToId ? { replyToId: origin.replyToId } : {}),
      ...activity,
    };
  }

  /** Posts one activity as a turn, timed: a turn over TURN_LIMIT_MS fails the test. */
  private async post(endpoint: string, activity: Record<string, unknown>, origin: Origin): Promise<Response> {
    const started = performance.now();
    const response = await fetch(endpoint, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(this.activity(activity, origin)),
    });
    const turn: TimedTurn = {
      kind: activity.type === "invoke" ? "invoke" : "message",
      ms: Math.round(performance.now() - started),
    };
    this.turns.push(turn);
    assert.ok(turn.ms <= this.turnLimitMs, `a ${turn.kind} turn took ${turn.ms} ms, over ${this.turnLimitMs} ms`);
    return response;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.connector.close(() => resolve());
      this.connector.closeAllConnections();
    });
  }
}

/** The id of a user's personal chat with the bot: where their activities come from unless told otherwise. */
export function personalChatOf(user: TeamsUser): string {
  return `personal-chat-${user.id}`;
}

export class BotHarness {
  private constructor(
    readonly bot: RunningBot,
    private readonly channel: TeamsChannel,
  ) {}

  /** The simulated tenant the bot runs on, or a failed assertion. */
  get simulator(): GraphSimulatorServer {
    const simulator = this.bot.tenant.simulator;
    assert.ok(simulator, "the bot runs on the simulated tenant");
    return simulator;
  }

  /** Every turn posted so far, timed. */
  get turns(): readonly TimedTurn[] {
    return this.channel.turns;
  }

  /** How long the connector takes to answer each activity the bot sends or updates, as a slow channel would. */
  get connectorDelayMs(): number {
    return this.channel.connectorDelayMs;
  }

  set connectorDelayMs(ms: number) {
    this.channel.connectorDelayMs = ms;
  }

  /** Starts the bot on `snapshotPath` with group processing taking `processingDelayMs` per stage. */
  static async start(snapshotPath: string, processingDelayMs = 0, options: HarnessOptions = {}): Promise<BotHarness> {
    const channel = await TeamsChannel.start();
    channel.turnLimitMs = options.turnLimitMs ?? TURN_LIMIT_MS;
    const settings = loadSettings({
      PORT: "0",
      SIMULATOR_SNAPSHOT: snapshotPath,
      SIMULATOR_PROCESSING_DELAY_MS: String(processingDelayMs),
      PLAYGROUND: "false",
      DATA_DIR: options.dataDir ?? scratchDir("test"),
      ...options.env,
    });
    const bot = await startBot(settings, createLogger(process.env.TEST_LOG ?? "silent"), {
      pollDelaysMs: options.pollDelaysMs ?? [10],
      ...(options.now ? { now: options.now } : {}),
    });
    // Activities come from the bot's own tenant unless a test says otherwise.
    channel.tenantId = bot.tenant.tenantId;
    return new BotHarness(bot, channel);
  }

  /** Sends one message from a Teams user and returns what the bot answered (typing indicators left out). */
  say(text: string, value?: unknown, origin: Origin = {}): Promise<BotAnswer> {
    return this.channel.say(this.bot.endpoint, text, value, origin, () => this.bot.answered());
  }

  /** Clicks an Action.Execute button: an `adaptiveCard/action` invoke with the button's verb and data. */
  invoke(verb: string, data: unknown, origin: Origin = {}): Promise<InvokeAnswer> {
    return this.channel.invoke(this.bot.endpoint, verb, data, origin, () => this.bot.answered());
  }

  /** Where the conversation stands now, to read what the bot does from here on with `since`. */
  mark(): { replies: number; updates: number } {
    return this.channel.mark();
  }

  /** What the bot sent and updated since `mark` (including proactive messages), typing indicators left out. */
  since(mark: { replies: number; updates: number }): { replies: ReceivedActivity[]; updates: UpdatedActivity[] } {
    return this.channel.since(mark);
  }

  async close(): Promise<void> {
    await this.bot.close();
    await this.channel.close();
  }
}

/**
 * For a describe block whose tests share one bot: resets the simulated tenant's counters before each
 * test, and totals over the block the writes the tenant saw and the previews asked for (each reads
 * the tenant's products first).
 */
export function countOverBlock(counters: () => RequestCounters): {
  readonly writes: number;
  readonly previews: number;
} {
  const seen = { writes: 0, previews: 0 };
  beforeEach(() => counters().reset());
  afterEach(() => {
    seen.writes += counters().writes;
    seen.previews += counters().byRoute["GET /subscribedSkus"] ?? 0;
  });
  return seen;
}
