import assert from "node:assert/strict";
import {
  classifyMigration,
  directProductsOf,
  directRemovalOperation,
  mostCommonDisabledPlans,
  pilotSize,
  planMigration,
  safeToRemoveDirect,
  splitIntoWaves,
  verifyMigration,
  type MigrationInput,
  type MigrationPreview,
} from "../../src/licensing/migrationPlan";
import type { LicenseState, Product, TenantGroup, TenantUser } from "../../src/licensing/model";
import type { CheckId, CheckResult } from "../../src/licensing/preview";
import { E1, E3, PLAN } from "../support/productIds";
import { licenseState, product, securityGroup, user } from "../support/tenantBuilder";

// ——— a small tenant: the demo's Operations group, in plain data ———

const OPS = "g-operations";
const OTHER = "g-other";
const YAMMER_SWAY = [PLAN.YAMMER_ENTERPRISE, PLAN.SWAY];
const YAMMER = [PLAN.YAMMER_ENTERPRISE];

const e1 = (): Product =>
  product(
    E1,
    "STANDARDPACK",
    [
      "EXCHANGE_S_STANDARD",
      "SHAREPOINTSTANDARD",
      "SHAREPOINTWAC",
      "TEAMS1",
      "MCOSTANDARD",
      "YAMMER_ENTERPRISE",
      "SWAY",
    ],
    300,
    262,
  );
/** The demo's E3: 124 enabled, 29 consumed, 95 free. */
const e3 = (enabled = 124, consumed = 29): Product =>
  product(
    E3,
    "ENTERPRISEPACK",
    [
      "EXCHANGE_S_ENTERPRISE",
      "SHAREPOINTENTERPRISE",
      "SHAREPOINTWAC",
      "OFFICESUBSCRIPTION",
      "TEAMS1",
      "MCOSTANDARD",
      "YAMMER_ENTERPRISE",
      "SWAY",
    ],
    enabled,
    consumed,
  );

const state = (
  skuId: string,
  assignedByGroup: string | null,
  disabledPlans: readonly string[] = [],
  extra: Partial<LicenseState> = {},
): LicenseState => licenseState(skuId, assignedByGroup, { disabledPlans, ...extra });
const direct = (disabled: readonly string[] = YAMMER_SWAY, extra: Partial<LicenseState> = {}) =>
  state(E3, null, disabled, extra);
const inherited = (disabled: readonly string[] = YAMMER_SWAY, extra: Partial<LicenseState> = {}, group = OPS) =>
  state(E3, group, disabled, extra);

const range = (n: number, prefix: string, states: (i: number) => readonly LicenseState[] = () => []): TenantUser[] =>
  Array.from({ length: n }, (_, k) => user(`${prefix}${k + 1}`, states(k + 1)));

const group = (extra: Partial<TenantGroup> = {}): TenantGroup => securityGroup(OPS, "Operations", extra);

/**
 * Operations as in docs/tenant-snapshot.md: 16 members, 13 holding E3 directly (11 with Yammer and
 * Sway disabled, 2 with only Yammer disabled), 3 holding nothing; 3 non-members hold E3 directly.
 */
function operations(): { members: TenantUser[]; outside: TenantUser[] } {
  const members = [
    ...range(11, "ys", () => [direct(YAMMER_SWAY)]),
    ...range(2, "y", () => [direct(YAMMER)]),
    ...range(3, "new"),
  ];
  return { members, outside: range(3, "out", () => [direct(YAMMER_SWAY)]) };
}

function input(extra: Partial<MigrationInput> = {}): MigrationInput {
  const { members, outside } = operations();
  return {
    group: group(),
    members: { users: members, nestedGroups: [] },
    directHolders: [...members.filter((u) => u.licenseStates.length > 0), ...outside],
    products: [e1(), e3()],
    skuId: E3,
    ...extra,
  };
}

function check(p: MigrationPreview, id: CheckId): CheckResult {
  const c = p.checks.find((x) => x.id === id);
  assert.ok(c, `check ${id} is missing`);
  return c;
}
const ids = (c: CheckResult): string[] => (c.users ?? []).map((u) => u.id);
const statuses = (p: MigrationPreview): string[] => p.checks.map((c) => `${c.id}:${c.status}`);

const CHECKS: CheckId[] = [
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
];

// ——— tests ———

describe("migrationPlan: direct to group-based licensing", () => {
  describe("planMigration on the Operations group", () => {
    it("counts movers, outsiders, new members and plan mismatches, and gives G the 11's disabled plans", () => {
      const p = planMigration(input());
      assert.equal(p.kind, "direct-to-group");
      assert.deepEqual(p.target, { type: "group", id: OPS, displayName: "Operations", memberCount: 16 });
      assert.deepEqual(p.product, { skuId: E3, skuPartNumber: "ENTERPRISEPACK" });
      assert.deepEqual(p.counts, {
        migrating: 13,
        outside: 3,
        newMembers: 3,
        planMismatch: 2,
        planGain: 0,
        pilot: 5,
        waves: 1,
        waveSize: 100,
      });
      assert.deepEqual(p.groupAssignment, { needed: true, disabledPlans: [...YAMMER_SWAY].sort() });
      assert.deepEqual(p.seats, {
        ENTERPRISEPACK: { enabled: 124, consumed: 29, available: 95, needed: 3, shortfall: 0 },
      });
      assert.deepEqual(p.operations, [
        {
          method: "POST",
          path: `/groups/${OPS}/assignLicense`,
          body: { addLicenses: [{ skuId: E3, disabledPlans: [...YAMMER_SWAY].sort() }], removeLicenses: [] },
        },
      ]);
      assert.deepEqual(
        p.stages.map((s) => [s.kind, s.users]),
        [
          ["assign", 16],
          ["verify", 13],
          ["pilot", 5],
          ["wave", 6],
        ],
      );
      assert.equal(p.stages[0]!.title, "Assign Office 365 E3 to Operations with 2 plans disabled");
      assert.equal(p.stages[3]!.title, "Wave 1 of 1: remove the direct Office 365 E3 from 6 verified users");
    });

    it("has every check, in order, warning about the outsiders and the mismatched plans", () => {
      const p = planMigration(input());
      assert.deepEqual(
        p.checks.map((c) => c.id),
        CHECKS,
      );
      assert.deepEqual(statuses(p), [
        "group-type:pass",
        "target-subscribed:pass",
        "subscription-term:info",
        "group-assignment:info",
        "seats:pass",
        "outside-members:warn",
        "plan-mismatch:warn",
        "plan-gain:pass",
        "conflicts:pass",
        "nested-groups:pass",
        "on-premises-sync:pass",
        "dynamic-membership:pass",
        "existing-errors:pass",
        "processing-state:pass",
        "group-size:pass",
        "entra-id-p1:pass",
        "guests:pass",
      ]);
      assert.equal(p.verdict, "warnings");

      const outside = check(p, "outside-members");
      assert.equal(outside.title, "3 users hold Office 365 E3 directly without being members of Operations");
      assert.equal(outside.count, 3);
      assert.deepEqual(ids(outside), ["out1", "out2", "out3"]);
      assert.match(outside.detail, /keep their direct Office 365 E3/);
      assert.match(outside.detail, /stop here, add them to Operations/);

      const mismatch = check(p, "plan-mismatch");
      assert.equal(
        mismatch.title,
        "2 of 13 movers hold a direct Office 365 E3 that enables plans Operations's would not",
      );
      assert.deepEqual(ids(mismatch), ["y1", "y2"]);
      assert.deepEqual(
        mismatch.users?.map((u) => u.note),
        ["enables Sway, which Operations would disable", "enables Sway, which Operations would disable"],
      );
      assert.match(mismatch.detail, /so it is never removed: they stay on their direct license/);

      assert.equal(check(p, "seats").title, "Office 365 E3: 3 seats needed, 95 available");
      assert.match(
        check(p, "seats").detail,
        /13 members already hold Office 365 E3 and need no new seat\. Members who hold Office 365 E3 directly keep one seat .*: moving them costs nothing\./,
      );
      assert.doesNotMatch(check(p, "seats").detail, /frees/);
      const assign = check(p, "group-assignment");
      assert.equal(assign.title, "Operations will get Office 365 E3 with 2 plans disabled: Yammer Enterprise, Sway");
      assert.match(assign.detail, /11 of 13/);
    });

    it("blocks on seats when the new members need more than are free", () => {
      const p = planMigration(input({ products: [e1(), e3(30, 29)] }));
      const seats = check(p, "seats");
      assert.equal(seats.status, "block");
      assert.equal(seats.title, "Office 365 E3: 3 seats needed, 1 available, 2 short");
      assert.deepEqual(p.seats.ENTERPRISEPACK, { enabled: 30, consumed: 29, available: 1, needed: 3, shortfall: 2 });
      assert.equal(p.verdict, "blocked");
      assert.equal(p.counts.newMembers, 3);
    });

    it("costs no seat when every member already holds the product directly", () => {
      const members = range(13, "m", () => [direct()]);
      const p = planMigration({
        group: group(),
        members: { users: members, nestedGroups: [] },
        directHolders: members,
        products: [e3(29, 29)],
        skuId: E3,
      });
      assert.equal(check(p, "seats").status, "pass");
      assert.deepEqual(p.seats.ENTERPRISEPACK, { enabled: 29, consumed: 29, available: 0, needed: 0, shortfall: 0 });
      assert.equal(p.verdict, "ready");
      assert.equal(check(p, "outside-members").status, "pass");
      assert.equal(
        check(p, "plan-mismatch").title,
        "0 of 13 movers hold a direct Office 365 E3 that enables plans Operations's would not",
      );
    });
  });

  describe("plans the group switches on", () => {
    it("lists each mover who has a plan off directly that the group's new assignment enables", () => {
      // Most have nothing off, so the group gets every plan: the 3 with Yammer and Sway off gain them at once.
      const members = [...range(5, "all", () => [direct([])]), ...range(3, "ys", () => [direct(YAMMER_SWAY)])];
      const p = planMigration({
        group: group(),
        members: { users: members, nestedGroups: [] },
        directHolders: members,
        products: [e3()],
        skuId: E3,
      });
      assert.deepEqual(p.groupAssignment, { needed: true, disabledPlans: [] });
      const c = check(p, "plan-gain");
      assert.equal(c.status, "info");
      assert.equal(c.title, "3 of 8 movers have plans off that Office 365 E3 from Operations would switch on");
      assert.deepEqual(ids(c), ["ys1", "ys2", "ys3"]);
      assert.equal(c.users?.[0].note, "has Yammer Enterprise, Sway off directly, which Operations would enable");
      assert.match(c.detail, /switch on as soon as Operations is given Office 365 E3/);
      assert.equal(p.counts.planGain, 3);
      // They lose nothing, so they still move.
      assert.equal(p.counts.planMismatch, 0);
    });

    it("says nothing when the group holds the product already: its plans are on for its members now", () => {
      const members = range(3, "ys", () => [direct(YAMMER_SWAY), inherited([])]);
      const p = planMigration({
        group: group({
          assignedLicenses: [{ skuId: E3, disabledPlans: [] }],
          licenseProcessingState: "ProcessingComplete",
        }),
        members: { users: members, nestedGroups: [] },
        directHolders: members,
        products: [e3()],
        skuId: E3,
      });
      assert.equal(check(p, "plan-gain").status, "pass");
      assert.equal(p.counts.planGain, 0);
    });
  });

  describe("a group that already holds the product", () => {
    it("skips the assign stage, keeps the group's disabled plans and compares the movers with them", () => {
      // G holds E3 with only Yammer off: the 11 (Yammer and Sway off directly) gain Sway, nobody loses a plan.
      const members = [
        ...range(11, "ys", () => [direct(YAMMER_SWAY), inherited(YAMMER)]),
        ...range(2, "y", () => [direct(YAMMER), inherited(YAMMER)]),
        ...range(3, "g", () => [inherited(YAMMER)]),
      ];
      const p = planMigration({
        group: group({
          assignedLicenses: [{ skuId: E3, disabledPlans: YAMMER }],
          licenseProcessingState: "ProcessingComplete",
        }),
        members: { users: members, nestedGroups: [] },
        directHolders: members.slice(0, 13),
        products: [e3()],
        skuId: E3,
      });
      assert.deepEqual(p.groupAssignment, { needed: false, disabledPlans: YAMMER });
      assert.deepEqual(p.operations, []);
      assert.deepEqual(p.counts, {
        migrating: 13,
        outside: 0,
        newMembers: 0,
        planMismatch: 0,
        planGain: 0,
        pilot: 5,
        waves: 1,
        waveSize: 100,
      });
      assert.deepEqual(
        p.stages.map((s) => [s.kind, s.users]),
        [
          ["verify", 13],
          ["pilot", 5],
          ["wave", 8],
        ],
      );
      const assign = check(p, "group-assignment");
      assert.equal(assign.status, "info");
      assert.equal(assign.title, "Operations already holds Office 365 E3 with 1 plan disabled: Yammer Enterprise");
      assert.equal(p.verdict, "ready");
    });

    it("takes no seat: only the assign stage gives anyone P, and there is none (a member in error stays so)", () => {
      const members = [
        ...range(4, "ys", () => [direct(YAMMER), inherited(YAMMER)]),
        user("err", [licenseState(E3, OPS, { disabledPlans: YAMMER, state: "Error", error: "CountViolation" })]),
      ];
      const p = planMigration({
        group: group({
          assignedLicenses: [{ skuId: E3, disabledPlans: YAMMER }],
          licenseProcessingState: "ProcessingComplete",
        }),
        members: { users: members, nestedGroups: [] },
        directHolders: members.slice(0, 4),
        products: [e3()],
        skuId: E3,
      });
      assert.equal(p.counts.newMembers, 0);
      assert.deepEqual(p.seats.ENTERPRISEPACK, { enabled: 124, consumed: 29, available: 95, needed: 0, shortfall: 0 });
    });

    it("flags movers whose direct license enables a plan the group's disables", () => {
      const members = [...range(3, "ys", () => [direct(YAMMER_SWAY)]), ...range(2, "all", () => [direct([])])];
      const p = planMigration({
        group: group({ assignedLicenses: [{ skuId: E3, disabledPlans: YAMMER_SWAY }] }),
        members: { users: members, nestedGroups: [] },
        directHolders: members,
        products: [e3()],
        skuId: E3,
      });
      assert.equal(p.counts.planMismatch, 2);
      assert.deepEqual(
        check(p, "plan-mismatch").users?.map((u) => u.note),
        [
          "enables Yammer Enterprise, Sway, which Operations would disable",
          "enables Yammer Enterprise, Sway, which Operations would disable",
        ],
      );
      assert.equal(p.counts.pilot, 3, "pilot drawn from the 3 eligible only");
      assert.equal(p.counts.waves, 0);
    });
  });

  describe("the other checks", () => {
    it("warns about members whose other license conflicts with what the group will give", () => {
      const { members, outside } = operations();
      // new1 holds E1 directly: SharePoint Plan 1 excludes E3's Plan 2, so the group's E3 fails for them.
      const withE1 = members.map((u) => (u.id === "new1" ? user("new1", [state(E1, null)]) : u));
      const p = planMigration({
        ...input(),
        members: { users: withE1, nestedGroups: [] },
        directHolders: [...withE1.filter((u) => u.licenseStates.some((s) => s.skuId === E3)), ...outside],
      });
      const conflicts = check(p, "conflicts");
      assert.equal(conflicts.status, "warn");
      assert.deepEqual(ids(conflicts), ["new1"]);
      assert.match(
        conflicts.users![0]!.note!,
        /SharePoint \(Plan 2\) conflicts with SharePoint \(Plan 1\) \(Office 365 E1, direct\)/,
      );
      assert.match(conflicts.detail, /MutuallyExclusiveViolation/);
    });

    it("warns that nested groups' members are not migrated, and counts them among the outsiders", () => {
      const p = planMigration(
        input({
          members: { users: operations().members, nestedGroups: [{ id: "g-night", displayName: "Night Shift" }] },
        }),
      );
      const nested = check(p, "nested-groups");
      assert.equal(nested.status, "warn");
      assert.match(nested.detail, /members of nested groups keep their direct Office 365 E3 and are not migrated/);
    });

    it("blocks a group that cannot hold licenses, a product the tenant lacks, and a group with nothing to migrate", () => {
      assert.equal(
        check(
          planMigration(
            input({ group: group({ securityEnabled: false, groupTypes: ["Unified"], mailEnabled: true }) }),
          ),
          "group-type",
        ).status,
        "block",
      );
      const unowned = planMigration(input({ products: [e1()] }));
      assert.equal(check(unowned, "target-subscribed").status, "block");
      assert.equal(check(unowned, "seats").status, "info");
      assert.deepEqual(unowned.seats, {});
      assert.deepEqual(unowned.product, { skuId: E3, skuPartNumber: E3 });
      const nobody = planMigration(input({ members: { users: range(4, "n"), nestedGroups: [] }, directHolders: [] }));
      const assign = check(nobody, "group-assignment");
      assert.equal(assign.status, "block");
      assert.equal(
        assign.title,
        "0 of 4 members of Operations hold Office 365 E3 directly: there is nothing to migrate",
      );
      assert.deepEqual(
        nobody.stages.map((s) => s.kind),
        ["assign", "verify"],
      );
    });

    it("reports dynamic, synced and still-processing groups and members already in error", () => {
      const members = [
        user("ok", [direct(), inherited()]),
        user("bad", [direct(), inherited(YAMMER_SWAY, { state: "Error", error: "CountViolation" })]),
      ];
      const p = planMigration({
        group: group({
          groupTypes: ["DynamicMembership"],
          membershipRule: 'user.department -eq "Operations"',
          onPremisesSyncEnabled: true,
          assignedLicenses: [{ skuId: E3, disabledPlans: YAMMER_SWAY }],
          licenseProcessingState: "ProcessingInProgress",
        }),
        members: { users: members, nestedGroups: [] },
        directHolders: members,
        products: [e3()],
        skuId: E3,
      });
      assert.equal(check(p, "dynamic-membership").status, "info");
      assert.equal(check(p, "on-premises-sync").status, "info");
      assert.equal(check(p, "processing-state").status, "warn");
      const errors = check(p, "existing-errors");
      assert.equal(errors.status, "warn");
      assert.deepEqual(ids(errors), ["bad"]);
    });
  });

  describe("disabled plans for the group", () => {
    it("takes the list most movers share; ties go to fewer disabled plans, then sorted order", () => {
      const s = (plans: string[]) => ({ disabledPlans: plans });
      assert.deepEqual(
        mostCommonDisabledPlans([s(["b", "a"]), s(["a", "b"]), s(["c"])]),
        ["a", "b"],
        "order within a list does not matter",
      );
      assert.deepEqual(mostCommonDisabledPlans([s(["a", "b"]), s(["a", "b"]), s(["c"]), s(["c"])]), ["c"]);
      assert.deepEqual(mostCommonDisabledPlans([s(["b"]), s(["a"])]), ["a"]);
      assert.deepEqual(mostCommonDisabledPlans([s([]), s(["a"])]), []);
      assert.deepEqual(mostCommonDisabledPlans([]), []);
    });
  });

  describe("pilot and waves", () => {
    it("pilots 5 users or 5 %, whichever is larger, at most everyone", () => {
      assert.equal(pilotSize(2_000), 100);
      assert.equal(pilotSize(11), 5);
      assert.equal(pilotSize(101), 6, "5 % rounded up");
      assert.equal(pilotSize(3), 3);
      assert.equal(pilotSize(0), 0);
      assert.equal(pilotSize(2_000, { count: 10, percent: 1 }), 20);
      assert.equal(pilotSize(2_000, { count: 50, percent: 1 }), 50);
      assert.equal(pilotSize(2_000, { count: 0, percent: 100 }), 2_000);
      assert.throws(() => pilotSize(10, { count: -1, percent: 5 }), RangeError);
      assert.throws(() => pilotSize(10, { count: 5, percent: Number.NaN }), RangeError);
    });

    it("splits the rest into waves of the given size, in order", () => {
      assert.deepEqual(splitIntoWaves([1, 2, 3, 4, 5], 2), [[1, 2], [3, 4], [5]]);
      assert.deepEqual(splitIntoWaves([], 100), []);
      assert.equal(splitIntoWaves(Array.from({ length: 1_900 }, (_, i) => i)).length, 19);
      assert.throws(() => splitIntoWaves([1], 0), RangeError);
      assert.throws(() => splitIntoWaves([1], 1.5), RangeError);
    });

    it("plans 2,000 eligible movers as a pilot of 100 and 19 waves of 100", () => {
      const members = range(2_000, "m", () => [direct()]);
      const p = planMigration({
        group: group(),
        members: { users: members, nestedGroups: [] },
        directHolders: members,
        products: [e3(3_000, 2_000)],
        skuId: E3,
      });
      assert.deepEqual(p.counts, {
        migrating: 2_000,
        outside: 0,
        newMembers: 0,
        planMismatch: 0,
        planGain: 0,
        pilot: 100,
        waves: 19,
        waveSize: 100,
      });
      assert.equal(p.stages.length, 22);
      assert.deepEqual(
        p.stages.slice(0, 3).map((s) => [s.kind, s.users]),
        [
          ["assign", 2_000],
          ["verify", 2_000],
          ["pilot", 100],
        ],
      );
      assert.ok(p.stages.slice(3).every((s) => s.kind === "wave" && s.users === 100));
      assert.equal(p.stages[21]!.title, "Wave 19 of 19: remove the direct Office 365 E3 from 100 verified users");
      const custom = planMigration({
        group: group(),
        members: { users: members, nestedGroups: [] },
        directHolders: members,
        products: [e3(3_000, 2_000)],
        skuId: E3,
        pilot: { count: 10, percent: 1 },
        waveSize: 500,
      });
      assert.deepEqual([custom.counts.pilot, custom.counts.waves, custom.counts.waveSize], [20, 4, 500]);
      assert.deepEqual(
        custom.stages.slice(-1).map((s) => s.users),
        [480],
      );
    });

    it("classifies in member order, so the runner draws the same pilot", () => {
      const parts = classifyMigration(input());
      assert.deepEqual(
        parts.eligible.map((u) => u.id),
        [...Array.from({ length: 11 }, (_, i) => `ys${i + 1}`)],
      );
      assert.deepEqual(
        parts.planMismatch.map((m) => [m.user.id, m.plans]),
        [
          ["y1", [PLAN.SWAY]],
          ["y2", [PLAN.SWAY]],
        ],
      );
      assert.deepEqual(
        parts.outside.map((u) => u.id),
        ["out1", "out2", "out3"],
      );
    });
  });

  describe("verifyMigration", () => {
    const verify = (users: TenantUser[], groupDisabled: readonly string[] = YAMMER_SWAY) =>
      verifyMigration(users, OPS, E3, groupDisabled, [e3()]);
    const reasonOf = (u: TenantUser, groupDisabled?: readonly string[]) => {
      const result = verify([u], groupDisabled);
      assert.equal(result.verified.length, 0, "not verified");
      return result.failed[0]!.reason;
    };

    it("verifies a user with both assignments, the inherited one Active with the group's plans", () => {
      const ok = user("ok", [direct(), inherited()]);
      // The group enabling more than the direct one (Sway) loses nothing.
      const gains = user("gains", [direct(YAMMER_SWAY), inherited(YAMMER)]);
      assert.deepEqual(verify([ok]), {
        verified: [{ id: "ok", displayName: "User ok", userPrincipalName: "ok@contoso.com" }],
        failed: [],
      });
      assert.deepEqual(
        verify([gains], YAMMER).verified.map((u) => u.id),
        ["gains"],
      );
    });

    it("says what is wrong and what to do for each failure", () => {
      assert.match(reasonOf(user("gone", [inherited()])), /^has no direct Office 365 E3: there is nothing to remove/);
      assert.match(
        reasonOf(user("waiting", [direct()])),
        /^does not have Office 365 E3 from the group yet\. Wait until the group's license processing completes; if it has, reprocess the user\./,
      );
      assert.match(
        reasonOf(user("other", [direct(), inherited(YAMMER_SWAY, {}, OTHER)])),
        /does not have Office 365 E3 from the group yet/,
        "another group's E3 is not G's",
      );
      assert.equal(
        reasonOf(user("seatless", [direct(), inherited(YAMMER_SWAY, { state: "Error", error: "CountViolation" })])),
        "Office 365 E3 from the group is in error (CountViolation): not enough seats; buy or free seats, then reprocess the users.",
      );
      assert.match(
        reasonOf(
          user("conflict", [direct(), inherited(YAMMER_SWAY, { state: "Error", error: "MutuallyExclusiveViolation" })]),
        ),
        /MutuallyExclusiveViolation\): they hold a conflicting product/,
      );
      assert.match(
        reasonOf(user("partly", [direct(), inherited(YAMMER_SWAY, { state: "ActiveWithError", error: "Others" })])),
        /in error \(Others\): look at their licenses/,
      );
      assert.match(
        reasonOf(user("off", [direct(), inherited(YAMMER_SWAY, { state: "Disabled" })])),
        /^Office 365 E3 from the group is Disabled, not Active/,
      );
      assert.match(
        reasonOf(user("stale", [direct(), inherited(YAMMER)])),
        /does not have the group's disabled plans yet\. Wait until the group's license processing completes/,
      );
      assert.equal(
        reasonOf(user("loses", [direct(YAMMER), inherited(YAMMER_SWAY)])),
        "Office 365 E3 from the group would not enable Sway, which the direct one enables. Their direct license stays; to move them, enable it on the group.",
      );
    });

    it("names plans by id when it is not given the products", () => {
      const result = verifyMigration([user("loses", [direct(YAMMER), inherited(YAMMER_SWAY)])], OPS, E3, YAMMER_SWAY);
      assert.match(result.failed[0]!.reason, new RegExp(`^product ${E3} from the group would not enable ${PLAN.SWAY}`));
    });
  });

  describe("removing a direct assignment", () => {
    it("is safe only while the group's product is Active without error for the user", () => {
      assert.equal(safeToRemoveDirect(user("ok", [direct(), inherited()]), OPS, E3), true);
      assert.equal(
        safeToRemoveDirect(user("ok-none", [direct(), inherited(YAMMER_SWAY, { error: "None" })]), OPS, E3),
        true,
      );
      assert.equal(safeToRemoveDirect(user("direct-only", [direct()]), OPS, E3), false);
      assert.equal(
        safeToRemoveDirect(user("other-group", [direct(), inherited(YAMMER_SWAY, {}, OTHER)]), OPS, E3),
        false,
      );
      assert.equal(
        safeToRemoveDirect(
          user("error", [direct(), inherited(YAMMER_SWAY, { state: "Error", error: "CountViolation" })]),
          OPS,
          E3,
        ),
        false,
      );
      assert.equal(
        safeToRemoveDirect(
          user("with-error", [direct(), inherited(YAMMER_SWAY, { state: "ActiveWithError", error: "Other" })]),
          OPS,
          E3,
        ),
        false,
      );
      assert.equal(
        safeToRemoveDirect(user("disabled", [direct(), inherited(YAMMER_SWAY, { state: "Disabled" })]), OPS, E3),
        false,
      );
      // The group's assignment switched off a plan the direct one enables (after verification): not safe.
      assert.equal(
        safeToRemoveDirect(
          user("plans-changed", [direct(), inherited([...YAMMER_SWAY, PLAN.SHAREPOINTENTERPRISE])]),
          OPS,
          E3,
        ),
        false,
      );
    });

    it("is the user's own assignLicense removing the product and nothing else", () => {
      assert.deepEqual(directRemovalOperation("u1", E3), {
        method: "POST",
        path: "/users/u1/assignLicense",
        body: { addLicenses: [], removeLicenses: [E3] },
      });
    });
  });

  it("lists the products members hold directly, most holders first", () => {
    const users = [
      user("a", [direct(), state(E1, null)]),
      user("b", [direct()]),
      user("c", [inherited()]),
      user("d", [state(E1, OTHER)]),
    ];
    assert.deepEqual(directProductsOf(users), [E3, E1]);
    assert.deepEqual(directProductsOf([]), []);
  });

  it("plans a group of 100,000 members in one linear pass", () => {
    // 95,000 movers as most are, 3,000 with Sway on, 2,000 new, and 1,000 holders outside the group.
    const members = [
      ...range(95_000, "a", () => [direct(YAMMER_SWAY)]),
      ...range(3_000, "b", () => [direct(YAMMER)]),
      ...range(2_000, "c"),
    ];
    const outside = range(1_000, "x", () => [direct()]);
    const p = planMigration({
      group: group(),
      members: { users: members, nestedGroups: [] },
      directHolders: [...members.slice(0, 98_000), ...outside],
      products: [e3(200_000, 99_000)],
      skuId: E3,
    });
    assert.deepEqual(p.counts, {
      migrating: 98_000,
      outside: 1_000,
      newMembers: 2_000,
      planMismatch: 3_000,
      planGain: 0,
      pilot: 4_750,
      waves: 903,
      waveSize: 100,
    });
    assert.deepEqual(p.groupAssignment.disabledPlans, [...YAMMER_SWAY].sort());
    assert.equal(check(p, "plan-mismatch").count, 3_000);
    assert.equal(check(p, "seats").title, "Office 365 E3: 2,000 seats needed, 101,000 available");
    assert.equal(p.stages.length, 1 + 1 + 1 + 903);
  });
});
