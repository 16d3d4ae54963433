/**
 * The bot's HTTP host: restify serves Bot Framework's POST /api/messages through CloudAdapter,
 * and GET /healthz for probes. With no bot credentials the adapter accepts unauthenticated
 * activities (local mode, for the Agents Playground).
 */
import type { AddressInfo } from "node:net";
import { CloudAdapter, ConfigurationBotFrameworkAuthentication, ConfigurationServiceClientCredentialFactory, type TurnContext } from "botbuilder";
import * as restify from "restify";
import type { Notifier } from "../approval/approvalService";
import { SettingsError, type BotAuthSettings } from "../config";
import type { Logger } from "../log";
import type { LicenseDeskBot } from "./licenseDeskBot";
import { TeamsNotifier } from "./teamsNotifier";

export class BotHost {
  private readonly server: restify.Server;
  private readonly adapter: CloudAdapter;
  /** Sends and updates cards outside a turn (approval cards, outcomes). */
  readonly notifier: Notifier;

  constructor(auth: BotAuthSettings, log: Logger) {
    this.adapter = new CloudAdapter(botFrameworkAuthentication(auth));
    this.adapter.onTurnError = async (context: TurnContext, error: Error) => {
      log.error({ err: error, activity: context.activity.type }, "turn failed");
      await context.sendActivity("Something went wrong on my side. Nothing was changed. Try again in a moment.");
    };
    this.notifier = new TeamsNotifier(this.adapter, auth.kind === "azure" ? auth.appId : "");
    this.server = restify.createServer({ name: "license-desk" });
    this.server.use(restify.plugins.bodyParser({ maxBodySize: 256 * 1024 }));
    this.server.get("/healthz", (_req, res, next) => {
      res.send(200, { status: "ok" });
      next();
    });
  }

  /** Serves the bot; resolves to the messaging endpoint's URL. */
  async listen(bot: LicenseDeskBot, port: number, host: string): Promise<string> {
    this.server.post("/api/messages", async (req, res) => {
      await this.adapter.process(req, res, (context) => bot.run(context));
    });
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", (error: NodeJS.ErrnoException) =>
        reject(error.code === "EADDRINUSE" ? new SettingsError("PORT", `${host}:${port} is already in use; stop what uses it or choose another PORT`) : error),
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

function botFrameworkAuthentication(auth: BotAuthSettings): ConfigurationBotFrameworkAuthentication {
  const options =
    auth.kind === "local"
      ? {}
      : { MicrosoftAppId: auth.appId, MicrosoftAppPassword: auth.appPassword, MicrosoftAppType: auth.appType, MicrosoftAppTenantId: auth.appTenantId };
  return new ConfigurationBotFrameworkAuthentication(options, new ConfigurationServiceClientCredentialFactory(options));
}
