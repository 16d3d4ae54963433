/**
 * The app's Graph permissions, through the bot: what people read when the app holds less than the
 * README asks for (docs/graph-contract.md, "Permissions to grant").
 */
import assert from "node:assert/strict";
import { BotHarness } from "../support/botHarness";
import { cardTexts, onlyCard, onlyText } from "../support/cardText";
import { DEMO } from "../support/demoTenant";

const OLD_THREE = "LicenseAssignment.ReadWrite.All,User.Read.All,GroupMember.Read.All";
const REPROCESS_OFF =
  "Reprocess users in error is off: it needs the User.ReadWrite.All application permission, which this app was not granted. Ask the Teams administrator to grant it (with admin consent).";

describe("the app's Graph permissions, through the bot", function () {
  this.timeout(30_000);
  let harness: BotHarness | undefined;
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  it("granted only the three permissions an earlier README named: a preview fails naming LicenseAssignment.Read.All, and help says what is missing", async () => {
    harness = await BotHarness.start(DEMO, 0, { env: { SIMULATOR_PERMISSIONS: OLD_THREE } });
    const answer = onlyText(await harness.say("move group Sales from E1 to E3"));
    assert.match(
      answer,
      /it needs the LicenseAssignment\.Read\.All application permission, which this app was not granted\. Ask the Teams administrator to grant it \(with admin consent\), then try again\./,
    );
    assert.equal(harness.simulator.counters.writes, 0);
    const help = cardTexts(onlyCard(await harness.say("help")));
    const notes = help.slice(help.indexOf("Not granted to this app") + 1, help.indexOf("What you can ask"));
    assert.deepEqual(
      notes.map((n) => n.split(":")[0]),
      [
        "Reading the products and seats (every preview, seats, approval) will fail",
        "The readiness probe and the subscription-term check (trials, end dates) will fail",
        "Reprocess users in error is off",
      ],
    );
  });

  it("without User.ReadWrite.All, everything works and seats and help say Reprocess is off", async () => {
    harness = await BotHarness.start(DEMO, 0, {
      env: {
        SIMULATOR_PERMISSIONS:
          "LicenseAssignment.Read.All,LicenseAssignment.ReadWrite.All,User.Read.All,GroupMember.Read.All,Organization.Read.All",
      },
    });
    const seats = cardTexts(onlyCard(await harness.say("seats")));
    assert.equal(seats[0], "Licenses");
    assert.ok(seats.includes(REPROCESS_OFF), seats.join(" | "));
    assert.ok(cardTexts(onlyCard(await harness.say("help"))).includes(REPROCESS_OFF));
    const preview = cardTexts(onlyCard(await harness.say("move group Marketing from E1 to E3")));
    assert.ok(preview.includes("Ready: every check passed"), preview.slice(0, 4).join(" | "));
  });

  it("with what the README asks for, neither card speaks of permissions", async () => {
    harness = await BotHarness.start(DEMO);
    for (const command of ["help", "seats"])
      assert.ok(!cardTexts(onlyCard(await harness.say(command))).includes("Not granted to this app"), command);
  });
});
