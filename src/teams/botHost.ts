/**
 * The bot's HTTP host: restify serves Bot Framework's POST /api/messages through CloudAdapter,
 * GET /healthz (liveness: the process answers) and GET /readyz (readiness: its dependencies answer)
 * for probes. With no bot credentials the adapter accepts unauthenticated activities (local mode,
 * for the Agents Playground).
 *
 * A request that fails inside the bot is answered 500 with INTERNAL_ERROR, never with the failure's
 * own text (addresses, library internals), which is logged instead: anyone may post to the endpoint.
 */
import type { AddressInfo } from "node:net";
import {
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  ConfigurationServiceClientCredentialFactory,
  type Response,
  type TurnContext,
} from "botbuilder";
import * as restify from "restify";
import type { Notifier } from "../approval/approvalService";
import type { Conversation } from "../chat/chatService";
import type { ConversationRef } from "../requests/licenseRequest";
import { SettingsError } from "../errors";
import type { Logger } from "../log";
import type { LicenseDeskBot } from "./licenseDeskBot";
import { SOMETHING_WENT_WRONG } from "./backgroundTurns";
import { TeamsNotifier } from "./teamsNotifier";

/** Bot Framework credentials; none means local mode (no auth), for the Agents Playground. */
export type BotAuthSettings =
  | { kind: "local" }
  | {
      kind: "azure";
      appId: string;
      appPassword?: string;
      appType: "MultiTenant" | "SingleTenant" | "UserAssignedMSI";
      appTenantId?: string;
    };

/**
 * Readiness checks by dependency name ("store", "graph"): each resolves when its dependency answers
 * and rejects when it does not. Given by the composition root, so this layer knows no dependency.
 */
export type ReadinessChecks = Readonly<Record<string, () => Promise<unknown>>>;

/** How long /readyz waits for each check before counting it failed. */
export const READINESS_TIMEOUT_MS = 5000;

/** The body of every 500: fixed, so that no internal detail reaches an unauthenticated caller. */
export const INTERNAL_ERROR = {
  code: "InternalError",
  message: "The bot could not handle this request; the details are in its log.",
} as const;

export class BotHost {
  private readonly server: restify.Server;
  private readonly adapter: CloudAdapter;
  /** Sends and updates cards outside a turn (approval cards, outcomes, answers to messages). */
  private readonly proactive: TeamsNotifier;

  constructor(
    auth: BotAuthSettings,
    private readonly log: Logger,
    readiness: ReadinessChecks,
  ) {
    this.adapter = new CloudAdapter(botFrameworkAuthentication(auth));
    this.adapter.onTurnError = async (context: TurnContext, error: Error) => {
      log.error({ err: error, activity: context.activity.type }, "turn failed");
      await context.sendActivity(SOMETHING_WENT_WRONG);
    };
    this.proactive = new TeamsNotifier(this.adapter, auth.kind === "azure" ? auth.appId : "");
    this.server = restify.createServer({ name: "license-desk" });
    this.server.use(restify.plugins.bodyParser({ maxBodySize: 256 * 1024 }));
    this.server.get("/healthz", (_req, res, next) => {
      res.send(200, { status: "ok" });
      next();
    });
    this.server.get("/readyz", async (_req, res) => {
      const results = await Promise.all(
        Object.entries(readiness).map(async ([name, check]) => [name, await passes(name, check, log)] as const),
      );
      const ready = results.every(([, ok]) => ok);
      res.send(ready ? 200 : 503, {
        status: ready ? "ready" : "not ready",
        checks: Object.fromEntries(results.map(([name, ok]) => [name, ok ? "ok" : "failed"])),
      });
    });
    // An error a handler throws (restify would answer it with its message): logged, answered INTERNAL_ERROR.
    this.server.on(
      "restifyError",
      (req: restify.Request, res: restify.Response, error: Error & { statusCode?: unknown }, done: () => void) => {
        if (typeof error.statusCode !== "number" || error.statusCode >= 500) {
          log.error({ err: error, method: req.method, url: req.url }, "request failed");
          res.send(500, INTERNAL_ERROR);
        }
        done();
      },
    );
  }

  get notifier(): Notifier {
    return this.proactive;
  }

  /** A conversation reached outside any turn, by its stored reference. */
  conversationAt(conversation: ConversationRef): Conversation {
    return this.proactive.conversationAt(conversation);
  }

  /** Serves the bot; resolves to the messaging endpoint's URL. */
  async listen(bot: LicenseDeskBot, port: number, host: string): Promise<string> {
    this.server.post("/api/messages", async (req, res) => {
      await this.adapter.process(req, hidingServerErrors(res, this.log), (context) => bot.run(context));
    });
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", (error: NodeJS.ErrnoException) =>
        reject(
          error.code === "EADDRINUSE"
            ? new SettingsError("PORT", `${host}:${port} is already in use; stop what uses it or choose another PORT`)
            : error,
        ),
      );
      this.server.listen(port, host, resolve);
    });
    const address = this.server.address() as AddressInfo;
    return `http://${host}:${address.port}/api/messages`;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/**
 * The response CloudAdapter writes to. The adapter answers a turn that failed with the error's own
 * text (500, err.message); here that text is logged and INTERNAL_ERROR sent instead. Any other
 * answer (200, an invoke's body, 400, 401) passes through unchanged.
 */
function hidingServerErrors(res: restify.Response, log: Logger): Response {
  let failed = false;
  return {
    socket: res.socket,
    header: (name: string, value: unknown) => res.header(name, value),
    status: (code: number) => {
      failed = code >= 500;
      return res.status(code);
    },
    send: (body?: unknown) => {
      if (!failed) return res.send(body);
      log.error({ status: res.statusCode, detail: body }, "request failed");
    },
    end: () => (failed ? res.send(INTERNAL_ERROR) : res.end()),
  };
}

/** Whether `check` resolves within READINESS_TIMEOUT_MS; why not is logged, never answered. */
async function passes(name: string, check: () => Promise<unknown>, log: Logger): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${READINESS_TIMEOUT_MS} ms`)), READINESS_TIMEOUT_MS);
  });
  try {
    await Promise.race([check(), timeout]);
    return true;
  } catch (error) {
    log.warn({ err: error, dependency: name }, "readiness check failed");
    return false;
  } finally {
    clearTimeout(timer);
  }
}

function botFrameworkAuthentication(auth: BotAuthSettings): ConfigurationBotFrameworkAuthentication {
  const options =
    auth.kind === "local"
      ? {}
      : {
          MicrosoftAppId: auth.appId,
          MicrosoftAppPassword: auth.appPassword,
          MicrosoftAppType: auth.appType,
          MicrosoftAppTenantId: auth.appTenantId,
        };
  return new ConfigurationBotFrameworkAuthentication(options, new ConfigurationServiceClientCredentialFactory(options));
}
