/**
 * The bot, its simulated tenant and the Microsoft 365 Agents Playground, started as `npm start`
 * starts them (on free ports), with Debian's Chromium driven by playwright-core as the people at
 * the keyboard: the helpdesk engineer of .m365agentsplayground.yml, and others in Playgrounds of
 * their own.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { parse, stringify } from "yaml";
import { startBot, type RunningBot } from "../../src/app";
import { loadSettings } from "../../src/config";
import { createLogger } from "../../src/log";
import { startPlayground, type Playground } from "../../src/playground";
import { scratchDir } from "./scratch";

export const CHROMIUM = "/usr/bin/chromium";
const PLAYGROUND_CONFIG = ".m365agentsplayground.yml";

/** Flags that keep Chromium off the network (this machine has none) and working as root. */
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

interface PlaygroundUser {
  id: string;
  name: string;
}

export class PlaygroundSession {
  private readonly playgrounds: Playground[] = [];
  private readonly scratch = scratchDir("e2e");
  /** The helpdesk engineer's page (the Playground's configured current user). */
  page!: Page;

  private constructor(
    readonly bot: RunningBot,
    private readonly browser: Browser,
  ) {}

  static async start(snapshotPath: string, processingDelayMs = 0): Promise<PlaygroundSession> {
    if (!existsSync(CHROMIUM))
      throw new Error(
        `${CHROMIUM} is missing: install Debian's chromium package (apt-get install chromium); .ci/run does`,
      );
    const dataDir = scratchDir("e2e-data");
    const settings = loadSettings({
      PORT: "0",
      SIMULATOR_SNAPSHOT: snapshotPath,
      SIMULATOR_PROCESSING_DELAY_MS: String(processingDelayMs),
      PLAYGROUND: "false",
      DATA_DIR: dataDir,
    });
    const bot = await startBot(settings, createLogger("silent"), { pollDelaysMs: [100] });
    const session = new PlaygroundSession(
      bot,
      await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS }),
    );
    session.page = await session.open();
    return session;
  }

  /** A Playground in which `name` (a user of .m365agentsplayground.yml) is at the keyboard. */
  async openAs(name: string): Promise<Page> {
    const config = parse(readFileSync(PLAYGROUND_CONFIG, "utf8")) as {
      currentUser: PlaygroundUser;
      users: PlaygroundUser[];
    };
    const user = config.users.find((u) => u.name === name);
    if (!user) throw new Error(`${name} is not a user of ${PLAYGROUND_CONFIG}`);
    config.users = [config.currentUser, ...config.users.filter((u) => u !== user)];
    config.currentUser = user;
    const path = join(this.scratch, `${user.id}.yml`);
    writeFileSync(path, stringify(config));
    return this.open(path);
  }

  private async open(configPath?: string): Promise<Page> {
    const playground = await startPlayground(this.bot.endpoint, 0, createLogger("silent"), configPath);
    if (!playground) throw new Error("the Agents Playground is not installed");
    this.playgrounds.push(playground);
    const page = await this.browser.newPage({ viewport: { width: 1280, height: 1400 } });
    await page.goto(playground.url, { waitUntil: "networkidle" });
    return page;
  }

  /** Types a message into the chat box of `page` (the helpdesk engineer's by default) and sends it. */
  async say(text: string, page: Page = this.page): Promise<void> {
    await page.getByRole("textbox").last().click();
    await page.keyboard.type(text);
    await page.keyboard.press("Enter");
  }

  /** In a group chat or channel the bot hears only what @mentions it: mention it, then say `text`. */
  async mentionAndSay(text: string, page: Page): Promise<void> {
    await page.getByRole("textbox").last().click();
    await page.keyboard.type("@License");
    await page.getByText("License Desk", { exact: true }).last().click();
    await page.keyboard.type(` ${text}`);
    await page.keyboard.press("Enter");
  }

  async close(): Promise<void> {
    await this.browser.close();
    for (const p of this.playgrounds) p.stop();
    await this.bot.close();
  }
}
