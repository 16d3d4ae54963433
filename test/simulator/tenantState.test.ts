import assert from "node:assert/strict";
import { GraphErrorAnswer } from "../../src/simulator/graphErrors";
import { SnapshotError } from "../../src/simulator/snapshotValidation";
import { TenantState } from "../../src/simulator/tenantState";
import { countConsumedUnits, deriveAssignedLicenses } from "../../src/simulator/derivedFields";
import type { Group, LicenseAssignmentState, SubscribedSku, TenantSnapshot, User } from "../../src/simulator/snapshot";
import { E1, E3, F3, PLAN, WA } from "../support/productIds";

// --- a small tenant builder -------------------------------------------------------------------

const PRODUCTS: Record<string, { part: string; plans: string[] }> = {
  [E1]: {
    part: "STANDARDPACK",
    plans: ["EXCHANGE_S_STANDARD", "SHAREPOINTSTANDARD", "SHAREPOINTWAC", "TEAMS1", "MCOSTANDARD"],
  },
  [E3]: {
    part: "ENTERPRISEPACK",
    plans: [
      "EXCHANGE_S_ENTERPRISE",
      "SHAREPOINTENTERPRISE",
      "SHAREPOINTWAC",
      "OFFICESUBSCRIPTION",
      "TEAMS1",
      "MCOSTANDARD",
    ],
  },
  // An F3-like product: Exchange Kiosk instead of Exchange Plan 1/2.
  [F3]: { part: "SPE_F1", plans: ["EXCHANGE_S_DESKLESS", "SHAREPOINTDESKLESS", "SHAREPOINTWAC", "TEAMS1", "MCOIMP"] },
  [WA]: { part: "WORKPLACE_ANALYTICS", plans: ["WORKPLACE_ANALYTICS"] },
};

const NOW = "2025-03-01T12:00:00.000Z";
const EARLIER = "2025-01-01T00:00:00.000Z";

const userId = (n: number) => `00000000-0000-4000-a000-${String(n).padStart(12, "0")}`;
const groupId = (n: number) => `00000000-0000-4000-b000-${String(n).padStart(12, "0")}`;
const upn = (n: number) => `user${n}@contoso.com`;

function direct(skuId: string, disabled: string[] = []): LicenseAssignmentState {
  return {
    skuId,
    assignedByGroup: null,
    disabledPlans: disabled.map((p) => PLAN[p]),
    state: "Active",
    error: null,
    lastUpdatedDateTime: EARLIER,
  };
}

function inherited(skuId: string, group: number): LicenseAssignmentState {
  return {
    skuId,
    assignedByGroup: groupId(group),
    disabledPlans: [],
    state: "Active",
    error: null,
    lastUpdatedDateTime: EARLIER,
  };
}

function user(n: number, states: LicenseAssignmentState[] = [], usageLocation: string | null = "US"): User {
  return {
    id: userId(n),
    displayName: `User ${n}`,
    userPrincipalName: upn(n),
    mail: upn(n),
    givenName: null,
    surname: null,
    jobTitle: null,
    department: null,
    accountEnabled: true,
    userType: "Member",
    usageLocation,
    licenseAssignmentStates: states,
    assignedLicenses: deriveAssignedLicenses(states),
  };
}

/** A security group; `members` are user numbers, or group ids given as strings. */
function group(n: number, members: (number | string)[], skuIds: string[] = [], extra: Partial<Group> = {}): Group {
  return {
    id: groupId(n),
    displayName: `Group ${n}`,
    description: null,
    mail: null,
    mailEnabled: false,
    securityEnabled: true,
    groupTypes: [],
    membershipRule: null,
    membershipRuleProcessingState: null,
    onPremisesSyncEnabled: null,
    assignedLicenses: skuIds.map((skuId) => ({ skuId, disabledPlans: [] })),
    licenseProcessingState: skuIds.length > 0 ? { state: "ProcessingComplete" } : null,
    members: members.map((m) => (typeof m === "number" ? userId(m) : m)),
    ...extra,
  };
}

/** A consistent snapshot: consumedUnits are counted from the users; `seats` gives prepaidUnits.enabled (default 10). */
function snapshot(users: User[], groups: Group[] = [], seats: Record<string, number> = {}): TenantSnapshot {
  const subscribedSkus: SubscribedSku[] = Object.entries(PRODUCTS).map(([skuId, p]) => ({
    skuId,
    skuPartNumber: p.part,
    appliesTo: "User",
    capabilityStatus: "Enabled",
    consumedUnits: countConsumedUnits(users, skuId),
    prepaidUnits: { enabled: seats[skuId] ?? 10, suspended: 0, warning: 0, lockedOut: 0 },
    servicePlans: p.plans.map((name) => ({
      servicePlanId: PLAN[name],
      servicePlanName: name,
      provisioningStatus: "Success",
      appliesTo: "User",
    })),
  }));
  return {
    organization: {
      id: "00000000-0000-4000-c000-000000000001",
      displayName: "Contoso",
      countryLetterCode: "US",
      verifiedDomains: [],
    },
    subscribedSkus,
    subscriptions: [],
    users,
    groups,
  };
}

let tenants: TenantState[] = [];
function load(json: unknown, processingDelayMs = 0): TenantState {
  const t = TenantState.fromJson(json, { processingDelayMs, now: () => new Date(NOW) });
  tenants.push(t);
  return t;
}
afterEach(() => {
  for (const t of tenants) t.stop();
  tenants = [];
});

const consumed = (t: TenantState, skuId: string) => t.sku(skuId)?.consumedUnits;
/** A user's states as "sku/source/state/error" strings, for compact exact comparisons. */
function statesOf(t: TenantState, n: number): string[] {
  const name = (id: string) => PRODUCTS[id]?.part ?? id;
  const source = (g: string | null) => (g === null ? "direct" : `G${Number(g.slice(-12))}`);
  return (t.user(userId(n))?.licenseAssignmentStates ?? []).map(
    (s) => `${name(s.skuId)}/${source(s.assignedByGroup)}/${s.state}/${s.error}`,
  );
}
const heldSkus = (t: TenantState, n: number) => (t.user(userId(n))?.assignedLicenses ?? []).map((l) => l.skuId).sort();

function assertSnapshotError(json: unknown, message: RegExp, entity?: RegExp): void {
  assert.throws(
    () => load(json),
    (e: unknown) => {
      assert.ok(e instanceof SnapshotError, `expected a SnapshotError, got ${String(e)}`);
      assert.match(e.message, message);
      if (entity) assert.match(e.entity, entity);
      return true;
    },
  );
}

function assertGraphError(action: () => unknown, status: number, code: string, message: RegExp): void {
  assert.throws(action, (e: unknown) => {
    assert.ok(e instanceof GraphErrorAnswer, `expected a GraphErrorAnswer, got ${String(e)}`);
    assert.equal(e.status, status);
    assert.equal(e.code, code);
    assert.match(e.message, message);
    return true;
  });
}

/** Polls a group's processing state until Complete: the steps seen, and member n's states when InProgress was first seen. */
async function observeCycle(
  t: TenantState,
  group: number,
  member: number,
): Promise<{ seen: string[]; statesWhileInProgress?: string[] }> {
  const seen: string[] = [];
  let statesWhileInProgress: string[] | undefined;
  for (;;) {
    const step = t.group(groupId(group))?.licenseProcessingState?.state ?? "none";
    if (seen.at(-1) !== step) seen.push(step);
    if (step === "ProcessingInProgress") statesWhileInProgress ??= statesOf(t, member);
    if (step === "ProcessingComplete") return { seen, statesWhileInProgress };
    await sleep(2);
  }
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const swap = (from: string, to: string) => ({ addLicenses: [{ skuId: to }], removeLicenses: [from] });
const add = (skuId: string, disabled: string[] = []) => ({
  addLicenses: [{ skuId, disabledPlans: disabled.map((p) => PLAN[p]) }],
  removeLicenses: [],
});
const remove = (skuId: string) => ({ addLicenses: [], removeLicenses: [skuId] });

// --- snapshot validation ----------------------------------------------------------------------

describe("TenantState snapshot validation", () => {
  const valid = () => snapshot([user(1, [direct(E1), inherited(E1, 1)]), user(2)], [group(1, [1, 2], [E1])]);

  it("loads a consistent snapshot", () => {
    const t = load(valid());
    assert.equal(t.users().length, 2);
    assert.equal(consumed(t, E1), 1);
  });

  it("refuses a shape error, naming the path", () => {
    const s = valid();
    (s.users[1] as { usageLocation: unknown }).usageLocation = "USA";
    assertSnapshotError(s, /users\[1\]\.usageLocation/, /^users\[1\]$/);
  });

  it("refuses an unknown skuId in a user's assignedLicenses, states, or a group's licenses", () => {
    const unknown = "11111111-2222-4333-8444-555555555555";
    const s1 = valid();
    s1.users[1] = user(2, [direct(unknown)]);
    assertSnapshotError(
      s1,
      /user 'user2@contoso.com'.*skuId 11111111-2222-4333-8444-555555555555 is not in subscribedSkus/,
      /user2@contoso\.com/,
    );
    const s2 = valid();
    s2.groups[0].assignedLicenses.push({ skuId: unknown, disabledPlans: [] });
    assertSnapshotError(s2, /group 'Group 1'.*11111111-2222-4333-8444-555555555555 is not in subscribedSkus/);
  });

  it("refuses a disabled plan that is not a plan of its sku", () => {
    const s = valid();
    s.users[1] = user(2, [{ ...direct(E1), disabledPlans: [PLAN.OFFICESUBSCRIPTION] }]);
    assertSnapshotError(
      s,
      /disabledPlans 43de0ff5-c92c-492b-9116-175376d08c38 is not a service plan of sku STANDARDPACK/,
    );
  });

  it("refuses a consumedUnits mismatch, naming the sku", () => {
    const s = valid();
    s.subscribedSkus.find((k) => k.skuId === E1)!.consumedUnits = 2;
    assertSnapshotError(s, /STANDARDPACK.*consumedUnits is 2 but 1 users hold it/, /STANDARDPACK/);
  });

  it("refuses a state naming a group the user is not a direct member of", () => {
    const s = snapshot([user(1, [inherited(E1, 1)]), user(2)], [group(1, [2], [E1])]);
    assertSnapshotError(
      s,
      /user 'user1@contoso.com'.*names group 'Group 1'.*not a direct member/,
      /user1@contoso\.com/,
    );
  });

  it("refuses a state naming a group that does not exist", () => {
    const s = snapshot([user(1, [inherited(E1, 7)])]);
    assertSnapshotError(s, /group 00000000-0000-4000-b000-000000000007, which does not exist/);
  });

  it("refuses a state from a settled group that does not hold the sku, but accepts it while the group is queued", () => {
    const s = snapshot([user(1, [inherited(E3, 1)])], [group(1, [1], [E1])]);
    assertSnapshotError(
      s,
      /sku 6fd2c87f-b296-42f0-b197-1e91e994b900 from group 'Group 1' \(id [^)]*\), which does not hold it/,
    );
    s.groups[0].licenseProcessingState = { state: "QueuedForProcessing" };
    assert.ok(load(s));
  });

  it("refuses assignedLicenses that differ from the states, and accepts them in another order", () => {
    const s = valid();
    s.users[0].assignedLicenses = [{ skuId: E1, disabledPlans: [PLAN.TEAMS1] }];
    assertSnapshotError(s, /user 'user1@contoso.com'.*assignedLicenses do not match/, /user1@contoso\.com/);
    const reordered = snapshot([user(1, [direct(E1, ["TEAMS1", "MCOSTANDARD"])])]);
    reordered.users[0].assignedLicenses = [{ skuId: E1, disabledPlans: [PLAN.TEAMS1, PLAN.MCOSTANDARD] }];
    assert.ok(load(reordered));
  });

  it("refuses duplicate user ids, group ids, sku ids and UPNs (UPNs case-insensitively)", () => {
    const users = snapshot([user(1), user(1)]);
    assertSnapshotError(users, /duplicate id '00000000-0000-4000-a000-000000000001'/);
    const groups = snapshot([], [group(1, []), group(1, [])]);
    assertSnapshotError(groups, /duplicate id '00000000-0000-4000-b000-000000000001'/);
    const skus = snapshot([]);
    skus.subscribedSkus.push({ ...skus.subscribedSkus[0] });
    assertSnapshotError(skus, /duplicate skuId '18181a46-0d4e-45cd-891e-60aabd171b4e'/);
    const upns = snapshot([user(1), { ...user(2), userPrincipalName: "USER1@contoso.com" }]);
    assertSnapshotError(upns, /duplicate userPrincipalName 'user1@contoso.com'/);
  });

  it("refuses a member id that is neither a user nor a group", () => {
    const s = snapshot([user(1)], [group(1, [1, 9])]);
    assertSnapshotError(
      s,
      /group 'Group 1'.*member 00000000-0000-4000-a000-000000000009 is neither a user nor a group/,
    );
  });

  it("refuses a group that contains itself, directly or through nesting", () => {
    assertSnapshotError(snapshot([], [group(1, [groupId(1)])]), /group 'Group 1'.*contains itself/);
    assertSnapshotError(
      snapshot([], [group(1, [groupId(2)]), group(2, [groupId(3)]), group(3, [groupId(1)])]),
      /contains itself/,
    );
  });

  it("refuses error codes that disagree with the state, treating None as no error", () => {
    const missing = snapshot([user(1, [{ ...direct(E1), state: "ActiveWithError", error: "None" }])]);
    assertSnapshotError(missing, /ActiveWithError without an error code/);
    const extra = snapshot([user(1, [{ ...direct(E1), error: "CountViolation" }])]);
    assertSnapshotError(extra, /is Active but has error CountViolation/);
    assert.ok(load(snapshot([user(1, [{ ...direct(E1), error: "None" }])])));
  });

  it("refuses licenses on a group that cannot hold them", () => {
    const s = snapshot(
      [],
      [group(1, [], [E1], { groupTypes: ["Unified"], mailEnabled: true, securityEnabled: false })],
    );
    assertSnapshotError(s, /group 'Group 1'.*cannot hold licenses/);
  });
});

// --- direct assignment ------------------------------------------------------------------------

describe("TenantState.assignUserLicense", () => {
  it("assigns a product with disabled plans, at once", () => {
    const t = load(snapshot([user(1)]));
    const u = t.assignUserLicense(upn(1), add(E1, ["SHAREPOINTWAC"]));
    assert.deepEqual(u.licenseAssignmentStates, [
      {
        skuId: E1,
        assignedByGroup: null,
        disabledPlans: [PLAN.SHAREPOINTWAC],
        state: "Active",
        error: null,
        lastUpdatedDateTime: NOW,
      },
    ]);
    assert.deepEqual(u.assignedLicenses, [{ skuId: E1, disabledPlans: [PLAN.SHAREPOINTWAC] }]);
    assert.equal(consumed(t, E1), 1);
  });

  it("finds the user by UPN case-insensitively, and by id", () => {
    const t = load(snapshot([user(1), user(2)]));
    t.assignUserLicense("USER1@Contoso.COM", add(E1));
    t.assignUserLicense(userId(2), add(E1));
    assert.equal(consumed(t, E1), 2);
  });

  it("replaces the disabled plans of a product held directly, without another seat", () => {
    const t = load(snapshot([user(1, [direct(E1, ["TEAMS1"])])], [], { [E1]: 1 }));
    const u = t.assignUserLicense(upn(1), add(E1, ["SHAREPOINTWAC"]));
    assert.deepEqual(u.assignedLicenses, [{ skuId: E1, disabledPlans: [PLAN.SHAREPOINTWAC] }]);
    assert.equal(u.licenseAssignmentStates.length, 1);
    assert.equal(consumed(t, E1), 1);
  });

  it("swaps E1 for E3 in one call", () => {
    const t = load(snapshot([user(1, [direct(E1)]), user(2, [direct(E1)])]));
    const u = t.assignUserLicense(upn(1), swap(E1, E3));
    assert.deepEqual(heldSkus(t, 1), [E3]);
    assert.deepEqual(
      u.licenseAssignmentStates.map((s) => s.skuId),
      [E3],
    );
    assert.equal(consumed(t, E1), 1);
    assert.equal(consumed(t, E3), 1);
  });

  it("refuses an unknown skuId to add or to remove", () => {
    const t = load(snapshot([user(1, [direct(E1)])]));
    const unknown = "11111111-2222-4333-8444-555555555555";
    assertGraphError(
      () => t.assignUserLicense(upn(1), add(unknown)),
      400,
      "Request_BadRequest",
      /License 11111111-2222-4333-8444-555555555555 does not correspond to a valid company License\./,
    );
    assertGraphError(
      () => t.assignUserLicense(upn(1), remove(unknown)),
      400,
      "Request_BadRequest",
      /11111111-2222-4333-8444-555555555555 does not correspond/,
    );
  });

  it("refuses a disabled plan that is not in the product", () => {
    const t = load(snapshot([user(1)]));
    assertGraphError(
      () => t.assignUserLicense(upn(1), add(E1, ["OFFICESUBSCRIPTION"])),
      400,
      "Request_BadRequest",
      /43de0ff5-c92c-492b-9116-175376d08c38 is not a service plan of License STANDARDPACK/,
    );
  });

  for (const status of ["Suspended", "LockedOut", "Deleted"] as const) {
    it(`refuses to add a product whose subscription is ${status}`, () => {
      const s = snapshot([user(1)]);
      s.subscribedSkus.find((k) => k.skuId === E3)!.capabilityStatus = status;
      const t = load(s);
      assertGraphError(
        () => t.assignUserLicense(upn(1), add(E3)),
        400,
        "Request_BadRequest",
        new RegExp(`ENTERPRISEPACK.*${status}`),
      );
      assert.equal(consumed(t, E3), 0);
    });
  }

  it("refuses to add a product to a user without a usage location", () => {
    const t = load(snapshot([user(1, [], null)]));
    assertGraphError(
      () => t.assignUserLicense(upn(1), add(E1)),
      400,
      "Request_BadRequest",
      /^License assignment cannot be done for user with invalid usage location\.$/,
    );
  });

  it("refuses to remove a product held only through a group, and removes it when also held directly", () => {
    const t = load(
      snapshot([user(1, [inherited(E1, 1)]), user(2, [direct(E1), inherited(E1, 1)])], [group(1, [1, 2], [E1])]),
    );
    assertGraphError(
      () => t.assignUserLicense(upn(1), remove(E1)),
      400,
      "Request_BadRequest",
      /^User license is inherited from a group membership and it cannot be removed directly from the user\.$/,
    );
    const u = t.assignUserLicense(upn(2), remove(E1));
    assert.deepEqual(statesOf(t, 2), ["STANDARDPACK/G1/Active/null"]);
    assert.deepEqual(u.assignedLicenses, [{ skuId: E1, disabledPlans: [] }]);
    assert.equal(consumed(t, E1), 2);
  });

  it("refuses to remove a product the user does not hold", () => {
    const t = load(snapshot([user(1)]));
    assertGraphError(
      () => t.assignUserLicense(upn(1), remove(E1)),
      400,
      "Request_BadRequest",
      /STANDARDPACK.*is not assigned to user 'user1@contoso.com'/,
    );
  });

  it("refuses a new product when no seat is left, but not to a user who already holds it from a group", () => {
    const t = load(snapshot([user(1), user(2, [inherited(E1, 1)])], [group(1, [2], [E1])], { [E1]: 1 }));
    assertGraphError(
      () => t.assignUserLicense(upn(1), add(E1)),
      400,
      "Request_BadRequest",
      /not enough licenses for STANDARDPACK.*1 of 1 enabled units are consumed/,
    );
    t.assignUserLicense(upn(2), add(E1));
    assert.deepEqual(statesOf(t, 2), ["STANDARDPACK/G1/Active/null", "STANDARDPACK/direct/Active/null"]);
    assert.equal(consumed(t, E1), 1);
  });

  it("refuses mutually exclusive plans, naming both (E3 added next to a direct E1)", () => {
    const t = load(snapshot([user(1, [direct(E1)])]));
    assertGraphError(
      () => t.assignUserLicense(upn(1), add(E3)),
      400,
      "Request_BadRequest",
      /SHAREPOINTENTERPRISE.*SHAREPOINTSTANDARD/,
    );
    assert.deepEqual(statesOf(t, 1), ["STANDARDPACK/direct/Active/null"]);
    assert.equal(consumed(t, E3), 0);
  });

  it("refuses a conflict with a product inherited from a group", () => {
    const t = load(snapshot([user(1, [inherited(E1, 1)])], [group(1, [1], [E1])]));
    assertGraphError(
      () => t.assignUserLicense(upn(1), add(E3)),
      400,
      "Request_BadRequest",
      /SHAREPOINTENTERPRISE.*SHAREPOINTSTANDARD/,
    );
  });

  it("accepts a conflicting plan when it is disabled", () => {
    const t = load(snapshot([user(1, [direct(E1)])]));
    t.assignUserLicense(upn(1), add(F3, ["EXCHANGE_S_DESKLESS", "SHAREPOINTDESKLESS", "MCOIMP"]));
    assert.deepEqual(heldSkus(t, 1), [E1, F3].sort());
  });

  it("refuses a removal that leaves a dependent plan without its prerequisite, naming them", () => {
    const t = load(snapshot([user(1, [direct(E1), direct(WA)])]));
    assertGraphError(
      () => t.assignUserLicense(upn(1), remove(E1)),
      400,
      "Request_BadRequest",
      /WORKPLACE_ANALYTICS needs one of EXCHANGE_S_STANDARD, EXCHANGE_S_ENTERPRISE/,
    );
    assert.equal(consumed(t, E1), 1);
    // E3 brings Exchange Plan 2, which also satisfies Workplace Analytics.
    t.assignUserLicense(upn(1), swap(E1, E3));
    assert.deepEqual(heldSkus(t, 1), [E3, WA].sort());
  });

  it("refuses to add a dependent plan without its prerequisite", () => {
    const t = load(snapshot([user(1)]));
    assertGraphError(
      () => t.assignUserLicense(upn(1), add(WA)),
      400,
      "Request_BadRequest",
      /WORKPLACE_ANALYTICS needs one of/,
    );
  });

  it("is all or nothing: one bad add leaves the user unchanged", () => {
    const t = load(snapshot([user(1)]));
    const before = t.user(upn(1));
    const body = { addLicenses: [{ skuId: E1 }, { skuId: E3 }], removeLicenses: [] };
    assertGraphError(() => t.assignUserLicense(upn(1), body), 400, "Request_BadRequest", /SHAREPOINT/);
    assert.deepEqual(t.user(upn(1)), before);
    assert.equal(consumed(t, E1), 0);
    assert.equal(consumed(t, E3), 0);
  });

  it("refuses a malformed body with Request_BadRequest", () => {
    const t = load(snapshot([user(1)]));
    assertGraphError(
      () => t.assignUserLicense(upn(1), { addLicenses: [{ skuId: E1 }] }),
      400,
      "Request_BadRequest",
      /'removeLicenses'/,
    );
    assertGraphError(
      () => t.assignUserLicense(upn(1), { addLicenses: "E1", removeLicenses: [] }),
      400,
      "Request_BadRequest",
      /'addLicenses'/,
    );
    assertGraphError(
      () => t.assignUserLicense(upn(1), { addLicenses: [{ disabledPlans: [] }], removeLicenses: [] }),
      400,
      "Request_BadRequest",
      /'addLicenses\[0\]\.skuId'/,
    );
    assertGraphError(() => t.assignUserLicense(upn(1), null), 400, "Request_BadRequest", /Invalid value/);
  });

  it("answers 404 for an unknown user", () => {
    const t = load(snapshot([user(1)]));
    assertGraphError(
      () => t.assignUserLicense("nobody@contoso.com", add(E1)),
      404,
      "Request_ResourceNotFound",
      /^Resource 'nobody@contoso.com' does not exist or one of its queried reference-property objects are not present\.$/,
    );
  });
});

// --- group assignment -------------------------------------------------------------------------

describe("TenantState.assignGroupLicense", () => {
  it("refuses an unknown sku, a group that cannot hold licenses, a removal of what the group lacks, and an unknown group", () => {
    const t = load(
      snapshot(
        [user(1)],
        [group(1, [1]), group(2, [1], [], { groupTypes: ["Unified"], mailEnabled: true, securityEnabled: false })],
      ),
    );
    assertGraphError(
      () => t.assignGroupLicense(groupId(1), add("11111111-2222-4333-8444-555555555555")),
      400,
      "Request_BadRequest",
      /does not correspond to a valid company License/,
    );
    assertGraphError(
      () => t.assignGroupLicense(groupId(2), add(E1)),
      400,
      "Request_BadRequest",
      /group 'Group 2'.*not security-enabled/,
    );
    assertGraphError(
      () => t.assignGroupLicense(groupId(1), remove(E1)),
      400,
      "Request_BadRequest",
      /STANDARDPACK.*is not assigned to group 'Group 1'/,
    );
    assertGraphError(
      () => t.assignGroupLicense(groupId(9), add(E1)),
      404,
      "Request_ResourceNotFound",
      /^Resource '00000000-0000-4000-b000-000000000009' does not exist/,
    );
    assert.equal(t.group(groupId(1))?.licenseProcessingState, null);
  });

  it("refuses a change that leaves an add-on without its prerequisite in the group, or products that exclude each other", () => {
    // Group 1 holds E1 and Workplace Analytics, which needs Exchange Online Plan 1 or 2 from E1.
    const t = load(snapshot([user(1)], [group(1, [1], [E1, WA])]));
    assertGraphError(
      () => t.assignGroupLicense(groupId(1), swap(E1, F3)),
      400,
      "Request_BadRequest",
      /^License operation failed\. Make sure that the group has necessary services before adding or removing a dependent service: WORKPLACE_ANALYTICS needs one of EXCHANGE_S_STANDARD, EXCHANGE_S_ENTERPRISE in group 'Group 1' \(id [0-9a-f-]+\)\.$/,
    );
    assertGraphError(
      () => t.assignGroupLicense(groupId(1), swap(WA, E3)),
      400,
      "Request_BadRequest",
      /^License operation failed: group 'Group 1' \(id [0-9a-f-]+\) cannot hold STANDARDPACK .* \(SHAREPOINTSTANDARD\) and ENTERPRISEPACK .* \(SHAREPOINTENTERPRISE\), whose service plans are mutually exclusive\.$/,
    );
    // Nothing changed; E1 → E3 keeps Exchange for Workplace Analytics, and is accepted.
    assert.deepEqual(
      t.group(groupId(1))?.assignedLicenses.map((l) => l.skuId),
      [E1, WA],
    );
    assert.deepEqual(
      t.assignGroupLicense(groupId(1), swap(E1, E3)).assignedLicenses.map((l) => l.skuId),
      [WA, E3],
    );
  });

  it("updates the group at once and goes Queued → InProgress → Complete, members processed at the end", async () => {
    const t = load(snapshot([user(1)], [group(1, [1])]), 40);
    const g = t.assignGroupLicense(groupId(1), add(E1));
    assert.deepEqual(g.assignedLicenses, [{ skuId: E1, disabledPlans: [] }]);
    assert.deepEqual(g.licenseProcessingState, { state: "QueuedForProcessing" });
    const { seen, statesWhileInProgress } = await observeCycle(t, 1, 1);
    assert.deepEqual(seen, ["QueuedForProcessing", "ProcessingInProgress", "ProcessingComplete"]);
    assert.deepEqual(statesWhileInProgress, []);
    assert.deepEqual(statesOf(t, 1), ["STANDARDPACK/G1/Active/null"]);
    assert.equal(t.user(upn(1))?.licenseAssignmentStates[0].lastUpdatedDateTime, NOW);
    assert.equal(consumed(t, E1), 1);
  });

  it("stays asynchronous with processingDelayMs 0", async () => {
    const t = load(snapshot([user(1)], [group(1, [1])]), 0);
    t.assignGroupLicense(groupId(1), add(E1));
    assert.equal(t.group(groupId(1))?.licenseProcessingState?.state, "QueuedForProcessing");
    assert.deepEqual(statesOf(t, 1), []);
    await t.whenIdle();
    assert.equal(t.group(groupId(1))?.licenseProcessingState?.state, "ProcessingComplete");
    assert.deepEqual(statesOf(t, 1), ["STANDARDPACK/G1/Active/null"]);
  });

  it("restarts the cycle with the latest assignment when called during processing", async () => {
    const t = load(snapshot([user(1), user(2)], [group(1, [1, 2])]), 40);
    t.assignGroupLicense(groupId(1), add(E1));
    while (t.group(groupId(1))?.licenseProcessingState?.state !== "ProcessingInProgress") await sleep(2);
    const g = t.assignGroupLicense(groupId(1), swap(E1, E3));
    assert.deepEqual(g.licenseProcessingState, { state: "QueuedForProcessing" });
    // The first cycle's pending step is cancelled: nobody is processed before the new cycle's end.
    const { seen, statesWhileInProgress } = await observeCycle(t, 1, 1);
    assert.deepEqual(seen, ["QueuedForProcessing", "ProcessingInProgress", "ProcessingComplete"]);
    assert.deepEqual(statesWhileInProgress, []);
    await t.whenIdle();
    assert.deepEqual(statesOf(t, 1), ["ENTERPRISEPACK/G1/Active/null"]);
    assert.deepEqual(statesOf(t, 2), ["ENTERPRISEPACK/G1/Active/null"]);
    assert.equal(consumed(t, E1), 0);
    assert.equal(consumed(t, E3), 2);
  });

  it("processes groups loaded in QueuedForProcessing or ProcessingInProgress", async () => {
    const s = snapshot(
      [user(1), user(2)],
      [
        group(1, [1], [E1], { licenseProcessingState: { state: "QueuedForProcessing" } }),
        group(2, [2], [E3], { licenseProcessingState: { state: "ProcessingInProgress" } }),
      ],
    );
    const t = load(s);
    await t.whenIdle();
    assert.deepEqual(statesOf(t, 1), ["STANDARDPACK/G1/Active/null"]);
    assert.deepEqual(statesOf(t, 2), ["ENTERPRISEPACK/G2/Active/null"]);
    assert.equal(t.group(groupId(1))?.licenseProcessingState?.state, "ProcessingComplete");
    assert.equal(t.group(groupId(2))?.licenseProcessingState?.state, "ProcessingComplete");
  });

  it("swaps E1 for E3 for every member in one call, with exact seat counts", async () => {
    const t = load(
      snapshot(
        [user(1, [inherited(E1, 1)]), user(2, [inherited(E1, 1)]), user(3, [inherited(E1, 1)]), user(4, [direct(E1)])],
        [group(1, [1, 2, 3], [E1])],
      ),
    );
    assert.equal(consumed(t, E1), 4);
    assert.equal(consumed(t, E3), 0);
    t.assignGroupLicense(groupId(1), swap(E1, E3));
    await t.whenIdle();
    for (const n of [1, 2, 3]) {
      assert.deepEqual(statesOf(t, n), ["ENTERPRISEPACK/G1/Active/null"]);
      assert.deepEqual(heldSkus(t, n), [E3]);
    }
    assert.deepEqual(statesOf(t, 4), ["STANDARDPACK/direct/Active/null"]);
    assert.equal(consumed(t, E1), 1);
    assert.equal(consumed(t, E3), 3);
    assert.deepEqual(t.membersWithLicenseErrors(groupId(1)), []);
  });

  it("gives seats in member order and puts the rest in CountViolation (losing the old product)", async () => {
    const members = [1, 2, 3, 4].map((n) => user(n, [inherited(E1, 1)]));
    const t = load(snapshot([...members, user(9, [direct(E3)])], [group(1, [1, 2, 3, 4], [E1])], { [E3]: 3 }));
    t.assignGroupLicense(groupId(1), swap(E1, E3));
    await t.whenIdle();
    assert.deepEqual(statesOf(t, 1), ["ENTERPRISEPACK/G1/Active/null"]);
    assert.deepEqual(statesOf(t, 2), ["ENTERPRISEPACK/G1/Active/null"]);
    assert.deepEqual(statesOf(t, 3), ["ENTERPRISEPACK/G1/Error/CountViolation"]);
    assert.deepEqual(statesOf(t, 4), ["ENTERPRISEPACK/G1/Error/CountViolation"]);
    assert.deepEqual(heldSkus(t, 3), []);
    assert.equal(consumed(t, E3), 3);
    assert.equal(consumed(t, E1), 0);
    assert.deepEqual(
      t.membersWithLicenseErrors(groupId(1)).map((u) => u.userPrincipalName),
      [upn(3), upn(4)],
    );
  });

  it("follows the group's member order, not the directory's", async () => {
    const t = load(snapshot([user(1), user(2)], [group(1, [2, 1])], { [E1]: 1 }));
    t.assignGroupLicense(groupId(1), add(E1));
    await t.whenIdle();
    assert.deepEqual(statesOf(t, 2), ["STANDARDPACK/G1/Active/null"]);
    assert.deepEqual(statesOf(t, 1), ["STANDARDPACK/G1/Error/CountViolation"]);
  });

  it("prefers DependencyViolation when a CountViolation would take away a prerequisite", async () => {
    const t = load(snapshot([user(1, [direct(WA), inherited(E1, 1)])], [group(1, [1], [E1])], { [E3]: 0 }));
    t.assignGroupLicense(groupId(1), swap(E1, E3));
    await t.whenIdle();
    assert.deepEqual(statesOf(t, 1), [
      "WORKPLACE_ANALYTICS/direct/Active/null",
      "STANDARDPACK/G1/ActiveWithError/DependencyViolation",
      "ENTERPRISEPACK/G1/Error/DependencyViolation",
    ]);
    assert.equal(consumed(t, E1), 1);
    assert.equal(consumed(t, E3), 0);
  });

  it("re-evaluates members in error on the next processing", async () => {
    const t = load(snapshot([user(1), user(2)], [group(1, [1, 2])], { [E1]: 1 }));
    t.assignGroupLicense(groupId(1), add(E1));
    await t.whenIdle();
    assert.deepEqual(statesOf(t, 2), ["STANDARDPACK/G1/Error/CountViolation"]);
    const s = t.toSnapshot();
    s.subscribedSkus.find((k) => k.skuId === E1)!.prepaidUnits.enabled = 2;
    const bigger = load(s);
    bigger.assignGroupLicense(groupId(1), add(E1, ["TEAMS1"]));
    await bigger.whenIdle();
    assert.deepEqual(statesOf(bigger, 2), ["STANDARDPACK/G1/Active/null"]);
    assert.equal(consumed(bigger, E1), 2);
  });

  it("needs no new seat for a member who already holds the product, and counts one seat for two sources", async () => {
    const t = load(snapshot([user(1, [direct(E1, ["TEAMS1"])]), user(2)], [group(1, [1, 2])], { [E1]: 1 }));
    t.assignGroupLicense(groupId(1), add(E1));
    await t.whenIdle();
    assert.deepEqual(statesOf(t, 1), ["STANDARDPACK/direct/Active/null", "STANDARDPACK/G1/Active/null"]);
    // Two sources, one seat; the group enables TEAMS1, so no plan stays disabled.
    assert.deepEqual(t.user(upn(1))?.assignedLicenses, [{ skuId: E1, disabledPlans: [] }]);
    assert.deepEqual(statesOf(t, 2), ["STANDARDPACK/G1/Error/CountViolation"]);
    assert.equal(consumed(t, E1), 1);
    t.assignUserLicense(upn(1), remove(E1));
    assert.deepEqual(statesOf(t, 1), ["STANDARDPACK/G1/Active/null"]);
    assert.equal(consumed(t, E1), 1);
  });

  it("puts a member with a direct E1 in MutuallyExclusiveViolation for E3 from the group", async () => {
    const t = load(snapshot([user(1, [direct(E1)]), user(2)], [group(1, [1, 2])]));
    t.assignGroupLicense(groupId(1), add(E3));
    await t.whenIdle();
    assert.deepEqual(statesOf(t, 1), [
      "STANDARDPACK/direct/Active/null",
      "ENTERPRISEPACK/G1/Error/MutuallyExclusiveViolation",
    ]);
    assert.deepEqual(heldSkus(t, 1), [E1]);
    assert.deepEqual(statesOf(t, 2), ["ENTERPRISEPACK/G1/Active/null"]);
    assert.equal(consumed(t, E1), 1);
    assert.equal(consumed(t, E3), 1);
    assert.deepEqual(
      t.membersWithLicenseErrors(groupId(1)).map((u) => u.id),
      [userId(1)],
    );
  });

  it("refuses to take away a prerequisite: DependencyViolation keeps the old product and refuses the new one", async () => {
    const t = load(
      snapshot([user(1, [direct(WA), inherited(E1, 1)]), user(2, [inherited(E1, 1)])], [group(1, [1, 2], [E1])]),
    );
    t.assignGroupLicense(groupId(1), swap(E1, F3));
    await t.whenIdle();
    assert.deepEqual(statesOf(t, 1), [
      "WORKPLACE_ANALYTICS/direct/Active/null",
      "STANDARDPACK/G1/ActiveWithError/DependencyViolation",
      "SPE_F1/G1/Error/DependencyViolation",
    ]);
    assert.deepEqual(heldSkus(t, 1), [E1, WA].sort());
    assert.deepEqual(statesOf(t, 2), ["SPE_F1/G1/Active/null"]);
    assert.equal(consumed(t, E1), 1);
    assert.equal(consumed(t, F3), 1);
    assert.equal(consumed(t, WA), 1);
    assert.deepEqual(
      t.membersWithLicenseErrors(groupId(1)).map((u) => u.id),
      [userId(1)],
    );
  });

  it("gives nothing to members of nested groups", async () => {
    const t = load(snapshot([user(1), user(2)], [group(1, [1, groupId(2)]), group(2, [2])]));
    t.assignGroupLicense(groupId(1), add(E1));
    await t.whenIdle();
    assert.deepEqual(statesOf(t, 1), ["STANDARDPACK/G1/Active/null"]);
    assert.deepEqual(statesOf(t, 2), []);
    assert.equal(consumed(t, E1), 1);
    assert.deepEqual(
      t.members(groupId(1)).map((m) => m.id),
      [userId(1), groupId(2)],
    );
  });

  it("assigns to a user without a usage location and leaves it unset", async () => {
    const t = load(snapshot([user(1, [], null)], [group(1, [1])]));
    t.assignGroupLicense(groupId(1), add(E1));
    await t.whenIdle();
    assert.deepEqual(statesOf(t, 1), ["STANDARDPACK/G1/Active/null"]);
    assert.equal(t.user(upn(1))?.usageLocation, null);
  });

  it("stop() clears the timers and leaves the group queued", async () => {
    const t = load(snapshot([user(1)], [group(1, [1])]), 10);
    t.assignGroupLicense(groupId(1), add(E1));
    t.stop();
    await t.whenIdle();
    await sleep(30);
    assert.equal(t.group(groupId(1))?.licenseProcessingState?.state, "QueuedForProcessing");
    assert.deepEqual(statesOf(t, 1), []);
  });
});

// --- reprocess and reads ----------------------------------------------------------------------

describe("TenantState.reprocessUser", () => {
  it("assigns a product to a user in CountViolation once a seat is freed", async () => {
    const t = load(snapshot([user(1), user(2), user(3), user(9, [direct(E3)])], [group(1, [1, 2, 3])], { [E3]: 2 }));
    t.assignGroupLicense(groupId(1), add(E3));
    await t.whenIdle();
    assert.deepEqual(
      [1, 2, 3].map((n) => statesOf(t, n)[0]),
      [
        "ENTERPRISEPACK/G1/Active/null",
        "ENTERPRISEPACK/G1/Error/CountViolation",
        "ENTERPRISEPACK/G1/Error/CountViolation",
      ],
    );
    t.assignUserLicense(upn(9), remove(E3));
    assert.equal(consumed(t, E3), 1);
    const u = t.reprocessUser(upn(3));
    assert.deepEqual(
      u.licenseAssignmentStates.map((s) => `${s.state}/${s.error}`),
      ["Active/null"],
    );
    assert.deepEqual(statesOf(t, 2), ["ENTERPRISEPACK/G1/Error/CountViolation"]);
    assert.equal(consumed(t, E3), 2);
    assert.deepEqual(
      t.membersWithLicenseErrors(groupId(1)).map((m) => m.id),
      [userId(2)],
    );
  });

  it("answers 404 for an unknown user, and leaves a settled user as is", () => {
    const t = load(snapshot([user(1, [inherited(E1, 1)])], [group(1, [1], [E1])]));
    assertGraphError(() => t.reprocessUser("ghost@contoso.com"), 404, "Request_ResourceNotFound", /ghost@contoso.com/);
    const u = t.reprocessUser(upn(1));
    assert.equal(u.licenseAssignmentStates[0].lastUpdatedDateTime, EARLIER);
    assert.equal(consumed(t, E1), 1);
  });
});

describe("TenantState reads", () => {
  it("returns copies that cannot change the tenant", () => {
    const t = load(snapshot([user(1, [direct(E1)])], [group(1, [1])]));
    t.user(upn(1))!.licenseAssignmentStates.length = 0;
    t.users()[0].assignedLicenses.length = 0;
    t.group(groupId(1))!.members.length = 0;
    t.groups()[0].securityEnabled = false;
    t.sku(E1)!.consumedUnits = 99;
    t.subscribedSkus()[0].prepaidUnits.enabled = 0;
    (t.members(groupId(1))[0] as User).usageLocation = "FR";
    t.toSnapshot().users.pop();
    t.organization.displayName = "Fabrikam";
    const returned = t.assignUserLicense(upn(1), add(E1, ["TEAMS1"]));
    returned.licenseAssignmentStates.pop();
    assert.equal(t.user(upn(1))?.licenseAssignmentStates.length, 1);
    assert.equal(t.user(upn(1))?.usageLocation, "US");
    assert.deepEqual(t.group(groupId(1))?.members, [userId(1)]);
    assert.equal(t.groups()[0].securityEnabled, true);
    assert.equal(consumed(t, E1), 1);
    assert.equal(t.sku(E1)?.prepaidUnits.enabled, 10);
    assert.equal(t.toSnapshot().users.length, 1);
    assert.equal(t.organization.displayName, "Contoso");
  });

  it("answers 404 for members of an unknown group, and undefined for unknown lookups", () => {
    const t = load(snapshot([user(1)]));
    assertGraphError(
      () => t.members(groupId(5)),
      404,
      "Request_ResourceNotFound",
      /00000000-0000-4000-b000-000000000005/,
    );
    assertGraphError(() => t.membersWithLicenseErrors(groupId(5)), 404, "Request_ResourceNotFound", /does not exist/);
    assert.equal(t.user("nobody"), undefined);
    assert.equal(t.group(groupId(5)), undefined);
    assert.equal(t.sku("nope"), undefined);
  });

  it("round-trips through toSnapshot", () => {
    const s = snapshot([user(1, [direct(E1), inherited(E1, 1)])], [group(1, [1], [E1])]);
    const t = load(s);
    assert.deepEqual(t.toSnapshot(), s);
    assert.ok(load(t.toSnapshot()));
  });
});
