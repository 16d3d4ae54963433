import assert from "node:assert/strict";
import { RoleDirectory, type RoleSettings } from "../../src/approval/roles";
import { TenantRequestError } from "../../src/errors";
import { createGraphClient, GraphGateway } from "../../src/graph/graphGateway";
import { GraphSimulatorServer } from "../../src/simulator/graphServer";
import type { TenantSnapshotInput } from "../../src/simulator/snapshot";
import { TenantState } from "../../src/simulator/tenantState";

const guid = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, "0")}`;
const ORG = guid(1);
const PATTI = guid(10); // approver through IT Leads, nested in Approvers
const ADELE = guid(11); // helpdesk
const STATIC = guid(12); // in no group
const NOBODY = guid(13); // in an unrelated group
const APPROVERS = guid(100);
const IT_LEADS = guid(101);
const HELPDESK = guid(102);
const UNRELATED = guid(103);

function user(id: string, name: string): TenantSnapshotInput["users"][number] {
  const upn = `${name.toLowerCase()}@contoso.com`;
  return {
    id,
    displayName: name,
    userPrincipalName: upn,
    mail: upn,
    usageLocation: "US",
    assignedLicenses: [],
    licenseAssignmentStates: [],
  };
}
function group(id: string, displayName: string, members: string[]): TenantSnapshotInput["groups"][number] {
  return { id, displayName, mailEnabled: false, securityEnabled: true, groupTypes: [], assignedLicenses: [], members };
}
const snapshot: TenantSnapshotInput = {
  organization: { id: ORG, displayName: "Contoso", countryLetterCode: "US" },
  subscribedSkus: [],
  users: [user(PATTI, "Patti"), user(ADELE, "Adele"), user(STATIC, "Static"), user(NOBODY, "Nobody")],
  groups: [
    group(APPROVERS, "License Desk Approvers", [IT_LEADS]),
    group(IT_LEADS, "IT Leads", [PATTI]),
    group(HELPDESK, "License Desk Helpdesk", [ADELE]),
    group(UNRELATED, "Unrelated", [NOBODY]),
  ],
};

const none: RoleSettings = { approverGroupIds: [], requesterGroupIds: [], approverUserIds: [], requesterUserIds: [] };
const CHECK = "POST /users/{id}/checkMemberGroups";

describe("RoleDirectory (roles read from the simulated tenant)", () => {
  let server: GraphSimulatorServer;
  let graph: GraphGateway;
  const directory = (settings: Partial<RoleSettings>) => new RoleDirectory(graph, { ...none, ...settings });
  const roles = async (d: RoleDirectory, id: string) => [...(await d.rolesOf(id))].sort();

  beforeEach(async () => {
    server = new GraphSimulatorServer(TenantState.fromJson(snapshot, { processingDelayMs: 0 }));
    const url = await server.listen(0);
    graph = new GraphGateway(createGraphClient({ kind: "simulator", url }));
  });
  afterEach(async () => {
    await server.close();
    server.state.stop();
  });

  const configured = { approverGroupIds: [APPROVERS], requesterGroupIds: [HELPDESK] };

  it("finds an approver through a nested group, who may also request: one Graph call", async () => {
    assert.deepEqual(await roles(directory(configured), PATTI), ["approver", "requester"]);
    assert.equal(server.counters.byRoute[CHECK], 1);
    assert.equal(server.counters.total, 1);
    assert.equal(server.counters.writes, 0);
  });

  it("finds a requester by group, and one by static id", async () => {
    const d = directory({ ...configured, requesterUserIds: [STATIC.toUpperCase()] });
    assert.deepEqual(await roles(d, ADELE), ["requester"]);
    assert.deepEqual(await roles(d, STATIC), ["requester"]);
    // Each asks once: the static requester still needs the approver groups checked.
    assert.equal(server.counters.total, 2);
  });

  it("gives a user who is neither no role", async () => {
    assert.deepEqual(await roles(directory(configured), NOBODY), []);
    assert.equal(server.counters.total, 1);
  });

  it("lets every user of the tenant request when no requester group or user is configured; approving still needs the group", async () => {
    const d = directory({ approverGroupIds: [APPROVERS] });
    assert.deepEqual(await roles(d, NOBODY), ["requester"]);
    assert.deepEqual(await roles(d, PATTI), ["approver", "requester"]);
    assert.equal(server.counters.total, 2, "one call each, for the approver groups only");
  });

  it("lets nobody approve when no approver is configured", async () => {
    assert.deepEqual(await roles(directory({ requesterGroupIds: [HELPDESK] }), PATTI), []);
    assert.deepEqual(await roles(directory({}), PATTI), ["requester"]);
  });

  it("decides a static approver without calling Graph; static lists alone need no call", async () => {
    assert.deepEqual(await roles(directory({ ...configured, approverUserIds: [NOBODY] }), NOBODY), [
      "approver",
      "requester",
    ]);
    assert.deepEqual(await roles(directory({ approverUserIds: [PATTI], requesterUserIds: [ADELE] }), STATIC), []);
    assert.equal(server.counters.total, 0);
  });

  it("reads the tenant on every call, never from a cache", async () => {
    const d = directory(configured);
    await d.rolesOf(PATTI);
    await d.rolesOf(PATTI);
    assert.equal(server.counters.byRoute[CHECK], 2);
  });

  it("checks more than 20 groups in calls of 20", async () => {
    const many = [...Array.from({ length: 24 }, (_, i) => guid(500 + i)), APPROVERS];
    assert.deepEqual(await roles(directory({ approverGroupIds: many, requesterGroupIds: [HELPDESK] }), PATTI), [
      "approver",
      "requester",
    ]);
    assert.equal(server.counters.byRoute[CHECK], 2);
  });

  it("gives a user the tenant does not know no role, even where everyone may request", async () => {
    assert.deepEqual(await roles(directory({ approverGroupIds: [APPROVERS] }), guid(999)), []);
  });

  it("fails (TenantRequestError) rather than guess when Graph cannot answer", async () => {
    server.setFaults({ throttleRate: 1, retryAfterSeconds: 0 });
    await assert.rejects(
      directory(configured).rolesOf(PATTI),
      (e: unknown) => e instanceof TenantRequestError && e.status === 429,
    );
  });
});
