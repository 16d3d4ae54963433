import assert from "node:assert/strict";
import { TenantRequestError } from "../../src/errors";
import { createGraphClient, GraphGateway } from "../../src/graph/graphGateway";
import { README_PERMISSIONS } from "../../src/simulator/permissions";
import type { Operation } from "../../src/licensing/preview";
import { GraphSimulatorServer } from "../../src/simulator/graphServer";
import type { TenantSnapshotInput } from "../../src/simulator/snapshot";
import { TenantState } from "../../src/simulator/tenantState";
import { E1, E3 } from "../support/productIds";

const guid = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, "0")}`;
const plan = (servicePlanId: string, servicePlanName: string) => ({ servicePlanId, servicePlanName });
const ORG = guid(1);
const ALICE = guid(10);
const SALES = guid(100);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const active = (skuId: string, assignedByGroup: string | null) => ({
  skuId,
  assignedByGroup,
  disabledPlans: [],
  state: "Active" as const,
  error: null,
  lastUpdatedDateTime: "2024-01-01T00:00:00Z",
});
const snapshot: TenantSnapshotInput = {
  organization: { id: ORG, displayName: "Contoso", countryLetterCode: "US" },
  subscribedSkus: [
    {
      skuId: E1,
      skuPartNumber: "STANDARDPACK",
      appliesTo: "User",
      capabilityStatus: "Enabled",
      consumedUnits: 1,
      prepaidUnits: { enabled: 10 },
      servicePlans: [plan("c7699d2e-19aa-44de-8edf-1736da088ca1", "SHAREPOINTSTANDARD")],
    },
    {
      skuId: E3,
      skuPartNumber: "ENTERPRISEPACK",
      appliesTo: "User",
      capabilityStatus: "Enabled",
      consumedUnits: 0,
      prepaidUnits: { enabled: 10 },
      servicePlans: [plan("5dbe027f-2339-4123-9542-606e4d348a72", "SHAREPOINTENTERPRISE")],
    },
  ],
  users: [
    {
      id: ALICE,
      displayName: "Alice",
      userPrincipalName: "alice@contoso.com",
      usageLocation: "US",
      assignedLicenses: [{ skuId: E1, disabledPlans: [] }],
      licenseAssignmentStates: [active(E1, SALES)],
    },
  ],
  groups: [
    {
      id: SALES,
      displayName: "Sales",
      mailEnabled: false,
      securityEnabled: true,
      groupTypes: [],
      assignedLicenses: [{ skuId: E1, disabledPlans: [] }],
      licenseProcessingState: { state: "ProcessingComplete" },
      members: [ALICE],
    },
  ],
};

const move = (path: string, remove = [E1]): Operation => ({
  method: "POST",
  path,
  body: { addLicenses: [{ skuId: E3, disabledPlans: [] }], removeLicenses: remove },
});

describe("GraphGateway writes and membership (against the simulated tenant)", () => {
  let server: GraphSimulatorServer;
  let graph: GraphGateway;
  let url: string;

  beforeEach(async () => {
    server = new GraphSimulatorServer(TenantState.fromJson(snapshot, { processingDelayMs: 0 }));
    url = await server.listen(0);
    graph = new GraphGateway(createGraphClient({ kind: "simulator", url }));
  });
  afterEach(async () => {
    await server.close();
    server.state.stop();
  });

  it("reads the tenant's id", async () => {
    assert.equal(await graph.organizationId(), ORG);
  });

  it("names the permission a refused call needs: Reprocess without User.ReadWrite.All, reading users without User.Read.All", async () => {
    server.grantPermissions(README_PERMISSIONS.filter((p) => p !== "User.ReadWrite.All"));
    await assert.rejects(graph.reprocessUser(ALICE), (error: unknown) => {
      assert.ok(error instanceof TenantRequestError);
      assert.equal(error.status, 403);
      assert.equal(error.code, "Authorization_RequestDenied");
      assert.match(
        error.userMessage,
        /^Microsoft Graph refused to let me reprocess the licenses of the user .*: it needs the User\.ReadWrite\.All application permission, which this app was not granted\. Ask the Teams administrator to grant it \(with admin consent\), then try again\.$/,
      );
      return true;
    });
    assert.equal(server.counters.writes, 0);
    // A refused item of a $batch is an error, not a user silently left out.
    server.grantPermissions(["LicenseAssignment.Read.All"]);
    await assert.rejects(graph.getUsers([ALICE]), (error: unknown) => {
      assert.ok(error instanceof TenantRequestError);
      assert.match(error.userMessage, /it needs the User\.Read\.All application permission/);
      return true;
    });
  });

  it("never sends a write again after a 503 or 504 (it may have landed), and still retries a read", async () => {
    server.setFaults({ writes: "apply-then-504", retryAfterSeconds: 0 });
    await assert.rejects(graph.assignLicense(move(`/groups/${SALES}/assignLicense`)), (error: unknown) => {
      assert.ok(error instanceof TenantRequestError);
      assert.equal(error.status, 504);
      return true;
    });
    assert.equal(server.counters.writes, 1, "applied once, sent once");
    assert.equal(server.counters.byRoute["POST /groups/{id}/assignLicense"], 1);
    // The same through $batch: Alice given E3 directly (next to E3 from Sales once it is processed), applied once.
    await server.state.whenIdle();
    server.counters.reset();
    const [answer] = await graph.assignLicenses([move(`/users/${ALICE}/assignLicense`, [])]);
    assert.equal(answer?.status, 504);
    assert.equal(server.counters.writes, 1);
    // A read under an outage is sent again, as the client's retry handler does (1 + 3 retries).
    server.setFaults({ writes: "normal", outage: true });
    server.counters.reset();
    await assert.rejects(graph.listProducts());
    assert.equal(server.counters.byRoute["GET /subscribedSkus"], 4);
  });

  it("gives up on a request Graph does not answer in time, saying it could not reach Graph", async () => {
    const impatient = new GraphGateway(createGraphClient({ kind: "simulator", url }, 200));
    server.setFaults({ latencyMs: 1000 });
    await assert.rejects(impatient.listProducts(), (error: unknown) => {
      assert.ok(error instanceof TenantRequestError);
      assert.equal(error.status, undefined);
      assert.match(error.userMessage, /^I could not reach Microsoft Graph to read the tenant's subscribed products: /);
      return true;
    });
  });

  it("assignLicense on a group: one call, 202 and Graph's request-id; the body sent as it is", async () => {
    const answer = await graph.assignLicense(move(`/groups/${SALES}/assignLicense`));
    assert.equal(answer.status, 202);
    assert.match(answer.requestId ?? "", UUID);
    assert.equal(server.counters.writes, 1);
    assert.deepEqual(server.state.group(SALES)?.assignedLicenses, [{ skuId: E3, disabledPlans: [] }]);
    await server.state.whenIdle();
    assert.deepEqual(
      server.state.user(ALICE)?.licenseAssignmentStates.map((s) => [s.skuId, s.state]),
      [[E3, "Active"]],
    );
  });

  it("assignLicense on a user: 200; Graph's refusal becomes a TenantRequestError with its status, code, message and request-id", async () => {
    // Alice's E1 is inherited: removing it through the user is refused (docs/graph-and-entra.md, "assignLicense").
    await assert.rejects(graph.assignLicense(move(`/users/${ALICE}/assignLicense`)), (e: unknown) => {
      assert.ok(e instanceof TenantRequestError);
      assert.equal(e.status, 400);
      assert.equal(e.code, "Request_BadRequest");
      assert.match(e.graphMessage, /inherited from a group/);
      assert.match(e.requestId ?? "", UUID);
      assert.match(e.userMessage, /would not let me change the licenses of the user/);
      return true;
    });
    // E1 directly next to E1 from Sales: the same plans, no conflict.
    const ok = await graph.assignLicense({
      method: "POST",
      path: `/users/${ALICE}/assignLicense`,
      body: { addLicenses: [{ skuId: E1, disabledPlans: [] }], removeLicenses: [] },
    });
    assert.equal(ok.status, 200);
    assert.equal(server.counters.writes, 2);
  });

  it("assignLicense: an unknown group is a 404 TenantRequestError", async () => {
    await assert.rejects(
      graph.assignLicense(move(`/groups/${guid(999)}/assignLicense`)),
      (e: unknown) => e instanceof TenantRequestError && e.status === 404 && e.code === "Request_ResourceNotFound",
    );
  });

  it("assignLicense: the client still retries a 429 by itself", async () => {
    server.setFaults({ throttleRate: 0.5, retryAfterSeconds: 0 });
    const answer = await graph.assignLicense(move(`/groups/${SALES}/assignLicense`));
    assert.equal(answer.status, 202);
    assert.equal(server.counters.throttled, 1);
    assert.equal(server.counters.byRoute["POST /groups/{id}/assignLicense"], 2);
  });

  it("assignLicense refuses anything but an assignLicense path, without calling Graph", async () => {
    await assert.rejects(graph.assignLicense(move(`/groups/${SALES}/members`)), /not an assignLicense operation/);
    await assert.rejects(
      graph.assignLicense(move(`/groups/${SALES}/assignLicense?x=1`)),
      /not an assignLicense operation/,
    );
    assert.equal(server.counters.total, 0);
  });

  it("reprocessUser: one write", async () => {
    await graph.reprocessUser(ALICE);
    assert.equal(server.counters.byRoute["POST /users/{id}/reprocessLicenseAssignment"], 1);
    await assert.rejects(
      graph.reprocessUser(guid(999)),
      (e: unknown) => e instanceof TenantRequestError && e.status === 404,
    );
  });

  it("checkMemberGroups: the ids as given, compared without case, 20 a call, none for no ids", async () => {
    const ids = [...Array.from({ length: 20 }, (_, i) => guid(500 + i)), SALES.toUpperCase()];
    assert.deepEqual([...(await graph.checkMemberGroups(ALICE, ids))], [SALES.toUpperCase()]);
    assert.equal(server.counters.byRoute["POST /users/{id}/checkMemberGroups"], 2);
    assert.deepEqual([...(await graph.checkMemberGroups(ALICE, []))], []);
    assert.equal(server.counters.total, 2);
    assert.equal(server.counters.writes, 0);
  });
});

describe("GraphGateway.listDirectHolders (against the simulated tenant)", () => {
  const OPS = guid(200);
  const DIRECT = 1_100; // more than one page of 999
  const directUsers = Array.from({ length: DIRECT }, (_, i) => guid(1_000 + i));
  const inheritedOnly = Array.from({ length: 5 }, (_, i) => guid(5_000 + i));
  const both = directUsers.slice(0, 10);
  const holder = (id: string, states: ReturnType<typeof active>[]) => ({
    id,
    displayName: `Holder ${id.slice(-4)}`,
    userPrincipalName: `${id.slice(-6)}@contoso.com`,
    usageLocation: "US",
    assignedLicenses: [{ skuId: E3, disabledPlans: [] }],
    licenseAssignmentStates: states,
  });
  const tenant: TenantSnapshotInput = {
    ...snapshot,
    subscribedSkus: snapshot.subscribedSkus.map((s) =>
      s.skuId === E3 ? { ...s, consumedUnits: DIRECT + inheritedOnly.length, prepaidUnits: { enabled: 2_000 } } : s,
    ),
    users: [
      ...snapshot.users,
      ...directUsers.map((id) =>
        holder(id, both.includes(id) ? [active(E3, null), active(E3, OPS)] : [active(E3, null)]),
      ),
      ...inheritedOnly.map((id) => holder(id, [active(E3, OPS)])),
    ],
    groups: [
      ...snapshot.groups,
      {
        id: OPS,
        displayName: "Operations",
        mailEnabled: false,
        securityEnabled: true,
        groupTypes: [],
        assignedLicenses: [{ skuId: E3, disabledPlans: [] }],
        licenseProcessingState: { state: "ProcessingComplete" },
        members: [...both, ...inheritedOnly],
      },
    ],
  };
  let server: GraphSimulatorServer;
  let graph: GraphGateway;

  beforeEach(async () => {
    server = new GraphSimulatorServer(TenantState.fromJson(tenant, { processingDelayMs: 0 }));
    const url = await server.listen(0);
    graph = new GraphGateway(createGraphClient({ kind: "simulator", url }));
  });
  afterEach(async () => {
    await server.close();
    server.state.stop();
  });

  it("lists every direct holder in one paged listing (ConsistencyLevel on each page), leaving out inherited-only holders", async () => {
    const holders = await graph.listDirectHolders(E3);
    assert.equal(holders.length, DIRECT);
    assert.deepEqual(new Set(holders.map((u) => u.id)), new Set(directUsers));
    const member = holders.find((u) => u.id === both[0]);
    assert.deepEqual(
      member?.licenseStates.map((s) => s.assignedByGroup),
      [null, OPS],
      "license states read, direct and inherited",
    );
    assert.equal(server.counters.byRoute["GET /users"], 2, "two pages of up to 999, no call per user");
    assert.equal(server.counters.total, 2);
    assert.deepEqual(
      (await graph.listDirectHolders(E1)).map((u) => u.id),
      [],
      "Alice's E1 is inherited",
    );
  });

  it("refuses a skuId that is not a GUID, without calling Graph", async () => {
    await assert.rejects(graph.listDirectHolders("6fd2c87f) or (true"), /not a skuId/);
    assert.equal(server.counters.total, 0);
  });
});
