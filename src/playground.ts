/**
 * Starts the Microsoft 365 Agents Playground (a devDependency) next to the bot for local chat.
 * It runs offline, reads its users from .m365agentsplayground.yml and writes its log under
 * ./devTools/. In a production install it is absent, and the bot runs without it.
 */
import { spawn, type ChildProcess } from "node:child_process";
import type { Logger } from "./log";

/** Where the Playground writes its own log (relative to the working directory). */
const PLAYGROUND_LOG = "devTools/m365agentsplayground.log";

export interface Playground {
  /** The page to open in a browser. */
  readonly url: string;
  stop(): void;
}

/**
 * `configPath` names another user configuration than ./.m365agentsplayground.yml (the tests start
 * a second Playground in which the approver is the one at the keyboard).
 */
export async function startPlayground(
  botEndpoint: string,
  port: number,
  log: Logger,
  configPath?: string,
): Promise<Playground | undefined> {
  let cli: string;
  try {
    cli = require.resolve("@microsoft/m365agentsplayground/cli.js");
  } catch {
    log.warn("the Agents Playground is not installed (it is a devDependency); run `npm install` to chat locally");
    return undefined;
  }
  const child = spawn(
    process.execPath,
    [cli, "--app-endpoint", botEndpoint, "--channel-id", "msteams", "--port", String(port), "--disable-telemetry"],
    {
      env: {
        ...process.env,
        TEAMSAPPTESTER_BROWSER: "none",
        ...(configPath ? { M365_AGENTS_PLAYGROUND_CONFIG_PATH: configPath } : {}),
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const url = await playgroundUrl(child, port, log);
  return { url, stop: () => child.kill() };
}

/**
 * The Playground falls back to a random port when its own is taken, and says where it listens;
 * read that from its output rather than assume.
 */
function playgroundUrl(child: ChildProcess, port: number, log: Logger): Promise<string> {
  return new Promise((resolve) => {
    const fallback = setTimeout(() => resolve(`http://localhost:${port}`), 15000);
    const onOutput = (chunk: Buffer) => {
      for (const line of chunk
        .toString()
        .split("\n")
        .filter((l) => l.trim() !== "")) {
        log.debug({ playground: line }, "playground");
        const found = /^Listening on (\d+)/.exec(line.trim());
        if (found) {
          clearTimeout(fallback);
          resolve(`http://localhost:${found[1]}`);
        }
      }
    };
    child.stdout?.on("data", onOutput);
    child.stderr?.on("data", onOutput);
    child.on("exit", (code) => {
      clearTimeout(fallback);
      log.warn({ code }, `the Agents Playground stopped; its log is ${PLAYGROUND_LOG}`);
      resolve(`http://localhost:${port}`);
    });
  });
}
