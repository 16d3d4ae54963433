/**
 * The preview card of a group of 100,000 members stays under Teams' 28 KB card limit, however many
 * users the checks name: the card shows five names per finding and counts the rest; the preview
 * itself (and `plan --json`) keeps them all. The same for a migration's preview, whose waves are
 * shown as one line.
 */
import assert from "node:assert/strict";
import { previewCard } from "../../src/cards/changePreviewCard";
import { migrationPreviewCard } from "../../src/cards/migrationPreviewCard";
import { migrationRequestCard } from "../../src/cards/migrationRequestCard";
import { requestCard } from "../../src/cards/requestCards";
import { previewGroupChange } from "../../src/licensing/changePreview";
import { directRemovalOperation, planMigration, type MigrationPreview } from "../../src/licensing/migrationPlan";
import type { LicenseState, Product, TenantGroup, TenantUser } from "../../src/licensing/model";
import type { Preview } from "../../src/licensing/preview";
import type { LicenseRequest, RequestStatus, Stage } from "../../src/requests/licenseRequest";
import { generateLargeTenant } from "../../src/simulator/generator";
import {
  snapshotSchema,
  type Group,
  type SubscribedSku,
  type TenantSnapshot,
  type User,
} from "../../src/simulator/snapshot";
import { cardTexts } from "../support/cardText";
import { E1, E3 } from "../support/productIds";

/** Teams refuses a message whose card is larger than this. */
const TEAMS_CARD_LIMIT = 28 * 1024;
const USERS = 100_000;

// The licensing model as the Graph gateway would build it, straight from the snapshot's Graph shapes.

function toProduct(sku: SubscribedSku): Product {
  return {
    skuId: sku.skuId,
    skuPartNumber: sku.skuPartNumber,
    appliesTo: sku.appliesTo,
    capabilityStatus: sku.capabilityStatus,
    enabledUnits: sku.prepaidUnits.enabled,
    consumedUnits: sku.consumedUnits,
    servicePlans: sku.servicePlans.map((p) => ({
      id: p.servicePlanId,
      name: p.servicePlanName,
      appliesTo: p.appliesTo,
    })),
  };
}

function toUser(user: User, usageLocation: string | null): TenantUser {
  return {
    id: user.id,
    displayName: user.displayName,
    userPrincipalName: user.userPrincipalName,
    usageLocation,
    userType: user.userType,
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
    membershipRuleProcessingState: group.membershipRuleProcessingState,
    onPremisesSyncEnabled: group.onPremisesSyncEnabled,
    assignedLicenses: group.assignedLicenses,
    licenseProcessingState: group.licenseProcessingState?.state ?? null,
  };
}

/** A request around `preview`, asked by Adele on 1 June 2025, with `fields` over those defaults. */
function requestAround(
  preview: LicenseRequest["preview"],
  fields: Pick<LicenseRequest, "id" | "status" | "version" | "stages">,
): LicenseRequest {
  return {
    kind: preview.kind,
    requester: { id: "adele", name: "Adele Vance" },
    createdAt: "2025-06-01T12:00:00.000Z",
    expiresAt: "2025-06-30T12:00:00.000Z",
    preview,
    requesterConversation: {},
    cards: [],
    ...fields,
  };
}

/** The large tenant of USERS users, generated once for every test here (it takes a few seconds). */
let large: TenantSnapshot | undefined;
function largeTenant(): TenantSnapshot {
  large ??= snapshotSchema.parse(generateLargeTenant({ users: USERS }));
  return large;
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
    const tenant = largeTenant();
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
    const request = { target: { type: "group" as const, id: allEmployees.id }, from: E1, to: E3 };
    card = previewCard(preview, { command: "preview", request }, { request }, new Date(Date.UTC(2025, 5, 1, 12, 0)));
  });

  it("names many users in several checks: the preview keeps every one of them", () => {
    assert.equal(preview.target.type === "group" ? preview.target.memberCount : 0, USERS);
    const named = Object.fromEntries(
      preview.checks.filter((c) => c.users !== undefined).map((c) => [c.id, [c.count, c.users?.length]]),
    );
    // Every 10th user is also in "Sales" (E1 again): they keep E1, which conflicts with E3.
    assert.deepEqual(named["direct-source"], [10_000, 10_000]);
    assert.deepEqual(named["conflicts"], [10_000, 10_000]);
    // Every third user has no usage location: ceil(100,000 / 3).
    assert.deepEqual(named["usage-location"], [33_334, 33_334]);
    assert.equal(preview.verdict, "blocked");
    assert.deepEqual(preview.seats.ENTERPRISEPACK, {
      enabled: 20_000,
      consumed: 0,
      available: 20_000,
      // The 10,000 in conflict get nothing from the group (all or nothing), so take no seat.
      needed: USERS - 10_000,
      shortfall: 70_000,
    });
  });

  it("is under Teams' 28 KB card limit", () => {
    const bytes = Buffer.byteLength(JSON.stringify(card), "utf8");
    assert.ok(bytes < TEAMS_CARD_LIMIT, `${bytes} bytes`);
  });

  it("as a request done with 10,000 members in error: under 28 KB, five of them named and the rest counted", () => {
    const inConflict = preview.checks.find((c) => c.id === "conflicts")?.users ?? [];
    const request = requestAround(preview, {
      id: 3,
      status: "done-with-errors",
      version: 4,
      stages: [
        {
          index: 0,
          title: "Move All Employees from E1 to E3",
          status: "done-with-errors",
          operations: preview.operations,
          approvedBy: { id: "patti", name: "Patti Fernandez" },
          approvedAt: "2025-06-01T13:00:00.000Z",
          report: {
            members: USERS,
            holdTarget: 20_000,
            holdSource: 80_000,
            failed: 80_000,
            errors: [
              {
                error: "MutuallyExclusiveViolation",
                count: 10_000,
                whatToDo: "remove it, then reprocess",
                users: inConflict,
              },
              { error: "CountViolation", count: 70_000, whatToDo: "buy seats, then reprocess", users: [] },
            ],
            seats: { ENTERPRISEPACK: { enabled: 20_000, consumed: 20_000, available: 0 } },
          },
        },
      ],
    });
    const card = requestCard(request);
    const bytes = Buffer.byteLength(JSON.stringify(card), "utf8");
    assert.ok(bytes < TEAMS_CARD_LIMIT, `${bytes} bytes`);
    const texts = cardTexts(card);
    assert.ok(
      texts.includes("20,000 of 100,000 members now hold Office 365 E3; 80,000 did not get it."),
      texts.join(" | "),
    );
    assert.ok(texts.some((t) => t.split("\n\n").length === 6 && t.endsWith("\n\nand 9,995 more")));
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

describe("the migration preview card of a group of 100,000 members", function () {
  this.timeout(120_000);

  const OUTSIDE = 5_000;
  let preview: MigrationPreview;
  let card: ReturnType<typeof migrationPreviewCard>;

  before(() => {
    const tenant = largeTenant();
    const allEmployees = tenant.groups.find((g) => g.displayName === "All Employees");
    assert.ok(allEmployees);
    const products = tenant.subscribedSkus.map(toProduct);
    const plan = (name: string) => {
      const found = products.find((p) => p.skuId === E3)?.servicePlans.find((p) => p.name === name);
      assert.ok(found, `E3 has no ${name}`);
      return found.id;
    };
    const [yammer, sway] = [plan("YAMMER_ENTERPRISE"), plan("SWAY")];
    const direct = (disabledPlans: string[]): LicenseState => ({
      skuId: E3,
      assignedByGroup: null,
      disabledPlans,
      state: "Active",
      error: null,
    });
    const holding = (user: TenantUser, states: LicenseState[]): TenantUser => ({
      ...user,
      assignedLicenses: states.map((s) => ({ skuId: s.skuId, disabledPlans: s.disabledPlans })),
      licenseStates: states,
    });
    const byId = new Map(tenant.users.map((u) => [u.id, u]));
    // A group that holds no license yet. Of its members, 8 in 10 hold E3 directly with Yammer and
    // Sway off, 1 in 10 with only Yammer off (they would lose Sway: plan mismatch), 1 in 10 nothing.
    const users = allEmployees.members.map((id, i) => {
      const member = byId.get(id);
      assert.ok(member);
      const user = toUser(member, member.usageLocation);
      return holding(user, i % 10 === 0 ? [] : [direct(i % 10 === 9 ? [yammer] : [yammer, sway])]);
    });
    const outside = Array.from({ length: OUTSIDE }, (_, i) =>
      holding(
        {
          id: `outside-${i}`,
          displayName: `Outside ${i}`,
          userPrincipalName: `outside.${i}@contoso.com`,
          usageLocation: "US",
          userType: "Member",
          assignedLicenses: [],
          licenseStates: [],
        },
        [direct([yammer, sway])],
      ),
    );
    preview = planMigration({
      group: { ...toGroup(allEmployees), assignedLicenses: [], licenseProcessingState: null },
      members: { users, nestedGroups: [] },
      directHolders: [...users.filter((u) => u.licenseStates.length > 0), ...outside],
      products,
      skuId: E3,
    });
    const request = { group: { id: allEmployees.id }, product: E3 };
    card = migrationPreviewCard(
      preview,
      { command: "migration-preview", request },
      { request },
      new Date(Date.UTC(2025, 5, 1, 12, 0)),
    );
  });

  it("plans 90,000 movers, a pilot of 5 % and 760 waves of 100", () => {
    assert.equal(preview.target.memberCount, USERS);
    assert.deepEqual(preview.counts, {
      migrating: 90_000,
      outside: OUTSIDE,
      newMembers: 10_000,
      planMismatch: 10_000,
      planGain: 0,
      pilot: 4_000,
      waves: 760,
      waveSize: 100,
    });
    assert.equal(preview.stages.length, 763);
    assert.equal(preview.verdict, "warnings");
  });

  it("is under Teams' 28 KB card limit, with the Request approval button", () => {
    const bytes = Buffer.byteLength(JSON.stringify(card), "utf8");
    assert.ok(bytes < TEAMS_CARD_LIMIT, `${bytes} bytes`);
    assert.ok(JSON.stringify(card.actions).includes('"verb":"requestMigration"'));
  });

  it("as a request after 999 of 1,000 waves: under 28 KB, the finished waves in one line, the users first five and a count", () => {
    const patti = { id: "patti", name: "Patti Fernandez" };
    const approvedAt = "2025-06-02T09:00:00.000Z";
    const ids = Array.from({ length: 90_000 }, (_, i) => `user-${i}`);
    const ref = (id: string) => ({ id, displayName: `User ${id}`, userPrincipalName: `${id}@contoso.com` });
    const removal = (users: string[]) => users.map((id) => directRemovalOperation(id, E3));
    const stage = (index: number, title: string, users: string[], status: RequestStatus = "done"): Stage => ({
      index,
      title,
      status,
      operations: removal(users),
      ...(status === "pending" ? {} : { approvedBy: patti, approvedAt }),
      report: { kind: "removal", removed: status === "pending" ? [] : users.map(ref), skipped: [], lost: [] },
    });
    const waves = Array.from({ length: 1000 }, (_, w) =>
      stage(
        w + 2,
        `Wave ${w + 1} of 1000: remove the direct Office 365 E3 of 86 verified users`,
        ids.slice(4000 + w * 86, 4000 + (w + 1) * 86),
        w === 999 ? "pending" : "done",
      ),
    );
    const request = requestAround(preview, {
      id: 7,
      status: "pending",
      version: 1003,
      stages: [
        {
          index: 0,
          title: "Give All Employees Office 365 E3 and verify",
          status: "done",
          operations: [],
          approvedBy: patti,
          approvedAt,
          report: {
            kind: "assign",
            verified: ids,
            notVerified: Array.from({ length: 10_000 }, (_, i) => ({
              ...ref(`mismatch-${i}`),
              reason: "would lose Sway",
            })),
            memberErrors: [],
            groupProducts: [E3],
          },
        },
        stage(1, "Pilot: remove the direct Office 365 E3 of 4000 verified users", ids.slice(0, 4000)),
        ...waves,
      ],
    });
    const card = migrationRequestCard(request, preview);
    const bytes = Buffer.byteLength(JSON.stringify(card), "utf8");
    assert.ok(bytes < TEAMS_CARD_LIMIT, `${bytes} bytes`);
    const texts = cardTexts(card);
    const stages = texts.slice(texts.indexOf("Stages") + 1, texts.indexOf("Stages") + 5);
    assert.deepEqual(stages, [
      "1. Give All Employees Office 365 E3 and verify: done (approved by Patti Fernandez)",
      "2. Pilot: remove the direct Office 365 E3 of 4000 verified users: done (approved by Patti Fernandez)",
      "3–1001. Waves 1 to 999, 85,914 users in all: done (approved by Patti Fernandez)",
      "1002. Wave 1000 of 1000: remove the direct Office 365 E3 of 86 verified users: pending",
    ]);
    assert.ok(texts.includes("10,000 not verified: their direct license stays"));
    assert.ok(texts.some((t) => t.endsWith("and 9,995 more")));
  });

  it("shows the waves as one line, and at most five names per finding", () => {
    const texts = JSON.stringify(card.body);
    assert.ok(texts.includes('"text":"4–763."'), "the waves' steps");
    assert.ok(
      texts.includes(
        "Waves 1 to 760: remove the direct Office 365 E3 from 76,000 verified users, 100 per wave, each after the previous one is verified",
      ),
    );
    assert.ok(!texts.includes("Wave 2 of 760"));
    assert.deepEqual(
      findingsOf(card)
        .filter((f) => f.users.length > 0)
        .map((f) => [f.users.length, f.users[5]]),
      [
        [6, "and 4,995 more"],
        [6, "and 9,995 more"],
      ],
    );
  });
});
