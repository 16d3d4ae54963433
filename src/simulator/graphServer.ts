/**
 * The simulated tenant's HTTP face: the subset of Microsoft Graph v1.0 that License Desk uses,
 * answered the way Graph answers it (JSON shapes, status codes, error bodies, paging, $batch,
 * throttling), so that `@microsoft/microsoft-graph-client` can be pointed at it unchanged.
 *
 * `handle()` is a transport-free dispatcher over a route table; the `http` listener adapts it, and
 * `$batch` feeds its inner requests back through it (so they are counted and throttled alike).
 * The licensing behaviour itself lives in TenantState; this module only speaks the protocol.
 */
import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import {
  checkFilterSupport,
  decodeSkipToken,
  encodeSkipToken,
  evaluateFilter,
  joinQuery,
  ODataError,
  parseCount,
  parseFilter,
  parseSelect,
  parseTop,
  splitQuery,
  type FilterExpr,
  type FilterSupport,
  type QueryOptionName,
  type RawQuery,
} from "./odata";
import type { Group, Organization, SubscribedSku, User } from "./snapshot";
import { GraphError, type TenantState } from "./tenantState";

// ---------------------------------------------------------------------------------------------
// Public types

export interface SimulatorFaults {
  /** Added to every HTTP request (once per $batch, not per inner request). */
  latencyMs: number;
  /**
   * 0..1, the share of throttle-eligible requests answered 429, honoured to the millionth.
   * Deterministic: counting from the last setFaults that set it, the first request is throttled and
   * of the first n requests exactly ceil(n × rate) are (0.5: the 1st, 3rd, 5th…; 0.9: 90 of every
   * 100; 1: all).
   */
  throttleRate: number;
  /** Sent as Retry-After on injected 429s and 503s. */
  retryAfterSeconds: number;
  /**
   * Graph down: every request, a batch included, is answered 503 serviceNotAvailable with
   * Retry-After, as Graph answers while "temporarily unavailable for maintenance or overloaded"
   * (Microsoft Graph error responses and resource types). Counted in counters.unavailable.
   */
  outage: boolean;
  /**
   * What happens to a write (assignLicense, reprocessLicenseAssignment) that gets past throttling,
   * to play a process or a network dying around it:
   * - "normal": applied and answered;
   * - "hold": neither applied nor answered while the faults stay so. Once `writes` is set to
   *   something else the held write goes on under that mode; if its client disconnects first it is
   *   dropped, never applied (counters.held, counters.dropped);
   * - "apply-then-hang": applied at once (counted in counters.writes), then never answered; it ends
   *   only when its client disconnects (or the server closes).
   * - "apply-late": applied `lateWriteMs` after it was received (counted in counters.writes then),
   *   whether or not its client is still connected, as Graph finishes a request whose client went
   *   away; answered as usual if the client is still there. The mode is the one the write arrived
   *   under: changing the faults meanwhile does not change what becomes of it.
   * Through handle() without a `signal` there is no client to disconnect: a held write waits for the
   * faults, a hanging one never resolves.
   */
  writes: WriteFault;
  /** How long an "apply-late" write waits before it is applied, in ms (default 1000). */
  lateWriteMs: number;
}

export type WriteFault = "normal" | "hold" | "apply-then-hang" | "apply-late";
const WRITE_FAULTS: readonly WriteFault[] = ["normal", "hold", "apply-then-hang", "apply-late"];

export interface SimRequest {
  method: string;
  /** Path and query (`/v1.0/users?$top=5`) or an absolute URL. */
  url: string;
  headers?: Record<string, string | string[] | undefined>;
  /** The raw request body, as sent. */
  body?: string;
  /** Aborted when the client goes away (the HTTP adapter sets it): a held or hanging write then ends. */
  signal?: AbortSignal;
}

export interface SimResponse {
  status: number;
  headers: Record<string, string>;
  /** A JSON value, or undefined for no body. */
  body?: unknown;
}

/** What the server has served. Inner $batch requests count like top-level ones. */
export class RequestCounters {
  total = 0;
  /**
   * Writes (assignLicense, reprocessLicenseAssignment) the tenant executed: a refused one counts
   * (Graph processed it), a throttled one or a held one that was dropped does not; a late one counts
   * when it is applied.
   */
  writes = 0;
  /** Write requests held by the "hold" fault (whatever became of them). */
  held = 0;
  /** Held writes whose client disconnected before they were released: never applied. */
  dropped = 0;
  /** Requests answered with an injected 429. */
  throttled = 0;
  /** Requests answered 503 by the "outage" fault. */
  unavailable = 0;
  /** Keyed by route template, e.g. "GET /groups/{id}/members"; unmatched paths as "GET (unmatched)". */
  byRoute: Record<string, number> = {};

  reset(): void {
    this.total = 0;
    this.writes = 0;
    this.held = 0;
    this.dropped = 0;
    this.throttled = 0;
    this.unavailable = 0;
    this.byRoute = {};
  }
}

// ---------------------------------------------------------------------------------------------
// Graph's shapes

const GRAPH_CONTENT_TYPE =
  "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";
const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 999;
const MAX_BATCH_REQUESTS = 20;
/** checkMemberGroups takes at most 20 group ids a request. */
const MAX_CHECK_MEMBER_GROUPS = 20;
/**
 * The brief asks for `id` in every entity even when $select leaves it out. (Real Graph returns
 * only the selected properties; flip this to match it exactly.)
 */
const ALWAYS_INCLUDE_ID = true;

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function notFound(id: string): HttpError {
  return new HttpError(
    404,
    "Request_ResourceNotFound",
    `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
  );
}

// ---------------------------------------------------------------------------------------------
// Entity types: properties, default sets, filterable properties

type Getter<T> = (entity: T, state: TenantState) => unknown;

interface EntityType<T> {
  /** For error messages, as Graph names them ("microsoft.graph.user"). */
  typeName: string;
  /** Resource name in filter errors ("User"). */
  resource: string;
  /** Entity set in @odata.context ("users"). */
  entitySet: string;
  props: Readonly<Record<string, Getter<T>>>;
  /** Graph's default property set, returned when $select is absent. */
  defaults: readonly string[];
  filter: FilterSupport;
  /** $filter support with `ConsistencyLevel: eventual` (Graph's advanced queries). */
  advancedFilter: FilterSupport;
  orderBy: readonly string[];
}

/** assignedPlans as Entra derives it: every enabled plan of every product the user holds. */
function assignedPlans(user: User, state: TenantState): unknown[] {
  const skus = new Map(state.subscribedSkus().map((s) => [s.skuId, s]));
  const dates = new Map(user.licenseAssignmentStates.map((s) => [s.skuId, s.lastUpdatedDateTime]));
  const plans: unknown[] = [];
  for (const license of user.assignedLicenses) {
    const sku = skus.get(license.skuId);
    if (!sku) continue;
    for (const plan of sku.servicePlans) {
      if (plan.appliesTo !== "User" || license.disabledPlans.includes(plan.servicePlanId)) continue;
      plans.push({
        assignedDateTime: dates.get(license.skuId) ?? null,
        capabilityStatus: "Enabled",
        // Graph gives the workload ("exchange", "SharePoint"…); the snapshot only knows the plan name.
        service: plan.servicePlanName,
        servicePlanId: plan.servicePlanId,
      });
    }
  }
  return plans;
}

const stringOps = ["eq", "startswith", "in"] as const;
const advancedStringOps = ["eq", "ne", "startswith", "endswith", "in"] as const;

const userType: EntityType<User> = {
  typeName: "microsoft.graph.user",
  resource: "User",
  entitySet: "users",
  props: {
    id: (u) => u.id,
    businessPhones: () => [],
    displayName: (u) => u.displayName,
    givenName: (u) => u.givenName,
    jobTitle: (u) => u.jobTitle,
    mail: (u) => u.mail,
    mobilePhone: () => null,
    officeLocation: () => null,
    preferredLanguage: () => null,
    surname: (u) => u.surname,
    userPrincipalName: (u) => u.userPrincipalName,
    department: (u) => u.department,
    accountEnabled: (u) => u.accountEnabled,
    usageLocation: (u) => u.usageLocation,
    assignedLicenses: (u) => u.assignedLicenses,
    assignedPlans: (u, s) => assignedPlans(u, s),
    licenseAssignmentStates: (u) => u.licenseAssignmentStates,
  },
  defaults: [
    "businessPhones",
    "displayName",
    "givenName",
    "jobTitle",
    "mail",
    "mobilePhone",
    "officeLocation",
    "preferredLanguage",
    "surname",
    "userPrincipalName",
  ],
  filter: {
    id: { type: "string", ops: ["eq", "in"] },
    displayName: { type: "string", ops: stringOps },
    userPrincipalName: { type: "string", ops: stringOps },
    mail: { type: "string", ops: stringOps },
    givenName: { type: "string", ops: stringOps },
    surname: { type: "string", ops: stringOps },
    jobTitle: { type: "string", ops: stringOps },
    accountEnabled: { type: "boolean", ops: ["eq"] },
    usageLocation: { type: "string", ops: ["eq"] },
  },
  advancedFilter: {
    id: { type: "string", ops: ["eq", "ne", "in"] },
    displayName: { type: "string", ops: advancedStringOps },
    userPrincipalName: { type: "string", ops: advancedStringOps },
    mail: { type: "string", ops: advancedStringOps },
    givenName: { type: "string", ops: advancedStringOps },
    surname: { type: "string", ops: advancedStringOps },
    jobTitle: { type: "string", ops: advancedStringOps },
    department: { type: "string", ops: advancedStringOps },
    accountEnabled: { type: "boolean", ops: ["eq", "ne"] },
    usageLocation: { type: "string", ops: ["eq", "ne"] },
    // Who holds a product (directly or inherited): only as an advanced query here, as the product reads it.
    assignedLicenses: { type: "collection", lambdas: ["any"], element: { skuId: { type: "guid", ops: ["eq"] } } },
  },
  orderBy: ["displayName", "userPrincipalName"],
};

const groupType: EntityType<Group> = {
  typeName: "microsoft.graph.group",
  resource: "Group",
  entitySet: "groups",
  props: {
    id: (g) => g.id,
    displayName: (g) => g.displayName,
    description: (g) => g.description,
    mail: (g) => g.mail,
    mailEnabled: (g) => g.mailEnabled,
    securityEnabled: (g) => g.securityEnabled,
    groupTypes: (g) => g.groupTypes,
    membershipRule: (g) => g.membershipRule,
    membershipRuleProcessingState: (g) => g.membershipRuleProcessingState,
    onPremisesSyncEnabled: (g) => g.onPremisesSyncEnabled,
    assignedLicenses: (g) => g.assignedLicenses,
    licenseProcessingState: (g) => g.licenseProcessingState,
  },
  // domain-facts lists the licensing and kind fields as "each only with $select"; we follow it
  // (stricter than Graph for groupTypes/securityEnabled/…, which is the safe direction).
  defaults: ["displayName", "description", "mail"],
  filter: {
    id: { type: "string", ops: ["eq", "in"] },
    displayName: { type: "string", ops: stringOps },
    mail: { type: "string", ops: stringOps },
    mailEnabled: { type: "boolean", ops: ["eq"] },
    securityEnabled: { type: "boolean", ops: ["eq"] },
    onPremisesSyncEnabled: { type: "boolean", ops: ["eq"] },
    membershipRuleProcessingState: { type: "string", ops: ["eq"] },
    hasMembersWithLicenseErrors: { type: "boolean", ops: ["eq"] },
  },
  advancedFilter: {
    id: { type: "string", ops: ["eq", "ne", "in"] },
    displayName: { type: "string", ops: advancedStringOps },
    mail: { type: "string", ops: advancedStringOps },
    mailEnabled: { type: "boolean", ops: ["eq", "ne"] },
    securityEnabled: { type: "boolean", ops: ["eq", "ne"] },
    onPremisesSyncEnabled: { type: "boolean", ops: ["eq", "ne"] },
    membershipRuleProcessingState: { type: "string", ops: ["eq", "ne"] },
    // hasMembersWithLicenseErrors is refused with ConsistencyLevel: eventual (see listGroups).
  },
  orderBy: ["displayName"],
};

function subscribedSkuProps(org: Organization): Record<string, Getter<SubscribedSku>> {
  return {
    id: (s) => s.id ?? `${org.id}_${s.skuId}`,
    accountId: (s) => s.accountId ?? org.id,
    accountName: () => org.displayName,
    appliesTo: (s) => s.appliesTo,
    capabilityStatus: (s) => s.capabilityStatus,
    consumedUnits: (s) => s.consumedUnits,
    prepaidUnits: (s) => s.prepaidUnits,
    servicePlans: (s) => s.servicePlans,
    skuId: (s) => s.skuId,
    skuPartNumber: (s) => s.skuPartNumber,
    subscriptionIds: () => [],
  };
}

const organizationProps: Record<string, Getter<Organization>> = {
  id: (o) => o.id,
  displayName: (o) => o.displayName,
  countryLetterCode: (o) => o.countryLetterCode,
  verifiedDomains: (o) => o.verifiedDomains,
};

function checkSelect(
  names: readonly string[],
  propSets: readonly Readonly<Record<string, unknown>>[],
  typeName: string,
): void {
  for (const name of names) {
    if (name === "*") continue;
    if (!propSets.some((p) => Object.prototype.hasOwnProperty.call(p, name))) {
      throw new HttpError(400, "BadRequest", `Could not find a property named '${name}' on type '${typeName}'.`);
    }
  }
}

/** One entity in Graph's shape: the selected (or default) properties this type has, id first. */
function project<T>(
  props: Readonly<Record<string, Getter<T>>>,
  defaults: readonly string[],
  entity: T,
  state: TenantState,
  select: readonly string[] | undefined,
): Record<string, unknown> {
  const names =
    select === undefined
      ? ["id", ...defaults]
      : select.includes("*")
        ? Object.keys(props)
        : ALWAYS_INCLUDE_ID
          ? ["id", ...select]
          : [...select];
  const out: Record<string, unknown> = {};
  for (const name of names) {
    const get = Object.prototype.hasOwnProperty.call(props, name) ? props[name] : undefined;
    if (get && !(name in out)) out[name] = get(entity, state);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Routing

interface Context {
  method: string;
  params: Record<string, string>;
  query: RawQuery;
  /** Path below /v1.0, e.g. "/groups/abc/members" (as received, still encoded). */
  path: string;
  headers: Record<string, string>;
  body: string | undefined;
  /** Absolute service root for links, e.g. "http://127.0.0.1:4000/". */
  base: string;
  eventual: boolean;
}

type Handler = (ctx: Context) => SimResponse | Promise<SimResponse>;

interface Route {
  method: "GET" | "POST";
  /** e.g. "/groups/{id}/members"; also the counters' key after the method. */
  template: string;
  /** Query options the route accepts; any other `$` option is a 400. */
  options: readonly QueryOptionName[];
  write?: boolean;
  handler: Handler;
}

const LIST_OPTIONS: readonly QueryOptionName[] = ["$select", "$filter", "$top", "$count", "$skiptoken", "$orderby"];

function matchTemplate(template: string, segments: readonly string[]): Record<string, string> | undefined {
  const parts = template.split("/").filter((s) => s !== "");
  if (parts.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    const seg = segments[i]!;
    if (part.startsWith("{")) {
      if (seg === "") return undefined;
      params[part.slice(1, -1)] = seg;
    } else if (part.toLowerCase() !== seg.toLowerCase()) {
      return undefined; // Graph's segment names are case-insensitive
    }
  }
  return params;
}

function normalizeHeaders(headers: SimRequest["headers"]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) {
    if (v === undefined) continue;
    out[k.toLowerCase()] = Array.isArray(v) ? v.join(", ") : v;
  }
  return out;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The client of a held or hanging write went away: there is nobody to answer. */
class ClientGone extends Error {
  constructor() {
    super("the client disconnected");
  }
}

/**
 * Resolves when `released` says so (checked each time `wake` is called) and rejects with ClientGone
 * when `signal` aborts first; with neither, it waits for ever.
 */
function waitUnless(signal: AbortSignal | undefined, waiters: Set<() => void>, released: () => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = () => {
      waiters.delete(wake);
      signal?.removeEventListener("abort", gone);
    };
    const wake = () => {
      if (!released()) return;
      done();
      resolve();
    };
    const gone = () => {
      done();
      reject(new ClientGone());
    };
    if (signal?.aborted) return reject(new ClientGone());
    waiters.add(wake);
    signal?.addEventListener("abort", gone, { once: true });
  });
}

export class GraphSimulatorServer {
  readonly counters = new RequestCounters();
  private faults: SimulatorFaults = {
    latencyMs: 0,
    throttleRate: 0,
    retryAfterSeconds: 1,
    outage: false,
    writes: "normal",
    lateWriteMs: 1000,
  };
  /** Held writes, each re-checking the faults when they change. */
  private readonly heldWrites = new Set<() => void>();
  /** Throttle-eligible requests seen since the faults were last set. */
  private throttleSeq = 0;
  /** Called after every write the tenant applies (tests check invariants there). */
  private readonly writeListeners = new Set<(write: { method: string; path: string; status: number }) => void>();
  private server: http.Server | undefined;
  private baseUrl: string | undefined;
  private readonly routes: Route[];

  constructor(
    readonly state: TenantState,
    faults?: Partial<SimulatorFaults>,
  ) {
    if (faults) this.setFaults(faults);
    this.routes = [
      { method: "GET", template: "/subscribedSkus", options: ["$select"], handler: (c) => this.listSubscribedSkus(c) },
      { method: "GET", template: "/organization", options: ["$select"], handler: (c) => this.listOrganization(c) },
      { method: "GET", template: "/users", options: LIST_OPTIONS, handler: (c) => this.listUsers(c) },
      { method: "GET", template: "/users/{id}", options: ["$select"], handler: (c) => this.getUser(c) },
      {
        method: "POST",
        template: "/users/{id}/assignLicense",
        options: [],
        write: true,
        handler: (c) => this.assignUserLicense(c),
      },
      {
        method: "POST",
        template: "/users/{id}/reprocessLicenseAssignment",
        options: [],
        write: true,
        handler: (c) => this.reprocessUser(c),
      },
      // A read that Graph sends as a POST: not a write, so not counted in counters.writes.
      {
        method: "POST",
        template: "/users/{id}/checkMemberGroups",
        options: [],
        handler: (c) => this.checkMemberGroups(c),
      },
      { method: "GET", template: "/groups", options: LIST_OPTIONS, handler: (c) => this.listGroups(c) },
      { method: "GET", template: "/groups/{id}", options: ["$select"], handler: (c) => this.getGroup(c) },
      {
        method: "POST",
        template: "/groups/{id}/assignLicense",
        options: [],
        write: true,
        handler: (c) => this.assignGroupLicense(c),
      },
      {
        method: "GET",
        template: "/groups/{id}/members",
        options: LIST_OPTIONS,
        handler: (c) => this.listMembers(c, "all"),
      },
      {
        method: "GET",
        template: "/groups/{id}/members/microsoft.graph.user",
        options: LIST_OPTIONS,
        handler: (c) => this.listMembers(c, "user"),
      },
      {
        method: "GET",
        template: "/groups/{id}/members/microsoft.graph.group",
        options: LIST_OPTIONS,
        handler: (c) => this.listMembers(c, "group"),
      },
      {
        method: "GET",
        template: "/groups/{id}/membersWithLicenseErrors",
        options: ["$select", "$top", "$skiptoken"],
        handler: (c) => this.listMembersWithErrors(c),
      },
      // Handled in dispatch (it re-enters the dispatcher); listed for matching and counting.
      { method: "POST", template: "/$batch", options: [], handler: () => ({ status: 500, headers: {} }) },
    ];
  }

  /** Calls `listener` after every write the tenant applies, with what it was; returns the unsubscribe. */
  onWrite(listener: (write: { method: string; path: string; status: number }) => void): () => void {
    this.writeListeners.add(listener);
    return () => this.writeListeners.delete(listener);
  }

  /** Changes the given faults only (undefined values are ignored). Setting throttleRate restarts its count. */
  setFaults(f: Partial<SimulatorFaults>): void {
    const next = { ...this.faults };
    if (f.latencyMs !== undefined) next.latencyMs = f.latencyMs;
    if (f.retryAfterSeconds !== undefined) next.retryAfterSeconds = f.retryAfterSeconds;
    if (f.lateWriteMs !== undefined) next.lateWriteMs = f.lateWriteMs;
    if (f.outage !== undefined) next.outage = f.outage === true;
    if (f.throttleRate !== undefined) {
      if (!(f.throttleRate >= 0 && f.throttleRate <= 1))
        throw new RangeError(`throttleRate must be within 0..1, not ${f.throttleRate}`);
      next.throttleRate = f.throttleRate;
      this.throttleSeq = 0; // so that a test can count from the moment it sets the rate
    }
    if (!(next.latencyMs >= 0)) throw new RangeError(`latencyMs must be a non-negative number, not ${next.latencyMs}`);
    if (!(next.retryAfterSeconds >= 0))
      throw new RangeError(`retryAfterSeconds must be a non-negative number, not ${next.retryAfterSeconds}`);
    if (!(next.lateWriteMs >= 0))
      throw new RangeError(`lateWriteMs must be a non-negative number, not ${next.lateWriteMs}`);
    if (f.writes !== undefined) {
      if (!WRITE_FAULTS.includes(f.writes))
        throw new RangeError(`writes must be one of ${WRITE_FAULTS.join(", ")}, not ${String(f.writes)}`);
      next.writes = f.writes;
    }
    this.faults = next;
    for (const wake of [...this.heldWrites]) wake();
  }

  getFaults(): SimulatorFaults {
    return { ...this.faults };
  }

  /** Starts listening; resolves to the base URL (e.g. "http://127.0.0.1:4000/"); port 0 = a free port. */
  listen(port = 0, host = "127.0.0.1"): Promise<string> {
    if (this.server) return Promise.reject(new Error("already listening"));
    const server = http.createServer((req, res) => void this.serveHttp(req, res));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => {
        const address = server.address() as AddressInfo;
        const shownHost = address.family === "IPv6" ? `[${address.address}]` : address.address;
        this.baseUrl = `http://${shownHost}:${address.port}/`;
        resolve(this.baseUrl);
      });
    });
  }

  close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.baseUrl = undefined;
    if (!server) return Promise.resolve();
    return new Promise((resolve, reject) => {
      server.close((err) => (err ? reject(err) : resolve()));
      server.closeAllConnections(); // keep-alive sockets (fetch) would otherwise hold close() open
    });
  }

  /** The transport-free entry point: one top-level request (latency applied once). */
  async handle(request: SimRequest): Promise<SimResponse> {
    if (this.faults.latencyMs > 0) await delay(this.faults.latencyMs);
    const headers = normalizeHeaders(request.headers);
    const requestId = randomUUID();
    const clientRequestId = headers["client-request-id"] ?? requestId;
    let response: SimResponse;
    try {
      response = await this.dispatch(request.method, request.url, headers, request.body, true, request.signal);
    } catch (e) {
      response = this.errorResponse(e);
    }
    return this.stamp(response, requestId, clientRequestId);
  }

  // -------------------------------------------------------------------------------------------
  // Dispatcher

  private async dispatch(
    method: string,
    url: string,
    headers: Record<string, string>,
    body: string | undefined,
    topLevel: boolean,
    signal?: AbortSignal,
  ): Promise<SimResponse> {
    const upper = method.toUpperCase();
    const base = headers.host ? `http://${headers.host}/` : (this.baseUrl ?? "https://graph.microsoft.com/");
    let parsed: URL;
    try {
      parsed = new URL(url, base);
    } catch {
      this.count(`${upper} (unmatched)`);
      return this.error(400, "BadRequest", `Invalid request URL '${url}'.`);
    }
    // The Graph client only recognises https nextLinks: given our http one it joins it onto its base
    // ("/v1.0/http://host/v1.0/users?…"). Graph itself never sees this; undo it so that PageIterator
    // and client.api(nextLink) work against the simulator.
    const embedded = /^\/v1\.0\/https?:\/+[^/]+(\/.*)$/.exec(parsed.pathname);
    const pathname = embedded ? embedded[1]! : parsed.pathname;
    const rawSegments = pathname.split("/").slice(1);
    if (rawSegments[rawSegments.length - 1] === "") rawSegments.pop(); // a trailing slash
    let segments: string[];
    try {
      segments = rawSegments.map((s) => decodeURIComponent(s));
    } catch {
      this.count(`${upper} (unmatched)`);
      return this.error(400, "BadRequest", `Invalid request URL '${url}'.`);
    }

    const version = segments[0];
    const below = segments.slice(1);
    const matched = version === "v1.0" ? this.match(upper, below) : undefined;
    const routeKey = matched ? `${upper} ${matched.route.template}` : `${upper} (unmatched)`;
    const isBatch = matched?.route.template === "/$batch";
    this.count(routeKey);

    if (this.faults.outage) {
      this.counters.unavailable++;
      const response = this.error(
        503,
        "serviceNotAvailable",
        "The service is temporarily unavailable. Retry after the interval given in the Retry-After header.",
      );
      response.headers["retry-after"] = String(this.faults.retryAfterSeconds);
      return response;
    }
    // The batch envelope itself is not throttled; its inner requests are, one by one.
    if (!isBatch && this.shouldThrottle()) {
      this.counters.throttled++;
      const response = this.error(
        429,
        "TooManyRequests",
        "Too many requests. Retry after the interval given in the Retry-After header.",
      );
      response.headers["retry-after"] = String(this.faults.retryAfterSeconds);
      return response;
    }

    if (version !== "v1.0") {
      return this.error(400, "BadRequest", `Invalid version: ${version ?? ""}. The simulator serves v1.0 only.`);
    }
    if (!matched) return this.unmatched(upper, below);

    const query = splitQuery(parsed.search);
    for (const name of Object.keys(query.options) as QueryOptionName[]) {
      if (!matched.route.options.includes(name)) {
        if (name === "$skip")
          throw new HttpError(400, "Request_BadRequest", "'$skip' is not supported by the service.");
        throw new HttpError(400, "BadRequest", `Query option '${name}' is not allowed on this request.`);
      }
    }
    const ctx: Context = {
      method: upper,
      params: matched.params,
      query,
      path: "/" + rawSegments.slice(1).join("/"),
      headers,
      body,
      base: `${parsed.protocol}//${parsed.host}/`,
      eventual: (headers["consistencylevel"] ?? "").toLowerCase() === "eventual",
    };
    if (isBatch) {
      if (!topLevel) return this.error(400, "BadRequest", "A batch request cannot contain another batch request.");
      return this.batch(ctx, signal);
    }
    if (matched.route.write) return this.write(ctx, matched.route.handler, signal);
    return matched.route.handler(ctx);
  }

  /** A write, under the `writes` fault: held or delayed before it is applied, or left unanswered after. */
  private async write(ctx: Context, handler: Handler, signal: AbortSignal | undefined): Promise<SimResponse> {
    if (this.faults.writes === "hold") {
      this.counters.held++;
      try {
        await waitUnless(signal, this.heldWrites, () => this.faults.writes !== "hold");
      } catch (error) {
        if (error instanceof ClientGone) this.counters.dropped++;
        throw error;
      }
    }
    if (this.faults.writes === "apply-late") {
      // Not abortable: the write goes on after its client leaves; the HTTP adapter then answers nobody.
      await delay(this.faults.lateWriteMs);
      return this.apply(ctx, handler);
    }
    const response = await this.apply(ctx, handler);
    // The write is in the tenant; its answer is never sent. Only the client leaving ends the wait.
    if (this.faults.writes === "apply-then-hang") await waitUnless(signal, new Set(), () => false);
    return response;
  }

  /** Applies a write to the tenant: counted, and told to the write listeners. */
  private async apply(ctx: Context, handler: Handler): Promise<SimResponse> {
    this.counters.writes++;
    const response = await handler(ctx);
    for (const listener of this.writeListeners)
      listener({ method: ctx.method, path: ctx.path, status: response.status });
    return response;
  }

  private match(
    method: string,
    segments: readonly string[],
  ): { route: Route; params: Record<string, string> } | undefined {
    for (const route of this.routes) {
      if (route.method !== method) continue;
      const params = matchTemplate(route.template, segments);
      if (params) return { route, params };
    }
    return undefined;
  }

  /** Graph's answers to a path it does not know or a method a path does not take. */
  private unmatched(method: string, segments: readonly string[]): SimResponse {
    if (this.routes.some((r) => matchTemplate(r.template, segments))) {
      return this.error(
        405,
        "Request_BadRequest",
        `Specified HTTP method '${method}' is not allowed for the request uri.`,
      );
    }
    // Name the first segment that no route continues with.
    let depth = 0;
    while (
      depth < segments.length &&
      this.routes.some((r) => {
        const parts = r.template.split("/").filter((s) => s !== "");
        return (
          parts.length > depth && matchTemplate("/" + parts.slice(0, depth + 1).join("/"), segments.slice(0, depth + 1))
        );
      })
    ) {
      depth++;
    }
    const segment = segments[Math.min(depth, segments.length - 1)] ?? "";
    return this.error(400, "BadRequest", `Resource not found for the segment '${segment}'.`);
  }

  private count(routeKey: string): void {
    this.counters.total++;
    this.counters.byRoute[routeKey] = (this.counters.byRoute[routeKey] ?? 0) + 1;
  }

  private shouldThrottle(): boolean {
    // In millionths, so that n × rate is exact integer arithmetic (0.9 × 100 must be 90, not 90.00…01).
    const perMillion = Math.round(this.faults.throttleRate * 1_000_000);
    if (perMillion === 0) return false;
    const n = this.throttleSeq++;
    // Request n+1 is throttled when ceil((n+1) × rate) steps past ceil(n × rate): of the first n
    // requests exactly ceil(n × rate) are, and the first one always is, so a test sees a 429 at once.
    return Math.ceil(((n + 1) * perMillion) / 1_000_000) > Math.ceil((n * perMillion) / 1_000_000);
  }

  // -------------------------------------------------------------------------------------------
  // Responses

  private json(status: number, body: unknown): SimResponse {
    // A copy, so that a caller of handle() never holds live tenant state.
    return { status, headers: { "content-type": GRAPH_CONTENT_TYPE }, body: structuredClone(body) };
  }

  private error(status: number, code: string, message: string): SimResponse {
    // innerError's ids are filled in by stamp(), which knows them.
    return this.json(status, { error: { code, message, innerError: {} } });
  }

  private errorResponse(e: unknown): SimResponse {
    if (e instanceof HttpError) return this.error(e.status, e.code, e.message);
    if (e instanceof ODataError) return this.error(e.status, e.code, e.message);
    if (e instanceof GraphError) return this.error(e.status, e.code, e.message);
    // Never a stack trace on the wire; the message is enough to debug the simulator locally.
    const message = e instanceof Error ? e.message : String(e);
    return this.error(500, "InternalServerError", `The simulator failed: ${message}`);
  }

  /** Adds Graph's request ids to a response (and to an error body's innerError). */
  private stamp(response: SimResponse, requestId: string, clientRequestId: string): SimResponse {
    response.headers["request-id"] = requestId;
    response.headers["client-request-id"] = clientRequestId;
    const body = response.body as { error?: { innerError?: Record<string, string> } } | undefined;
    if (body?.error?.innerError) {
      body.error.innerError = {
        date: new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
        "request-id": requestId,
        "client-request-id": clientRequestId,
      };
    }
    return response;
  }

  private contextUrl(ctx: Context, fragment: string, select: readonly string[] | undefined, entity = false): string {
    const sel = select ? `(${select.join(",")})` : "";
    return `${ctx.base}v1.0/$metadata#${fragment}${sel}${entity ? "/$entity" : ""}`;
  }

  // -------------------------------------------------------------------------------------------
  // Query options shared by the lists

  private select(
    ctx: Context,
    propSets: readonly Readonly<Record<string, unknown>>[],
    typeName: string,
  ): string[] | undefined {
    const raw = ctx.query.options.$select;
    if (raw === undefined) return undefined;
    const names = parseSelect(raw);
    checkSelect(names, propSets, typeName);
    return names;
  }

  private filter<T>(ctx: Context, type: EntityType<T>): FilterExpr | undefined {
    const raw = ctx.query.options.$filter;
    if (raw === undefined) return undefined;
    const expr = parseFilter(raw);
    checkFilterSupport(expr, ctx.eventual ? type.advancedFilter : type.filter, type.resource, ctx.eventual);
    return expr;
  }

  private wantsCount(ctx: Context): boolean {
    const raw = ctx.query.options.$count;
    if (raw === undefined || !parseCount(raw)) return false;
    // Directory objects count only with advanced query capabilities.
    if (!ctx.eventual) throw new HttpError(400, "Request_BadRequest", "$count is not currently supported.");
    return true;
  }

  private order<T>(ctx: Context, type: EntityType<T>, items: T[]): T[] {
    const raw = ctx.query.options.$orderby;
    if (raw === undefined) return items;
    const m = /^\s*([A-Za-z]+)(?:\s+(asc|desc))?\s*$/i.exec(raw);
    const prop = m?.[1];
    if (!m || !prop || !type.orderBy.includes(prop)) {
      throw new HttpError(400, "Request_UnsupportedQuery", `Order by '${raw}' is not supported.`);
    }
    if (ctx.query.options.$filter !== undefined && !ctx.eventual) {
      throw new HttpError(400, "Request_UnsupportedQuery", "Sorting not supported for current query.");
    }
    const get = type.props[prop]!;
    const dir = m[2]?.toLowerCase() === "desc" ? -1 : 1;
    return [...items].sort(
      (a, b) =>
        dir *
        String(get(a, this.state) ?? "").localeCompare(String(get(b, this.state) ?? ""), "en", { sensitivity: "base" }),
    );
  }

  /** One page of a collection, with @odata.nextLink to the next (query options carried on). */
  private page<T>(
    ctx: Context,
    items: readonly T[],
    contextUrl: string,
    render: (item: T) => Record<string, unknown>,
    count: boolean,
  ): SimResponse {
    const top =
      ctx.query.options.$top !== undefined ? parseTop(ctx.query.options.$top, MAX_PAGE_SIZE) : DEFAULT_PAGE_SIZE;
    const offset = ctx.query.options.$skiptoken !== undefined ? decodeSkipToken(ctx.query.options.$skiptoken) : 0;
    const body: Record<string, unknown> = { "@odata.context": contextUrl };
    if (count) body["@odata.count"] = items.length;
    const end = offset + top;
    if (end < items.length) {
      const carried: [string, string][] = [];
      for (const [name, value] of Object.entries(ctx.query.options)) {
        if (name !== "$skiptoken" && value !== undefined) carried.push([name, value]);
      }
      carried.push(...ctx.query.other, ["$skiptoken", encodeSkipToken(end)]);
      body["@odata.nextLink"] = `${ctx.base}v1.0${ctx.path}?${joinQuery(carried)}`;
    }
    body.value = items.slice(offset, end).map(render);
    return this.json(200, body);
  }

  private jsonBody(ctx: Context, required: boolean): unknown {
    if (ctx.body === undefined || ctx.body.trim() === "") {
      if (required) throw new HttpError(400, "BadRequest", "Empty Payload. JSON content expected.");
      return undefined;
    }
    try {
      return JSON.parse(ctx.body) as unknown;
    } catch {
      throw new HttpError(
        400,
        "BadRequest",
        "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.",
      );
    }
  }

  // -------------------------------------------------------------------------------------------
  // Handlers

  private listSubscribedSkus(ctx: Context): SimResponse {
    const props = subscribedSkuProps(this.state.organization);
    const select = this.select(ctx, [props], "microsoft.graph.subscribedSku");
    const all = Object.keys(props).filter((p) => p !== "id");
    return this.json(200, {
      "@odata.context": this.contextUrl(ctx, "subscribedSkus", select),
      value: this.state.subscribedSkus().map((s) => project(props, all, s, this.state, select)),
    });
  }

  private listOrganization(ctx: Context): SimResponse {
    const select = this.select(ctx, [organizationProps], "microsoft.graph.organization");
    const all = Object.keys(organizationProps).filter((p) => p !== "id");
    return this.json(200, {
      "@odata.context": this.contextUrl(ctx, "organization", select),
      value: [project(organizationProps, all, this.state.organization, this.state, select)],
    });
  }

  private renderUser(select: readonly string[] | undefined, withType: boolean): (u: User) => Record<string, unknown> {
    return (u) => {
      const body = project(userType.props, userType.defaults, u, this.state, select);
      return withType ? { "@odata.type": "#microsoft.graph.user", ...body } : body;
    };
  }

  private renderGroup(select: readonly string[] | undefined, withType: boolean): (g: Group) => Record<string, unknown> {
    return (g) => {
      const body = project(groupType.props, groupType.defaults, g, this.state, select);
      return withType ? { "@odata.type": "#microsoft.graph.group", ...body } : body;
    };
  }

  private listUsers(ctx: Context): SimResponse {
    const select = this.select(ctx, [userType.props], userType.typeName);
    const filter = this.filter(ctx, userType);
    const count = this.wantsCount(ctx);
    let users = [...this.state.users()];
    if (filter) users = users.filter((u) => evaluateFilter(filter, (p) => userType.props[p]?.(u, this.state)));
    users = this.order(ctx, userType, users);
    return this.page(ctx, users, this.contextUrl(ctx, "users", select), this.renderUser(select, false), count);
  }

  private findUser(idOrUpn: string): User {
    const user = this.state.user(idOrUpn);
    if (!user) throw notFound(idOrUpn);
    return user;
  }

  private findGroup(id: string): Group {
    const group = this.state.group(id);
    if (!group) throw notFound(id);
    return group;
  }

  private getUser(ctx: Context): SimResponse {
    const select = this.select(ctx, [userType.props], userType.typeName);
    const user = this.findUser(ctx.params.id!);
    return this.json(200, {
      "@odata.context": this.contextUrl(ctx, "users", select, true),
      ...this.renderUser(select, false)(user),
    });
  }

  private assignUserLicense(ctx: Context): SimResponse {
    const body = this.jsonBody(ctx, true);
    this.findUser(ctx.params.id!);
    const user = this.state.assignUserLicense(ctx.params.id!, body);
    return this.json(200, {
      "@odata.context": this.contextUrl(ctx, "users", undefined, true),
      ...this.renderUser(undefined, false)(user),
    });
  }

  private reprocessUser(ctx: Context): SimResponse {
    this.jsonBody(ctx, false); // no body expected, but a malformed one is still a 400
    this.findUser(ctx.params.id!);
    const user = this.state.reprocessUser(ctx.params.id!);
    return this.json(200, {
      "@odata.context": this.contextUrl(ctx, "users", undefined, true),
      ...this.renderUser(undefined, false)(user),
    });
  }

  /** Which of the given groups the user is in, directly or through nested groups; unknown ids are left out. */
  private checkMemberGroups(ctx: Context): SimResponse {
    const body = this.jsonBody(ctx, true);
    const groupIds = (body as { groupIds?: unknown } | null)?.groupIds;
    if (!Array.isArray(groupIds) || !groupIds.every((id): id is string => typeof id === "string")) {
      throw new HttpError(
        400,
        "Request_BadRequest",
        "Invalid value specified for property 'groupIds': an array of group ids is required.",
      );
    }
    if (groupIds.length > MAX_CHECK_MEMBER_GROUPS) {
      throw new HttpError(
        400,
        "Request_BadRequest",
        `Too many group ids (${groupIds.length}): at most ${MAX_CHECK_MEMBER_GROUPS} may be checked in one request.`,
      );
    }
    const user = this.findUser(ctx.params.id!);
    // Ids match without case; the answer spells them as the directory does.
    const memberOf = new Map([...this.state.transitiveMemberOf(user.id)].map((id) => [id.toLowerCase(), id]));
    const value = [
      ...new Set(groupIds.map((id) => memberOf.get(id.toLowerCase())).filter((id): id is string => id !== undefined)),
    ];
    return this.json(200, { "@odata.context": `${ctx.base}v1.0/$metadata#Collection(Edm.String)`, value });
  }

  private listGroups(ctx: Context): SimResponse {
    const select = this.select(ctx, [groupType.props], groupType.typeName);
    const rawFilter = ctx.query.options.$filter;
    if (ctx.eventual && rawFilter !== undefined && /hasMembersWithLicenseErrors/i.test(rawFilter)) {
      // Parse first, so that the refusal names the property only when it is really used.
      const usesProperty = JSON.stringify(parseFilter(rawFilter)).includes('"property":"hasMembersWithLicenseErrors"');
      if (usesProperty) {
        throw new HttpError(
          400,
          "Request_UnsupportedQuery",
          "Unsupported query: 'hasMembersWithLicenseErrors' cannot be used with ConsistencyLevel 'eventual'.",
        );
      }
    }
    const filter = this.filter(ctx, groupType);
    const count = this.wantsCount(ctx);
    let groups = [...this.state.groups()];
    if (filter) {
      groups = groups.filter((g) =>
        evaluateFilter(filter, (p) =>
          p === "hasMembersWithLicenseErrors"
            ? this.state.membersWithLicenseErrors(g.id).length > 0
            : groupType.props[p]?.(g, this.state),
        ),
      );
    }
    groups = this.order(ctx, groupType, groups);
    return this.page(ctx, groups, this.contextUrl(ctx, "groups", select), this.renderGroup(select, false), count);
  }

  private getGroup(ctx: Context): SimResponse {
    const select = this.select(ctx, [groupType.props], groupType.typeName);
    const group = this.findGroup(ctx.params.id!);
    return this.json(200, {
      "@odata.context": this.contextUrl(ctx, "groups", select, true),
      ...this.renderGroup(select, false)(group),
    });
  }

  private assignGroupLicense(ctx: Context): SimResponse {
    const body = this.jsonBody(ctx, true);
    this.findGroup(ctx.params.id!);
    const group = this.state.assignGroupLicense(ctx.params.id!, body);
    // Graph accepts the change and processes members later: 202 with the group.
    return this.json(202, {
      "@odata.context": this.contextUrl(ctx, "groups", undefined, true),
      ...this.renderGroup(undefined, false)(group),
    });
  }

  private listMembers(ctx: Context, cast: "all" | "user" | "group"): SimResponse {
    const propSets =
      cast === "user" ? [userType.props] : cast === "group" ? [groupType.props] : [userType.props, groupType.props];
    const typeName =
      cast === "group" ? groupType.typeName : cast === "user" ? userType.typeName : "microsoft.graph.directoryObject";
    const select = this.select(ctx, propSets, typeName);
    this.findGroup(ctx.params.id!);
    // Graph filters members only with advanced query capabilities.
    if (ctx.query.options.$filter !== undefined && !ctx.eventual) {
      throw new HttpError(
        400,
        "Request_UnsupportedQuery",
        "Filter on members requires the ConsistencyLevel header set to 'eventual' and $count=true.",
      );
    }
    if (ctx.query.options.$orderby !== undefined)
      throw new HttpError(400, "Request_UnsupportedQuery", "Sorting not supported for current query.");
    const count = this.wantsCount(ctx);
    let members = this.state.membersReadOnly(ctx.params.id!);
    if (cast === "user") members = members.filter((m) => isUser(m));
    if (cast === "group") members = members.filter((m) => !isUser(m));
    if (ctx.query.options.$filter !== undefined) {
      const userFilter = cast !== "group" ? this.filter(ctx, userType) : undefined;
      const groupFilter = cast !== "user" ? this.filter(ctx, groupType) : undefined;
      members = members.filter((m) =>
        isUser(m)
          ? evaluateFilter(userFilter!, (p) => userType.props[p]?.(m, this.state))
          : evaluateFilter(groupFilter!, (p) => groupType.props[p]?.(m, this.state)),
      );
    }
    const fragment = cast === "user" ? "users" : cast === "group" ? "groups" : "directoryObjects";
    const renderUser = this.renderUser(select, true);
    const renderGroup = this.renderGroup(select, true);
    return this.page(
      ctx,
      members,
      this.contextUrl(ctx, fragment, select),
      (m) => (isUser(m) ? renderUser(m) : renderGroup(m)),
      count,
    );
  }

  private listMembersWithErrors(ctx: Context): SimResponse {
    const select = this.select(ctx, [userType.props], userType.typeName);
    this.findGroup(ctx.params.id!);
    const users = this.state.membersWithLicenseErrors(ctx.params.id!);
    return this.page(
      ctx,
      users,
      this.contextUrl(ctx, "directoryObjects", select),
      this.renderUser(select, true),
      false,
    );
  }

  // -------------------------------------------------------------------------------------------
  // $batch

  private async batch(ctx: Context, signal: AbortSignal | undefined): Promise<SimResponse> {
    const payload = this.jsonBody(ctx, true);
    const invalid = (why: string): SimResponse => this.error(400, "BadRequest", `Invalid batch payload format: ${why}`);
    if (
      typeof payload !== "object" ||
      payload === null ||
      !Array.isArray((payload as { requests?: unknown }).requests)
    ) {
      return invalid("the body must be an object with a 'requests' array.");
    }
    const requests = (payload as { requests: unknown[] }).requests;
    if (requests.length === 0) return invalid("'requests' is empty.");
    if (requests.length > MAX_BATCH_REQUESTS) {
      return this.error(
        400,
        "BadRequest",
        `The number of requests in the batch (${requests.length}) exceeds the limit of ${MAX_BATCH_REQUESTS}.`,
      );
    }

    interface Inner {
      id: string;
      method: string;
      url: string;
      headers: Record<string, string>;
      body: unknown;
      dependsOn: string[];
    }
    const inner: Inner[] = [];
    const seen = new Set<string>();
    for (const r of requests) {
      if (typeof r !== "object" || r === null) return invalid("each request must be an object.");
      const o = r as Record<string, unknown>;
      if (typeof o.id !== "string" || o.id === "") return invalid("each request needs a string 'id'.");
      if (seen.has(o.id)) return invalid(`duplicate request id '${o.id}'.`);
      if (typeof o.method !== "string" || !/^(GET|POST|PUT|PATCH|DELETE)$/i.test(o.method))
        return invalid(`request '${o.id}' has no valid 'method'.`);
      if (typeof o.url !== "string" || o.url === "") return invalid(`request '${o.id}' has no 'url'.`);
      const headers: Record<string, string> = {};
      if (o.headers !== undefined) {
        if (typeof o.headers !== "object" || o.headers === null)
          return invalid(`request '${o.id}' has invalid 'headers'.`);
        for (const [k, v] of Object.entries(o.headers)) {
          if (typeof v !== "string") return invalid(`request '${o.id}' has a non-string header '${k}'.`);
          headers[k.toLowerCase()] = v;
        }
      }
      if (o.body !== undefined && headers["content-type"] === undefined) {
        return this.error(
          400,
          "BadRequest",
          `Write request id : ${o.id} does not contain Content-Type header or body.`,
        );
      }
      const dependsOn = o.dependsOn === undefined ? [] : o.dependsOn;
      if (!Array.isArray(dependsOn) || !dependsOn.every((d): d is string => typeof d === "string" && seen.has(d))) {
        return invalid(`request '${o.id}' depends on an unknown or later request.`);
      }
      seen.add(o.id);
      inner.push({ id: o.id, method: o.method, url: o.url, headers, body: o.body, dependsOn });
    }

    // Sequential: simple and deterministic for counters and throttling (Graph may run them in any order).
    const responses: { id: string; status: number; headers: Record<string, string>; body?: unknown }[] = [];
    const statusById = new Map<string, number>();
    for (const r of inner) {
      let response: SimResponse;
      if (r.dependsOn.some((d) => (statusById.get(d) ?? 0) >= 400)) {
        response = this.error(424, "FailedDependency", "A request this request depends on failed.");
      } else if (/^[a-z][a-z0-9+.-]*:/i.test(r.url)) {
        this.count(`${r.method.toUpperCase()} (unmatched)`);
        response = this.error(400, "BadRequest", "Batch request URLs must be relative, e.g. '/users/{id}'.");
      } else {
        const path = "/v1.0" + (r.url.startsWith("/") ? r.url : "/" + r.url);
        const body = r.body === undefined ? undefined : typeof r.body === "string" ? r.body : JSON.stringify(r.body);
        // Links in inner responses point at the same host as the batch itself.
        const headers: Record<string, string> = { ...r.headers };
        delete headers.host;
        if (ctx.headers.host !== undefined) headers.host = ctx.headers.host;
        try {
          response = await this.dispatch(r.method, path, headers, body, false, signal);
        } catch (e) {
          // A held or hanging inner write whose client left: the whole batch has nobody to answer.
          if (e instanceof ClientGone) throw e;
          response = this.errorResponse(e);
        }
      }
      const requestId = randomUUID();
      this.stamp(response, requestId, r.headers["client-request-id"] ?? requestId);
      statusById.set(r.id, response.status);
      const headers: Record<string, string> = {
        "content-type": response.headers["content-type"] ?? GRAPH_CONTENT_TYPE,
      };
      if (response.headers["retry-after"] !== undefined) headers["Retry-After"] = response.headers["retry-after"];
      responses.push({
        id: r.id,
        status: response.status,
        headers,
        ...(response.body === undefined ? {} : { body: response.body }),
      });
    }
    return this.json(200, { responses });
  }

  // -------------------------------------------------------------------------------------------
  // HTTP adapter

  private async serveHttp(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    let response: SimResponse;
    // The client leaving before its answer (a killed process, a closed socket) ends held writes.
    const client = new AbortController();
    res.once("close", () => {
      if (!res.writableFinished) client.abort();
    });
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const body = chunks.length > 0 ? Buffer.concat(chunks).toString("utf8") : undefined;
      response = await this.handle({
        method: req.method ?? "GET",
        url: req.url ?? "/",
        headers: req.headers,
        body,
        signal: client.signal,
      });
    } catch (e) {
      // handle() does not throw; this is a broken socket or similar.
      const message = e instanceof Error ? e.message : String(e);
      response = {
        status: 500,
        headers: { "content-type": GRAPH_CONTENT_TYPE },
        body: { error: { code: "InternalServerError", message } },
      };
    }
    if (client.signal.aborted) return; // nobody to answer
    const payload = response.body === undefined ? undefined : JSON.stringify(response.body);
    // statusCode/setHeader rather than writeHead: restify (loaded by the bot in the same process)
    // patches ServerResponse.prototype.writeHead.
    res.statusCode = response.status;
    for (const [name, value] of Object.entries(response.headers)) res.setHeader(name, value);
    if (payload !== undefined) res.setHeader("content-length", Buffer.byteLength(payload));
    res.end(payload);
  }
}

function isUser(m: User | Group): m is User {
  return "userPrincipalName" in m;
}
