/**
 * Start-up refusals as an operator sees them: the real bot process (`node --require tsx/cjs
 * src/main.ts`, as test/support/botProcess.ts runs it) on a data folder it must not use prints one
 * line and exits non-zero, and leaves the folder as it was.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { GraphSimulatorServer } from "../../src/simulator/graphServer";
import { TenantState } from "../../src/simulator/tenantState";
import { botEnvironment } from "../support/botProcess";
import { DEMO } from "../support/demoTenant";
import { scratchDir } from "../support/scratch";

const REPO = resolve(__dirname, "../..");

/** Runs the bot on `dataDir` until it exits; what it printed and how it ended. */
async function startBotProcess(
  simulatorUrl: string,
  dataDir: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ["--require", "tsx/cjs", "src/main.ts"], {
    cwd: REPO,
    env: botEnvironment(simulatorUrl, dataDir, 0),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  // Well within the test's own timeout, so that a bot that does start is killed, not left running.
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  // "close", not "exit": every byte of its output has been read by then.
  const [code] = (await once(child, "close")) as [number | null];
  clearTimeout(timer);
  return { code, stdout, stderr };
}

/**
 * The lines the bot printed, without Node's deprecation warnings: restify's dependencies use
 * process.binding (DEP0111), which Node reports on every start, whatever the bot then says.
 */
function ownLines(output: string): string[] {
  return output
    .split("\n")
    .filter(
      (line) =>
        line !== "" &&
        !/^\(node:\d+\) \[DEP\d+\] DeprecationWarning: /.test(line) &&
        !line.startsWith("(Use `node --trace-deprecation"),
    );
}

describe("the bot process at start-up", () => {
  let simulator: GraphSimulatorServer;
  let url: string;
  before(async () => {
    simulator = new GraphSimulatorServer(
      TenantState.fromJson(JSON.parse(readFileSync(DEMO, "utf8")), { processingDelayMs: 0 }),
    );
    url = await simulator.listen(0);
  });
  after(async () => {
    await simulator.close();
    simulator.state.stop();
  });

  it("on a data folder whose database vanished: one line on stderr, exit code 1, no fresh database", async () => {
    const dataDir = scratchDir("startup");
    writeFileSync(
      join(dataDir, "license-desk.marker"),
      JSON.stringify({ database: "license-desk.sqlite", createdAt: "2025-01-02T03:04:05.000Z" }),
    );
    const { code, stdout, stderr } = await startBotProcess(url, dataDir);
    assert.equal(code, 1);
    assert.deepEqual(ownLines(stderr), [
      `DATA_DIR ${dataDir}: the request database license-desk.sqlite is missing, yet license-desk.marker (written 2025-01-02T03:04:05.000Z) says License Desk created it here; ` +
        `the bot did not start and changed nothing. Restore license-desk.sqlite from backup, or point DATA_DIR at an empty folder to start afresh.`,
    ]);
    assert.equal(stdout, "");
    assert.deepEqual(readdirSync(dataDir), ["license-desk.marker"]);
  });
});
