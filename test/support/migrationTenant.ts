/**
 * The tenant of the migration tests and the migration benchmark: "Migration Group" (no license)
 * whose members hold Office 365 E3 directly, users who should not move, and the demo's License Desk
 * groups (Adele requests, Patti and Jonas approve), every derived field computed as Entra would.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { countConsumedUnits, deriveAssignedLicenses } from "../../src/simulator/derivedFields";
import { DEMO_IDS } from "../../src/simulator/demoIds";
import { planIdOf, PRODUCTS, type SimulatedProduct } from "../../src/simulator/productCatalog";
import type {
  Group,
  LicenseAssignmentState,
  SubscribedSku,
  TenantSnapshotInput,
  User,
} from "../../src/simulator/snapshot";
import { PEOPLE } from "./botHarness";
import { scratchDir } from "./scratch";

export const E3 = PRODUCTS.ENTERPRISEPACK;
export const E1 = PRODUCTS.STANDARDPACK;
export const AUDIO = PRODUCTS.MCOMEETADV;
const GROUP_NAME = "Migration Group";
export const GROUP_ID = "a1b2c3d4-0000-4000-8000-00000000a001";
export const ASK = `migrate ${GROUP_NAME} to group licensing for E3`;
/** What most movers' direct E3 disables, and so what the group gets: Yammer and Sway off. */
export const GROUP_DISABLED = [planIdOf(E3, "YAMMER_ENTERPRISE"), planIdOf(E3, "SWAY")].sort();
/** The odd ones out: Yammer off only, so the group's E3 would take Sway away from them. */
const FEWER_DISABLED = [planIdOf(E3, "YAMMER_ENTERPRISE")];

interface TenantSpec {
  /** Members of the group who hold E3 directly with GROUP_DISABLED: the users to move. */
  readonly movers: number;
  /** Members whose direct E3 disables fewer plans (FEWER_DISABLED): plan mismatch, never removed. */
  readonly mismatch?: number;
  /** Members who also hold E1 directly: E3 from the group fails for them (SharePoint Plan 1 and 2 are exclusive). */
  readonly conflicted?: number;
  /** Users outside the group who hold E3 directly: never touched. */
  readonly outside?: number;
  /** Members who hold only E1 directly: they do not move, and E3 from the group fails for them. */
  readonly newInConflict?: number;
  /** Seats of Audio Conferencing, which nobody holds yet (a product an administrator may add to the group later). */
  readonly audioSeats?: number;
}

/** Who is who in a built tenant, by id, in the group's member order. */
interface TenantUsers {
  readonly movers: readonly string[];
  readonly mismatch: readonly string[];
  readonly conflicted: readonly string[];
  readonly outside: readonly string[];
  readonly newInConflict: readonly string[];
  /** Every member of the group, in member order (mismatch, conflicted, movers, new in conflict). */
  readonly members: readonly string[];
  /** Everyone who holds E3 at the start: the members and the users outside. */
  readonly holders: readonly string[];
}

/** Deterministic GUIDs: one block per kind of user, so that ids never collide with the demo's. */
function guid(block: number, n: number): string {
  return `${block.toString(16).padStart(8, "0")}-0000-4000-8000-${n.toString(16).padStart(12, "0")}`;
}

function directState(product: SimulatedProduct, disabledPlans: readonly string[]): LicenseAssignmentState {
  return {
    skuId: product.skuId,
    assignedByGroup: null,
    disabledPlans: [...disabledPlans],
    state: "Active",
    error: null,
    lastUpdatedDateTime: "2025-01-06T09:00:00Z",
  };
}

function user(id: string, name: string, upn: string, states: LicenseAssignmentState[]): User {
  return {
    id,
    displayName: name,
    userPrincipalName: upn,
    mail: upn,
    givenName: null,
    surname: null,
    jobTitle: null,
    department: "Operations",
    accountEnabled: true,
    userType: "Member",
    usageLocation: "US",
    assignedLicenses: deriveAssignedLicenses(states),
    licenseAssignmentStates: states,
  };
}

function securityGroup(id: string, displayName: string, members: readonly string[]): Group {
  return {
    id,
    displayName,
    description: null,
    mail: null,
    mailEnabled: false,
    securityEnabled: true,
    groupTypes: [],
    membershipRule: null,
    membershipRuleProcessingState: null,
    onPremisesSyncEnabled: null,
    assignedLicenses: [],
    licenseProcessingState: null,
    members: [...members],
  };
}

function sku(product: SimulatedProduct, users: readonly User[], enabled: number): SubscribedSku {
  return {
    id: `${DEMO_IDS.organization}_${product.skuId}`,
    accountId: DEMO_IDS.organization,
    skuId: product.skuId,
    skuPartNumber: product.skuPartNumber,
    appliesTo: "User",
    capabilityStatus: "Enabled",
    consumedUnits: countConsumedUnits(users, product.skuId),
    prepaidUnits: { enabled, suspended: 0, warning: 0, lockedOut: 0 },
    servicePlans: product.servicePlans.map((p) => ({
      servicePlanId: p.servicePlanId,
      servicePlanName: p.servicePlanName,
      provisioningStatus: "Success",
      appliesTo: "User",
    })),
  };
}

/**
 * A tenant with "Migration Group" (no license) whose members hold E3 directly, and the demo's
 * License Desk groups: Adele requests, Patti and Jonas approve. Written as JSON under the OS's
 * temporary folder; assignedLicenses and consumedUnits derived from the states.
 */
export function buildTenant(spec: TenantSpec): { path: string; snapshot: TenantSnapshotInput; users: TenantUsers } {
  const people = [
    user(PEOPLE.adele.aadObjectId, PEOPLE.adele.name, "adelev@contoso.com", []),
    user(PEOPLE.patti.aadObjectId, PEOPLE.patti.name, "pattif@contoso.com", []),
    user(PEOPLE.jonas.aadObjectId, PEOPLE.jonas.name, "jonask@contoso.com", []),
  ];
  const make = (block: number, count: number, label: string, states: () => LicenseAssignmentState[]) =>
    Array.from({ length: count }, (_, i) =>
      user(
        guid(block, i + 1),
        `${label} ${i + 1}`,
        `${label.toLowerCase().replace(/ /g, ".")}.${i + 1}@contoso.com`,
        states(),
      ),
    );
  const mismatch = make(0xa2, spec.mismatch ?? 0, "Mismatch User", () => [directState(E3, FEWER_DISABLED)]);
  const conflicted = make(0xa3, spec.conflicted ?? 0, "Conflicted User", () => [
    directState(E3, GROUP_DISABLED),
    directState(E1, []),
  ]);
  const movers = make(0xa1, spec.movers, "Mover", () => [directState(E3, GROUP_DISABLED)]);
  const outside = make(0xa4, spec.outside ?? 0, "Outside User", () => [directState(E3, GROUP_DISABLED)]);
  const newInConflict = make(0xa5, spec.newInConflict ?? 0, "New Member", () => [directState(E1, [])]);
  const members = [...mismatch, ...conflicted, ...movers, ...newInConflict];
  const users = [...people, ...members, ...outside];
  const snapshot: TenantSnapshotInput = {
    organization: {
      id: DEMO_IDS.organization,
      displayName: "Contoso",
      countryLetterCode: "US",
      verifiedDomains: [{ name: "contoso.com", isDefault: true }],
    },
    subscribedSkus: [
      sku(E3, users, countConsumedUnits(users, E3.skuId) + 50),
      sku(E1, users, countConsumedUnits(users, E1.skuId) + 50),
      ...(spec.audioSeats !== undefined ? [sku(AUDIO, users, spec.audioSeats)] : []),
    ],
    users,
    groups: [
      securityGroup(
        GROUP_ID,
        GROUP_NAME,
        members.map((u) => u.id),
      ),
      securityGroup(DEMO_IDS.helpdeskGroup, "License Desk Helpdesk", [PEOPLE.adele.aadObjectId]),
      securityGroup(DEMO_IDS.approversGroup, "License Desk Approvers", [
        PEOPLE.patti.aadObjectId,
        PEOPLE.jonas.aadObjectId,
      ]),
    ],
  };
  const path = join(scratchDir("migration"), "tenant.json");
  writeFileSync(path, JSON.stringify(snapshot));
  const ids = (list: readonly User[]) => list.map((u) => u.id);
  return {
    path,
    snapshot,
    users: {
      movers: ids(movers),
      mismatch: ids(mismatch),
      conflicted: ids(conflicted),
      outside: ids(outside),
      newInConflict: ids(newInConflict),
      members: ids(members),
      holders: ids([...mismatch, ...conflicted, ...movers, ...outside]),
    },
  };
}
