import assert from "node:assert/strict";
import { DEMO_ROLE_GROUPS, loadSettings } from "../src/config";
import { SettingsError } from "../src/errors";
import { DEMO_IDS } from "../src/simulator/demoIds";
import { GraphSimulatorServer } from "../src/simulator/graphServer";
import { TenantState } from "../src/simulator/tenantState";
import { connectTenant } from "../src/tenantConnection";
import { cloudOf } from "../src/graph/graphGateway";

describe("settings", () => {
  it("runs the simulated tenant in local mode when nothing is set", () => {
    const s = loadSettings({});
    assert.equal(s.port, 3978);
    assert.equal(s.host, "127.0.0.1");
    assert.deepEqual(s.bot, { kind: "local" });
    assert.deepEqual(s.tenant, {
      kind: "simulated",
      snapshotPath: "tenants/demo.json",
      port: 0,
      processingDelayMs: 3000,
      indexLagMs: 1000,
      processingStateLagMs: 1000,
      latencyMs: 0,
      throttleRate: 0,
      // What the README asks an admin to grant.
      permissions: [
        "LicenseAssignment.ReadWrite.All",
        "LicenseAssignment.Read.All",
        "User.Read.All",
        "GroupMember.Read.All",
        "Organization.Read.All",
        "User.ReadWrite.All",
      ],
    });
    assert.deepEqual(s.playground, { enabled: true, port: 56150 });
  });

  it("grants the simulated tenant the permissions SIMULATOR_PERMISSIONS lists, and refuses a malformed name", () => {
    const s = loadSettings({ SIMULATOR_PERMISSIONS: " User.Read.All, GroupMember.Read.All " });
    assert.ok(s.tenant.kind === "simulated" && "permissions" in s.tenant);
    assert.deepEqual(s.tenant.permissions, ["User.Read.All", "GroupMember.Read.All"]);
    assert.throws(
      () => loadSettings({ SIMULATOR_PERMISSIONS: "User.Read.All,drop table" }),
      /SIMULATOR_PERMISSIONS.*"drop table" is not a Graph permission name/,
    );
  });

  it("treats empty values as not set", () => {
    assert.equal(loadSettings({ PORT: "", GRAPH_TENANT_ID: " " }).tenant.kind, "simulated");
  });

  it("uses Microsoft Graph when the GRAPH_* settings are complete", () => {
    const s = loadSettings({ GRAPH_TENANT_ID: "t", GRAPH_CLIENT_ID: "c", GRAPH_CLIENT_SECRET: "x" });
    assert.deepEqual(s.tenant, {
      kind: "graph",
      baseUrl: "https://graph.microsoft.com/",
      tenantId: "t",
      clientId: "c",
      credential: { clientSecret: "x" },
    });
  });

  it("signs in to a national cloud's own authority, for a scope on its own Graph root", () => {
    assert.deepEqual(cloudOf("https://graph.microsoft.us/"), {
      authorityHost: "https://login.microsoftonline.us",
      scope: "https://graph.microsoft.us/.default",
    });
    assert.deepEqual(cloudOf("https://microsoftgraph.chinacloudapi.cn/"), {
      authorityHost: "https://login.chinacloudapi.cn",
      scope: "https://microsoftgraph.chinacloudapi.cn/.default",
    });
    assert.deepEqual(cloudOf("https://graph.microsoft.com/"), {
      authorityHost: "https://login.microsoftonline.com",
      scope: "https://graph.microsoft.com/.default",
    });
    const gov = loadSettings({
      GRAPH_TENANT_ID: "t",
      GRAPH_CLIENT_ID: "c",
      GRAPH_CLIENT_SECRET: "x",
      GRAPH_BASE_URL: "https://dod-graph.microsoft.us/",
    });
    assert.ok(gov.tenant.kind === "graph");
    assert.equal(gov.tenant.baseUrl, "https://dod-graph.microsoft.us/");
  });

  const refusals: [string, NodeJS.ProcessEnv, string][] = [
    ["a port that is not a number", { PORT: "eighty" }, "PORT"],
    ["a port out of range", { PORT: "70000" }, "PORT"],
    ["an unknown log level", { LOG_LEVEL: "loud" }, "LOG_LEVEL"],
    ["half the Graph settings", { GRAPH_TENANT_ID: "t" }, "GRAPH_CLIENT_ID"],
    ["Graph without a credential", { GRAPH_TENANT_ID: "t", GRAPH_CLIENT_ID: "c" }, "GRAPH_CLIENT_SECRET"],
    [
      "both a secret and a certificate",
      { GRAPH_TENANT_ID: "t", GRAPH_CLIENT_ID: "c", GRAPH_CLIENT_SECRET: "x", GRAPH_CERTIFICATE_PATH: "/c.pem" },
      "GRAPH_CERTIFICATE_PATH",
    ],
    [
      "a bot id without its password",
      { MICROSOFT_APP_ID: "a", MICROSOFT_APP_TENANT_ID: "t" },
      "MICROSOFT_APP_PASSWORD",
    ],
    [
      "a single-tenant bot without its tenant",
      { MICROSOFT_APP_ID: "a", MICROSOFT_APP_PASSWORD: "p" },
      "MICROSOFT_APP_TENANT_ID",
    ],
    ["a throttle rate above 1", { SIMULATOR_THROTTLE_RATE: "1.5" }, "SIMULATOR_THROTTLE_RATE"],
    ["a Graph base URL that is not a URL", { GRAPH_BASE_URL: "graph" }, "GRAPH_BASE_URL"],
    ["a Graph base URL that is no Graph root", { GRAPH_BASE_URL: "https://graph.example.com/" }, "GRAPH_BASE_URL"],
    [
      "an approver group id that is not a GUID",
      { APPROVER_GROUP_IDS: "6a2d8f3b-5c1e-4b7a-9e4d-0b3c7f1a8e62,Approvers" },
      "APPROVER_GROUP_IDS",
    ],
    [
      "a requester group id that is not a GUID",
      { REQUESTER_GROUP_IDS: "1e4b7c9a-3d2f-4a8e-b6c1" },
      "REQUESTER_GROUP_IDS",
    ],
    ["an approver user id that is not a GUID", { APPROVER_USER_IDS: "patti@contoso.com" }, "APPROVER_USER_IDS"],
    [
      "a requester user id that is not a GUID",
      { REQUESTER_USER_IDS: "{8c1f4a7e-2b5d-4e9c-b3a6-1d7e0f2c5b84}" },
      "REQUESTER_USER_IDS",
    ],
    ["an expiry of 0 hours", { REQUEST_EXPIRY_HOURS: "0" }, "REQUEST_EXPIRY_HOURS"],
    ["an expiry that is not a number", { REQUEST_EXPIRY_HOURS: "a day" }, "REQUEST_EXPIRY_HOURS"],
  ];
  for (const [what, env, setting] of refusals) {
    it(`refuses ${what}, naming ${setting} in one line`, () => {
      assert.throws(
        () => loadSettings(env),
        (error: unknown) =>
          error instanceof SettingsError &&
          error.setting === setting &&
          error.message.startsWith(`Setting ${setting}: `) &&
          !error.message.includes("\n"),
      );
    });
  }

  describe("roles, expiry and data folder", () => {
    const A = "6A2D8F3B-5C1E-4B7A-9E4D-0B3C7F1A8E62";
    const U1 = "8c1f4a7e-2b5d-4e9c-b3a6-1d7e0f2c5b84";
    const U2 = "5b9e2c41-7d3a-4f1e-8a6b-0c2d9e4f7a13";
    const graph = { GRAPH_TENANT_ID: "t", GRAPH_CLIENT_ID: "c", GRAPH_CLIENT_SECRET: "x" };

    it("defaults to 24 hours and the data folder", () => {
      const s = loadSettings({});
      assert.equal(s.requestExpiryHours, 24);
      assert.equal(s.dataDir, "data");
      const t = loadSettings({ REQUEST_EXPIRY_HOURS: "0.5", DATA_DIR: " /var/lib/license-desk " });
      assert.equal(t.requestExpiryHours, 0.5);
      assert.equal(t.dataDir, "/var/lib/license-desk");
    });

    it("on the simulated tenant, defaults to the demo tenant's approvers and helpdesk groups", () => {
      assert.deepEqual(loadSettings({}).roles, {
        approverGroupIds: [DEMO_IDS.approversGroup],
        requesterGroupIds: [DEMO_IDS.helpdeskGroup],
        approverUserIds: [],
        requesterUserIds: [],
      });
      assert.deepEqual(DEMO_ROLE_GROUPS, { approvers: DEMO_IDS.approversGroup, requesters: DEMO_IDS.helpdeskGroup });
    });

    it("on the simulated tenant, any setting of a side replaces that side's default, and only that side's", () => {
      assert.deepEqual(loadSettings({ APPROVER_USER_IDS: U1 }).roles, {
        approverGroupIds: [],
        requesterGroupIds: [DEMO_IDS.helpdeskGroup],
        approverUserIds: [U1],
        requesterUserIds: [],
      });
      assert.deepEqual(loadSettings({ REQUESTER_USER_IDS: U2 }).roles, {
        approverGroupIds: [DEMO_IDS.approversGroup],
        requesterGroupIds: [],
        approverUserIds: [],
        requesterUserIds: [U2],
      });
    });

    it("with Microsoft Graph, has no defaults: nobody approves and everyone requests until configured", () => {
      assert.deepEqual(loadSettings(graph).roles, {
        approverGroupIds: [],
        requesterGroupIds: [],
        approverUserIds: [],
        requesterUserIds: [],
      });
    });

    it("reads comma-separated ids: trimmed, lower-cased, de-duplicated, empty entries ignored", () => {
      const s = loadSettings({
        ...graph,
        APPROVER_GROUP_IDS: ` ${A} , ${A.toLowerCase()},, `,
        APPROVER_USER_IDS: `${U1},${U2}`,
        REQUESTER_GROUP_IDS: U2,
        REQUESTER_USER_IDS: "",
      });
      assert.deepEqual(s.roles, {
        approverGroupIds: [A.toLowerCase()],
        requesterGroupIds: [U2],
        approverUserIds: [U1, U2],
        requesterUserIds: [],
      });
    });

    it("names the bad id in the message", () => {
      assert.throws(
        () => loadSettings({ APPROVER_USER_IDS: `${U1}, patti` }),
        /^SettingsError: Setting APPROVER_USER_IDS: "patti" is not an Entra object id/,
      );
    });
  });

  describe("SIMULATOR_URL: a simulated tenant running elsewhere", () => {
    it("connects to it instead of starting one; the other SIMULATOR_* settings do not apply", () => {
      const s = loadSettings({
        SIMULATOR_URL: "http://127.0.0.1:4100",
        SIMULATOR_SNAPSHOT: "tenants/other.json",
        SIMULATOR_PORT: "4200",
      });
      assert.deepEqual(s.tenant, { kind: "simulated", url: "http://127.0.0.1:4100/" });
      assert.equal(loadSettings({ SIMULATOR_URL: " http://localhost:4100/ " }).tenant.kind, "simulated");
      assert.deepEqual(loadSettings({ SIMULATOR_URL: "http://localhost:4100/" }).tenant, {
        kind: "simulated",
        url: "http://localhost:4100/",
      });
    });

    it("keeps the simulated tenant's demo roles", () => {
      assert.deepEqual(loadSettings({ SIMULATOR_URL: "http://127.0.0.1:4100/" }).roles.approverGroupIds, [
        DEMO_IDS.approversGroup,
      ]);
    });

    it("refuses a value that is not an http(s) URL, and SIMULATOR_URL with GRAPH_* settings", () => {
      for (const bad of ["127.0.0.1:4100", "localhost", "ftp://127.0.0.1/"]) {
        assert.throws(
          () => loadSettings({ SIMULATOR_URL: bad }),
          (e: unknown) => e instanceof SettingsError && e.setting === "SIMULATOR_URL" && !e.message.includes("\n"),
          bad,
        );
      }
      assert.throws(
        () =>
          loadSettings({
            SIMULATOR_URL: "http://127.0.0.1:4100/",
            GRAPH_TENANT_ID: "t",
            GRAPH_CLIENT_ID: "c",
            GRAPH_CLIENT_SECRET: "x",
          }),
        /^SettingsError: Setting SIMULATOR_URL: set either SIMULATOR_URL \(a running simulated tenant\) or the GRAPH_\* settings/,
      );
    });

    it("reads the tenant id from the running tenant (GET /organization) and leaves it running on close", async () => {
      const org = "3f5c8d2a-1b4e-4a6f-9c7d-2e8b0a1d4c6f";
      const server = new GraphSimulatorServer(
        TenantState.fromJson(
          {
            organization: { id: org, displayName: "Elsewhere", countryLetterCode: "US" },
            subscribedSkus: [],
            users: [],
            groups: [],
          },
          { processingDelayMs: 0 },
        ),
      );
      const url = await server.listen(0);
      try {
        const tenant = await connectTenant(loadSettings({ SIMULATOR_URL: url }).tenant);
        assert.equal(tenant.tenantId, org);
        assert.equal(tenant.simulator, undefined, "not this process's simulator");
        assert.match(tenant.description, new RegExp(`^simulated tenant ${org} running at ${url}$`));
        assert.equal(server.counters.byRoute["GET /organization"], 1);
        await tenant.close();
        assert.equal((await fetch(`${url}v1.0/organization`)).status, 200, "still running");
      } finally {
        await server.close();
        server.state.stop();
      }
    });

    it("names SIMULATOR_URL when nothing answers there", async () => {
      const server = new GraphSimulatorServer(
        TenantState.fromJson(
          {
            organization: { id: DEMO_IDS.approversGroup, displayName: "Gone", countryLetterCode: "US" },
            subscribedSkus: [],
            users: [],
            groups: [],
          },
          { processingDelayMs: 0 },
        ),
      );
      const url = await server.listen(0);
      await server.close(); // a port that was just free: nobody answers
      await assert.rejects(
        connectTenant({ kind: "simulated", url }),
        (e: unknown) =>
          e instanceof SettingsError &&
          e.setting === "SIMULATOR_URL" &&
          e.message.includes(url) &&
          !e.message.includes("\n"),
      );
    });
  });
});
