/** `npm start`: the bot, its tenant (simulated unless GRAPH_* is set) and, locally, the Agents Playground. */
import "dotenv/config";
import { startBot } from "./app";
import { loadSettings } from "./config";
import { missingPermissionLines } from "./graph/appPermissions";
import { SettingsError } from "./errors";
import { createLogger } from "./log";
import { DataFolderError } from "./store/dataFolder";
import { startPlayground } from "./playground";

async function main(): Promise<void> {
  const settings = loadSettings(process.env);
  const log = createLogger(settings.logLevel);
  const bot = await startBot(settings, log);
  log.info(`tenant: ${bot.tenant.description}`);
  const granted = bot.tenant.permissions;
  if (granted.roles === undefined)
    log.warn(
      `the app's Graph permissions are unknown (${granted.unknownBecause ?? "no token"}); each call will say what it lacks`,
    );
  else if (granted.missing.length === 0) log.info({ roles: granted.roles }, "Graph permissions: every feature is on");
  else for (const line of missingPermissionLines(granted)) log.warn({ roles: granted.roles }, line);
  if (settings.bot.kind === "local")
    log.warn(
      "no bot credentials (MICROSOFT_APP_ID): local mode, activities are not authenticated; for the Agents Playground only",
    );
  log.info(`bot listening at ${bot.endpoint}`);
  if (settings.roles.approverGroupIds.length === 0 && settings.roles.approverUserIds.length === 0) {
    log.warn(
      "no approver is configured (APPROVER_GROUP_IDS, APPROVER_USER_IDS): requests can be made but nobody can approve them",
    );
  }

  const playground = settings.playground.enabled
    ? await startPlayground(bot.endpoint, settings.playground.port, log)
    : undefined;
  if (playground) console.log(`\nLicense Desk is running. Chat with it in the Agents Playground: ${playground.url}\n`);

  const shutdown = async (): Promise<void> => {
    log.info("stopping");
    playground?.stop();
    await bot.close();
    process.exit(0);
  };
  process.once("SIGINT", () => void shutdown());
  process.once("SIGTERM", () => void shutdown());
}

main().catch((error: unknown) => {
  // A bad setting or data folder is the operator's to fix: one line that names it, no stack trace.
  console.error(error instanceof SettingsError || error instanceof DataFolderError ? error.message : error);
  process.exit(1);
});
