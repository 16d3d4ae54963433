/**
 * Runs the bot as a real child process (`node --require tsx/cjs src/main.ts`), the way it runs in
 * production, against a simulated tenant that lives in the test's own process (SIMULATOR_URL), so
 * that the bot can be killed outright (SIGKILL: no shutdown hook, no last write) and started again on
 * the same data folder while the tenant, its counters and its faults carry on.
 *
 * It plays the Teams channel with the same TeamsChannel as BotHarness: the same activities and
 * people, and a connector that outlives every restart (the bot stores the conversations it answers,
 * and a restarted bot reaches them again there).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { join, resolve } from "node:path";
import { SqliteRequestStore } from "../../src/store/sqliteRequestStore";
import {
  TeamsChannel,
  type BotAnswer,
  type InvokeAnswer,
  type Origin,
  type ReceivedActivity,
  type UpdatedActivity,
} from "./botHarness";
import { scratchDir } from "./scratch";

const REPO = resolve(__dirname, "../..");
/** How much of the child's output to keep for failure messages. */
const OUTPUT_KEPT = 20_000;

/** Every child still running, killed if the test process exits without closing them (mocha --exit). */
const live = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of live) child.kill("SIGKILL");
});

export interface BotProcessOptions {
  /** The running simulated tenant's URL, e.g. a GraphSimulatorServer's listen() in the test process. */
  readonly simulatorUrl: string;
  /** The request store's folder, kept across restarts; a new temporary folder when not given. */
  readonly dataDir?: string;
  /** More environment for the child (after the defaults, so it can override them). */
  readonly env?: Readonly<Record<string, string>>;
  /** How long a start may take before it fails (default 30 s). */
  readonly startTimeoutMs?: number;
}

export class BotProcess {
  readonly dataDir: string;
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private port = 0;
  private starts = 0;
  private log = "";

  private constructor(
    private readonly options: BotProcessOptions,
    /** The Teams side it talks to (tests slow its connector to catch the bot mid-send). */
    readonly channel: TeamsChannel,
  ) {
    this.dataDir = options.dataDir ?? scratchDir("process");
  }

  /** Starts the channel's connector and the bot; resolves once the bot answers GET /healthz. */
  static async start(options: BotProcessOptions): Promise<BotProcess> {
    const bot = new BotProcess(options, await TeamsChannel.start());
    try {
      await bot.restart();
    } catch (error) {
      await bot.close();
      throw error;
    }
    return bot;
  }

  /** Starts the bot (again) on the same data folder and a fresh free port; the previous one must have ended. */
  async restart(): Promise<void> {
    if (this.running) throw new Error(`the bot (pid ${this.child?.pid}) is still running; kill it first`);
    this.port = await freePort();
    const run = ++this.starts;
    const env: NodeJS.ProcessEnv = {
      ...botEnvironment(this.options.simulatorUrl, this.dataDir, this.port),
      ...this.options.env,
    };
    const child = spawn(process.execPath, ["--require", "tsx/cjs", "src/main.ts"], {
      cwd: REPO,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child = child;
    live.add(child);
    const keep = (chunk: Buffer) => {
      this.log = (this.log + chunk.toString()).slice(-OUTPUT_KEPT);
    };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    this.log += `--- start ${run} (pid ${child.pid}, port ${this.port})\n`;
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    this.exited = new Promise((done) =>
      child.once("exit", (code, signal) => {
        exit = { code, signal };
        live.delete(child);
        this.log += `--- start ${run} ended (${signal ?? `exit code ${code}`})\n`;
        done();
      }),
    );

    const timeoutMs = this.options.startTimeoutMs ?? 30_000;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (exit)
        throw new Error(
          `the bot exited while starting (${exit.signal ?? `exit code ${exit.code}`}):\n${this.output()}`,
        );
      if (Date.now() > deadline) {
        await this.kill("SIGKILL");
        throw new Error(`the bot did not answer GET /healthz within ${timeoutMs} ms:\n${this.output()}`);
      }
      const healthy = await fetch(`http://127.0.0.1:${this.port}/healthz`, { signal: AbortSignal.timeout(1000) }).then(
        (r) => r.ok,
        () => false,
      );
      if (healthy) return;
      await sleep(50);
    }
  }

  /** Whether the child is running (started and not yet exited). */
  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** The running bot's messaging endpoint. */
  get endpoint(): string {
    if (!this.running) throw new Error(`the bot is not running:\n${this.output()}`);
    return `http://127.0.0.1:${this.port}/api/messages`;
  }

  /** Stops the child with `signal` (SIGKILL by default: no shutdown of any kind) and waits until it has exited. */
  async kill(signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
    if (!this.running) return;
    this.child?.kill(signal);
    await this.exited;
  }

  /** Stops the child as an operator would (SIGTERM: main.ts closes the bot), else kills it after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.running) return;
    this.child?.kill("SIGTERM");
    const timer = setTimeout(() => this.child?.kill("SIGKILL"), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** The request store the bot writes, opened here; only once the bot has ended (kill or stop first). */
  openStore(): SqliteRequestStore {
    if (this.running) throw new Error("open the bot's store once it has ended, not while it writes");
    return SqliteRequestStore.open(join(this.dataDir, "license-desk.sqlite"));
  }

  /** The child's output (stdout and stderr) so far, across restarts, for failure messages. */
  output(): string {
    return this.log;
  }

  /** Sends one message from a Teams user (Adele in her personal chat unless `origin` says otherwise). */
  say(text: string, value?: unknown, origin: Origin = {}): Promise<BotAnswer> {
    return this.channel.say(this.endpoint, text, value, origin, (mark) => this.channel.quiet(mark));
  }

  /** Clicks an Action.Execute button. */
  invoke(verb: string, data: unknown, origin: Origin = {}): Promise<InvokeAnswer> {
    // A click may be answered by its turn alone (a refusal): nothing more need come.
    return this.channel.invoke(this.endpoint, verb, data, origin, (mark) =>
      this.channel.quiet(mark, { expectSomething: false }),
    );
  }

  mark(): { replies: number; updates: number } {
    return this.channel.mark();
  }

  /** What the bot sent and updated since `mark`, across restarts. */
  since(mark: { replies: number; updates: number }): { replies: ReceivedActivity[]; updates: UpdatedActivity[] } {
    return this.channel.since(mark);
  }

  /** Kills the child if it still runs and closes the connector. */
  async close(): Promise<void> {
    await this.kill("SIGKILL");
    await this.channel.close();
  }
}

/** A port nobody listens on right now (the OS's pick), for the child to listen on. */
async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}

/** The environment the bot runs in as a child process: the simulated tenant at `simulatorUrl`, nothing from a developer's .env. */
export function botEnvironment(simulatorUrl: string, dataDir: string, port: number): NodeJS.ProcessEnv {
  return {
    ...process.env,
    // Set, even empty, so that a developer's .env (read by main.ts through dotenv, which never
    // overrides what is set) cannot point the child at a real tenant or bot registration.
    GRAPH_TENANT_ID: "",
    GRAPH_CLIENT_ID: "",
    GRAPH_CLIENT_SECRET: "",
    GRAPH_CERTIFICATE_PATH: "",
    MICROSOFT_APP_ID: "",
    MICROSOFT_APP_PASSWORD: "",
    MICROSOFT_APP_TENANT_ID: "",
    APPROVER_GROUP_IDS: "",
    APPROVER_USER_IDS: "",
    REQUESTER_GROUP_IDS: "",
    REQUESTER_USER_IDS: "",
    REQUEST_EXPIRY_HOURS: "",
    DOTENV_CONFIG_QUIET: "true",
    HOST: "127.0.0.1",
    PORT: String(port),
    PLAYGROUND: "false",
    SIMULATOR_URL: simulatorUrl,
    DATA_DIR: dataDir,
    LOG_LEVEL: "warn",
    // A write cut off by a kill is given this long to take effect before the restarted bot reads the tenant.
    GRAPH_TIMEOUT_MS: "2000",
  };
}
