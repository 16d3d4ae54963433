/**
 * The preview card of a group of 100,000 members stays under Teams' 28 KB card limit, however many
 * users the checks name: the card shows five names per finding and counts the rest; the preview
 * itself (and `plan --json`) keeps them all.
 */
import assert from "node:assert/strict";
import { previewCard } from "../../src/cards/cards";
import { previewGroupChange } from "../../src/licensing/changePreview";
import type { Product, TenantGroup, TenantUser } from "../../src/licensing/model";
import type { Preview } from "../../src/licensing/preview";
import { generateLargeTenant } from "../../src/simulator/generator";
import { snapshotSchema, type Group, type SubscribedSku, type User } from "../../src/simulator/snapshot";

/** Teams refuses a message whose card is larger than this. */
const TEAMS_CARD_LIMIT = 28 * 1024;
const USERS = 100_000;
const E1 = "18181a46-0d4e-45cd-891e-60aabd171b4e";
const E3 = "6fd2c87f-b296-42f0-b197-1e91e994b900";

// The licensing model as the Graph gateway would build it, straight from the snapshot's Graph shapes.

function toProduct(sku: SubscribedSku): Product {
  return {
    skuId: sku.skuId,
    skuPartNumber: sku.skuPartNumber,
    appliesTo: sku.appliesTo,
    capabilityStatus: sku.capabilityStatus,
    enabledUnits: sku.prepaidUnits.enabled,
    consumedUnits: sku.consumedUnits,
    servicePlans: sku.servicePlans.map((p) => ({ id: p.servicePlanId, name: p.servicePlanName, appliesTo: p.appliesTo })),
  };
}

function toUser(user: User, usageLocation: string | null): TenantUser {
  return {
    id: user.id,
    displayName: user.displayName,
    userPrincipalName: user.userPrincipalName,
    usageLocation,
    assignedLicenses: user.assignedLicenses,
    licenseStates: user.licenseAssignmentStates.map((s) => ({
      skuId: s.skuId,
      assignedByGroup: s.assignedByGroup,
      disabledPlans: s.disabledPlans,
      state: s.state,
      error: s.error === null || s.error === "None" ? null : s.error,
    })),
  };
}

function toGroup(group: Group): TenantGroup {
  return {
    id: group.id,
    displayName: group.displayName,
    groupTypes: group.groupTypes,
    securityEnabled: group.securityEnabled,
    mailEnabled: group.mailEnabled,
    membershipRule: group.membershipRule,
    onPremisesSyncEnabled: group.onPremisesSyncEnabled,
    assignedLicenses: group.assignedLicenses,
    licenseProcessingState: group.licenseProcessingState?.state ?? null,
  };
}

/** A finding on the card: its title and the lines of its names ("and N more" last). */
function findingsOf(card: { body: unknown[] }): { title: string; users: string[] }[] {
  const found: { title: string; users: string[] }[] = [];
  for (const element of card.body as Record<string, unknown>[]) {
    if (element.type !== "ColumnSet") continue;
    const columns = element.columns as { items: { text?: unknown }[] }[];
    if (!["BLOCKED", "WARNING", "INFO"].includes(String(columns[0]?.items[0]?.text))) continue;
    const texts = columns[1].items.map((i) => String(i.text));
    found.push({ title: texts[0], users: texts[2] === undefined ? [] : texts[2].split("\n\n") });
  }
  return found;
}

describe("the preview card of a group of 100,000 members", function () {
  // Generating and checking 100,000 users takes a few seconds on a slow machine; nothing here is timed.
  this.timeout(120_000);

  let preview: Preview;
  let card: ReturnType<typeof previewCard>;

  before(() => {
    const tenant = snapshotSchema.parse(generateLargeTenant({ users: USERS }));
    const allEmployees = tenant.groups.find((g) => g.displayName === "All Employees");
    assert.ok(allEmployees);
    const byId = new Map(tenant.users.map((u, i) => [u.id, { user: u, index: i }]));
    // Every third member without a usage location, so that a third check names many users too.
    const users = allEmployees.members.map((id) => {
      const member = byId.get(id);
      assert.ok(member);
      return toUser(member.user, member.index % 3 === 0 ? null : member.user.usageLocation);
    });
    preview = previewGroupChange({
      group: toGroup(allEmployees),
      members: { users, nestedGroups: [] },
      products: tenant.subscribedSkus.map(toProduct),
      fromSkuId: E1,
      toSkuId: E3,
    });
    const request = { target: { type: "group", id: allEmployees.id }, from: E1, to: E3 };
    card = previewCard(preview, { command: "preview", request }, { request }, new Date(Date.UTC(2025, 5, 1, 12, 0)));
  });

  it("names many users in several checks: the preview keeps every one of them", () => {
    assert.equal(preview.target.type === "group" ? preview.target.memberCount : 0, USERS);
    const named = Object.fromEntries(preview.checks.filter((c) => c.users !== undefined).map((c) => [c.id, [c.count, c.users?.length]]));
    // Every 10th user is also in "Sales" (E1 again): they keep E1, which conflicts with E3.
    assert.deepEqual(named["direct-source"], [10_000, 10_000]);
    assert.deepEqual(named["conflicts"], [10_000, 10_000]);
    // Every third user has no usage location: ceil(100,000 / 3).
    assert.deepEqual(named["usage-location"], [33_334, 33_334]);
    assert.equal(preview.verdict, "blocked");
    assert.deepEqual(preview.seats.ENTERPRISEPACK, { enabled: 20_000, consumed: 0, available: 20_000, needed: USERS, shortfall: 80_000 });
  });

  it("is under Teams' 28 KB card limit", () => {
    const bytes = Buffer.byteLength(JSON.stringify(card), "utf8");
    assert.ok(bytes < TEAMS_CARD_LIMIT, `${bytes} bytes`);
  });

  it("shows at most five names per finding, then the exact count of the rest", () => {
    const findings = findingsOf(card);
    const withUsers = preview.checks.filter((c) => c.status !== "pass" && (c.users?.length ?? 0) > 0);
    assert.equal(withUsers.length, 3);
    for (const check of withUsers) {
      const finding = findings.find((f) => f.title === check.title);
      assert.ok(finding, `no finding "${check.title}" on the card`);
      const users = check.users ?? [];
      assert.deepEqual(
        finding.users.slice(0, 5),
        users.slice(0, 5).map((u) => `${u.displayName} (${u.userPrincipalName})${u.note ? `: ${u.note}` : ""}`),
      );
      assert.equal(finding.users.length, 6, `${check.id}: ${finding.users.length} lines`);
      assert.equal(finding.users[5], `and ${(users.length - 5).toLocaleString("en-US")} more`);
    }
    assert.deepEqual(
      findings.map((f) => f.users[5]).filter((line) => line !== undefined),
      ["and 9,995 more", "and 9,995 more", "and 33,329 more"],
    );
  });
});
