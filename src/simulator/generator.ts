/**
 * Seeded tenant generator: the demo tenant (tenants/demo.json) and large tenants for benchmarks.
 *
 * Everything comes from one seed through a small PRNG (mulberry32), so the same seed always gives
 * the same snapshot, byte for byte. Group-sourced license states are computed the way Entra would
 * have left them once every group is ProcessingComplete: groups are processed in order, and a
 * group whose products would put two mutually exclusive plans on a user fails for that user with
 * MutuallyExclusiveViolation (servicePlanRules.ts). assignedLicenses and consumedUnits are then
 * derived with derivedFields.ts, and the result is checked before it is returned.
 *
 * The format is documented in docs/tenant-snapshot.md, with a table of the demo tenant's groups.
 */
import type {
  CompanySubscription,
  Group,
  LicenseAssignmentState,
  SubscribedSku,
  TenantSnapshotInput,
  User,
} from "./snapshot";
import { countConsumedUnits, deriveAssignedLicenses, isHolding } from "./derivedFields";
import { findPlanConflicts, findUnmetDependencies } from "../licensing/servicePlanRules";
import { PRODUCTS, type ProductKey, type SimulatedProduct, planIdOf } from "./productCatalog";
import { DEMO_IDS } from "./demoIds";

// ---------------------------------------------------------------------------------------------
// Randomness

/** mulberry32: a tiny, well-known 32-bit PRNG; good enough for test data, and fully deterministic. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Random {
  private readonly next: () => number;

  constructor(seed: number) {
    this.next = mulberry32(seed);
  }

  float(): number {
    return this.next();
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  /** A version-4-shaped GUID whose bits all come from the seed. */
  guid(): string {
    const bytes: number[] = [];
    for (let i = 0; i < 4; i++) {
      const word = Math.floor(this.next() * 4294967296);
      bytes.push((word >>> 24) & 0xff, (word >>> 16) & 0xff, (word >>> 8) & 0xff, word & 0xff);
    }
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = bytes.map((b) => b.toString(16).padStart(2, "0")).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }
}

// ---------------------------------------------------------------------------------------------
// Names and places

const FIRST_NAMES = [
  "Alex",
  "Amelia",
  "Ana",
  "Ben",
  "Camille",
  "Carlos",
  "Chloe",
  "Daniel",
  "David",
  "Elena",
  "Emma",
  "Ethan",
  "Fatima",
  "Felix",
  "Grace",
  "Hannah",
  "Hugo",
  "Isabel",
  "Jack",
  "James",
  "Jonas",
  "Julia",
  "Kenji",
  "Laura",
  "Leon",
  "Lucas",
  "Lukas",
  "Maria",
  "Marie",
  "Mateo",
  "Maya",
  "Michael",
  "Mia",
  "Nathan",
  "Noah",
  "Nora",
  "Olivia",
  "Omar",
  "Oscar",
  "Paul",
  "Priya",
  "Rachel",
  "Raj",
  "Ryan",
  "Samuel",
  "Sara",
  "Sophie",
  "Stefan",
  "Thomas",
  "Valentina",
  "William",
  "Zoe",
] as const;

// Two names with apostrophes, so that display names exercise OData quoting.
const LAST_NAMES = [
  "Adams",
  "Bauer",
  "Becker",
  "Bernard",
  "Brown",
  "Chen",
  "Clark",
  "D'Souza",
  "Davies",
  "Dubois",
  "Evans",
  "Fischer",
  "Garcia",
  "Green",
  "Hall",
  "Hoffmann",
  "Hughes",
  "Jackson",
  "Johnson",
  "Khan",
  "Kim",
  "Klein",
  "Laurent",
  "Lee",
  "Lefebvre",
  "Lopez",
  "Martin",
  "Meyer",
  "Miller",
  "Moreau",
  "Muller",
  "Nguyen",
  "O'Connor",
  "Patel",
  "Petit",
  "Richter",
  "Roberts",
  "Robinson",
  "Rossi",
  "Schmidt",
  "Schneider",
  "Silva",
  "Smith",
  "Taylor",
  "Thomas",
  "Walker",
  "Wagner",
  "Weber",
  "White",
  "Williams",
  "Wilson",
  "Wright",
  "Young",
] as const;

/** Usage locations and their weights: mostly US, then the three EMEA countries. */
const USAGE_LOCATIONS: readonly (readonly [string, number])[] = [
  ["US", 0.55],
  ["GB", 0.2],
  ["DE", 0.15],
  ["FR", 0.1],
];
const EMEA_LOCATIONS = ["GB", "DE", "FR"] as const;

function emea(index: number): string {
  return EMEA_LOCATIONS[index % EMEA_LOCATIONS.length];
}

const DOMAIN = "contoso.com";
/** License states were last updated within 120 days after this instant: direct ones first, then groups. */
const STATES_SINCE = Date.UTC(2025, 0, 6, 8, 0, 0);

// ---------------------------------------------------------------------------------------------
// Building a tenant

interface UserSpec {
  department: string;
  jobTitle: string;
  /** undefined: drawn from USAGE_LOCATIONS; null: never set. */
  usageLocation?: string | null;
  userType?: "Member" | "Guest";
  id?: string;
  givenName?: string;
  surname?: string;
  userPrincipalName?: string;
}

interface GroupSpec {
  displayName: string;
  description: string;
  id?: string;
  kind?: "security" | "microsoft365" | "dynamic";
  membershipRule?: string;
  onPremisesSyncEnabled?: boolean;
  licenses?: readonly LicenseSpec[];
}

interface LicenseSpec {
  product: ProductKey;
  disabledPlans?: readonly string[];
}

/** A product's subscription: a trial or not, and when it moves to its next state if not renewed. */
interface SubscriptionTerms {
  isTrial?: boolean;
  nextLifecycleDateTime: string;
}

/** How a product's seats are set: free seats on top of what is consumed, or fixed units. */
type SkuSeats =
  | { kind: "free"; free: number }
  | { kind: "fixed"; capabilityStatus: SubscribedSku["capabilityStatus"]; prepaidUnits: SubscribedSku["prepaidUnits"] };

class TenantBuilder {
  readonly users: User[] = [];
  readonly groups: Group[] = [];
  private readonly upnCounters = new Map<string, number>();
  private readonly usedUpns = new Set<string>();
  private readonly productsBySkuId = new Map<string, SimulatedProduct>(
    Object.values(PRODUCTS).map((p) => [p.skuId, p]),
  );
  private readonly planNamesById = new Map<string, string>();
  private readonly enabledPlanCache = new Map<string, ReadonlySet<string>>();

  constructor(
    private readonly rng: Random,
    readonly organizationId: string,
  ) {
    for (const p of this.productsBySkuId.values()) {
      for (const plan of p.servicePlans) this.planNamesById.set(plan.servicePlanId, plan.servicePlanName);
    }
  }

  // --- users ---

  addUser(spec: UserSpec): User {
    const givenName = spec.givenName ?? this.rng.pick(FIRST_NAMES);
    const surname = spec.surname ?? this.rng.pick(LAST_NAMES);
    const userPrincipalName = spec.userPrincipalName ?? this.uniqueUpn(givenName, surname);
    this.usedUpns.add(userPrincipalName);
    const user: User = {
      id: spec.id ?? this.rng.guid(),
      displayName: `${givenName} ${surname}`,
      userPrincipalName,
      mail: userPrincipalName,
      givenName,
      surname,
      jobTitle: spec.jobTitle,
      department: spec.department,
      accountEnabled: true,
      userType: spec.userType ?? "Member",
      usageLocation: spec.usageLocation === undefined ? this.usageLocation() : spec.usageLocation,
      assignedLicenses: [],
      licenseAssignmentStates: [],
    };
    this.users.push(user);
    return user;
  }

  addUsers(count: number, spec: (index: number) => UserSpec): User[] {
    return Array.from({ length: count }, (_, i) => this.addUser(spec(i)));
  }

  /** first.last@contoso.com, letters only; a number is appended when the name is taken. */
  private uniqueUpn(givenName: string, surname: string): string {
    const base = `${givenName}.${surname}`.toLowerCase().replace(/[^a-z.]/g, "");
    let n = this.upnCounters.get(base) ?? 1;
    let upn = n === 1 ? `${base}@${DOMAIN}` : `${base}${n}@${DOMAIN}`;
    while (this.usedUpns.has(upn)) {
      n++;
      upn = `${base}${n}@${DOMAIN}`;
    }
    this.upnCounters.set(base, n + 1);
    return upn;
  }

  private usageLocation(): string {
    let r = this.rng.float();
    for (const [location, weight] of USAGE_LOCATIONS) {
      if (r < weight) return location;
      r -= weight;
    }
    return USAGE_LOCATIONS[0][0];
  }

  /** A time within [fromDay, toDay) days after STATES_SINCE, to the minute, in Graph's format. */
  private timestamp(fromDay: number, toDay: number): string {
    const minutes = (fromDay + this.rng.float() * (toDay - fromDay)) * 24 * 60;
    return new Date(STATES_SINCE + Math.floor(minutes) * 60_000).toISOString().replace(/\.\d{3}Z$/, "Z");
  }

  // --- groups ---

  addGroup(spec: GroupSpec, members: readonly (User | Group)[] = []): Group {
    const kind = spec.kind ?? "security";
    const licenses = (spec.licenses ?? []).map((l) => this.license(l));
    const mailNickname = spec.displayName.replace(/[^A-Za-z0-9]/g, "");
    const group: Group = {
      id: spec.id ?? this.rng.guid(),
      displayName: spec.displayName,
      description: spec.description,
      mail: kind === "microsoft365" ? `${mailNickname}@${DOMAIN}` : null,
      mailEnabled: kind === "microsoft365",
      securityEnabled: kind !== "microsoft365",
      groupTypes: kind === "microsoft365" ? ["Unified"] : kind === "dynamic" ? ["DynamicMembership"] : [],
      membershipRule: spec.membershipRule ?? null,
      membershipRuleProcessingState: kind === "dynamic" ? "On" : null,
      onPremisesSyncEnabled: spec.onPremisesSyncEnabled ?? null,
      assignedLicenses: licenses,
      // Groups that never held a license have no processing state to report.
      licenseProcessingState: licenses.length > 0 ? { state: "ProcessingComplete" } : null,
      members: members.map((m) => m.id),
    };
    this.groups.push(group);
    return group;
  }

  private license(spec: LicenseSpec): { skuId: string; disabledPlans: string[] } {
    const product = PRODUCTS[spec.product];
    return { skuId: product.skuId, disabledPlans: (spec.disabledPlans ?? []).map((n) => planIdOf(product, n)).sort() };
  }

  // --- licenses ---

  /** A direct assignment, which Entra only accepts for a user with a usage location. */
  assignDirect(user: User, spec: LicenseSpec): void {
    if (user.usageLocation === null)
      throw new Error(`generator bug: direct license for ${user.userPrincipalName}, who has no usageLocation`);
    const { skuId, disabledPlans } = this.license(spec);
    user.licenseAssignmentStates.push(this.state(skuId, null, disabledPlans, null));
  }

  private state(
    skuId: string,
    groupId: string | null,
    disabledPlans: string[],
    error: "MutuallyExclusiveViolation" | null,
  ): LicenseAssignmentState {
    return {
      skuId,
      assignedByGroup: groupId,
      disabledPlans,
      state: error === null ? "Active" : "Error",
      // Graph reports "None" for a state without error.
      error: error ?? "None",
      // Direct assignments predate group processing, so a group's error comes after what caused it.
      lastUpdatedDateTime: groupId === null ? this.timestamp(0, 60) : this.timestamp(60, 120),
    };
  }

  /**
   * Processes every licensed group, in order, for its direct user members (nested groups get
   * nothing (docs/graph-and-entra.md, "Nested groups")). Per user a group is all or nothing: one conflicting product fails them all (docs/graph-and-entra.md, "All or nothing per user").
   */
  processGroupLicenses(): void {
    const usersById = new Map(this.users.map((u) => [u.id, u]));
    for (const group of this.groups) {
      if (group.assignedLicenses.length === 0) continue;
      const added = group.assignedLicenses.map((l) => this.enabledPlanNames(l.skuId, l.disabledPlans));
      for (const memberId of group.members) {
        const user = usersById.get(memberId);
        if (!user) continue;
        const held = this.heldPlanNames(user);
        const conflicting = added.some((plans) => findPlanConflicts(held, plans).length > 0);
        for (const l of group.assignedLicenses) {
          user.licenseAssignmentStates.push(
            this.state(l.skuId, group.id, [...l.disabledPlans], conflicting ? "MutuallyExclusiveViolation" : null),
          );
        }
      }
    }
  }

  private enabledPlanNames(skuId: string, disabledPlans: readonly string[]): ReadonlySet<string> {
    const key = `${skuId}|${disabledPlans.join(",")}`;
    let names = this.enabledPlanCache.get(key);
    if (!names) {
      const product = this.productsBySkuId.get(skuId);
      if (!product) throw new Error(`generator bug: sku ${skuId} is not in the catalog`);
      const disabled = new Set(disabledPlans);
      names = new Set(product.servicePlans.filter((p) => !disabled.has(p.servicePlanId)).map((p) => p.servicePlanName));
      this.enabledPlanCache.set(key, names);
    }
    return names;
  }

  private heldPlanNames(user: User): Set<string> {
    const held = new Set<string>();
    for (const s of user.licenseAssignmentStates) {
      if (isHolding(s)) for (const name of this.enabledPlanNames(s.skuId, s.disabledPlans)) held.add(name);
    }
    return held;
  }

  /** Fills assignedLicenses from the states, then checks that no user holds conflicting or unsupported plans. */
  finishUsers(): void {
    for (const user of this.users) {
      user.assignedLicenses = deriveAssignedLicenses(user.licenseAssignmentStates);
      this.checkHeldPlans(user);
    }
  }

  private checkHeldPlans(user: User): void {
    const holding = user.licenseAssignmentStates.filter(isHolding);
    for (let i = 0; i < holding.length; i++) {
      const a = this.enabledPlanNames(holding[i].skuId, holding[i].disabledPlans);
      for (let j = i + 1; j < holding.length; j++) {
        const conflicts = findPlanConflicts(a, this.enabledPlanNames(holding[j].skuId, holding[j].disabledPlans));
        if (conflicts.length > 0)
          throw new Error(
            `generator bug: ${user.userPrincipalName} holds conflicting plans ${JSON.stringify(conflicts)}`,
          );
      }
    }
    const unmet = findUnmetDependencies(this.heldPlanNames(user));
    if (unmet.length > 0)
      throw new Error(`generator bug: ${user.userPrincipalName} lacks prerequisites ${JSON.stringify(unmet)}`);
  }

  // --- result ---

  subscribedSkus(seats: Partial<Record<ProductKey, SkuSeats>>): SubscribedSku[] {
    return (Object.keys(seats) as ProductKey[]).map((key) => {
      const product = PRODUCTS[key];
      const rule = seats[key] as SkuSeats;
      const consumedUnits = countConsumedUnits(this.users, product.skuId);
      const seatFields =
        rule.kind === "free"
          ? {
              capabilityStatus: "Enabled" as const,
              prepaidUnits: { enabled: consumedUnits + rule.free, suspended: 0, warning: 0, lockedOut: 0 },
            }
          : { capabilityStatus: rule.capabilityStatus, prepaidUnits: rule.prepaidUnits };
      return {
        id: `${this.organizationId}_${product.skuId}`,
        accountId: this.organizationId,
        skuId: product.skuId,
        skuPartNumber: product.skuPartNumber,
        appliesTo: "User" as const,
        ...seatFields,
        consumedUnits,
        servicePlans: product.servicePlans.map((p) => ({
          servicePlanId: p.servicePlanId,
          servicePlanName: p.servicePlanName,
          provisioningStatus: "Success",
          appliesTo: "User" as const,
        })),
      };
    });
  }

  /** One subscription per product with `terms`, its licenses the product's paid units. */
  private subscriptions(
    skus: readonly SubscribedSku[],
    terms: Partial<Record<ProductKey, SubscriptionTerms>>,
  ): CompanySubscription[] {
    return (Object.keys(terms) as ProductKey[]).flatMap((key) => {
      const sku = skus.find((s) => s.skuPartNumber === key);
      const t = terms[key];
      if (!sku || !t) return [];
      const { enabled, warning, suspended, lockedOut } = sku.prepaidUnits;
      return [
        {
          id: this.rng.guid(),
          commerceSubscriptionId: this.rng.guid(),
          createdDateTime: "2025-01-06T08:00:00Z",
          isTrial: t.isTrial ?? false,
          nextLifecycleDateTime: t.nextLifecycleDateTime,
          skuId: sku.skuId,
          skuPartNumber: sku.skuPartNumber,
          status: sku.capabilityStatus,
          totalLicenses: enabled + warning + suspended + lockedOut,
        },
      ];
    });
  }

  snapshot(
    seats: Partial<Record<ProductKey, SkuSeats>>,
    terms: Partial<Record<ProductKey, SubscriptionTerms>> = {},
  ): TenantSnapshotInput {
    this.processGroupLicenses();
    this.finishUsers();
    const subscribedSkus = this.subscribedSkus(seats);
    return {
      organization: {
        id: this.organizationId,
        displayName: "Contoso",
        countryLetterCode: "US",
        verifiedDomains: [
          { name: DOMAIN, isDefault: true },
          { name: "contoso.onmicrosoft.com", isDefault: false },
        ],
      },
      subscribedSkus,
      subscriptions: this.subscriptions(subscribedSkus, terms),
      users: this.users,
      groups: this.groups,
    };
  }
}

// ---------------------------------------------------------------------------------------------
// The demo tenant

/** The seed of tenants/demo.json. */
export const DEMO_SEED = 20250106;

export const DEMO_GROUP_NAMES = {
  sales: "Sales",
  marketing: "Marketing",
  customerSupport: "Customer Support",
  finance: "Finance",
  engineering: "Engineering (dynamic)",
  salesEmea: "Sales EMEA",
  allStaffEmea: "All Staff EMEA",
  contractors: "Contractors",
  analytics: "Analytics Team",
  operations: "Operations",
  phoenix: "Project Phoenix",
  frontline: "Frontline",
  obrien: "O'Brien & Sons (EMEA), #1",
  helpdesk: "License Desk Helpdesk",
  approvers: "License Desk Approvers",
} as const;

/**
 * The demo's numbers. Office 365 E3 has E3_FREE_SEATS free seats (prepaidUnits.enabled = consumed
 * + 95 = 29 + 95 = 124): enough for Marketing (25 new seats) and for Sales (at most 60 − 4 = 56
 * new seats, 81 for both together), but 25 short of Customer Support's 120.
 */
export const DEMO_LAYOUT = {
  sales: { members: 60, directE1: 6, directE3: 4, noUsageLocation: 3 },
  // The last 2 are guests from the agency Marketing works with.
  marketing: { members: 25, guests: 2 },
  customerSupport: { members: 120 },
  finance: { members: 12 },
  engineering: { members: 24 },
  salesEmea: { members: 4 },
  allStaffEmea: { userMembers: 8 },
  contractors: { members: 12, directE1: 4 },
  analytics: { members: 8 },
  operations: {
    members: 16,
    e3SameDisabledPlans: 11,
    e3OtherDisabledPlans: 2,
    nonMembersWithE3: 3,
    audioConferencing: 4,
  },
  phoenix: { engineers: 5, marketers: 2 },
  frontline: { members: 6 },
  obrien: { members: 4 },
  businessPremiumUsers: 4,
  executives: 4,
  e1FreeSeats: 38,
  e3FreeSeats: 95,
} as const;

/** Operations' usual disabledPlans on E3 (Yammer and Sway), and the odd one out (Yammer only). */
export const OPERATIONS_DISABLED_PLANS: readonly string[] = ["YAMMER_ENTERPRISE", "SWAY"];
export const OPERATIONS_OTHER_DISABLED_PLANS: readonly string[] = ["YAMMER_ENTERPRISE"];

const E1: LicenseSpec = { product: "STANDARDPACK" };
const E3: LicenseSpec = { product: "ENTERPRISEPACK" };

/** The demo tenant: ~300 users and groups that show every situation License Desk handles (docs/tenant-snapshot.md). */
export function generateDemoTenant(options: { seed?: number } = {}): TenantSnapshotInput {
  const b = new TenantBuilder(new Random(options.seed ?? DEMO_SEED), DEMO_IDS.organization);
  const L = DEMO_LAYOUT;
  const N = DEMO_GROUP_NAMES;

  // The Agents Playground identities.
  const adele = b.addUser({
    id: DEMO_IDS.adele,
    givenName: "Adele",
    surname: "Vance",
    userPrincipalName: "adelev@contoso.com",
    department: "IT",
    jobTitle: "Helpdesk Engineer",
    usageLocation: "US",
  });
  const patti = b.addUser({
    id: DEMO_IDS.patti,
    givenName: "Patti",
    surname: "Fernandez",
    userPrincipalName: "pattif@contoso.com",
    department: "Executive Management",
    jobTitle: "President",
    usageLocation: "US",
  });
  const megan = b.addUser({
    id: DEMO_IDS.megan,
    givenName: "Megan",
    surname: "Bowen",
    userPrincipalName: "megan@contoso.com",
    department: "Marketing",
    jobTitle: "Marketing Manager",
    usageLocation: "US",
  });
  b.assignDirect(adele, E3);
  b.assignDirect(patti, { product: "ENTERPRISEPREMIUM" });
  b.assignDirect(megan, E1); // "move user megan@contoso.com from E1 to E3"

  // Sales: E1 by group; some also hold E1 directly (they would keep E1 and conflict with E3), some
  // already hold E3 directly (so their E1 from Sales is in MutuallyExclusiveViolation), some have no usage location.
  const sales = b.addUsers(L.sales.members, (i) => ({
    department: "Sales",
    jobTitle: i % 5 === 0 ? "Sales Manager" : "Account Executive",
    usageLocation:
      i >= L.sales.directE1 + L.sales.directE3 && i < L.sales.directE1 + L.sales.directE3 + L.sales.noUsageLocation
        ? null
        : undefined,
  }));
  sales.slice(0, L.sales.directE1).forEach((u) => b.assignDirect(u, E1));
  sales.slice(L.sales.directE1, L.sales.directE1 + L.sales.directE3).forEach((u) => b.assignDirect(u, E3));
  b.addGroup({ displayName: N.sales, description: "Sales team. Licensed with Office 365 E1.", licenses: [E1] }, sales);

  const marketing = b.addUsers(L.marketing.members, (i) => ({
    department: "Marketing",
    jobTitle: i % 6 === 0 ? "Marketing Lead" : "Marketing Specialist",
    ...(i >= L.marketing.members - L.marketing.guests ? { userType: "Guest" as const } : {}),
  }));
  b.addGroup(
    { displayName: N.marketing, description: "Marketing team. Licensed with Office 365 E1.", licenses: [E1] },
    marketing,
  );

  const support = b.addUsers(L.customerSupport.members, (i) => ({
    department: "Customer Support",
    jobTitle: i % 10 === 0 ? "Support Team Lead" : "Support Specialist",
  }));
  b.addGroup(
    { displayName: N.customerSupport, description: "Customer Support. Licensed with Office 365 E1.", licenses: [E1] },
    support,
  );

  const finance = b.addUsers(L.finance.members, (i) => ({
    department: "Finance",
    jobTitle: i === 0 ? "Finance Director" : "Accountant",
  }));
  b.addGroup(
    {
      displayName: N.finance,
      description: "Finance (synced from on-premises Active Directory).",
      onPremisesSyncEnabled: true,
      licenses: [E1],
    },
    finance,
  );

  // Its members are exactly the users whose department is Engineering: no other user has it.
  const engineers = b.addUsers(L.engineering.members, (i) => ({
    department: "Engineering",
    jobTitle: i % 4 === 0 ? "Senior Software Engineer" : "Software Engineer",
  }));
  b.addGroup(
    {
      displayName: N.engineering,
      description: "Everyone in Engineering, by department.",
      kind: "dynamic",
      membershipRule: '(user.department -eq "Engineering")',
      licenses: [E1],
    },
    engineers,
  );

  // Nested groups get nothing: Sales EMEA's members hold no license from All Staff EMEA.
  const salesEmeaUsers = b.addUsers(L.salesEmea.members, (i) => ({
    department: "Sales",
    jobTitle: "Account Executive",
    usageLocation: emea(i),
  }));
  const salesEmea = b.addGroup(
    { displayName: N.salesEmea, description: "Sales people in EMEA. No licenses." },
    salesEmeaUsers,
  );
  const emeaStaff = b.addUsers(L.allStaffEmea.userMembers, (i) => ({
    department: i % 2 === 0 ? "Facilities" : "Human Resources",
    jobTitle: i % 2 === 0 ? "Office Manager" : "HR Partner",
    usageLocation: emea(i),
  }));
  b.addGroup(
    {
      displayName: N.allStaffEmea,
      description: "All staff in EMEA, including the Sales EMEA group. Licensed with Office 365 E1.",
      licenses: [E1],
    },
    [salesEmea, ...emeaStaff],
  );

  // Contractors: E3 by group; those holding E1 directly are in MutuallyExclusiveViolation for it.
  const contractors = b.addUsers(L.contractors.members, () => ({
    department: "Professional Services",
    jobTitle: "Contractor",
  }));
  contractors.slice(0, L.contractors.directE1).forEach((u) => b.assignDirect(u, E1));
  b.addGroup(
    { displayName: N.contractors, description: "External contractors. Licensed with Office 365 E3.", licenses: [E3] },
    contractors,
  );

  // Analytics Team: E1 by group, Workplace Analytics directly (it needs Exchange Online Plan 1 or 2).
  const analysts = b.addUsers(L.analytics.members, () => ({
    department: "Business Analytics",
    jobTitle: "Business Analyst",
  }));
  analysts.forEach((u) => b.assignDirect(u, { product: "WORKPLACE_ANALYTICS" }));
  b.addGroup(
    {
      displayName: N.analytics,
      description: "Business analysts. Licensed with Office 365 E1; Workplace Analytics assigned directly.",
      licenses: [E1],
    },
    analysts,
  );

  // Operations: no licenses; most members hold E3 directly (for the direct-to-group migration).
  const ops = L.operations;
  const operations = b.addUsers(ops.members, (i) => ({
    department: "Operations",
    jobTitle: i === 0 ? "Operations Manager" : "Operations Analyst",
  }));
  operations
    .slice(0, ops.e3SameDisabledPlans)
    .forEach((u) => b.assignDirect(u, { product: "ENTERPRISEPACK", disabledPlans: OPERATIONS_DISABLED_PLANS }));
  operations
    .slice(ops.e3SameDisabledPlans, ops.e3SameDisabledPlans + ops.e3OtherDisabledPlans)
    .forEach((u) => b.assignDirect(u, { product: "ENTERPRISEPACK", disabledPlans: OPERATIONS_OTHER_DISABLED_PLANS }));
  operations.slice(0, ops.audioConferencing).forEach((u) => b.assignDirect(u, { product: "MCOMEETADV" }));
  const opsOutsiders = b.addUsers(ops.nonMembersWithE3, () => ({
    department: "Operations",
    jobTitle: "Operations Analyst",
  }));
  opsOutsiders.forEach((u) =>
    b.assignDirect(u, { product: "ENTERPRISEPACK", disabledPlans: OPERATIONS_DISABLED_PLANS }),
  );
  b.addGroup(
    { displayName: N.operations, description: "Operations. No licenses yet: its members hold Office 365 E3 directly." },
    operations,
  );

  // A Microsoft 365 group cannot hold licenses (securityEnabled false).
  b.addGroup({ displayName: N.phoenix, description: "Project Phoenix workspace.", kind: "microsoft365" }, [
    ...engineers.slice(0, L.phoenix.engineers),
    ...marketing.slice(0, L.phoenix.marketers),
    megan,
  ]);

  const frontline = b.addUsers(L.frontline.members, () => ({
    department: "Retail",
    jobTitle: "Store Associate",
    usageLocation: "US",
  }));
  b.addGroup(
    {
      displayName: N.frontline,
      description: "Store staff. Licensed with Microsoft 365 F3.",
      licenses: [{ product: "SPE_F1" }],
    },
    frontline,
  );

  const partners = b.addUsers(L.obrien.members, () => ({
    department: "Partner Relations",
    jobTitle: "Partner Manager",
    usageLocation: "GB",
  }));
  b.addGroup(
    {
      displayName: N.obrien,
      description: "Joint team with O'Brien & Sons. Licensed with Office 365 E1.",
      licenses: [E1],
    },
    partners,
  );

  const legal = b.addUsers(L.businessPremiumUsers, () => ({ department: "Legal", jobTitle: "Counsel" }));
  legal.forEach((u) => b.assignDirect(u, { product: "SPB" }));

  const executives = b.addUsers(L.executives, (i) => ({
    department: "Executive Management",
    jobTitle: ["Chief Financial Officer", "Chief Technology Officer", "Chief Operating Officer", "VP Sales"][i % 4],
    usageLocation: "US",
  }));
  executives.forEach((u) => b.assignDirect(u, { product: "ENTERPRISEPREMIUM" }));

  b.addGroup(
    {
      id: DEMO_IDS.helpdeskGroup,
      displayName: N.helpdesk,
      description: "Who may request license changes in License Desk.",
    },
    [adele, operations[1], operations[2]],
  );
  b.addGroup(
    {
      id: DEMO_IDS.approversGroup,
      displayName: N.approvers,
      description: "Who may approve license changes in License Desk.",
    },
    [patti, finance[0]],
  );

  return b.snapshot(
    {
      STANDARDPACK: { kind: "free", free: L.e1FreeSeats },
      ENTERPRISEPACK: { kind: "free", free: L.e3FreeSeats },
      // An expired subscription in its grace period: its units move from enabled to warning.
      ENTERPRISEPREMIUM: {
        kind: "fixed",
        capabilityStatus: "Warning",
        prepaidUnits: { enabled: 0, suspended: 0, warning: 10, lockedOut: 0 },
      },
      SPE_F1: { kind: "free", free: 4 },
      SPB: { kind: "free", free: 1 },
      // Suspended: nothing can be assigned, and nobody holds it.
      SPE_E5: {
        kind: "fixed",
        capabilityStatus: "Suspended",
        prepaidUnits: { enabled: 0, suspended: 20, warning: 0, lockedOut: 0 },
      },
      WORKPLACE_ANALYTICS: { kind: "free", free: 2 },
      MCOMEETADV: { kind: "free", free: 6 },
    },
    // Multi-year agreements renew far ahead; Business Premium is a trial, the expired E5 ends its grace.
    {
      STANDARDPACK: { nextLifecycleDateTime: "2030-06-30T00:00:00Z" },
      ENTERPRISEPACK: { nextLifecycleDateTime: "2030-06-30T00:00:00Z" },
      ENTERPRISEPREMIUM: { nextLifecycleDateTime: "2027-01-31T00:00:00Z" },
      SPE_F1: { nextLifecycleDateTime: "2030-06-30T00:00:00Z" },
      SPB: { isTrial: true, nextLifecycleDateTime: "2027-01-31T00:00:00Z" },
      SPE_E5: { nextLifecycleDateTime: "2027-01-31T00:00:00Z" },
      WORKPLACE_ANALYTICS: { nextLifecycleDateTime: "2030-06-30T00:00:00Z" },
      MCOMEETADV: { nextLifecycleDateTime: "2030-06-30T00:00:00Z" },
    },
  );
}

// ---------------------------------------------------------------------------------------------
// Large tenants

export const LARGE_DEFAULT_SEED = 1;

/**
 * A large tenant for benchmarks: "All Employees" holds Office 365 E1 for every user; "Sales" (10 %)
 * also holds E1 (same product: still one seat each); "Engineering" (5 %), "Pilot Ring" (1 %) and
 * "Executives" (25) hold nothing. Office 365 E3 has seats for a fifth of the users and no holders.
 */
export function generateLargeTenant(options: { users: number; seed?: number }): TenantSnapshotInput {
  const count = Math.floor(options.users);
  if (!Number.isFinite(count) || count < 1)
    throw new RangeError(`users must be a positive number, not ${options.users}`);
  const rng = new Random(options.seed ?? LARGE_DEFAULT_SEED);
  const b = new TenantBuilder(rng, rng.guid());
  const departments = ["Sales", "Engineering", "Customer Support", "Marketing", "Finance", "Operations"] as const;
  const users = b.addUsers(count, () => {
    const department = rng.pick(departments);
    return { department, jobTitle: `${department} Specialist` };
  });
  const every = (step: number) => users.filter((_, i) => i % step === 0);
  b.addGroup(
    { displayName: "All Employees", description: "Every employee. Licensed with Office 365 E1.", licenses: [E1] },
    users,
  );
  b.addGroup({ displayName: "Sales", description: "Sales. Licensed with Office 365 E1.", licenses: [E1] }, every(10));
  b.addGroup({ displayName: "Engineering", description: "Engineering." }, every(20));
  b.addGroup({ displayName: "Pilot Ring", description: "Early adopters." }, every(100));
  b.addGroup({ displayName: "Executives", description: "Leadership." }, users.slice(0, Math.min(25, count)));
  return b.snapshot({
    STANDARDPACK: { kind: "free", free: Math.ceil(count * 0.05) },
    ENTERPRISEPACK: { kind: "free", free: Math.ceil(count * 0.2) },
  });
}

// ---------------------------------------------------------------------------------------------
// Random tenants

/**
 * A small tenant drawn from `seed`, for tests that compare what a preview forecasts with what
 * applying the change does. Two groups hold Office 365 E1 over a shared pool of 20 to 59 users
 * ("Alpha" sometimes with Audio Conferencing too); next to them users hold licenses directly
 * (E1 or E3, some with Audio Conferencing or Workplace Analytics, or Microsoft 365 F3), some have no
 * usage location, and E3 may have fewer free seats than a group needs. Generation fails members in
 * conflict exactly as Entra would, so every such tenant is consistent.
 */
export function generateRandomTenant(options: { seed: number }): TenantSnapshotInput {
  const rng = new Random(options.seed);
  const b = new TenantBuilder(rng, rng.guid());
  const count = 20 + rng.int(40);
  const chance = (p: number): boolean => rng.float() < p;
  const users = b.addUsers(count, () => ({
    department: "Sales",
    jobTitle: "Sales Specialist",
    ...(chance(0.1) ? { usageLocation: null } : {}),
  }));
  for (const user of users) {
    if (user.usageLocation === null) continue;
    const kind = rng.float();
    if (kind < 0.22) {
      b.assignDirect(user, kind < 0.15 ? E1 : { product: "ENTERPRISEPACK" });
      // Workplace Analytics needs Exchange Online and Audio Conferencing Skype for Business Plan 2,
      // which the direct E1 or E3 gives.
      if (chance(0.3)) b.assignDirect(user, { product: "WORKPLACE_ANALYTICS" });
      if (chance(0.3)) b.assignDirect(user, { product: "MCOMEETADV" });
    } else if (kind < 0.3) b.assignDirect(user, { product: "SPE_F1" });
  }
  const withAudio = chance(0.5);
  b.addGroup(
    {
      displayName: "Alpha",
      description: `Licensed with Office 365 E1${withAudio ? " and Audio Conferencing" : ""}.`,
      licenses: withAudio ? [E1, { product: "MCOMEETADV" }] : [E1],
    },
    users.filter(() => chance(0.5)),
  );
  b.addGroup(
    { displayName: "Beta", description: "Licensed with Office 365 E1.", licenses: [E1] },
    users.filter(() => chance(0.35)),
  );
  return b.snapshot({
    STANDARDPACK: { kind: "free", free: 5 + rng.int(20) },
    ENTERPRISEPACK: { kind: "free", free: rng.int(count) },
    SPE_F1: { kind: "free", free: 5 },
    MCOMEETADV: { kind: "free", free: rng.int(10) },
    WORKPLACE_ANALYTICS: { kind: "free", free: 5 },
  });
}
