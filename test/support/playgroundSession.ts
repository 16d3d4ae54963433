/**
 * The bot, its simulated tenant and the Microsoft 365 Agents Playground, started as `npm start`
 * starts them (on free ports), with Debian's Chromium driven by playwright-core as the person at
 * the keyboard.
 */
import { existsSync } from "node:fs";
import { chromium, type Browser, type Page } from "playwright-core";
import { startBot, type RunningBot } from "../../src/app";
import { loadSettings } from "../../src/config";
import { createLogger } from "../../src/log";
import { startPlayground, type Playground } from "../../src/playground";

export const CHROMIUM = "/usr/bin/chromium";

/** Flags that keep Chromium off the network (this machine has none) and working as root. */
const CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

export class PlaygroundSession {
  private constructor(
    readonly bot: RunningBot,
    private readonly playground: Playground,
    private readonly browser: Browser,
    readonly page: Page,
  ) {}

  static async start(snapshotPath: string): Promise<PlaygroundSession> {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium package (apt-get install chromium); .ci/run does`);
    const log = createLogger("silent");
    const bot = await startBot(loadSettings({ PORT: "0", SIMULATOR_SNAPSHOT: snapshotPath, SIMULATOR_PROCESSING_DELAY_MS: "0", PLAYGROUND: "false" }), log);
    const playground = await startPlayground(bot.endpoint, 0, log);
    if (!playground) throw new Error("the Agents Playground is not installed");
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const page = await browser.newPage({ viewport: { width: 1280, height: 1400 } });
    await page.goto(playground.url, { waitUntil: "networkidle" });
    return new PlaygroundSession(bot, playground, browser, page);
  }

  /** Types a message into the chat box and sends it, as a person would. */
  async say(text: string): Promise<void> {
    await this.page.getByRole("textbox").first().click();
    await this.page.keyboard.type(text);
    await this.page.keyboard.press("Enter");
  }

  async close(): Promise<void> {
    await this.browser.close();
    this.playground.stop();
    await this.bot.close();
  }
}
