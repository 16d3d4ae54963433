/** End to end in the Agents Playground: what a helpdesk engineer sees after `npm start`. */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { DEMO, demo } from "../support/demoTenant";
import { CHROMIUM, PlaygroundSession } from "../support/playgroundSession";

describe("the Agents Playground (Chromium)", function () {
  this.timeout(90_000);
  let session: PlaygroundSession;
  before(async function () {
    // A machine without the browser skips these tests and says so; CI (CI=true) must run them, so there it fails.
    if (!existsSync(CHROMIUM) && process.env.CI !== "true") {
      console.log(
        `    skipped: Chromium not found at ${CHROMIUM} (apt-get install chromium; CI=true makes this a failure)`,
      );
      this.skip();
    }
    session = await PlaygroundSession.start(DEMO);
  });
  after(async () => session?.close());

  it("greets with the help card", async () => {
    await session.page.getByRole("button", { name: "Show licenses" }).first().waitFor({ timeout: 20_000 });
  });

  it("shows the tenant's seats when asked", async () => {
    await session.say("seats");
    const e3 = demo.subscribedSkus.find((s) => s.skuPartNumber === "ENTERPRISEPACK");
    assert.ok(e3);
    await session.page
      .getByText(`${e3.consumedUnits} / ${e3.prepaidUnits.enabled}`, { exact: true })
      .waitFor({ timeout: 20_000 });
    assert.equal(await session.page.getByText("ENTERPRISEPACK", { exact: true }).count(), 1);
  });

  it("previews a group change for each verdict, with the seats", async () => {
    await session.say("move group Marketing from E1 to E3");
    await session.page.getByText("Ready: every check passed").waitFor({ timeout: 20_000 });
    await session.page.getByText("70 (takes 25)").waitFor();
    await session.say("move group Sales from E1 to E3");
    await session.page.getByText("Ready, with 3 warnings").waitFor({ timeout: 20_000 });
    await session.say("upgrade Customer Support to E3");
    await session.page.getByText("Blocked by 1 problem").waitFor({ timeout: 20_000 });
    await session.page.getByText("short by 25 (needs 120)").waitFor();
    await session.page.screenshot({ path: "devTools/e2e-previews.png", fullPage: true });
  });

  it("previews moving Operations' direct E3 users onto group licensing", async () => {
    await session.say("migrate Operations to group licensing for E3");
    await session.page
      .getByText("Move direct Office 365 E3 users of Operations onto group licensing")
      .first()
      .waitFor({ timeout: 20_000 });
    await session.page.screenshot({ path: "devTools/e2e-migration.png" });
  });

  it("takes a change from request to approval to outcome between two people", async () => {
    // Patti, an approver, names her group chat as the approvals channel in a Playground of her own.
    const patti = await session.openAs("Patti Fernandez");
    await patti.getByText("License Desk group chat").first().click();
    await session.mentionAndSay("use this channel for approvals", patti);
    await patti
      .getByText("From now on I send approval cards to this conversation.")
      .first()
      .waitFor({ timeout: 20_000 });

    // Adele previews and asks for approval (on the new preview card, not an earlier one).
    const requestButtons = session.page.getByRole("button", { name: "Request approval" });
    const before = await requestButtons.count();
    await session.say("move group Marketing from E1 to E3");
    for (let waited = 0; (await requestButtons.count()) <= before; waited += 200) {
      assert.ok(waited < 20_000, "the Marketing preview did not arrive");
      await session.page.waitForTimeout(200);
    }
    await requestButtons.last().click();
    await session.page.getByText("Waiting for an approver").first().waitFor({ timeout: 20_000 });

    // The approval card reaches Patti's chat; she approves; the card there ends with the outcome.
    await patti.getByRole("button", { name: "Approve" }).first().click({ timeout: 20_000 });
    await patti.getByText("25 of 25 members now hold Office 365 E3.").first().waitFor({ timeout: 30_000 });
    await patti.getByText("Office 365 E3: 54 / 124 used, 70 available now").first().waitFor();
    // Adele is told.
    await session.page
      .getByText("Request #1 is done: 25 of 25 now hold Office 365 E3.")
      .first()
      .waitFor({ timeout: 20_000 });
    await patti.screenshot({ path: "devTools/e2e-approval.png" });
    assert.equal(session.bot.tenant.simulator?.counters.writes, 1);
  });
});
