/**
 * The approval workflow's parts wired on an in-memory SQLite store, with Graph, the preview
 * service, the roles and the Teams layer as plain objects, and a clock that a wait moves on.
 */
import pino from "pino";
import { AccessPolicy } from "../../src/approval/access";
import { BackgroundWork } from "../../src/approval/background";
import type { WorkflowContext } from "../../src/approval/context";
import { Decisions } from "../../src/approval/decisions";
import { GroupProcessing } from "../../src/approval/followUp";
import { Intake } from "../../src/approval/intake";
import { Notifications } from "../../src/approval/notifications";
import { RequestRecords } from "../../src/approval/records";
import { Recovery } from "../../src/approval/recovery";
import type { Role } from "../../src/approval/roles";
import {
  ActionRefused,
  type Actor,
  type Clock,
  type Notifier,
  type Previews,
  type WorkflowGraph,
} from "../../src/approval/types";
import type { MigrationPreview } from "../../src/licensing/migrationPlan";
import type { Product, TenantGroup, TenantUser } from "../../src/licensing/model";
import type { Operation, Preview } from "../../src/licensing/preview";
import type { CardRef, ConversationRef, LicenseRequest, RequestPlan } from "../../src/requests/licenseRequest";
import { SqliteRequestStore } from "../../src/store/sqliteRequestStore";
import { E1, E3 } from "../support/productIds";
import { licenseState, product, securityGroup, user } from "../support/tenantBuilder";

export const TENANT = "3f5c8d2a-1b4e-4a6f-9c7d-2e8b0a1d4c6f";
export const USER_ID = "00000000-0000-4000-8000-000000000010";
export const GROUP_ID = "00000000-0000-4000-8000-000000000100";

export const ADELE: Actor = { id: "00000000-0000-4000-8000-000000000001", name: "Adele Vance", tenantId: TENANT };
export const PATTI: Actor = { id: "00000000-0000-4000-8000-000000000002", name: "Patti Fernandez", tenantId: TENANT };
export const MEGAN: Actor = { id: "00000000-0000-4000-8000-000000000003", name: "Megan Bowen", tenantId: TENANT };
/** In the tenant, with no License Desk role. */
export const NOBODY: Actor = { id: "00000000-0000-4000-8000-000000000004", name: "Nestor Wilke", tenantId: TENANT };
/** Of another tenant. */
export const STRANGER: Actor = { id: ADELE.id, name: "Adele Vance", tenantId: "99999999-1b4e-4a6f-9c7d-2e8b0a1d4c6f" };

export const ROLES: Readonly<Record<string, readonly Role[]>> = {
  [ADELE.id]: ["requester"],
  [PATTI.id]: ["requester", "approver"],
  [MEGAN.id]: ["requester", "approver"],
};

export const ADELE_CHAT: ConversationRef = { conversation: { id: "chat-adele" } };
export const PATTI_CHAT: ConversationRef = { conversation: { id: "chat-patti" } };

export const PRODUCTS: readonly Product[] = [product(E1, "STANDARDPACK"), product(E3, "ENTERPRISEPACK")];

function operation(path: string): Operation {
  return {
    method: "POST",
    path,
    body: { addLicenses: [{ skuId: E3, disabledPlans: [] }], removeLicenses: [E1] },
  };
}

/** Moving one user from Office 365 E1 to E3, ready. */
export function userChange(extra: Partial<Preview> = {}): Preview {
  return {
    kind: "user-change",
    target: { type: "user", id: USER_ID, displayName: "Alex Wilber", userPrincipalName: "alex@contoso.com" },
    from: { skuId: E1, skuPartNumber: "STANDARDPACK" },
    to: { skuId: E3, skuPartNumber: "ENTERPRISEPACK" },
    verdict: "ready",
    checks: [],
    seats: { ENTERPRISEPACK: { enabled: 100, consumed: 10, available: 90, needed: 1, shortfall: 0 } },
    operations: [operation(`/users/${USER_ID}/assignLicense`)],
    ...extra,
  };
}

/** Moving the Sales group (3 members) from Office 365 E1 to E3, ready. */
export function groupChange(extra: Partial<Preview> = {}): Preview {
  return {
    ...userChange(),
    kind: "group-change",
    target: { type: "group", id: GROUP_ID, displayName: "Sales", memberCount: 3 },
    operations: [operation(`/groups/${GROUP_ID}/assignLicense`)],
    ...extra,
  };
}

/** Moving Sales' 10 direct holders of Office 365 E3 onto the group: a pilot of 2, waves of 4. */
export function migration(): MigrationPreview {
  return {
    kind: "direct-to-group",
    target: { type: "group", id: GROUP_ID, displayName: "Sales", memberCount: 12 },
    product: { skuId: E3, skuPartNumber: "ENTERPRISEPACK" },
    verdict: "ready",
    checks: [],
    seats: {},
    groupAssignment: { needed: true, disabledPlans: [] },
    counts: { migrating: 10, outside: 0, newMembers: 2, planMismatch: 0, planGain: 0, pilot: 2, waves: 2, waveSize: 4 },
    settings: { pilot: { count: 2, percent: 0 }, waveSize: 4 },
    stages: [],
    operations: [
      { method: "POST", path: `/groups/${GROUP_ID}/assignLicense`, body: { addLicenses: [], removeLicenses: [] } },
    ],
  };
}

/** The Teams layer: records what it was asked to send, update and tell. */
export class FakeNotifier implements Notifier {
  readonly sent: { conversation: ConversationRef; requestId: number; version: number }[] = [];
  readonly updated: { activityId: string; version: number }[] = [];
  readonly told: string[] = [];
  private activities = 0;

  async sendRequestCard(conversation: ConversationRef, request: LicenseRequest): Promise<string | undefined> {
    this.sent.push({ conversation, requestId: request.id, version: request.version });
    return `activity-${++this.activities}`;
  }

  async updateRequestCard(card: CardRef, request: LicenseRequest): Promise<void> {
    this.updated.push({ activityId: card.activityId, version: request.version });
  }

  async tell(_conversation: ConversationRef, text: string): Promise<void> {
    this.told.push(text);
  }
}

/** The tenant as Graph shows it: one user and one group, every write counted. */
export class FakeGraph {
  users = new Map<string, TenantUser>([[USER_ID, user(USER_ID, [licenseState(E1, null)])]]);
  group: TenantGroup = securityGroup(GROUP_ID, "Sales", { assignedLicenses: [{ skuId: E1, disabledPlans: [] }] });
  /** Answers getGroup; by default the group as it stands. */
  readGroup: () => Promise<TenantGroup> = async () => this.group;
  readonly writes: Operation[] = [];
  /**
   * What a write does to the tenant, after it is counted (by default: the user moves to E3, or the
   * group does and, processed at once, its members hold E3 from it).
   */
  onWrite: (operation: Operation) => void = (operation) => {
    if (operation.path.startsWith("/users/")) {
      this.users.set(USER_ID, user(USER_ID, [licenseState(E3, null)]));
      return;
    }
    this.group = {
      ...this.group,
      assignedLicenses: [{ skuId: E3, disabledPlans: [] }],
      licenseProcessingState: "ProcessingComplete",
    };
    for (const [id, member] of this.users) {
      const others = member.licenseStates.filter((s) => s.assignedByGroup !== GROUP_ID);
      this.users.set(id, user(id, [...others, licenseState(E3, GROUP_ID)]));
    }
  };

  readonly api: WorkflowGraph = {
    getGroup: () => this.readGroup(),
    getUser: async (id) => this.users.get(id) ?? Promise.reject(new Error(`no user ${id}`)),
    getUsers: async (ids) => ids.flatMap((id) => this.users.get(id) ?? []),
    listGroupMembers: async () => ({ users: [...this.users.values()], nestedGroups: [] }),
    listProducts: async () => [...PRODUCTS],
    assignLicense: async (operation) => {
      this.writes.push(operation);
      this.onWrite(operation);
      return { status: 200, requestId: `graph-${this.writes.length}` };
    },
    assignLicenses: async (operations) => operations.map(() => ({ status: 204 })),
    reprocessUser: async () => undefined,
  };
}

/** The preview service, answering with `plan` (the tenant as previewed now) until told otherwise. */
export class FakePreviews {
  constructor(public plan: RequestPlan) {}
  /** Resolved before each answer: lets a test hold previews back. */
  gate: Promise<void> = Promise.resolve();

  readonly api: Previews = {
    preview: async (request) => {
      await this.gate;
      if (this.plan.kind === "direct-to-group") return { kind: "refused", message: "not a change" };
      return { kind: "preview", preview: this.plan, request };
    },
    previewMigration: async (request) => {
      await this.gate;
      if (this.plan.kind !== "direct-to-group") return { kind: "refused", message: "not a migration" };
      return { kind: "migration-preview", preview: this.plan, request };
    },
  };
}

/** A clock at `start` that each wait moves on by its length; `waits` lists them. */
export class FakeClock implements Clock {
  readonly waits: number[] = [];
  constructor(public time: number) {}
  now(): Date {
    return new Date(this.time);
  }
  async sleep(ms: number): Promise<void> {
    this.waits.push(ms);
    this.time += ms;
  }
}

export const START = Date.parse("2026-03-02T09:00:00.000Z");

export interface Workflow {
  readonly store: SqliteRequestStore;
  readonly graph: FakeGraph;
  readonly previews: FakePreviews;
  readonly notifier: FakeNotifier;
  readonly clock: FakeClock;
  readonly context: WorkflowContext;
  readonly access: AccessPolicy;
  readonly intake: Intake;
  readonly decisions: Decisions;
  readonly recovery: Recovery;
  /** Stores a request for `plan` asked by Adele in her chat (its card sent there). */
  request(plan?: RequestPlan): Promise<LicenseRequest>;
}

export function workflow(plan: RequestPlan = userChange(), options: { pollDelaysMs?: number[] } = {}): Workflow {
  const log = pino({ level: "silent" });
  const store = SqliteRequestStore.open(":memory:");
  const graph = new FakeGraph();
  const previews = new FakePreviews(plan);
  const notifier = new FakeNotifier();
  const clock = new FakeClock(START);
  const work = new BackgroundWork(log);
  const roles = { rolesOf: async (id: string) => new Set(ROLES[id] ?? []) };
  const access = new AccessPolicy({ tenantId: TENANT, roles, store, log });
  const context: WorkflowContext = {
    records: new RequestRecords({ store, now: () => clock.now(), expiryHours: 24 }),
    graph: graph.api,
    previews: previews.api,
    notices: new Notifications({ notifier, store, log }),
    work,
    groupProcessing: new GroupProcessing({
      graph: graph.api,
      pollDelaysMs: options.pollDelaysMs ?? [1000],
      clock,
      log,
      stopped: () => work.stopped,
    }),
    clock,
    log,
    graphTimeoutMs: 60_000,
  };
  const intake = new Intake(access, context);
  return {
    store,
    graph,
    previews,
    notifier,
    clock,
    context,
    access,
    intake,
    decisions: new Decisions(access, context),
    recovery: new Recovery(context),
    request: async (asked = plan) => {
      previews.plan = asked;
      return asked.kind === "direct-to-group"
        ? intake.requestMigration(ADELE, { group: { id: GROUP_ID } }, ADELE_CHAT)
        : intake.requestApproval(ADELE, { target: { type: "user", id: USER_ID }, to: E3 }, ADELE_CHAT);
    },
  };
}

/** The refusal of a promise that must be refused. */
export async function refused(promise: Promise<unknown>): Promise<ActionRefused> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ActionRefused) return error;
    throw error;
  }
  throw new Error("expected a refusal");
}

/** The code and text of the refusal of a promise that must be refused. */
export async function refusal(promise: Promise<unknown>): Promise<[string, string]> {
  const error = await refused(promise);
  return [error.code, error.userMessage];
}
