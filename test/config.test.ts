import assert from "node:assert/strict";
import { loadSettings, SettingsError } from "../src/config";

describe("settings", () => {
  it("runs the simulated tenant in local mode when nothing is set", () => {
    const s = loadSettings({});
    assert.equal(s.port, 3978);
    assert.equal(s.host, "127.0.0.1");
    assert.deepEqual(s.bot, { kind: "local" });
    assert.deepEqual(s.tenant, { kind: "simulated", snapshotPath: "tenants/demo.json", port: 0, processingDelayMs: 3000, latencyMs: 0, throttleRate: 0 });
    assert.deepEqual(s.playground, { enabled: true, port: 56150 });
  });

  it("treats empty values as not set", () => {
    assert.equal(loadSettings({ PORT: "", GRAPH_TENANT_ID: " " }).tenant.kind, "simulated");
  });

  it("uses Microsoft Graph when the GRAPH_* settings are complete", () => {
    const s = loadSettings({ GRAPH_TENANT_ID: "t", GRAPH_CLIENT_ID: "c", GRAPH_CLIENT_SECRET: "x" });
    assert.deepEqual(s.tenant, { kind: "graph", baseUrl: "https://graph.microsoft.com/", tenantId: "t", clientId: "c", credential: { clientSecret: "x" } });
  });

  const refusals: [string, NodeJS.ProcessEnv, string][] = [
    ["a port that is not a number", { PORT: "eighty" }, "PORT"],
    ["a port out of range", { PORT: "70000" }, "PORT"],
    ["an unknown log level", { LOG_LEVEL: "loud" }, "LOG_LEVEL"],
    ["half the Graph settings", { GRAPH_TENANT_ID: "t" }, "GRAPH_CLIENT_ID"],
    ["Graph without a credential", { GRAPH_TENANT_ID: "t", GRAPH_CLIENT_ID: "c" }, "GRAPH_CLIENT_SECRET"],
    ["both a secret and a certificate", { GRAPH_TENANT_ID: "t", GRAPH_CLIENT_ID: "c", GRAPH_CLIENT_SECRET: "x", GRAPH_CERTIFICATE_PATH: "/c.pem" }, "GRAPH_CERTIFICATE_PATH"],
    ["a bot id without its password", { MICROSOFT_APP_ID: "a", MICROSOFT_APP_TENANT_ID: "t" }, "MICROSOFT_APP_PASSWORD"],
    ["a single-tenant bot without its tenant", { MICROSOFT_APP_ID: "a", MICROSOFT_APP_PASSWORD: "p" }, "MICROSOFT_APP_TENANT_ID"],
    ["a throttle rate above 1", { SIMULATOR_THROTTLE_RATE: "1.5" }, "SIMULATOR_THROTTLE_RATE"],
    ["a Graph base URL that is not a URL", { GRAPH_BASE_URL: "graph" }, "GRAPH_BASE_URL"],
  ];
  for (const [what, env, setting] of refusals) {
    it(`refuses ${what}, naming ${setting} in one line`, () => {
      assert.throws(
        () => loadSettings(env),
        (error: unknown) => error instanceof SettingsError && error.setting === setting && error.message.startsWith(`Setting ${setting}: `) && !error.message.includes("\n"),
      );
    });
  }
});
