/**
 * The bot's HTTP host: restify serves Bot Framework's POST /api/messages through CloudAdapter,
 * and GET /healthz for probes. With no bot credentials the adapter accepts unauthenticated
 * activities (local mode, for the Agents Playground).
 */
import type { AddressInfo } from "node:net";
import { CloudAdapter, ConfigurationBotFrameworkAuthentication, ConfigurationServiceClientCredentialFactory, type TurnContext } from "botbuilder";
import * as restify from "restify";
import { SettingsError, type BotAuthSettings } from "../config";
import type { Logger } from "../log";
import type { LicenseDeskBot } from "./licenseDeskBot";

export class BotHost {
  private readonly server: restify.Server;

  constructor(bot: LicenseDeskBot, auth: BotAuthSettings, log: Logger) {
    const adapter = new CloudAdapter(botFrameworkAuthentication(auth));
    adapter.onTurnError = async (context: TurnContext, error: Error) => {
      log.error({ err: error, activity: context.activity.type }, "turn failed");
      await context.sendActivity("Something went wrong on my side. Nothing was changed. Try again in a moment.");
    };

    this.server = restify.createServer({ name: "license-desk" });
    this.server.use(restify.plugins.bodyParser({ maxBodySize: 256 * 1024 }));
    this.server.post("/api/messages", async (req, res) => {
      await adapter.process(req, res, (context) => bot.run(context));
    });
    this.server.get("/healthz", (_req, res, next) => {
      res.send(200, { status: "ok" });
      next();
    });
  }

  /** Starts listening; resolves to the messaging endpoint's URL. */
  async listen(port: number, host: string): Promise<string> {
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
