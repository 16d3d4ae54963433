/**
 * Runs the real bot (restify + CloudAdapter + simulated tenant over HTTP) on free ports, and plays
 * the Bot Framework channel: it posts activities to /api/messages and collects what the bot sends
 * back to the conversation through its connector endpoint, as Teams or the Playground would.
 */
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { startBot, type RunningBot } from "../../src/app";
import { loadSettings } from "../../src/config";
import { createLogger } from "../../src/log";

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

export class BotHarness {
  private activityCount = 0;
  /** How long the connector takes to answer each activity the bot sends or updates, as a slow channel would. */
  connectorDelayMs = 0;

  private constructor(
    readonly bot: RunningBot,
    private readonly connector: Server,
    private readonly serviceUrl: string,
    /** Every activity the bot has sent to the conversation, in order, with the id the connector gave it. */
    private readonly received: ReceivedActivity[],
    /** Every update of an activity, in order. */
    private readonly updated: UpdatedActivity[],
  ) {}

  /** Starts the bot on `snapshotPath` with group processing taking `processingDelayMs` per stage. */
  static async start(snapshotPath: string, processingDelayMs = 0): Promise<BotHarness> {
    const received: ReceivedActivity[] = [];
    const updated: UpdatedActivity[] = [];
    let sent = 0;
    // Set once the harness exists; the connector reads the harness's current delay.
    let harness: BotHarness | undefined;
    const connector = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk: Buffer) => (body += chunk.toString()));
      req.on("end", () => {
        const activity = JSON.parse(body) as SentActivity;
        // updateActivity: PUT /v3/conversations/{conversationId}/activities/{activityId}.
        const update = req.method === "PUT" ? /\/v3\/conversations\/[^/]+\/activities\/([^/?]+)$/.exec(req.url ?? "") : null;
        let id: string;
        if (update) {
          id = decodeURIComponent(update[1]);
          updated.push({ replaces: id, activity });
        } else {
          id = `sent-${++sent}`;
          received.push({ ...activity, sentId: id });
        }
        const answer = () => {
          // Not writeHead(...).end(): restify, loaded in this process, patches writeHead to return nothing.
          res.statusCode = 200;
          res.setHeader("content-type", "application/json");
          res.end(JSON.stringify({ id }));
        };
        const delay = harness?.connectorDelayMs ?? 0;
        if (delay > 0) setTimeout(answer, delay);
        else answer();
      });
    });
    connector.listen(0, "127.0.0.1");
    await once(connector, "listening");
    const settings = loadSettings({
      PORT: "0",
      SIMULATOR_SNAPSHOT: snapshotPath,
      SIMULATOR_PROCESSING_DELAY_MS: String(processingDelayMs),
      PLAYGROUND: "false",
    });
    const bot = await startBot(settings, createLogger("silent"));
    harness = new BotHarness(bot, connector, `http://127.0.0.1:${(connector.address() as AddressInfo).port}`, received, updated);
    return harness;
  }

  /** Sends one message from a Teams user and returns what the bot answered (typing indicators left out). */
  async say(text: string, value?: unknown): Promise<BotAnswer> {
    const before = this.received.length;
    const updatesBefore = this.updated.length;
    const id = `activity-${++this.activityCount}`;
    const response = await fetch(this.bot.endpoint, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        type: "message",
        id,
        timestamp: new Date().toISOString(),
        channelId: "msteams",
        serviceUrl: this.serviceUrl,
        from: { id: "user-adele", name: "Adele Vance", aadObjectId: "5b9e2c41-7d3a-4f1e-8a6b-0c2d9e4f7a13" },
        recipient: { id: "bot", name: "License Desk" },
        conversation: { id: "personal-chat", conversationType: "personal", tenantId: "3f5c8d2a-1b4e-4a6f-9c7d-2e8b0a1d4c6f" },
        channelData: { tenant: { id: "3f5c8d2a-1b4e-4a6f-9c7d-2e8b0a1d4c6f" } },
        text,
        value,
      }),
    });
    return {
      status: response.status,
      replies: this.received.slice(before).filter((a) => a.type !== "typing"),
      updates: this.updated.slice(updatesBefore),
    };
  }

  async close(): Promise<void> {
    await this.bot.close();
    this.connector.close();
  }
}
