import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  DEMO_GROUP_NAMES,
  DEMO_LAYOUT,
  OPERATIONS_DISABLED_PLANS,
  OPERATIONS_OTHER_DISABLED_PLANS,
  generateDemoTenant,
  generateLargeTenant,
  mulberry32,
} from "../../src/simulator/generator";
import { DEMO_IDS } from "../../src/simulator/demoIds";
import { PRODUCTS, PRODUCT_CATALOG, SERVICE_PLANS } from "../../src/simulator/productCatalog";
import { snapshotSchema, type Group, type TenantSnapshot, type User } from "../../src/simulator/snapshot";
import { countConsumedUnits, deriveAssignedLicenses, isHolding } from "../../src/simulator/derivedFields";
import { MUTUALLY_EXCLUSIVE_PLAN_SETS, PLAN_DEPENDENCIES } from "../../src/licensing/servicePlanRules";
import { validateSnapshot } from "../../src/simulator/snapshotValidation";
import { TenantState } from "../../src/simulator/tenantState";

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const E1 = PRODUCTS.STANDARDPACK.skuId;
const E3 = PRODUCTS.ENTERPRISEPACK.skuId;

/** What a snapshot looks like once written to disk and read back (no undefined, plain objects). */
function roundTrip<T>(value: T): unknown {
  return JSON.parse(JSON.stringify(value));
}

function parse(json: unknown): TenantSnapshot {
  return snapshotSchema.parse(json);
}

/** Lookups over a parsed snapshot, so that the tests read like the demo's story. */
class Tenant {
  readonly usersById: Map<string, User>;

  constructor(readonly s: TenantSnapshot) {
    this.usersById = new Map(s.users.map((u) => [u.id, u]));
  }

  group(name: string): Group {
    const g = this.s.groups.find((x) => x.displayName === name);
    assert.ok(g, `group ${name} exists`);
    return g;
  }

  userMembers(name: string): User[] {
    return this.group(name).members.flatMap((id) => this.usersById.get(id) ?? []);
  }

  freeSeats(skuId: string): number {
    const sku = this.s.subscribedSkus.find((x) => x.skuId === skuId);
    assert.ok(sku, `sku ${skuId} exists`);
    return sku.prepaidUnits.enabled - sku.consumedUnits;
  }

  static holds(u: User, skuId: string): boolean {
    return u.licenseAssignmentStates.some((s) => s.skuId === skuId && isHolding(s));
  }

  static direct(u: User, skuId: string): boolean {
    return u.licenseAssignmentStates.some((s) => s.skuId === skuId && s.assignedByGroup === null && isHolding(s));
  }

  /** Members who would take a new seat of skuId: those not holding it yet. */
  newSeatsFor(name: string, skuId: string): number {
    return this.userMembers(name).filter((u) => !Tenant.holds(u, skuId)).length;
  }
}

describe("tenant generator", () => {
  const demo = generateDemoTenant();
  const tenant = new Tenant(parse(demo));

  describe("determinism", () => {
    it("writes tenants/demo.json exactly as generateDemoTenant() makes it", () => {
      const committed: unknown = JSON.parse(readFileSync(join(__dirname, "../../tenants/demo.json"), "utf8"));
      assert.deepStrictEqual(
        committed,
        roundTrip(demo),
        "regenerate with: npx tsx scripts/generate-tenant.ts --demo --out tenants/demo.json",
      );
    });

    it("gives the same output for the same seed and a different one for another seed", () => {
      assert.deepStrictEqual(roundTrip(generateDemoTenant()), roundTrip(demo));
      assert.deepStrictEqual(
        roundTrip(generateLargeTenant({ users: 300, seed: 7 })),
        roundTrip(generateLargeTenant({ users: 300, seed: 7 })),
      );
      assert.notDeepStrictEqual(
        roundTrip(generateLargeTenant({ users: 300, seed: 7 })),
        roundTrip(generateLargeTenant({ users: 300, seed: 8 })),
      );
      assert.notDeepStrictEqual(roundTrip(generateDemoTenant({ seed: 2 })), roundTrip(demo));
    });

    it("keeps the fixed ids whatever the demo's seed", () => {
      const other = new Tenant(parse(generateDemoTenant({ seed: 99 })));
      assert.equal(other.s.organization.id, DEMO_IDS.organization);
      for (const id of [DEMO_IDS.adele, DEMO_IDS.patti, DEMO_IDS.megan]) assert.ok(other.usersById.has(id));
    });

    it("has a PRNG that repeats itself from a seed", () => {
      const a = mulberry32(42);
      const b = mulberry32(42);
      const xs = Array.from({ length: 5 }, () => a());
      assert.deepStrictEqual(
        Array.from({ length: 5 }, () => b()),
        xs,
      );
      assert.ok(xs.every((x) => x >= 0 && x < 1));
    });
  });

  describe("every snapshot is well formed", () => {
    const snapshots: [string, () => unknown][] = [
      ["the demo", () => roundTrip(demo)],
      ["a 2,000-user large tenant", () => roundTrip(generateLargeTenant({ users: 2000, seed: 3 }))],
    ];
    for (const [name, make] of snapshots) {
      describe(name, () => {
        const s = parse(make());

        it("parses with snapshotSchema", () => {
          assert.ok(s.users.length > 0);
        });

        it("uses valid, unique GUIDs and unique first.last@contoso.com UPNs", () => {
          const ids = [...s.users.map((u) => u.id), ...s.groups.map((g) => g.id)];
          assert.ok(ids.every((id) => GUID.test(id)));
          assert.equal(new Set(ids).size, ids.length);
          const upns = s.users.map((u) => u.userPrincipalName);
          assert.equal(new Set(upns).size, upns.length);
          const fixed = new Set(["adelev@contoso.com", "pattif@contoso.com", "megan@contoso.com"]);
          assert.ok(
            upns.every((upn) => fixed.has(upn) || /^[a-z]+\.[a-z]+\d*@contoso\.com$/.test(upn)),
            "first.last@contoso.com",
          );
        });

        it("derives every user's assignedLicenses from its states", () => {
          for (const u of s.users)
            assert.deepStrictEqual(
              u.assignedLicenses,
              deriveAssignedLicenses(u.licenseAssignmentStates),
              u.userPrincipalName,
            );
        });

        it("counts every product's consumedUnits from the states", () => {
          for (const sku of s.subscribedSkus)
            assert.equal(sku.consumedUnits, countConsumedUnits(s.users, sku.skuId), sku.skuPartNumber);
        });

        it("names in each state a group the user is a direct member of, which holds that product", () => {
          const groups = new Map(s.groups.map((g) => [g.id, g]));
          for (const u of s.users) {
            for (const st of u.licenseAssignmentStates) {
              if (st.assignedByGroup === null) continue;
              const g = groups.get(st.assignedByGroup);
              assert.ok(
                g !== undefined && g.members.includes(u.id),
                `${u.userPrincipalName} is a member of ${st.assignedByGroup}`,
              );
              assert.ok(g.assignedLicenses.some((l) => l.skuId === st.skuId));
            }
          }
        });

        it("has every licensed group ProcessingComplete", () => {
          for (const g of s.groups.filter((x) => x.assignedLicenses.length > 0))
            assert.equal(g.licenseProcessingState?.state, "ProcessingComplete");
        });

        it("passes validateSnapshot and loads through TenantState.fromJson", () => {
          validateSnapshot(s);
          const state = TenantState.fromJson(make(), { processingDelayMs: 0 });
          assert.equal(state.users().length, s.users.length);
        });
      });
    }
  });

  describe("product catalog", () => {
    it("uses Microsoft's skuIds (Microsoft's product names and service plan identifiers)", () => {
      assert.equal(PRODUCTS.STANDARDPACK.skuId, "18181a46-0d4e-45cd-891e-60aabd171b4e");
      assert.equal(PRODUCTS.ENTERPRISEPACK.skuId, "6fd2c87f-b296-42f0-b197-1e91e994b900");
      assert.equal(PRODUCTS.ENTERPRISEPREMIUM.skuId, "c7df2760-2c81-4ef7-b578-5b5392b571df");
      assert.equal(PRODUCTS.SPE_E5.skuId, "06ebc4ee-1bb5-47dd-8120-11324bc54e06");
      assert.equal(PRODUCTS.SPB.skuId, "cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46");
      assert.equal(PRODUCTS.SPE_F1.skuId, "66b55226-6b4f-492c-910c-a3b7a3c9d993");
      assert.equal(PRODUCTS.ENTERPRISEPACK.displayName, "Office 365 E3");
      assert.equal(PRODUCTS.SPE_F1.displayName, "Microsoft 365 F3");
    });

    it("uses Microsoft's service plan ids", () => {
      assert.equal(SERVICE_PLANS.EXCHANGE_S_STANDARD, "9aaf7827-d63c-4b61-89c3-182f06f82e5c");
      assert.equal(SERVICE_PLANS.EXCHANGE_S_ENTERPRISE, "efb87545-963c-4e0d-99df-69c6916d9eb0");
      assert.equal(SERVICE_PLANS.EXCHANGE_S_DESKLESS, "4a82b400-a79f-41a4-b4e2-e94f5787b113");
      assert.equal(SERVICE_PLANS.SHAREPOINTSTANDARD, "c7699d2e-19aa-44de-8edf-1736da088ca1");
      assert.equal(SERVICE_PLANS.SHAREPOINTENTERPRISE, "5dbe027f-2339-4123-9542-606e4d348a72");
      assert.equal(SERVICE_PLANS.SHAREPOINTDESKLESS, "902b47e5-dcb2-4fdc-858b-c63a90a2bdb9");
      assert.equal(SERVICE_PLANS.SHAREPOINTWAC, "e95bec33-7c88-4a70-8e19-b10bd9d0c014");
      assert.equal(SERVICE_PLANS.TEAMS1, "57ff2da0-773e-42df-b2af-ffb7a2317929");
      assert.equal(SERVICE_PLANS.MCOSTANDARD, "0feaeb32-d00e-4d66-bd5a-43b5b83db82c");
      assert.equal(SERVICE_PLANS.MCOIMP, "afc06cb0-b4f4-4473-8286-d644f70d8faf");
      assert.equal(SERVICE_PLANS.OFFICESUBSCRIPTION, "43de0ff5-c92c-492b-9116-175376d08c38");
      assert.equal(SERVICE_PLANS.OFFICE_BUSINESS, "094e7854-93fc-4d55-b2c0-3ab5369ebdc1");
    });

    it("has valid, unique ids and plan names known to servicePlanRules where they matter", () => {
      const ruled = new Set([
        ...MUTUALLY_EXCLUSIVE_PLAN_SETS.flat(),
        ...PLAN_DEPENDENCIES.flatMap((d) => [d.plan, ...d.requiresAnyOf]),
      ]);
      assert.equal(new Set(PRODUCT_CATALOG.map((p) => p.skuId)).size, PRODUCT_CATALOG.length);
      for (const p of PRODUCT_CATALOG) {
        assert.ok(GUID.test(p.skuId));
        const ids = p.servicePlans.map((x) => x.servicePlanId);
        assert.equal(new Set(ids).size, ids.length, `${p.displayName} lists each plan once`);
        assert.ok(ids.every((id) => GUID.test(id)));
        assert.ok(
          p.servicePlans.some((x) => ruled.has(x.servicePlanName)),
          `${p.displayName} has a plan the rules know`,
        );
      }
      // Two ids never name two plans.
      const byId = new Map<string, string>();
      for (const [name, id] of Object.entries(SERVICE_PLANS)) {
        assert.equal(byId.get(id) ?? name, name, `${id} names one plan`);
        byId.set(id, name);
      }
    });
  });

  describe("the demo tenant's story", () => {
    const L = DEMO_LAYOUT;
    const N = DEMO_GROUP_NAMES;

    it("has about 300 users in Contoso", () => {
      assert.equal(tenant.s.users.length, 313);
      assert.equal(tenant.s.organization.displayName, "Contoso");
      assert.equal(tenant.s.organization.countryLetterCode, "US");
      const locations = new Set(tenant.s.users.map((u) => u.usageLocation));
      for (const l of locations) assert.ok(l === null || ["US", "GB", "DE", "FR"].includes(l));
    });

    it("has the Agents Playground users with their ids", () => {
      const adele = tenant.usersById.get(DEMO_IDS.adele);
      const patti = tenant.usersById.get(DEMO_IDS.patti);
      const megan = tenant.usersById.get(DEMO_IDS.megan);
      assert.equal(adele?.userPrincipalName, "adelev@contoso.com");
      assert.equal(adele.displayName, "Adele Vance");
      assert.equal(patti?.userPrincipalName, "pattif@contoso.com");
      assert.equal(patti.displayName, "Patti Fernandez");
      assert.equal(megan?.userPrincipalName, "megan@contoso.com");
      assert.equal(megan.displayName, "Megan Bowen");
      assert.equal(tenant.s.organization.id, DEMO_IDS.organization);
      assert.equal(tenant.group(N.helpdesk).id, DEMO_IDS.helpdeskGroup);
      assert.ok(tenant.group(N.helpdesk).members.includes(DEMO_IDS.adele));
      assert.equal(tenant.group(N.approvers).id, DEMO_IDS.approversGroup);
      assert.ok(tenant.group(N.approvers).members.includes(DEMO_IDS.patti));
    });

    it("has Megan holding E1 directly, and only E1 (move user megan@contoso.com from E1 to E3)", () => {
      const megan = tenant.usersById.get(DEMO_IDS.megan) as User;
      assert.deepStrictEqual(
        megan.licenseAssignmentStates.map((s) => [s.skuId, s.assignedByGroup, s.state]),
        [[E1, null, "Active"]],
      );
    });

    it("has Office 365 E3 with 95 free seats: enough for Marketing and Sales, 25 short for Customer Support", () => {
      const free = tenant.freeSeats(E3);
      assert.equal(free, 95);
      assert.equal(tenant.newSeatsFor(N.marketing, E3), 25);
      assert.equal(tenant.newSeatsFor(N.sales, E3), 56);
      assert.ok(
        tenant.newSeatsFor(N.marketing, E3) + tenant.newSeatsFor(N.sales, E3) <= free,
        "Marketing and Sales fit together",
      );
      assert.equal(tenant.newSeatsFor(N.customerSupport, E3), 120);
      assert.equal(tenant.newSeatsFor(N.customerSupport, E3) - free, 25, "Customer Support is 25 seats short");
    });

    it("has Sales on E1 by group, with direct E1, direct E3 and missing usage locations among its 60 members", () => {
      const sales = tenant.group(N.sales);
      assert.deepStrictEqual(sales.assignedLicenses, [{ skuId: E1, disabledPlans: [] }]);
      const members = tenant.userMembers(N.sales);
      assert.equal(members.length, 60);
      assert.equal(members.filter((u) => Tenant.direct(u, E1)).length, L.sales.directE1);
      assert.equal(members.filter((u) => Tenant.direct(u, E3)).length, L.sales.directE3);
      assert.equal(members.filter((u) => u.usageLocation === null).length, L.sales.noUsageLocation);
      // E3 held directly conflicts with E1 from the group (SharePoint Plan 1 vs Plan 2).
      const inError = members.filter((u) =>
        u.licenseAssignmentStates.some(
          (s) => s.assignedByGroup === sales.id && s.error === "MutuallyExclusiveViolation",
        ),
      );
      assert.equal(inError.length, L.sales.directE3);
      assert.ok(inError.every((u) => Tenant.direct(u, E3)));
      assert.ok(
        members.filter((u) => u.usageLocation === null).every((u) => Tenant.holds(u, E1)),
        "no usage location: the directory's is used",
      );
    });

    it("has Marketing clean: 25 members, E1 only from the group, no errors", () => {
      const marketing = tenant.group(N.marketing);
      const members = tenant.userMembers(N.marketing);
      assert.equal(members.length, 25);
      for (const u of members) {
        assert.deepStrictEqual(
          u.licenseAssignmentStates.map((s) => [s.skuId, s.assignedByGroup, s.state]),
          [[E1, marketing.id, "Active"]],
        );
      }
    });

    it("has Finance synced and Engineering dynamic with exactly the Engineering department", () => {
      assert.equal(tenant.group(N.finance).onPremisesSyncEnabled, true);
      assert.equal(tenant.userMembers(N.finance).length, 12);
      const eng = tenant.group(N.engineering);
      assert.deepStrictEqual(eng.groupTypes, ["DynamicMembership"]);
      assert.equal(eng.membershipRule, '(user.department -eq "Engineering")');
      assert.equal(eng.membershipRuleProcessingState, "On");
      const byDepartment = tenant.s.users
        .filter((u) => u.department === "Engineering")
        .map((u) => u.id)
        .sort();
      assert.deepStrictEqual([...eng.members].sort(), byDepartment);
      assert.equal(byDepartment.length, 24);
    });

    it("has All Staff EMEA nest Sales EMEA, whose members get nothing from it", () => {
      const all = tenant.group(N.allStaffEmea);
      const nested = tenant.group(N.salesEmea);
      assert.ok(all.members.includes(nested.id));
      assert.deepStrictEqual(nested.assignedLicenses, []);
      assert.equal(tenant.userMembers(N.allStaffEmea).length, 8);
      for (const u of tenant.userMembers(N.salesEmea)) assert.deepStrictEqual(u.licenseAssignmentStates, []);
    });

    it("has Contractors on E3 with 4 members in MutuallyExclusiveViolation and 8 Active", () => {
      const contractors = tenant.group(N.contractors);
      const states = tenant
        .userMembers(N.contractors)
        .map((u) => u.licenseAssignmentStates.find((s) => s.assignedByGroup === contractors.id));
      assert.equal(states.length, 12);
      assert.equal(states.filter((s) => s?.state === "Error" && s.error === "MutuallyExclusiveViolation").length, 4);
      assert.equal(states.filter((s) => s?.state === "Active").length, 8);
    });

    it("has the Analytics Team on E1 with Workplace Analytics held directly", () => {
      const members = tenant.userMembers(N.analytics);
      assert.equal(members.length, 8);
      assert.ok(members.every((u) => Tenant.direct(u, PRODUCTS.WORKPLACE_ANALYTICS.skuId) && Tenant.holds(u, E1)));
    });

    it("has Operations unlicensed, its members mostly on E3 directly with the same disabledPlans", () => {
      const ops = tenant.group(N.operations);
      assert.deepStrictEqual(ops.assignedLicenses, []);
      const members = tenant.userMembers(N.operations);
      assert.equal(members.length, 16);
      const planIds = (names: readonly string[]) =>
        names.map((n) => SERVICE_PLANS[n as keyof typeof SERVICE_PLANS]).sort();
      const disabledOf = (u: User) =>
        u.licenseAssignmentStates.find((s) => s.skuId === E3 && s.assignedByGroup === null)?.disabledPlans;
      assert.equal(members.filter((u) => Tenant.direct(u, E3)).length, 13);
      assert.equal(
        members.filter((u) => JSON.stringify(disabledOf(u)) === JSON.stringify(planIds(OPERATIONS_DISABLED_PLANS)))
          .length,
        11,
      );
      assert.equal(
        members.filter(
          (u) => JSON.stringify(disabledOf(u)) === JSON.stringify(planIds(OPERATIONS_OTHER_DISABLED_PLANS)),
        ).length,
        2,
      );
      const outsiders = tenant.s.users.filter(
        (u) => u.department === "Operations" && !ops.members.includes(u.id) && Tenant.direct(u, E3),
      );
      assert.equal(outsiders.length, 3);
    });

    it("has Project Phoenix as a Microsoft 365 group that cannot hold licenses", () => {
      const phoenix = tenant.group(N.phoenix);
      assert.deepStrictEqual(phoenix.groupTypes, ["Unified"]);
      assert.equal(phoenix.securityEnabled, false);
      assert.equal(phoenix.mailEnabled, true);
      assert.deepStrictEqual(phoenix.assignedLicenses, []);
      assert.ok(phoenix.members.length > 0);
    });

    it("has Frontline on F3 and the oddly named O'Brien group on E1", () => {
      assert.deepStrictEqual(tenant.group(N.frontline).assignedLicenses, [
        { skuId: PRODUCTS.SPE_F1.skuId, disabledPlans: [] },
      ]);
      assert.ok(tenant.userMembers(N.frontline).every((u) => Tenant.holds(u, PRODUCTS.SPE_F1.skuId)));
      const obrien = tenant.group("O'Brien & Sons (EMEA), #1");
      assert.deepStrictEqual(obrien.assignedLicenses, [{ skuId: E1, disabledPlans: [] }]);
      assert.equal(obrien.members.length, 4);
    });

    it("has Office 365 E5 in Warning and Microsoft 365 E5 Suspended", () => {
      const sku = (id: string) => tenant.s.subscribedSkus.find((s) => s.skuId === id);
      assert.equal(sku(PRODUCTS.ENTERPRISEPREMIUM.skuId)?.capabilityStatus, "Warning");
      assert.equal(sku(PRODUCTS.ENTERPRISEPREMIUM.skuId)?.consumedUnits, 5);
      assert.equal(sku(PRODUCTS.SPE_E5.skuId)?.capabilityStatus, "Suspended");
      assert.equal(sku(PRODUCTS.SPE_E5.skuId)?.consumedUnits, 0);
    });

    it("has the seat numbers docs/tenant-snapshot.md states", () => {
      const seats = Object.fromEntries(
        tenant.s.subscribedSkus.map((s) => [s.skuPartNumber, [s.prepaidUnits.enabled, s.consumedUnits]]),
      );
      assert.deepStrictEqual(seats, {
        STANDARDPACK: [300, 262],
        ENTERPRISEPACK: [124, 29],
        ENTERPRISEPREMIUM: [0, 5],
        SPE_F1: [10, 6],
        SPB: [5, 4],
        SPE_E5: [0, 0],
        WORKPLACE_ANALYTICS: [10, 8],
        MCOMEETADV: [10, 4],
      });
    });
  });

  describe("large tenant", () => {
    it("generates 100,000 users on E1 through All Employees in a few seconds", function () {
      this.timeout(60_000);
      const started = Date.now();
      const s = generateLargeTenant({ users: 100_000 });
      const elapsed = Date.now() - started;
      assert.ok(elapsed < 10_000, `took ${elapsed} ms`);
      assert.equal(s.users.length, 100_000);
      const all = s.groups.find((g) => g.displayName === "All Employees");
      assert.equal(all?.members.length, 100_000);
      assert.equal(s.subscribedSkus.find((x) => x.skuId === E1)?.consumedUnits, 100_000);
      assert.ok((s.subscribedSkus.find((x) => x.skuId === E3)?.prepaidUnits.enabled ?? 0) > 0);
    });

    it("loads a 5,000-user tenant through TenantState.fromJson", function () {
      this.timeout(60_000);
      const state = TenantState.fromJson(roundTrip(generateLargeTenant({ users: 5000 })), { processingDelayMs: 0 });
      assert.equal(state.users().length, 5000);
    });

    it("refuses a non-positive user count", () => {
      assert.throws(() => generateLargeTenant({ users: 0 }), RangeError);
    });
  });
});
