/**
 * Runs the simulated tenant on its own, so that bots in other processes can share it and be
 * stopped or killed without it (point them at it with SIMULATOR_URL).
 *
 *   npx tsx scripts/simulated-tenant.ts [--snapshot FILE] [--port N] [--processing-delay MS]
 *
 * Defaults: tenants/demo.json, a free port, 3000 ms per stage of group processing. Prints the URL
 * on stdout; stops on Ctrl+C (SIGINT) or SIGTERM.
 */
import { SettingsError } from "../src/errors";
import { GraphSimulatorServer } from "../src/simulator/graphServer";
import { loadSnapshot } from "../src/tenantConnection";
import { integerArg, readArgs } from "./scriptArgs";

interface Args {
  snapshot: string;
  port: number;
  processingDelayMs: number;
}

const USAGE = "usage: npx tsx scripts/simulated-tenant.ts [--snapshot FILE] [--port N] [--processing-delay MS]";

function parseArgs(argv: readonly string[]): Args {
  const values = readArgs(
    argv,
    { snapshot: { type: "string" }, port: { type: "string" }, "processing-delay": { type: "string" } },
    USAGE,
  );
  return {
    snapshot: values.snapshot ?? "tenants/demo.json",
    port: integerArg("--port", values.port, USAGE, { min: 0, max: 65535 }) ?? 0,
    processingDelayMs:
      integerArg("--processing-delay", values["processing-delay"], USAGE, { min: 0, max: 3_600_000 }) ?? 3000,
  };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const server = new GraphSimulatorServer(loadSnapshot(args.snapshot, { processingDelayMs: args.processingDelayMs }));
  const url = await server.listen(args.port);
  console.log(url);
  console.error(
    `simulated tenant "${server.state.organization.displayName}" (${server.state.organization.id}) from ${args.snapshot}`,
  );
  console.error(`start the bot on it with SIMULATOR_URL=${url} npm start; Ctrl+C stops the tenant`);
  const stop = (): void => {
    server.state.stop();
    void server.close().then(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((error: unknown) => {
  // loadSnapshot names the bot's setting; here the file came from --snapshot.
  if (error instanceof SettingsError)
    console.error(
      `--snapshot: ${error.message.replace(/^Setting [A-Z_]+: /, "").replace(/ \(see \.env\.sample\)$/, "")}`,
    );
  else console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
