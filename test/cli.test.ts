/**
 * `license-desk plan`: the preview from a shell, on the demo tenant loaded with --tenant. What it
 * prints, the JSON contract (docs/plan-json.md) and the exit codes scripts rely on.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { randomUUID } from "node:crypto";
import { runCli } from "../src/cli";
import { DEMO, demo, demoGroup } from "./support/demoTenant";
import { E1, E3, PLAN } from "./support/productIds";

const groupId = (name: string): string => demoGroup(name).id;

/** Runs the command line as a shell would, capturing stdout and stderr. */
async function run(...argv: string[]): Promise<{ code: number; out: string[]; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(
    argv,
    (l) => out.push(l),
    (l) => err.push(l),
  );
  return { code, out, err: err.join("\n") };
}

const plan = (request: string, ...options: string[]) => run("plan", request, "--tenant", DEMO, ...options);

/** `plan --json`: the exit code and the one JSON object printed, nothing on stderr. */
async function planJson(request: string): Promise<{ code: number; json: Record<string, unknown> }> {
  const result = await plan(request, "--json");
  assert.equal(result.err, "");
  assert.equal(result.out.length, 1, "one JSON object");
  return { code: result.code, json: JSON.parse(result.out[0]) as Record<string, unknown> };
}

const CHECK_IDS = [
  "source-assigned",
  "group-type",
  "target-subscribed",
  "subscription-term",
  "seats",
  "direct-source",
  "conflicts",
  "dependencies",
  "all-or-nothing",
  "group-products",
  "service-continuity",
  "nested-groups",
  "on-premises-sync",
  "dynamic-membership",
  "usage-location",
  "existing-errors",
  "processing-state",
  "group-size",
  "entra-id-p1",
  "guests",
];

describe("license-desk plan", () => {
  it("prints the card's content as text for a ready group, and exits 0", async () => {
    const { code, out, err } = await plan("move group Marketing from E1 to E3");
    assert.equal(err, "");
    assert.equal(code, 0);
    assert.equal(out.length, 1);
    const lines = out[0].split("\n");
    assert.equal(lines[0], "Move group Marketing from Office 365 E1 to Office 365 E3");
    assert.match(lines[1], /^25 members · checked \d{4}-\d\d-\d\d \d\d:\d\d UTC$/);
    assert.equal(lines[3], "Ready: every check passed");
    assert.ok(lines.includes("  Office 365 E3: 29 / 124, 95, 70 (takes 25)"), out[0]);
    assert.ok(lines.includes("  Office 365 E1: 262 / 300, 38, 63 (frees 25)"), out[0]);
    assert.ok(
      lines.includes(
        `  POST /groups/${groupId("Marketing")}/assignLicense {"addLicenses":[{"skuId":"${E3}","disabledPlans":[]}],"removeLicenses":["${E1}"]}`,
      ),
      out[0],
    );
    assert.doesNotMatch(out[0], /\*\*/, "no chat markdown in a terminal");
  });

  describe("--json", () => {
    let json: Record<string, unknown>;
    let code: number;

    before(async () => ({ code, json } = await planJson("move group Sales from E1 to E3")));

    it("exits 0 for warnings", () => assert.equal(code, 0));

    it("has exactly the documented top-level fields", () => {
      assert.deepEqual(Object.keys(json), ["kind", "target", "from", "to", "verdict", "checks", "seats", "operations"]);
      assert.equal(json.kind, "group-change");
      assert.deepEqual(json.target, { type: "group", id: groupId("Sales"), displayName: "Sales", memberCount: 60 });
      assert.deepEqual(json.from, { skuId: E1, skuPartNumber: "STANDARDPACK" });
      assert.deepEqual(json.to, { skuId: E3, skuPartNumber: "ENTERPRISEPACK" });
      assert.equal(json.verdict, "warnings");
    });

    it("lists every check with id, status, title and detail, and count and users where it names users", () => {
      const checks = json.checks as Record<string, unknown>[];
      assert.deepEqual(
        checks.map((c) => c.id),
        CHECK_IDS,
      );
      for (const check of checks) {
        for (const key of ["id", "status", "title", "detail"])
          assert.equal(typeof check[key], "string", `${String(check.id)}.${key}`);
        assert.ok(["pass", "info", "warn", "block"].includes(String(check.status)));
        for (const key of Object.keys(check))
          assert.ok(
            ["id", "status", "title", "detail", "count", "users"].includes(key),
            `${String(check.id)} has ${key}`,
          );
        if (check.users !== undefined) {
          const users = check.users as Record<string, unknown>[];
          assert.equal(check.count, users.length, String(check.id));
          for (const u of users) {
            assert.deepEqual(
              Object.keys(u).filter((k) => k !== "note"),
              ["id", "displayName", "userPrincipalName"],
            );
          }
        }
      }
      const byId = new Map(checks.map((c) => [c.id, c]));
      const counted = (id: string) => [
        byId.get(id)?.status,
        byId.get(id)?.count,
        (byId.get(id)?.users as unknown[] | undefined)?.length,
      ];
      // The JSON names every user: all 6, not the card's first 5.
      assert.deepEqual(counted("direct-source"), ["warn", 6, 6]);
      assert.deepEqual(counted("conflicts"), ["warn", 6, 6]);
      assert.deepEqual(counted("existing-errors"), ["warn", 4, 4]);
      assert.deepEqual(counted("usage-location"), ["info", 3, 3]);
      assert.equal(checks.filter((c) => c.status === "warn").length, 3);
      assert.equal(checks.filter((c) => c.status === "block").length, 0);
    });

    it("counts the seats of both products, keyed by skuPartNumber", () => {
      assert.deepEqual(json.seats, {
        ENTERPRISEPACK: { enabled: 124, consumed: 29, available: 95, needed: 50, shortfall: 0 },
        STANDARDPACK: { enabled: 300, consumed: 262, available: 38, freed: 50 },
      });
    });

    it("has the one assignLicense call, adding E3 and removing E1 together", () => {
      assert.deepEqual(json.operations, [
        {
          method: "POST",
          path: `/groups/${groupId("Sales")}/assignLicense`,
          body: { addLicenses: [{ skuId: E3, disabledPlans: [] }], removeLicenses: [E1] },
        },
      ]);
    });
  });

  it("describes a user change the same way", async () => {
    const { code, out } = await plan("move user megan@contoso.com from E1 to E3", "--json");
    assert.equal(code, 0);
    const json = JSON.parse(out[0]) as Record<string, unknown>;
    assert.equal(json.kind, "user-change");
    assert.deepEqual(json.target, {
      type: "user",
      id: "2d6a9f1c-4e8b-4c3d-a5f7-9b0e1c3d6a25",
      displayName: "Megan Bowen",
      userPrincipalName: "megan@contoso.com",
    });
    assert.equal(json.verdict, "ready");
    assert.deepEqual(
      (json.operations as { path: string }[]).map((o) => o.path),
      ["/users/2d6a9f1c-4e8b-4c3d-a5f7-9b0e1c3d6a25/assignLicense"],
    );
  });

  it("exits 1 for a blocked change, and still prints it", async () => {
    const { code, out, err } = await plan("upgrade Customer Support to E3", "--json");
    assert.equal(code, 1);
    assert.equal(err, "");
    const json = JSON.parse(out[0]) as { verdict: string; seats: Record<string, unknown> };
    assert.equal(json.verdict, "blocked");
    assert.deepEqual(json.seats.ENTERPRISEPACK, {
      enabled: 124,
      consumed: 29,
      available: 95,
      needed: 120,
      shortfall: 25,
    });
  });

  describe("exit 2, with the reason on stderr and nothing on stdout", () => {
    const refused = async (request: string, reason: RegExp) => {
      const { code, out, err } = await plan(request);
      assert.equal(code, 2, err);
      assert.deepEqual(out, []);
      assert.match(err, reason);
    };

    it("for a request it cannot understand", () =>
      refused(
        "make me a sandwich",
        /^I could not understand "make me a sandwich"\. Examples:\n {2}license-desk plan "move group Sales from E1 to E3"/,
      ));

    it("for an unknown group", () =>
      refused(
        "move group Xyzzyqq from E1 to E3",
        /^I found no group named "Xyzzyqq"\. Check the name as it appears in Entra ID\.$/,
      ));

    it("for an unknown group whose name has markdown characters, printed as typed (no chat escapes)", () =>
      refused(
        "move group *No_Such* from E1 to E3",
        /^I found no group named "\*No_Such\*"\. Check the name as it appears in Entra ID\.$/,
      ));

    it("for a name that needs a choice, listing the choices", () =>
      refused(
        "move group Sal to E3",
        /^2 groups match "Sal"\. Which one do you mean\? Pick one\.\n {2}Group: Sales\n {2}Group: Sales EMEA$/,
      ));

    it("for an ambiguous product", () =>
      refused(
        "move group Sales from E1 to E5",
        /^Which product do you mean by "E5"\? .*\n {2}Office 365 E5 \(ENTERPRISEPREMIUM\)\n {2}Microsoft 365 E5 \(SPE_E5\)$/,
      ));

    it("for a product the tenant does not own, without chat markdown", () =>
      refused(
        "move group Sales from E1 to Business Basic",
        /^This tenant does not own Microsoft 365 Business Basic \(O365_BUSINESS_ESSENTIALS\)\. Say seats to see the products it owns\.$/,
      ));
  });

  describe("a migration to group-based licensing (direct-to-group)", () => {
    const MIGRATE = "migrate Operations to group licensing for E3";
    const YAMMER = PLAN.YAMMER_ENTERPRISE;
    const SWAY = PLAN.SWAY;
    let json: Record<string, unknown>;
    let code: number;

    before(async () => ({ code, json } = await planJson(MIGRATE)));

    it("exits 0 for warnings", () => assert.equal(code, 0));

    it("has exactly the documented top-level fields", () => {
      assert.deepEqual(Object.keys(json), [
        "kind",
        "target",
        "product",
        "verdict",
        "checks",
        "seats",
        "groupAssignment",
        "counts",
        "settings",
        "stages",
        "operations",
      ]);
      assert.equal(json.kind, "direct-to-group");
      assert.deepEqual(json.target, {
        type: "group",
        id: groupId("Operations"),
        displayName: "Operations",
        memberCount: 16,
      });
      assert.deepEqual(json.product, { skuId: E3, skuPartNumber: "ENTERPRISEPACK" });
      assert.equal(json.verdict, "warnings");
    });

    it("lists the migration's checks in the documented order, the two warnings naming every user", () => {
      const checks = json.checks as { id: string; status: string; count?: number; users?: unknown[] }[];
      assert.deepEqual(
        checks.map((c) => c.id),
        [
          "group-type",
          "target-subscribed",
          "subscription-term",
          "group-assignment",
          "seats",
          "outside-members",
          "plan-mismatch",
          "plan-gain",
          "conflicts",
          "nested-groups",
          "on-premises-sync",
          "dynamic-membership",
          "existing-errors",
          "processing-state",
          "group-size",
          "entra-id-p1",
          "guests",
        ],
      );
      const warned = checks.filter((c) => c.status === "warn").map((c) => [c.id, c.count, c.users?.length]);
      assert.deepEqual(warned, [
        ["outside-members", 8, 8],
        ["plan-mismatch", 2, 2],
      ]);
      assert.equal(checks.filter((c) => c.status === "block").length, 0);
    });

    it("has the documented example's assignment, counts and stages, and the one group call", () => {
      assert.deepEqual(json.groupAssignment, { needed: true, disabledPlans: [YAMMER, SWAY] });
      assert.deepEqual(json.counts, {
        migrating: 13,
        outside: 8,
        newMembers: 3,
        planMismatch: 2,
        planGain: 0,
        pilot: 5,
        waves: 1,
        waveSize: 100,
      });
      assert.deepEqual(json.settings, { pilot: { count: 5, percent: 5 }, waveSize: 100 });
      assert.deepEqual(json.stages, [
        { kind: "assign", title: "Assign Office 365 E3 to Operations with 2 plans disabled", users: 16 },
        {
          kind: "verify",
          title: "Verify that 13 members hold Office 365 E3 both directly and from Operations",
          users: 13,
        },
        { kind: "pilot", title: "Pilot: remove the direct Office 365 E3 from 5 verified users", users: 5 },
        {
          kind: "wave",
          title: "Wave 1 of 1: remove the direct Office 365 E3 from 6 verified users",
          users: 6,
          note: "Once the migration is done, retire or change whatever assigns Office 365 E3 directly (scripts, provisioning, HR-driven automation): Microsoft's procedure keeps it running during the migration, and left running it gives back the direct licenses the migration removed.",
        },
      ]);
      assert.deepEqual(json.seats, {
        ENTERPRISEPACK: { enabled: 124, consumed: 29, available: 95, needed: 3, shortfall: 0 },
      });
      assert.deepEqual(json.operations, [
        {
          method: "POST",
          path: `/groups/${groupId("Operations")}/assignLicense`,
          body: { addLicenses: [{ skuId: E3, disabledPlans: [YAMMER, SWAY] }], removeLicenses: [] },
        },
      ]);
    });

    it("prints the card's content as text", async () => {
      const { code: textCode, out, err } = await plan(MIGRATE);
      assert.equal(err, "");
      assert.equal(textCode, 0);
      const lines = out[0].split("\n");
      assert.equal(lines[0], "Move direct Office 365 E3 users of Operations onto group licensing");
      assert.match(lines[1], /^16 members · checked \d{4}-\d\d-\d\d \d\d:\d\d UTC$/);
      assert.equal(lines[3], "Ready, with 2 warnings");
      for (const expected of [
        "  To migrate: 13",
        "  Keep a direct license (outside the group): 8",
        "  New members who need a seat: 3",
        "  Plan mismatch (direct license kept): 2",
        "  Pilot: 5 users",
        "  Waves: 1 × up to 100 users",
        "  Office 365 E3: 29 / 124, 95, 92 (takes 3)",
        "  1. Assign Office 365 E3 to Operations with 2 plans disabled (16 users)",
        "  4. Wave 1 of 1: remove the direct Office 365 E3 from 6 verified users (6 users)",
        "  [WARNING] 8 users hold Office 365 E3 directly without being members of Operations",
        `  POST /groups/${groupId("Operations")}/assignLicense {"addLicenses":[{"skuId":"${E3}","disabledPlans":["${YAMMER}","${SWAY}"]}],"removeLicenses":[]}`,
        `  POST /users/{id}/assignLicense {"addLicenses":[],"removeLicenses":["${E3}"]}`,
      ]) {
        assert.ok(lines.includes(expected), `no line "${expected}" in\n${out[0]}`);
      }
    });

    it("plans with the request's pilot and wave size, as documented", async () => {
      const { code: withSettings, json: planned } = await planJson(`${MIGRATE} with a pilot of 2 in waves of 4`);
      assert.equal(withSettings, 0);
      assert.deepEqual(planned.settings, { pilot: { count: 2, percent: 0 }, waveSize: 4 });
      assert.deepEqual(planned.counts, {
        migrating: 13,
        outside: 8,
        newMembers: 3,
        planMismatch: 2,
        planGain: 0,
        pilot: 2,
        waves: 3,
        waveSize: 4,
      });
      assert.deepEqual(
        (planned.stages as { kind: string; users: number }[]).map((st) => [st.kind, st.users]),
        [
          ["assign", 16],
          ["verify", 13],
          ["pilot", 2],
          ["wave", 4],
          ["wave", 4],
          ["wave", 1],
        ],
      );
      const { code: percent, json: byPercent } = await planJson(`${MIGRATE}, pilot 50%`);
      assert.equal(percent, 0);
      assert.deepEqual(
        [byPercent.settings, (byPercent.counts as { pilot: number }).pilot],
        [{ pilot: { count: 0, percent: 50 }, waveSize: 100 }, 6],
      );
    });

    it("exits 2 for a setting out of bounds", async () => {
      const { code: outOfBounds, out } = await plan(`${MIGRATE} in waves of 5000`, "--json");
      assert.deepEqual([outOfBounds, out], [2, []]);
    });

    it("exits 1 when blocked: nobody in Marketing holds E3 directly", async () => {
      const { code: blocked, out, err } = await plan("migrate Marketing to group licensing for E3", "--json");
      assert.equal(blocked, 1);
      assert.equal(err, "");
      const preview = JSON.parse(out[0]) as { kind: string; verdict: string; counts: { migrating: number } };
      assert.deepEqual([preview.kind, preview.verdict, preview.counts.migrating], ["direct-to-group", "blocked", 0]);
    });

    it("exits 2 when the product must be chosen, listing the choices", async () => {
      const { code: choose, out, err } = await plan("migrate Operations to group licensing", "--json");
      assert.equal(choose, 2);
      assert.deepEqual(out, []);
      assert.equal(
        err,
        "Members of Operations hold 2 products directly. Which one should move onto group licensing? Most held first.\n  Office 365 E3 (ENTERPRISEPACK)\n  Microsoft 365 Audio Conferencing (MCOMEETADV)",
      );
    });

    it("exits 2 for an unknown group", async () => {
      const { code: unknown, out, err } = await plan("migrate Xyzzyqq to group licensing for E3");
      assert.equal(unknown, 2);
      assert.deepEqual(out, []);
      assert.equal(err, 'I found no group named "Xyzzyqq". Check the name as it appears in Entra ID.');
    });
  });

  it("exits 3 when the --tenant file is missing", async () => {
    const missing = join(tmpdir(), `no-such-tenant-${randomUUID()}.json`);
    const { code, out, err } = await run("plan", "move group Sales from E1 to E3", "--tenant", missing);
    assert.equal(code, 3);
    assert.deepEqual(out, []);
    assert.ok(err.includes(missing), err);
  });

  describe("check: the app's permissions and one read of each kind", () => {
    afterEach(() => {
      delete process.env.SIMULATOR_PERMISSIONS;
    });

    it("with what the README asks for: every permission granted, every read works, exit 0", async () => {
      const { code, out, err } = await run("check", "--tenant", DEMO);
      assert.equal(err, "");
      assert.equal(code, 0);
      assert.match(out[0], /^simulated tenant "Contoso" from .*demo\.json at http:\/\/127\.0\.0\.1:\d+\/$/);
      assert.ok(out.includes("  ✓ User.ReadWrite.All (optional): Reprocess users in error"), out.join("\n"));
      assert.deepEqual(
        out.filter((l) => l.startsWith("  ✓ ") && l.includes("(GET ")),
        [
          "  ✓ products and seats (GET /subscribedSkus): 8 products",
          "  ✓ users (GET /users): read 1 user",
          "  ✓ groups (GET /groups): read Sales",
          "  ✓ group members (GET /groups/{id}/members/microsoft.graph.user): Sales has 60 user members",
          `  ✓ the organization (GET /organization): tenant ${demo.organization.id}`,
          "  ✓ subscriptions (GET /directory/subscriptions): 8 subscriptions",
        ],
      );
      assert.equal(out[out.length - 1], "Everything License Desk needs works.");
    });

    it("with the three permissions an earlier README named: the missing ones and the failing reads, each saying why, exit 1", async () => {
      process.env.SIMULATOR_PERMISSIONS = "LicenseAssignment.ReadWrite.All,User.Read.All,GroupMember.Read.All";
      const { code, out } = await run("check", "--tenant", DEMO);
      assert.equal(code, 1);
      assert.ok(
        out.includes("  ✗ LicenseAssignment.Read.All: reading the products and seats (every preview, seats, approval)"),
        out.join("\n"),
      );
      const failed = out.filter((l) => l.startsWith("  ✗ ") && l.includes("(GET "));
      assert.deepEqual(
        failed.map((l) => l.split(":")[0]),
        [
          "  ✗ products and seats (GET /subscribedSkus)",
          "  ✗ the organization (GET /organization)",
          "  ✗ subscriptions (GET /directory/subscriptions)",
        ],
      );
      assert.match(
        failed[0],
        /it needs the LicenseAssignment\.Read\.All application permission, which this app was not granted/,
      );
      assert.equal(out[out.length - 1], "Something License Desk needs does not work: see ✗ above.");
    });
  });

  describe("usage errors exit 2 with the usage line", () => {
    const USAGE =
      'usage: license-desk plan "<request>" [--tenant FILE] [--json]\n       license-desk check [--tenant FILE]';
    for (const argv of [
      [],
      ["plan"],
      ["check", "extra"],
      ["check", "--json"],
      ["apply", "move group Sales from E1 to E3"],
      ["plan", "move group Sales from E1 to E3", "extra"],
      ["plan", "move group Sales from E1 to E3", "--bogus"],
      ["plan", "x", "--tenant"],
    ]) {
      it(JSON.stringify(argv), async () => {
        const { code, out, err } = await run(...argv);
        assert.equal(code, 2);
        assert.deepEqual(out, []);
        assert.ok(err.endsWith(USAGE), err);
      });
    }
  });
});
