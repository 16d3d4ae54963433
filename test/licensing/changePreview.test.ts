import assert from "node:assert/strict";
import { groupSizeCheck } from "../../src/licensing/checks/groupChecks";
import {
  previewGroupChange,
  previewUserChange,
  targetDisabledPlans,
  type Restore,
} from "../../src/licensing/changePreview";
import type {
  GroupMembers,
  LicenseState,
  Product,
  Subscription,
  SubscriptionsRead,
  TenantGroup,
  TenantUser,
} from "../../src/licensing/model";
import type { CheckId, CheckResult, Preview } from "../../src/licensing/preview";
import { AUDIO, E1, E3, F3, PLAN, WA } from "../support/productIds";
import { licenseState, product, securityGroup, user } from "../support/tenantBuilder";

// ——— a small tenant builder ———

const e1 = (extra: Partial<Product> = {}): Product =>
  product(
    E1,
    "STANDARDPACK",
    ["EXCHANGE_S_STANDARD", "SHAREPOINTSTANDARD", "SHAREPOINTWAC", "TEAMS1", "MCOSTANDARD"],
    100,
    60,
    extra,
  );
const e3 = (enabled = 50, consumed = 20, extra: Partial<Product> = {}): Product =>
  product(
    E3,
    "ENTERPRISEPACK",
    ["EXCHANGE_S_ENTERPRISE", "SHAREPOINTENTERPRISE", "SHAREPOINTWAC", "OFFICESUBSCRIPTION", "TEAMS1", "MCOSTANDARD"],
    enabled,
    consumed,
    extra,
  );
const f3 = (): Product =>
  product(F3, "SPE_F1", ["EXCHANGE_S_DESKLESS", "SHAREPOINTDESKLESS", "TEAMS1", "MCOIMP"], 100, 0);
const wa = (): Product => product(WA, "WORKPLACE_ANALYTICS", ["WORKPLACE_ANALYTICS"], 10, 2);

const SALES = "g-sales";

/** Every product's subscription, paid and renewing far ahead: subscription-term passes unless a test says otherwise. */
const SUBSCRIPTIONS: SubscriptionsRead = {
  list: [E1, E3, F3, WA].map((skuId) => ({
    skuId,
    status: "Enabled",
    isTrial: false,
    nextLifecycleDateTime: "2030-06-30T00:00:00Z",
    totalLicenses: 100,
  })),
  readAt: new Date("2026-12-01T00:00:00Z"),
};

const fromGroup = (skuId: string, groupId = SALES, extra: Partial<LicenseState> = {}): LicenseState =>
  licenseState(skuId, groupId, extra);
const direct = (skuId: string, extra: Partial<LicenseState> = {}): LicenseState => licenseState(skuId, null, extra);

/** n users u1…un holding E1 from Sales, each optionally with more states. */
function members(n: number, more: (i: number) => readonly LicenseState[] = () => [], prefix = "u"): TenantUser[] {
  return Array.from({ length: n }, (_, k) => user(`${prefix}${k + 1}`, [fromGroup(E1), ...more(k + 1)]));
}

/** Sales, holding E1. */
const group = (extra: Partial<TenantGroup> = {}): TenantGroup =>
  securityGroup(SALES, "Sales", {
    assignedLicenses: [{ skuId: E1, disabledPlans: [] }],
    licenseProcessingState: "ProcessingComplete",
    ...extra,
  });

interface Scenario {
  group?: Partial<TenantGroup>;
  users?: readonly TenantUser[];
  nested?: GroupMembers["nestedGroups"];
  products?: readonly Product[];
  from?: string;
  to?: string;
  groupNames?: ReadonlyMap<string, string>;
  restore?: Restore;
}

/** Sales moving from E1 to E3; by default 25 members holding E1 from Sales and E3 50 enabled / 20 consumed. */
function previewGroup(s: Scenario = {}): Preview {
  return previewGroupChange({
    group: group(s.group),
    members: { users: s.users ?? members(25), nestedGroups: s.nested ?? [] },
    products: s.products ?? [e1(), e3(), f3(), wa()],
    fromSkuId: s.from ?? E1,
    toSkuId: s.to ?? E3,
    ...(s.groupNames ? { groupNames: s.groupNames } : {}),
    ...(s.restore ? { restore: s.restore } : {}),
    subscriptions: SUBSCRIPTIONS,
  });
}

function check(p: Preview, id: CheckId): CheckResult {
  const c = p.checks.find((x) => x.id === id);
  assert.ok(c, `check ${id} is missing`);
  return c;
}
const ids = (c: CheckResult): string[] => (c.users ?? []).map((u) => u.id);
const notPass = (p: Preview): string[] => p.checks.filter((c) => c.status !== "pass").map((c) => `${c.id}:${c.status}`);

const GROUP_CHECKS: CheckId[] = [
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

// ——— tests ———

describe("targetDisabledPlans", () => {
  it("E1 with SharePoint Plan 1 off → E3 with SharePoint Plan 2 off, the new Office apps on", () => {
    assert.deepEqual(targetDisabledPlans(e1(), [PLAN.SHAREPOINTSTANDARD], e3()), [PLAN.SHAREPOINTENTERPRISE]);
  });

  it("carries each disabled plan by workload or by itself, in the target's plan order", () => {
    const off = [PLAN.EXCHANGE_S_STANDARD, PLAN.MCOSTANDARD, PLAN.SHAREPOINTWAC];
    assert.deepEqual(targetDisabledPlans(e1(), off, e3()), [
      PLAN.EXCHANGE_S_ENTERPRISE,
      PLAN.SHAREPOINTWAC,
      PLAN.MCOSTANDARD,
    ]);
  });

  it("nothing off on the source: nothing off on the target", () => {
    assert.deepEqual(targetDisabledPlans(e1(), [], e3()), []);
  });

  it("a target plan that carries several source plans stays on while any of them is on", () => {
    const both = product("11111111-1111-1111-1111-111111111111", "BOTH", [
      "EXCHANGE_S_DESKLESS",
      "EXCHANGE_S_STANDARD",
    ]);
    assert.deepEqual(targetDisabledPlans(both, [PLAN.EXCHANGE_S_DESKLESS], e3()), []);
    assert.deepEqual(targetDisabledPlans(both, [PLAN.EXCHANGE_S_DESKLESS, PLAN.EXCHANGE_S_STANDARD], e3()), [
      PLAN.EXCHANGE_S_ENTERPRISE,
    ]);
  });

  it("products without plans give no disabled plans", () => {
    const empty = product("22222222-2222-2222-2222-222222222222", "EMPTY", []);
    assert.deepEqual(targetDisabledPlans(empty, [PLAN.TEAMS1], e3()), []);
    assert.deepEqual(targetDisabledPlans(e1(), [PLAN.TEAMS1], empty), []);
  });
});

describe("previewGroupChange", () => {
  describe("a ready group", () => {
    const p = previewGroup();

    it("has every check of the table, in its order, all passing: verdict ready", () => {
      assert.deepEqual(
        p.checks.map((c) => c.id),
        GROUP_CHECKS,
      );
      assert.deepEqual(notPass(p), []);
      assert.equal(p.verdict, "ready");
    });

    it("names the group, the products and the seats", () => {
      assert.equal(p.kind, "group-change");
      assert.deepEqual(p.target, { type: "group", id: SALES, displayName: "Sales", memberCount: 25 });
      assert.deepEqual(p.from, { skuId: E1, skuPartNumber: "STANDARDPACK" });
      assert.deepEqual(p.to, { skuId: E3, skuPartNumber: "ENTERPRISEPACK" });
      assert.deepEqual(p.seats, {
        ENTERPRISEPACK: { enabled: 50, consumed: 20, available: 30, needed: 25, shortfall: 0 },
        STANDARDPACK: { enabled: 100, consumed: 60, available: 40, freed: 25 },
      });
    });

    it("is one assignLicense call on the group that adds E3 and removes E1", () => {
      assert.deepEqual(p.operations, [
        {
          method: "POST",
          path: `/groups/${SALES}/assignLicense`,
          body: { addLicenses: [{ skuId: E3, disabledPlans: [] }], removeLicenses: [E1] },
        },
      ]);
    });

    it("titles show their numbers even when nothing fires", () => {
      assert.equal(check(p, "direct-source").title, "0 of 25 members hold Office 365 E1 from another source");
      assert.equal(check(p, "seats").title, "Office 365 E3: 25 seats needed, 30 available");
      assert.equal(check(p, "conflicts").title, "0 of 25 members keep a license that conflicts with Office 365 E3");
      assert.equal(
        check(p, "service-continuity").title,
        "Office 365 E3 carries all 5 plans Office 365 E1 enables on Sales",
      );
      assert.equal(check(p, "existing-errors").count, 0);
      assert.equal(check(p, "nested-groups").count, 0);
    });
  });

  describe("source-assigned", () => {
    it("blocks when the group does not hold the source, saying what it holds", () => {
      const p = previewGroup({ group: { assignedLicenses: [{ skuId: F3, disabledPlans: [] }] } });
      const c = check(p, "source-assigned");
      assert.equal(c.status, "block");
      assert.equal(c.title, "Sales does not hold Office 365 E1");
      assert.match(c.detail, /It holds Microsoft 365 F3/);
      assert.equal(p.verdict, "blocked");
    });

    it("blocks with a reason when the tenant does not own the source, and still previews", () => {
      const p = previewGroup({ products: [e3()] });
      assert.equal(check(p, "source-assigned").status, "block");
      assert.match(check(p, "source-assigned").title, /does not own product 18181a46/);
      assert.equal(check(p, "service-continuity").status, "info");
      assert.deepEqual(p.from, { skuId: E1, skuPartNumber: E1 });
      assert.deepEqual(Object.keys(p.seats), ["ENTERPRISEPACK"]);
      assert.deepEqual(
        p.checks.map((c) => c.id),
        GROUP_CHECKS,
      );
    });

    it("passes when the group holds it", () => {
      assert.equal(check(previewGroup(), "source-assigned").status, "pass");
    });
  });

  describe("group-type", () => {
    it("blocks a Microsoft 365 group without security enabled", () => {
      const c = check(
        previewGroup({ group: { groupTypes: ["Unified"], securityEnabled: false, mailEnabled: true } }),
        "group-type",
      );
      assert.equal(c.status, "block");
      assert.equal(c.title, "Sales cannot hold licenses: it is a Microsoft 365 group without security enabled");
    });

    it("blocks a distribution group", () => {
      const c = check(previewGroup({ group: { securityEnabled: false, mailEnabled: true } }), "group-type");
      assert.equal(c.status, "block");
      assert.match(c.title, /distribution group/);
    });

    it("passes a security group and a security-enabled Microsoft 365 group", () => {
      assert.equal(check(previewGroup(), "group-type").status, "pass");
      const c = check(
        previewGroup({ group: { groupTypes: ["Unified"], securityEnabled: true, mailEnabled: true } }),
        "group-type",
      );
      assert.equal(c.status, "pass");
      assert.equal(c.title, "Sales can hold licenses (Microsoft 365 group, security enabled)");
    });
  });

  describe("target-subscribed", () => {
    const status = (products: Product[], to = E3): string =>
      check(previewGroup({ products, to }), "target-subscribed").status;

    it("warns for Warning", () => {
      assert.equal(status([e1(), e3(50, 20, { capabilityStatus: "Warning" })]), "warn");
    });

    it("blocks for Suspended, LockedOut and Deleted", () => {
      for (const capabilityStatus of ["Suspended", "LockedOut", "Deleted"] as const) {
        assert.equal(status([e1(), e3(50, 20, { capabilityStatus })]), "block", capabilityStatus);
      }
    });

    it("blocks a product for the company, not users", () => {
      assert.equal(status([e1(), e3(50, 20, { appliesTo: "Company" })]), "block");
    });

    it("blocks a product the tenant does not own, and skips what needs its plans and seats", () => {
      const p = previewGroup({ products: [e1()] });
      const c = check(p, "target-subscribed");
      assert.equal(c.status, "block");
      assert.equal(c.title, "The tenant does not own product 6fd2c87f-b296-42f0-b197-1e91e994b900");
      for (const id of ["seats", "conflicts", "dependencies", "service-continuity"] as const)
        assert.equal(check(p, id).status, "info", id);
      assert.deepEqual(p.seats, { STANDARDPACK: { enabled: 100, consumed: 60, available: 40, freed: 25 } });
      assert.equal(p.verdict, "blocked");
      assert.deepEqual(p.operations[0].body, { addLicenses: [{ skuId: E3, disabledPlans: [] }], removeLicenses: [E1] });
    });

    it("passes an enabled user product", () => {
      assert.equal(status([e1(), e3()]), "pass");
    });
  });

  describe("seats", () => {
    it("blocks on a shortfall: 35 needed, 50 enabled − 20 consumed = 30 available, 5 short", () => {
      const p = previewGroup({ users: members(35) });
      assert.deepEqual(p.seats.ENTERPRISEPACK, { enabled: 50, consumed: 20, available: 30, needed: 35, shortfall: 5 });
      const c = check(p, "seats");
      assert.equal(c.status, "block");
      assert.equal(c.title, "Office 365 E3: 35 seats needed, 30 available, 5 short");
      assert.match(c.detail, /Buy at least 5 more Office 365 E3 licenses or free 5 seats/);
      assert.equal(p.verdict, "blocked");
    });

    it("does not count members who already hold the target from any source", () => {
      // u1, u2 hold E3 directly; u3 from another group; u4's E3 from another group is in error, so u4 needs a seat.
      const more = (i: number): LicenseState[] =>
        i <= 2
          ? [direct(E3)]
          : i === 3
            ? [fromGroup(E3, "g-other")]
            : i === 4
              ? [fromGroup(E3, "g-other", { state: "Error", error: "CountViolation" })]
              : [];
      const p = previewGroup({ users: members(35, more) });
      assert.deepEqual(p.seats.ENTERPRISEPACK, { enabled: 50, consumed: 20, available: 30, needed: 32, shortfall: 2 });
      assert.equal(check(p, "seats").status, "block");
    });

    it("blocks when the tenant is already over-assigned (negative available)", () => {
      const p = previewGroup({ users: members(2), products: [e1(), e3(10, 12)] });
      assert.deepEqual(p.seats.ENTERPRISEPACK, { enabled: 10, consumed: 12, available: -2, needed: 2, shortfall: 4 });
      assert.equal(check(p, "seats").status, "block");
    });

    it("passes when exactly enough seats are available", () => {
      const p = previewGroup({ users: members(30) });
      assert.deepEqual(p.seats.ENTERPRISEPACK, { enabled: 50, consumed: 20, available: 30, needed: 30, shortfall: 0 });
      assert.equal(check(p, "seats").status, "pass");
    });

    it("frees the source seat only of members who hold it through the group alone", () => {
      // u1 direct E1 too, u2 E1 from another group too, u3's E1 from Sales is in error (holds nothing from Sales).
      // u1 and u2 keep E1's SharePoint, which excludes E3's: all or nothing, they get no E3 and take no seat.
      const users = [
        user("u1", [fromGroup(E1), direct(E1)]),
        user("u2", [fromGroup(E1), fromGroup(E1, "g-other")]),
        user("u3", [fromGroup(E1, SALES, { state: "Error", error: "CountViolation" })]),
        ...members(7, () => [], "m"),
      ];
      const p = previewGroup({ users });
      assert.deepEqual(p.seats.STANDARDPACK, { enabled: 100, consumed: 60, available: 40, freed: 7 });
      assert.deepEqual(p.seats.ENTERPRISEPACK, { enabled: 50, consumed: 20, available: 30, needed: 8, shortfall: 0 });
    });
  });

  describe("direct-source", () => {
    it("warns with the members who hold the source directly or from another group", () => {
      const more = (i: number): LicenseState[] =>
        i <= 2
          ? [direct(E1)]
          : i === 3
            ? [fromGroup(E1, "g-mkt")]
            : i === 4
              ? [direct(E1, { state: "Error", error: "CountViolation" })]
              : [];
      const p = previewGroup({ users: members(25, more), groupNames: new Map([["g-mkt", "Marketing"]]) });
      const c = check(p, "direct-source");
      assert.equal(c.status, "warn");
      assert.equal(c.title, "3 of 25 members hold Office 365 E1 from another source");
      assert.equal(c.count, 3);
      assert.deepEqual(ids(c), ["u1", "u2", "u3"]);
      assert.equal(c.users?.[0].note, "also holds Office 365 E1: direct");
      assert.equal(c.users?.[2].note, "also holds Office 365 E1: group Marketing");
      assert.equal(p.seats.STANDARDPACK.freed, 22);
    });

    it("passes when every member holds the source only through the group", () => {
      const c = check(previewGroup(), "direct-source");
      assert.equal(c.status, "pass");
      assert.equal(c.count, 0);
    });
  });

  describe("conflicts", () => {
    it("warns with the members who keep E1 elsewhere, naming the plan pair and where it comes from", () => {
      const more = (i: number): LicenseState[] => (i === 1 ? [direct(E1)] : i === 2 ? [fromGroup(E1, "g-mkt")] : []);
      const p = previewGroup({ users: members(25, more) });
      const c = check(p, "conflicts");
      assert.equal(c.status, "warn");
      assert.equal(c.title, "2 of 25 members keep a license that conflicts with Office 365 E3");
      assert.deepEqual(ids(c), ["u1", "u2"]);
      assert.equal(c.users?.[0].note, "SharePoint (Plan 2) conflicts with SharePoint (Plan 1) (Office 365 E1, direct)");
      assert.equal(
        c.users?.[1].note,
        "SharePoint (Plan 2) conflicts with SharePoint (Plan 1) (Office 365 E1, group g-mkt)",
      );
      assert.match(c.detail, /MutuallyExclusiveViolation/);
      assert.equal(p.verdict, "warnings");
    });

    it("names every pair for F3 kept next to E3", () => {
      const c = check(previewGroup({ users: [user("u1", [fromGroup(E1), direct(F3)])] }), "conflicts");
      assert.equal(
        c.users?.[0].note,
        "SharePoint (Plan 2) conflicts with SharePoint Kiosk (Microsoft 365 F3, direct); Skype for Business Online (Plan 2) conflicts with Skype for Business Online (Plan 1) (Microsoft 365 F3, direct)",
      );
    });

    it("ignores a disabled plan, a license in error, and the target held twice", () => {
      const users = [
        user("u1", [fromGroup(E1), direct(E1, { disabledPlans: [PLAN.SHAREPOINTSTANDARD] })]),
        user("u2", [fromGroup(E1), direct(F3, { state: "Error", error: "MutuallyExclusiveViolation" })]),
        user("u3", [fromGroup(E1), direct(E3)]),
      ];
      const c = check(previewGroup({ users }), "conflicts");
      assert.equal(c.status, "pass");
      assert.equal(c.title, "0 of 3 members keep a license that conflicts with Office 365 E3");
    });

    it("does not conflict where the group's SharePoint is off on E1, so off on E3", () => {
      const p = previewGroup({
        group: { assignedLicenses: [{ skuId: E1, disabledPlans: [PLAN.SHAREPOINTSTANDARD] }] },
        users: [user("u1", [fromGroup(E1, SALES, { disabledPlans: [PLAN.SHAREPOINTSTANDARD] }), direct(E1)])],
      });
      assert.equal(check(p, "conflicts").status, "pass");
    });
  });

  describe("dependencies", () => {
    it("warns when the prerequisite S provides is not in T (Workplace Analytics, E1 → F3)", () => {
      const more = (i: number): LicenseState[] => (i <= 2 ? [direct(WA)] : []);
      const p = previewGroup({ users: members(10, more), to: F3 });
      const c = check(p, "dependencies");
      assert.equal(c.status, "warn");
      assert.equal(c.title, "2 of 10 members would lose a prerequisite of another license");
      assert.deepEqual(ids(c), ["u1", "u2"]);
      assert.equal(
        c.users?.[0].note,
        "Microsoft Workplace Analytics needs Exchange Online (Plan 1) or Exchange Online (Plan 2)",
      );
    });

    it("counts no seat of T and frees no seat of S for members whose removal would fail (DependencyViolation)", () => {
      const more = (i: number): LicenseState[] => (i <= 2 ? [direct(WA)] : []);
      const p = previewGroup({ users: members(10, more), to: F3 });
      // All or nothing: u1 and u2 keep E1 from Sales (the removal fails) and get no F3.
      assert.equal(p.seats.SPE_F1?.needed, 8);
      assert.equal(p.seats.STANDARDPACK?.freed, 8);
      assert.match(
        check(p, "seats").detail,
        /2 members cannot take Microsoft 365 F3 \(see the conflicts and dependencies checks\): all or nothing, they get nothing from Sales and need no seat\./,
      );
    });

    it("passes when T carries the prerequisite (E1 → E3), or another source still provides it", () => {
      const more = (i: number): LicenseState[] => (i === 1 ? [direct(WA)] : []);
      assert.equal(check(previewGroup({ users: members(10, more) }), "dependencies").status, "pass");
      const kept = [user("u1", [fromGroup(E1), direct(WA), direct(E3)])];
      const c = check(previewGroup({ users: kept, to: F3 }), "dependencies");
      assert.equal(c.status, "pass");
      assert.equal(c.count, 0);
    });

    it("does not blame the change for a dependency that is unmet already", () => {
      const users = [user("u1", [fromGroup(E1, SALES, { disabledPlans: [PLAN.EXCHANGE_S_STANDARD] }), direct(WA)])];
      const p = previewGroup({
        users,
        to: F3,
        group: { assignedLicenses: [{ skuId: E1, disabledPlans: [PLAN.EXCHANGE_S_STANDARD] }] },
      });
      assert.equal(check(p, "dependencies").status, "pass");
    });
  });

  describe("all-or-nothing", () => {
    const audio = (): Product => product(AUDIO, "MCOMEETADV", ["MCOMEETADV"], 10, 3);
    /** Sales holds E1 and Audio Conferencing; its members hold both from it, some more. */
    const withAudio = (more: (i: number) => readonly LicenseState[]): Preview =>
      previewGroup({
        group: {
          assignedLicenses: [
            { skuId: E1, disabledPlans: [] },
            { skuId: AUDIO, disabledPlans: [] },
          ],
        },
        users: members(3, (i) => [fromGroup(AUDIO), ...more(i)]),
        products: [e1(), e3(), f3(), wa(), audio()],
      });

    it("blocks when a member in conflict would lose a product they have only from the group, naming it", () => {
      const c = check(
        withAudio((i) => (i === 2 ? [direct(E1)] : [])),
        "all-or-nothing",
      );
      assert.equal(c.status, "block");
      assert.equal(
        c.title,
        "1 of 3 members would lose a product they have only from Sales: Microsoft 365 Audio Conferencing",
      );
      assert.deepEqual(ids(c), ["u2"]);
      assert.equal(
        c.users?.[0].note,
        "loses Microsoft 365 Audio Conferencing: keeps Office 365 E1, direct, which conflicts with Office 365 E3",
      );
      assert.match(c.detail, /Remove the conflicting license first/);
    });

    it("counts the source too when the conflict comes from another product: F3 kept directly, E1 only from the group", () => {
      const p = previewGroup({ users: [user("u1", [fromGroup(E1), direct(F3)]), user("u2", [fromGroup(E1)])] });
      const c = check(p, "all-or-nothing");
      assert.equal(c.status, "block");
      assert.equal(c.title, "1 of 2 members would lose a product they have only from Sales: Office 365 E1");
      assert.equal(p.verdict, "blocked");
    });

    it("passes when each member in conflict has the group's products from elsewhere too", () => {
      const c = check(
        withAudio((i) => (i === 2 ? [direct(E1), direct(AUDIO)] : [])),
        "all-or-nothing",
      );
      assert.equal(c.status, "pass");
      assert.equal(c.title, "0 of 3 members would lose a product they have only from Sales");
      // The conflict itself still warns: u2 gets nothing from Sales.
      assert.equal(
        check(
          withAudio((i) => (i === 2 ? [direct(E1), direct(AUDIO)] : [])),
          "conflicts",
        ).status,
        "warn",
      );
    });

    it("passes when nobody is in conflict", () => {
      assert.equal(
        check(
          withAudio(() => []),
          "all-or-nothing",
        ).status,
        "pass",
      );
    });
  });

  describe("group-products", () => {
    const audio = (): Product => product(AUDIO, "MCOMEETADV", ["MCOMEETADV"], 10, 3);
    const holding = (...skuIds: string[]) => ({
      assignedLicenses: skuIds.map((skuId) => ({ skuId, disabledPlans: [] })),
    });

    it("passes and names the group's products when they go together", () => {
      const c = check(previewGroup(), "group-products");
      assert.equal(c.status, "pass");
      assert.equal(c.title, "Sales would hold 1 product, none in conflict or missing a prerequisite: Office 365 E3");
    });

    it("blocks E1 → F3 on a group that also holds Audio Conferencing: its prerequisite leaves the group", () => {
      const p = previewGroup({
        group: holding(E1, AUDIO),
        users: members(3, () => [fromGroup(AUDIO)]),
        products: [e1(), e3(), f3(), wa(), audio()],
        to: F3,
      });
      const c = check(p, "group-products");
      assert.equal(c.status, "block");
      assert.equal(c.title, "Sales would hold an add-on without its prerequisite");
      assert.match(
        c.detail,
        /^Microsoft 365 Audio Conferencing needs Skype for Business Online \(Plan 2\) in the same group, and Sales would have none\. Entra refuses/,
      );
      // E1 → E3 keeps Skype for Business Online (Plan 2): fine.
      const ok = previewGroup({
        group: holding(E1, AUDIO),
        users: members(3, () => [fromGroup(AUDIO)]),
        products: [e1(), e3(), f3(), wa(), audio()],
      });
      assert.equal(
        check(ok, "group-products").title,
        "Sales would hold 2 products, none in conflict or missing a prerequisite: Microsoft 365 Audio Conferencing, Office 365 E3",
      );
    });

    it("blocks a move that puts two products whose plans exclude each other on the group", () => {
      // Sales holds E1 and Workplace Analytics; moving Workplace Analytics to E3 leaves E1 next to E3.
      const p = previewGroup({
        group: holding(E1, WA),
        users: members(2, () => [fromGroup(WA)]),
        from: WA,
        to: E3,
      });
      const c = check(p, "group-products");
      assert.equal(c.status, "block");
      assert.equal(c.title, "Sales would hold products that exclude each other");
      assert.match(
        c.detail,
        /^SharePoint \(Plan 1\) \(Office 365 E1\) excludes SharePoint \(Plan 2\) \(Office 365 E3\)/,
      );
    });
  });

  describe("subscription-term", () => {
    const withTerms = (list: SubscriptionsRead["list"]) =>
      previewGroupChange({
        group: group(),
        members: { users: members(25), nestedGroups: [] },
        products: [e1(), e3(), f3(), wa()],
        fromSkuId: E1,
        toSkuId: E3,
        subscriptions: { list, readAt: new Date("2026-12-01T00:00:00Z") },
      });
    const e3Subscription = (extra: Partial<Subscription>): Subscription => ({
      skuId: E3,
      status: "Enabled",
      isTrial: false,
      nextLifecycleDateTime: "2030-06-30T00:00:00Z",
      totalLicenses: 50,
      ...extra,
    });

    it("passes for a paid subscription that renews after 30 days, with its date", () => {
      const c = check(withTerms([e3Subscription({})]), "subscription-term");
      assert.deepEqual([c.status, c.title], ["pass", "Office 365 E3: 1 paid subscription, next renewal 2030-06-30"]);
    });

    it("warns for a trial, with its licenses and end", () => {
      const c = check(
        withTerms([e3Subscription({ isTrial: true, nextLifecycleDateTime: "2027-01-31T00:00:00Z" })]),
        "subscription-term",
      );
      assert.equal(c.status, "warn");
      assert.equal(c.title, "Office 365 E3 is a trial subscription");
      assert.match(
        c.detail,
        /^Office 365 E3: a trial of 50 licenses until 2027-01-31\. Members moved onto it lose it when it ends/,
      );
    });

    it("warns for one that moves to its next state within 30 days, counting the days", () => {
      const c = check(
        withTerms([e3Subscription({ nextLifecycleDateTime: "2026-12-21T00:00:00Z" })]),
        "subscription-term",
      );
      assert.equal(c.status, "warn");
      assert.equal(c.title, "Office 365 E3's subscription ends soon");
      assert.match(
        c.detail,
        /50 licenses \(Enabled\) that move to their next state on 2026-12-21 unless renewed, in 20 days/,
      );
      // Day 31 does not warn.
      assert.equal(
        check(withTerms([e3Subscription({ nextLifecycleDateTime: "2027-01-01T00:00:00Z" })]), "subscription-term")
          .status,
        "pass",
      );
    });

    it("says so when the subscriptions could not be read (no permission) or list none of T", () => {
      const denied = check(withTerms(undefined), "subscription-term");
      assert.equal(denied.status, "info");
      assert.match(
        denied.detail,
        /needs the Organization\.Read\.All application permission, which this app was not granted/,
      );
      assert.equal(check(withTerms([]), "subscription-term").title, "No subscription of Office 365 E3 is listed");
    });
  });

  describe("group-size, entra-id-p1, guests, and a paused dynamic rule", () => {
    it("group-size: passes under 10,000 members, informs from 10,000, warns past Microsoft's 60,000", () => {
      const g = group();
      assert.deepEqual(
        [25, 10_000, 60_000, 60_001].map((n) => [groupSizeCheck(g, n).status, groupSizeCheck(g, n).title]),
        [
          ["pass", "Sales has 25 members"],
          ["info", "Sales has 10,000 members"],
          ["info", "Sales has 60,000 members"],
          ["warn", "Sales has 60,001 members"],
        ],
      );
      assert.match(
        groupSizeCheck(g, 60_001).detail,
        /up to 24 hours for a group of 60,000 users, and this one is larger/,
      );
    });

    it("entra-id-p1: passes when the target includes it (E3)", () => {
      const c = check(previewGroup(), "entra-id-p1");
      assert.equal(c.status, "pass");
      assert.equal(c.title, "Office 365 E3 includes the right to group-based licensing");
    });

    it("entra-id-p1: counts the tenant's seats of products that include it when the target does not", () => {
      // E1 → F3: the tenant's 50 E3 seats cover the 25 members.
      const p = previewGroup({ to: F3 });
      assert.deepEqual(
        [check(p, "entra-id-p1").status, check(p, "entra-id-p1").title],
        ["pass", "Entra ID P1 or a product with it: 50 seats for 25 members of Sales"],
      );
      const fewer = previewGroup({ to: F3, products: [e1(), e3(10, 5), f3(), wa()] });
      assert.equal(check(fewer, "entra-id-p1").status, "info");
      assert.equal(
        check(fewer, "entra-id-p1").title,
        "Entra ID P1 or a product with it: 10 seats for 25 members of Sales",
      );
    });

    it("entra-id-p1: warns when the tenant owns none", () => {
      const c = check(previewGroup({ to: F3, products: [e1(), f3(), wa()] }), "entra-id-p1");
      assert.equal(c.status, "warn");
      assert.equal(c.title, "The tenant owns no Entra ID P1, nor a product that includes it");
    });

    it("guests: lists the members who are guests", () => {
      const users = [...members(3), { ...user("guest1", [fromGroup(E1)]), userType: "Guest" }];
      const c = check(previewGroup({ users }), "guests");
      assert.equal(c.status, "info");
      assert.equal(c.title, "1 of 4 members of Sales are guests");
      assert.deepEqual(ids(c), ["guest1"]);
      assert.equal(check(previewGroup(), "guests").status, "pass");
    });

    it("dynamic-membership: warns when the rule's processing is paused", () => {
      const dynamic = { groupTypes: ["DynamicMembership"], membershipRule: 'user.department -eq "Sales"' };
      const paused = check(
        previewGroup({ group: { ...dynamic, membershipRuleProcessingState: "Paused" } }),
        "dynamic-membership",
      );
      assert.equal(paused.status, "warn");
      assert.equal(paused.title, "Sales is a dynamic group whose rule processing is paused");
      const on = check(
        previewGroup({ group: { ...dynamic, membershipRuleProcessingState: "On" } }),
        "dynamic-membership",
      );
      assert.equal(on.status, "info");
    });
  });

  describe("service-continuity", () => {
    it("blocks E1 → F3, naming the workloads F3 does not carry and what to do", () => {
      const p = previewGroup({ to: F3 });
      const c = check(p, "service-continuity");
      assert.equal(c.status, "block");
      assert.equal(
        c.title,
        "Sales would lose Exchange mailbox, SharePoint and OneDrive, Office for the web, Skype for Business with Microsoft 365 F3",
      );
      assert.match(c.detail, /choose a target that includes them/);
      assert.equal(p.verdict, "blocked");
    });

    it("passes E1 → F3 when the group already has those plans off", () => {
      const off = [PLAN.EXCHANGE_S_STANDARD, PLAN.SHAREPOINTSTANDARD, PLAN.SHAREPOINTWAC, PLAN.MCOSTANDARD];
      const c = check(
        previewGroup({ to: F3, group: { assignedLicenses: [{ skuId: E1, disabledPlans: off }] } }),
        "service-continuity",
      );
      assert.equal(c.status, "pass");
      assert.equal(c.title, "Microsoft 365 F3 carries all 1 plan Office 365 E1 enables on Sales");
    });

    it("passes E1 → E3 by family", () => {
      assert.equal(check(previewGroup(), "service-continuity").status, "pass");
    });

    it("counts only plans that apply to users: a company-level plan of E1 that E3 lacks loses nobody anything", () => {
      const companyPlan = {
        id: "0feaeb32-0000-4000-8000-00000000c0de",
        name: "COMPANY_WIDE_SERVICE",
        appliesTo: "Company" as const,
      };
      const withCompanyPlan = e1({ servicePlans: [...e1().servicePlans, companyPlan] });
      const c = check(previewGroup({ products: [withCompanyPlan, e3(), f3(), wa()] }), "service-continuity");
      assert.equal(c.status, "pass");
      assert.equal(c.title, "Office 365 E3 carries all 5 plans Office 365 E1 enables on Sales");
    });
  });

  describe("disabledPlans carry-over in the operation", () => {
    it("E1 with SharePoint Plan 1 off on the group → E3 with SharePoint Plan 2 off, Office apps on", () => {
      const p = previewGroup({
        group: { assignedLicenses: [{ skuId: E1, disabledPlans: [PLAN.SHAREPOINTSTANDARD] }] },
      });
      assert.deepEqual(p.operations, [
        {
          method: "POST",
          path: "/groups/g-sales/assignLicense",
          body: { addLicenses: [{ skuId: E3, disabledPlans: [PLAN.SHAREPOINTENTERPRISE] }], removeLicenses: [E1] },
        },
      ]);
      assert.equal(
        check(p, "service-continuity").title,
        "Office 365 E3 carries all 4 plans Office 365 E1 enables on Sales",
      );
    });

    it("a group that already holds T keeps what is on there: a plan stays off only if off on both", () => {
      const p = previewGroup({
        group: {
          assignedLicenses: [
            { skuId: E1, disabledPlans: [PLAN.SHAREPOINTSTANDARD, PLAN.TEAMS1] },
            { skuId: E3, disabledPlans: [PLAN.TEAMS1] },
          ],
        },
      });
      assert.deepEqual(p.operations[0].body.addLicenses, [{ skuId: E3, disabledPlans: [PLAN.TEAMS1] }]);
    });
  });

  describe("what the change removes: from.disabledPlans", () => {
    it("records the plans off on the group's S, and nothing when none is off", () => {
      const p = previewGroup({
        group: { assignedLicenses: [{ skuId: E1, disabledPlans: [PLAN.SHAREPOINTSTANDARD, PLAN.TEAMS1] }] },
      });
      assert.deepEqual(p.from, {
        skuId: E1,
        skuPartNumber: "STANDARDPACK",
        disabledPlans: [PLAN.SHAREPOINTSTANDARD, PLAN.TEAMS1],
      });
      assert.deepEqual(previewGroup().from, { skuId: E1, skuPartNumber: "STANDARDPACK" });
    });
  });

  describe("restoring an undone request (E3 back to E1)", () => {
    /** Sales after an E1 → E3 request #4: it holds E3, its 25 members hold E3 from it. */
    const undone = (s: Scenario = {}): Preview =>
      previewGroup({
        group: { assignedLicenses: [{ skuId: E3, disabledPlans: [] }] },
        users: Array.from({ length: 25 }, (_, k) => user(`u${k + 1}`, [fromGroup(E3)])),
        from: E3,
        to: E1,
        ...s,
      });
    const LOST = "Exchange Online (Plan 2), SharePoint (Plan 2), Microsoft 365 Apps for enterprise";

    it("without restore, the inverse is blocked by service-continuity", () => {
      const c = check(undone(), "service-continuity");
      assert.equal(c.status, "block");
      assert.equal(
        c.title,
        "Sales would lose Exchange mailbox, mailbox archive, SharePoint and OneDrive, desktop Office apps, shared computer activation and 1 more with Office 365 E1",
      );
    });

    it("adds E1 back with exactly the recorded disabled plans (not the carry-over) and removes E3, in one call", () => {
      const p = undone({ restore: { undoOf: 4, disabledPlans: [PLAN.SHAREPOINTSTANDARD, PLAN.TEAMS1] } });
      assert.deepEqual(p.operations, [
        {
          method: "POST",
          path: "/groups/g-sales/assignLicense",
          body: {
            addLicenses: [{ skuId: E1, disabledPlans: [PLAN.SHAREPOINTSTANDARD, PLAN.TEAMS1] }],
            removeLicenses: [E3],
          },
        },
      ]);
    });

    it("service-continuity warns with every plan the undone request brought, and how E1 is restored", () => {
      const p = undone({ restore: { undoOf: 4, disabledPlans: [PLAN.SHAREPOINTSTANDARD] } });
      const c = check(p, "service-continuity");
      assert.equal(c.status, "warn");
      assert.equal(c.title, `Undoing request #4 takes back 3 plans that came with Office 365 E3: ${LOST}`);
      assert.equal(
        c.detail,
        `Members of Sales lose the services of ${LOST}: they go back to Office 365 E1 as it was before request #4. Office 365 E1 is restored with 1 plan disabled, as before: SharePoint (Plan 1).`,
      );
      assert.deepEqual(notPass(p), ["service-continuity:warn"]);
      assert.equal(p.verdict, "warnings");
    });

    it("names all the plans in the detail when the title shortens the list", () => {
      // E1 restored with every plan off: all 6 plans of E3 go.
      const off = [
        PLAN.EXCHANGE_S_STANDARD,
        PLAN.SHAREPOINTSTANDARD,
        PLAN.SHAREPOINTWAC,
        PLAN.TEAMS1,
        PLAN.MCOSTANDARD,
      ];
      const c = check(undone({ restore: { undoOf: 4, disabledPlans: off } }), "service-continuity");
      assert.equal(
        c.title,
        "Undoing request #4 takes back 6 plans that came with Office 365 E3: Exchange Online (Plan 2), SharePoint (Plan 2), Office for the Web, Microsoft 365 Apps for enterprise, Microsoft Teams and 1 more",
      );
      assert.match(
        c.detail,
        /^Members of Sales lose the services of Exchange Online \(Plan 2\), SharePoint \(Plan 2\), Office for the Web, Microsoft 365 Apps for enterprise, Microsoft Teams, Skype for Business Online \(Plan 2\): /,
      );
      assert.match(
        c.detail,
        /restored with 5 plans disabled, as before: Exchange Online \(Plan 1\), SharePoint \(Plan 1\), Office for the Web, Microsoft Teams, Skype for Business Online \(Plan 2\)\.$/,
      );
    });

    it("a request that recorded no disabled plans restores E1 with all on, and says so", () => {
      const p = undone({ restore: { undoOf: 4, disabledPlans: [] } });
      assert.deepEqual(p.operations[0].body.addLicenses, [{ skuId: E1, disabledPlans: [] }]);
      assert.equal(
        check(p, "service-continuity").detail,
        `Members of Sales lose the services of ${LOST}: they go back to Office 365 E1 as it was before request #4. ` +
          "Office 365 E1 is restored with every plan enabled: request #4 recorded no disabled plans of it (none were off, or the request was made before License Desk recorded them). " +
          "If some were off, disable them on the Office 365 E1 assignment after the undo.",
      );
    });

    it("when nothing is lost (undoing a downgrade), service-continuity passes and still says how the product is restored", () => {
      const c = check(
        previewGroup({ restore: { undoOf: 9, disabledPlans: [PLAN.OFFICESUBSCRIPTION] } }),
        "service-continuity",
      );
      assert.equal(c.status, "pass");
      assert.equal(
        c.detail,
        "Nobody loses a service: Exchange mailbox, SharePoint and OneDrive, Teams, Office for the web, Skype for Business are kept, each plan by itself or by a plan of the same or a higher tier. Office 365 E3 is restored with 1 plan disabled, as before: Microsoft 365 Apps for enterprise.",
      );
    });

    it("still blocks on seats, and on every other check as usual", () => {
      const p = undone({
        products: [e1({ consumedUnits: 90 }), e3(), f3(), wa()],
        restore: { undoOf: 4, disabledPlans: [] },
      });
      assert.equal(check(p, "seats").status, "block");
      assert.equal(check(p, "seats").title, "Office 365 E1: 25 seats needed, 10 available, 15 short");
      assert.equal(check(p, "service-continuity").status, "warn");
      assert.equal(p.verdict, "blocked");
    });
  });

  describe("nested-groups", () => {
    it("warns with the count of nested groups, naming them", () => {
      const c = check(
        previewGroup({
          nested: [
            { id: "g1", displayName: "Sales EMEA" },
            { id: "g2", displayName: "Sales APAC" },
          ],
        }),
        "nested-groups",
      );
      assert.equal(c.status, "warn");
      assert.equal(c.count, 2);
      assert.equal(c.users, undefined);
      assert.equal(c.title, "Sales has 2 nested groups: their members get nothing from it");
      assert.match(c.detail, /Sales EMEA, Sales APAC/);
    });

    it("passes without nested groups", () => {
      assert.equal(check(previewGroup(), "nested-groups").status, "pass");
    });
  });

  describe("on-premises-sync", () => {
    it("is info for a synced group", () => {
      const c = check(previewGroup({ group: { onPremisesSyncEnabled: true } }), "on-premises-sync");
      assert.equal(c.status, "info");
      assert.match(c.detail, /on premises/);
    });

    it("passes for a cloud group, and for one synced once but no longer", () => {
      assert.equal(check(previewGroup(), "on-premises-sync").status, "pass");
      assert.equal(check(previewGroup({ group: { onPremisesSyncEnabled: false } }), "on-premises-sync").status, "pass");
    });
  });

  describe("dynamic-membership", () => {
    it("is info quoting the rule", () => {
      const rule = '(user.department -eq "Sales")';
      const c = check(
        previewGroup({ group: { groupTypes: ["DynamicMembership"], membershipRule: rule } }),
        "dynamic-membership",
      );
      assert.equal(c.status, "info");
      assert.ok(c.detail.includes(rule));
    });

    it("passes for assigned membership", () => {
      assert.equal(check(previewGroup(), "dynamic-membership").status, "pass");
    });
  });

  describe("usage-location", () => {
    it("is info with the members who have none; the verdict stays ready", () => {
      const users = [
        user("u1", [fromGroup(E1)], null),
        user("u2", [fromGroup(E1)], "DE"),
        user("u3", [fromGroup(E1)], null),
      ];
      const p = previewGroup({ users });
      const c = check(p, "usage-location");
      assert.equal(c.status, "info");
      assert.equal(c.title, "2 of 3 members have no usage location");
      assert.deepEqual(ids(c), ["u1", "u3"]);
      assert.equal(p.verdict, "ready");
    });

    it("passes when every member has one", () => {
      const c = check(previewGroup(), "usage-location");
      assert.equal(c.status, "pass");
      assert.equal(c.title, "All 25 members have a usage location");
    });
  });

  describe("existing-errors", () => {
    it("warns with counts by error code and what to do for each", () => {
      const users = [
        ...[1, 2, 3].map((i) => user(`c${i}`, [fromGroup(E1, SALES, { state: "Error", error: "CountViolation" })])),
        ...[1, 2].map((i) =>
          user(`x${i}`, [fromGroup(E1, SALES, { state: "Error", error: "MutuallyExclusiveViolation" }), direct(F3)]),
        ),
        user("other", [fromGroup(E1), fromGroup(E3, "g-other", { state: "Error", error: "CountViolation" })]),
        user("none", [fromGroup(E1, SALES, { error: "None" })]),
        ...members(5),
      ];
      const c = check(previewGroup({ users }), "existing-errors");
      assert.equal(c.status, "warn");
      assert.equal(c.title, "5 of 12 members are in a license error on Sales");
      assert.deepEqual(ids(c), ["c1", "c2", "c3", "x1", "x2"]);
      assert.ok(c.detail.startsWith("CountViolation 3, MutuallyExclusiveViolation 2."), c.detail);
      assert.match(c.detail, /CountViolation: not enough seats/);
      assert.match(c.detail, /MutuallyExclusiveViolation: they hold a conflicting product/);
      assert.equal(c.users?.[0].note, "CountViolation on Office 365 E1");
    });

    it("counts ActiveWithError without a code as Other", () => {
      const c = check(
        previewGroup({ users: [user("u1", [fromGroup(E1, SALES, { state: "ActiveWithError" })])] }),
        "existing-errors",
      );
      assert.equal(c.status, "warn");
      assert.ok(c.detail.startsWith("Other 1."));
    });

    it("passes when nobody is in error on the group", () => {
      const c = check(previewGroup(), "existing-errors");
      assert.equal(c.status, "pass");
      assert.equal(c.title, "0 of 25 members are in a license error on Sales");
    });
  });

  describe("processing-state", () => {
    it("warns while the last change is queued or in progress", () => {
      for (const licenseProcessingState of ["QueuedForProcessing", "ProcessingInProgress"] as const) {
        const c = check(previewGroup({ group: { licenseProcessingState } }), "processing-state");
        assert.equal(c.status, "warn", licenseProcessingState);
        assert.match(c.detail, /preview again/);
      }
    });

    it("passes when processing is complete or there was never a change", () => {
      assert.equal(check(previewGroup(), "processing-state").status, "pass");
      assert.equal(check(previewGroup({ group: { licenseProcessingState: null } }), "processing-state").status, "pass");
    });
  });

  describe("verdicts and odd data", () => {
    it("ready, warnings, blocked", () => {
      assert.equal(previewGroup().verdict, "ready");
      assert.equal(previewGroup({ group: { licenseProcessingState: "ProcessingInProgress" } }).verdict, "warnings");
      assert.equal(previewGroup({ users: members(31) }).verdict, "blocked");
    });

    it("an empty group, users without states and products without plans do not throw", () => {
      const empty = previewGroup({ users: [] });
      assert.deepEqual(
        empty.checks.map((c) => c.id),
        GROUP_CHECKS,
      );
      assert.equal(empty.target.type === "group" && empty.target.memberCount, 0);
      assert.deepEqual(empty.seats.ENTERPRISEPACK, {
        enabled: 50,
        consumed: 20,
        available: 30,
        needed: 0,
        shortfall: 0,
      });
      assert.equal(check(empty, "usage-location").title, "All 0 members have a usage location");

      const bare = [product(E1, "STANDARDPACK", [], 5, 5), product(E3, "ENTERPRISEPACK", [], 5, 0)];
      const p = previewGroup({ users: [user("u1"), user("u2", [direct("unknown-sku")], null)], products: bare });
      assert.deepEqual(
        p.checks.map((c) => c.id),
        GROUP_CHECKS,
      );
      assert.deepEqual(p.seats.ENTERPRISEPACK, { enabled: 5, consumed: 0, available: 5, needed: 2, shortfall: 0 });
      assert.equal(check(p, "service-continuity").status, "pass");
    });
  });
});

describe("previewUserChange", () => {
  const groupNames = new Map([
    [SALES, "Sales"],
    ["g-mkt", "Marketing"],
  ]);
  const preview = (u: TenantUser, products: Product[] = [e1(), e3(), f3(), wa()], to = E3): Preview =>
    previewUserChange({ user: u, groupNames, products, fromSkuId: E1, toSkuId: to, subscriptions: SUBSCRIPTIONS });
  const USER_CHECKS: CheckId[] = [
    "source-assigned",
    "target-subscribed",
    "subscription-term",
    "seats",
    "conflicts",
    "dependencies",
    "service-continuity",
    "usage-location",
  ];

  it("direct only: ready, the applicable checks in table order, one call with the add and the remove", () => {
    const p = preview(user("megan", [direct(E1, { disabledPlans: [PLAN.SHAREPOINTSTANDARD] })]));
    assert.deepEqual(
      p.checks.map((c) => c.id),
      USER_CHECKS,
    );
    assert.deepEqual(notPass(p), []);
    assert.equal(p.verdict, "ready");
    assert.equal(p.kind, "user-change");
    assert.deepEqual(p.target, {
      type: "user",
      id: "megan",
      displayName: "User megan",
      userPrincipalName: "megan@contoso.com",
    });
    assert.equal(check(p, "source-assigned").title, "User megan holds Office 365 E1 directly");
    assert.deepEqual(p.seats, {
      ENTERPRISEPACK: { enabled: 50, consumed: 20, available: 30, needed: 1, shortfall: 0 },
      STANDARDPACK: { enabled: 100, consumed: 60, available: 40, freed: 1 },
    });
    assert.deepEqual(p.operations, [
      {
        method: "POST",
        path: "/users/megan/assignLicense",
        body: { addLicenses: [{ skuId: E3, disabledPlans: [PLAN.SHAREPOINTENTERPRISE] }], removeLicenses: [E1] },
      },
    ]);
  });

  it("group only: blocks and names the group the change belongs to", () => {
    const p = preview(user("megan", [fromGroup(E1)]));
    const c = check(p, "source-assigned");
    assert.equal(c.status, "block");
    assert.equal(c.title, "User megan holds Office 365 E1 only through group Sales");
    assert.match(c.detail, /move group Sales from Office 365 E1 to Office 365 E3 instead/);
    assert.equal(p.verdict, "blocked");
    assert.equal(p.seats.STANDARDPACK.freed, 0);
  });

  it("does not hold the source at all: blocks", () => {
    const c = check(preview(user("megan", [direct(F3)])), "source-assigned");
    assert.equal(c.status, "block");
    assert.equal(c.title, "User megan does not hold Office 365 E1");
  });

  it("no usage location: blocks with what to do", () => {
    const p = preview(user("megan", [direct(E1)], null));
    const c = check(p, "usage-location");
    assert.equal(c.status, "block");
    assert.equal(c.title, "User megan has no usage location");
    assert.deepEqual(ids(c), ["megan"]);
    assert.equal(p.verdict, "blocked");
  });

  it("direct and through a group: passes source-assigned, blocks on the kept E1's conflict (Graph would refuse the call), frees no seat", () => {
    const p = preview(user("megan", [direct(E1), fromGroup(E1, "g-mkt")]));
    assert.equal(check(p, "source-assigned").status, "pass");
    assert.match(check(p, "source-assigned").detail, /group Marketing/);
    const c = check(p, "conflicts");
    assert.equal(c.status, "block");
    assert.equal(c.title, "User megan keeps a license that conflicts with Office 365 E3");
    assert.match(c.detail, /Graph refuses the whole call/);
    assert.equal(
      c.users?.[0].note,
      "SharePoint (Plan 2) conflicts with SharePoint (Plan 1) (Office 365 E1, group Marketing)",
    );
    assert.equal(p.seats.STANDARDPACK.freed, 0);
    assert.equal(p.verdict, "blocked");
  });

  it("already holding the target through a group: needs no seat", () => {
    const p = preview(user("megan", [direct(E1), fromGroup(E3, "g-mkt")]));
    assert.deepEqual(p.seats.ENTERPRISEPACK, { enabled: 50, consumed: 20, available: 30, needed: 0, shortfall: 0 });
  });

  it("seats: blocks when none is available", () => {
    const p = preview(user("megan", [direct(E1)]), [e1(), e3(20, 20)]);
    assert.deepEqual(p.seats.ENTERPRISEPACK, { enabled: 20, consumed: 20, available: 0, needed: 1, shortfall: 1 });
    assert.equal(check(p, "seats").status, "block");
  });

  it("dependencies, service-continuity and target-subscribed apply as for a group (a lost prerequisite blocks: Graph refuses the call)", () => {
    const p = preview(user("megan", [direct(E1), direct(WA)]), [e1(), e3(), f3(), wa()], F3);
    assert.equal(check(p, "dependencies").status, "block");
    assert.deepEqual(ids(check(p, "dependencies")), ["megan"]);
    assert.equal(check(p, "service-continuity").status, "block");
    assert.equal(
      check(p, "service-continuity").title,
      "User megan would lose Exchange mailbox, SharePoint and OneDrive, Office for the web, Skype for Business with Microsoft 365 F3",
    );
    const warned = preview(user("megan", [direct(E1)]), [e1(), e3(50, 20, { capabilityStatus: "Warning" })]);
    assert.equal(check(warned, "target-subscribed").status, "warn");
  });

  it("records the plans off on the user's direct S: what an undo restores", () => {
    const p = preview(
      user("megan", [
        direct(E1, { disabledPlans: [PLAN.SHAREPOINTSTANDARD] }),
        fromGroup(E1, "g-mkt", { disabledPlans: [PLAN.TEAMS1] }),
      ]),
    );
    assert.deepEqual(p.from, { skuId: E1, skuPartNumber: "STANDARDPACK", disabledPlans: [PLAN.SHAREPOINTSTANDARD] });
  });

  it("restoring: E1 back with the recorded plans off, E3 removed; the plans E3 brought warn instead of blocking", () => {
    const p = previewUserChange({
      user: user("megan", [direct(E3)]),
      groupNames,
      products: [e1(), e3()],
      fromSkuId: E3,
      toSkuId: E1,
      restore: { undoOf: 2, disabledPlans: [PLAN.TEAMS1] },
      subscriptions: SUBSCRIPTIONS,
    });
    assert.deepEqual(p.operations, [
      {
        method: "POST",
        path: "/users/megan/assignLicense",
        body: { addLicenses: [{ skuId: E1, disabledPlans: [PLAN.TEAMS1] }], removeLicenses: [E3] },
      },
    ]);
    const c = check(p, "service-continuity");
    assert.equal(c.status, "warn");
    // TEAMS1 is off on the restored E1, so it goes too.
    assert.equal(
      c.title,
      "Undoing request #2 takes back 4 plans that came with Office 365 E3: Exchange Online (Plan 2), SharePoint (Plan 2), Microsoft 365 Apps for enterprise, Microsoft Teams",
    );
    assert.match(c.detail, /^User megan loses the services of /);
    assert.deepEqual(notPass(p), ["service-continuity:warn"]);
  });

  it("a user without any license state does not throw", () => {
    const p = preview(user("megan"));
    assert.deepEqual(
      p.checks.map((c) => c.id),
      USER_CHECKS,
    );
    assert.equal(p.verdict, "blocked");
  });
});
