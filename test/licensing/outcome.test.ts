import assert from "node:assert/strict";
import type { LicenseState, TenantGroup, TenantUser } from "../../src/licensing/model";
import { groupOutcome, userOutcome } from "../../src/licensing/outcome";
import { whatToDoFor } from "../../src/licensing/licenseErrors";
import { E1, E3 } from "../support/productIds";
import { licenseState as state, product, securityGroup } from "../support/tenantBuilder";

const SALES = "g-sales";
const OTHER = "g-other";

// As read after the change: E3 is full (the CountViolation), E1 keeps the direct holder's seat.
const PRODUCTS = [product(E1, "STANDARDPACK", [], 10, 1), product(E3, "ENTERPRISEPACK", [], 3, 3)];

const user = (id: string, states: readonly LicenseState[]): TenantUser => ({
  id,
  displayName: `User ${id}`,
  userPrincipalName: `${id}@contoso.com`,
  usageLocation: "US",
  userType: "Member",
  assignedLicenses: [
    ...new Set(states.filter((s) => s.state === "Active" || s.state === "ActiveWithError").map((s) => s.skuId)),
  ].map((skuId) => ({ skuId, disabledPlans: [] })),
  licenseStates: states,
});
const sales: TenantGroup = securityGroup(SALES, "Sales", {
  assignedLicenses: [{ skuId: E3, disabledPlans: [] }],
  licenseProcessingState: "ProcessingComplete",
});

describe("outcome report", () => {
  it("after Sales moved from E1 to E3: 3 moved, 1 CountViolation, 1 MutuallyExclusiveViolation", () => {
    const users = [
      user("u1", [state(E3, SALES)]),
      user("u2", [state(E3, SALES)]),
      user("u3", [state(E3, SALES)]),
      user("u4", [state(E3, SALES, { state: "Error", error: "CountViolation" })]),
      user("u5", [state(E1, null), state(E3, SALES, { state: "Error", error: "MutuallyExclusiveViolation" })]),
    ];
    const report = groupOutcome({
      group: sales,
      members: { users, nestedGroups: [{ id: "g-nested", displayName: "Nested" }] },
      products: PRODUCTS,
      fromSkuId: E1,
      toSkuId: E3,
    });
    assert.deepEqual(report, {
      members: 5,
      holdTarget: 3,
      holdSource: 1,
      failed: 2,
      errors: [
        {
          error: "CountViolation",
          count: 1,
          whatToDo: whatToDoFor("CountViolation"),
          users: [{ id: "u4", displayName: "User u4", userPrincipalName: "u4@contoso.com" }],
        },
        {
          error: "MutuallyExclusiveViolation",
          count: 1,
          whatToDo: whatToDoFor("MutuallyExclusiveViolation"),
          users: [
            {
              id: "u5",
              displayName: "User u5",
              userPrincipalName: "u5@contoso.com",
              note: "also holds Office 365 E1 (direct)",
            },
          ],
        },
      ],
      seats: {
        ENTERPRISEPACK: { enabled: 3, consumed: 3, available: 0 },
        STANDARDPACK: { enabled: 10, consumed: 1, available: 9 },
      },
    });
    assert.match(report.errors[0]!.whatToDo, /seats/);
  });

  it("counts only T from the changed group as failed; ActiveWithError and an error without a code count, 'None' does not", () => {
    const users = [
      // T from another group in error: not this change's failure (and the user holds E3 from nowhere).
      user("a", [state(E3, OTHER, { state: "Error", error: "CountViolation" })]),
      // T from the group still holding but with an error: holds T, and failed.
      user("b", [
        state(E3, SALES, { state: "ActiveWithError", error: "DependencyViolation" }),
        state(E1, SALES, { state: "ActiveWithError", error: "DependencyViolation" }),
      ]),
      // Error with no code: Other.
      user("c", [state(E3, SALES, { state: "Error", error: null })]),
      // Graph's "None" is no error.
      user("d", [state(E3, SALES, { error: "None" }), state(E1, OTHER)]),
      // Several failures sort by count, then code.
      user("e", [state(E3, SALES, { state: "Error", error: "Other" })]),
    ];
    const report = groupOutcome({
      group: sales,
      members: { users, nestedGroups: [] },
      products: PRODUCTS,
      fromSkuId: E1,
      toSkuId: E3,
    });
    assert.deepEqual([report.members, report.holdTarget, report.holdSource, report.failed], [5, 2, 2, 3]);
    assert.deepEqual(
      report.errors.map((e) => [e.error, e.count, e.users.map((u) => u.id)]),
      [
        ["Other", 2, ["c", "e"]],
        ["DependencyViolation", 1, ["b"]],
      ],
    );
    assert.equal(report.errors[0]!.whatToDo, whatToDoFor("Other"));
  });

  it("after a user change: the user's own states, members 1", () => {
    const moved = user("x", [state(E3, null), state(E1, OTHER)]);
    assert.deepEqual(userOutcome({ user: moved, products: PRODUCTS, fromSkuId: E1, toSkuId: E3 }), {
      members: 1,
      holdTarget: 1,
      holdSource: 1,
      failed: 0,
      errors: [],
      seats: {
        ENTERPRISEPACK: { enabled: 3, consumed: 3, available: 0 },
        STANDARDPACK: { enabled: 10, consumed: 1, available: 9 },
      },
    });
    // An inherited T in error is not the direct change's failure; a direct T in error is.
    const inherited = user("y", [state(E3, OTHER, { state: "Error", error: "CountViolation" })]);
    assert.equal(userOutcome({ user: inherited, products: PRODUCTS, fromSkuId: E1, toSkuId: E3 }).failed, 0);
    const failed = user("z", [
      state(E3, null, { state: "Error", error: "ProhibitedInUsageLocationViolation" }),
      state(E1, OTHER),
    ]);
    const report = userOutcome({ user: failed, products: PRODUCTS, fromSkuId: E1, toSkuId: E3 });
    assert.deepEqual([report.holdTarget, report.holdSource, report.failed], [0, 1, 1]);
    assert.deepEqual(report.errors[0]!.users[0]!.note, "also holds Office 365 E1 (a group)");
  });

  it("whatToDoFor: one text per code; unknown codes and 'Others' get Other's", () => {
    assert.match(whatToDoFor("MutuallyExclusiveViolation"), /conflicting product/);
    assert.equal(whatToDoFor("Others"), whatToDoFor("Other"));
    assert.equal(whatToDoFor("SomethingNew"), whatToDoFor("Other"));
    assert.equal(whatToDoFor("toString"), whatToDoFor("Other"));
  });
});
