/**
 * The one module that talks to Microsoft Graph. Every Graph URL the product uses is built here, and
 * every answer is turned into the licensing domain's plain types (../licensing/model.ts), so the
 * rest of the code never sees Graph's wire format.
 *
 * The same client reaches Microsoft Graph and the simulated tenant; only the base URL and the
 * authentication differ (createGraphClient). The client's default middleware retries 429 and 503/504
 * with Retry-After (bounded), so callers see a throttling error only once retries are spent.
 */
import { readFileSync } from "node:fs";
import { ClientCertificateCredential, ClientSecretCredential, type TokenCredential } from "@azure/identity";
import {
  Client,
  GraphError,
  MiddlewareFactory,
  ResponseType,
  RetryHandler,
  RetryHandlerOptions,
  type AuthenticationProvider,
  type Context,
  type GraphRequest,
  type Middleware,
  type ShouldRetry,
} from "@microsoft/microsoft-graph-client";
import { TokenCredentialAuthenticationProvider } from "@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials";
import type * as Graph from "@microsoft/microsoft-graph-types";
import { directoryId, isGuid } from "../directoryId";
import { TenantRequestError } from "../errors";
import type {
  AssignedLicense,
  CapabilityStatus,
  GroupMembers,
  LicenseProcessingState,
  LicenseState,
  Product,
  Subscription,
  TenantGroup,
  TenantUser,
} from "../licensing/model";
import type { Operation } from "../licensing/preview";

/** One page of a Graph collection. */
interface GraphCollection<T> {
  value: T[];
  "@odata.nextLink"?: string;
  "@odata.count"?: number;
}

/**
 * The user fields the licensing logic reads: each is returned only when selected
 * (docs/graph-and-entra.md, "User license fields").
 */
const USER_FIELDS = [
  "id",
  "displayName",
  "userPrincipalName",
  "usageLocation",
  "userType",
  "assignedLicenses",
  "licenseAssignmentStates",
];
const GROUP_FIELDS = [
  "id",
  "displayName",
  "groupTypes",
  "securityEnabled",
  "mailEnabled",
  "membershipRule",
  "membershipRuleProcessingState",
  "onPremisesSyncEnabled",
  "assignedLicenses",
  "licenseProcessingState",
];
/** Graph's most requests in one $batch (docs/graph-and-entra.md, "$batch"). */
const BATCH_SIZE = 20;
/** How often a throttled $batch item is sent again before its 429 is the answer. */
const BATCH_RETRIES = 5;
/**
 * $batch requests in flight at once. Graph evaluates each item against its throttling limits on
 * its own ("JSON batching"); four keep a 100,000-user read to a quarter of the round trips while
 * a 429 still slows only the items it names.
 */
const BATCHES_IN_FLIGHT = 4;

interface BatchItem {
  readonly method: string;
  /** Relative to the version root, e.g. /users/{id}/assignLicense. */
  readonly url: string;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

interface BatchAnswer {
  readonly status: number;
  readonly body?: unknown;
}

/** Seconds to wait before sending a throttled item again: its Retry-After, else exponential back-off. */
function retryAfterSeconds(headers: Record<string, string> | undefined, attempt: number): number {
  const header = Object.entries(headers ?? {}).find(([k]) => k.toLowerCase() === "retry-after")?.[1];
  const seconds = Number(header);
  return Number.isFinite(seconds) && seconds >= 0 ? Math.min(seconds, 60) : Math.min(2 ** attempt, 30);
}

function batchErrorMessage(body: unknown): string {
  const error = (body as { error?: { message?: unknown } } | undefined)?.error;
  return typeof error?.message === "string" ? error.message : "Graph gave no reason";
}

/** Graph's largest page for directory objects. */
const PAGE_SIZE = 999;
/** checkMemberGroups takes at most 20 group ids a call. */
const MEMBER_GROUPS_PER_CALL = 20;
/** The only paths assignLicense may write to: a user's or a group's assignLicense action. */
const ASSIGN_LICENSE_PATH = /^\/(users|groups)\/([^/?#]+)\/assignLicense$/;

/** What Graph answered to a write: the status and the request-id to quote in the audit trail. */
export interface WriteResult {
  readonly status: number;
  readonly requestId?: string;
}

/** A group or user found by name: enough to tell them apart on a card. */
export interface NamedEntity {
  readonly id: string;
  readonly displayName: string;
  /** Users only. */
  readonly userPrincipalName?: string;
}

/**
 * Microsoft Graph's roots and the sign-in authority of each cloud ("Microsoft Graph national cloud
 * deployments"): a national cloud's token comes from its own authority, for a scope on its own root.
 */
export const GRAPH_CLOUDS: Readonly<Record<string, string>> = {
  "graph.microsoft.com": "https://login.microsoftonline.com",
  "graph.microsoft.us": "https://login.microsoftonline.us",
  "dod-graph.microsoft.us": "https://login.microsoftonline.us",
  "microsoftgraph.chinacloudapi.cn": "https://login.chinacloudapi.cn",
};

/** The authority and the .default scope for a Graph root; undefined for a host that is no Graph root. */
export function cloudOf(baseUrl: string): { authorityHost: string; scope: string } | undefined {
  if (!URL.canParse(baseUrl)) return undefined;
  const host = new URL(baseUrl).host.toLowerCase();
  const authorityHost = GRAPH_CLOUDS[host];
  return authorityHost ? { authorityHost, scope: `https://${host}/.default` } : undefined;
}

/** Microsoft Graph with an app registration: the root to call, and the app's credentials in its tenant. */
export interface GraphAppRegistration {
  readonly kind: "graph";
  readonly baseUrl: string;
  readonly tenantId: string;
  readonly clientId: string;
  readonly credential: { readonly clientSecret: string } | { readonly certificatePath: string };
}

/** What a Graph client talks to: Microsoft Graph, or a simulated tenant at `url` (which needs no token). */
export type GraphTarget = GraphAppRegistration | { readonly kind: "simulator"; readonly url: string };

/** A Graph client for `target`, each HTTP attempt given at most `timeoutMs`. */
export function createGraphClient(target: GraphTarget, timeoutMs = DEFAULT_TIMEOUT_MS): Client {
  if (target.kind === "simulator") {
    // The simulator needs no token; the client sends none to a host that is not Graph's.
    const authProvider = { getAccessToken: async () => "simulated-tenant" };
    return Client.initWithMiddleware({
      baseUrl: target.url,
      defaultVersion: "v1.0",
      middleware: middlewareChain(authProvider, timeoutMs),
    });
  }
  const tenant = target;
  const { credential, scope } = signIn(tenant);
  const authProvider = new TokenCredentialAuthenticationProvider(credential, { scopes: [scope] });
  const baseUrl = tenant.baseUrl.endsWith("/") ? tenant.baseUrl : `${tenant.baseUrl}/`;
  return Client.initWithMiddleware({
    baseUrl,
    defaultVersion: "v1.0",
    middleware: middlewareChain(authProvider, timeoutMs),
    customHosts: new Set([new URL(baseUrl).host]),
  });
}

/** The app's credential on its cloud's authority, and the scope of a token for that cloud's Graph. */
function signIn(tenant: GraphAppRegistration): { credential: TokenCredential; scope: string } {
  const cloud = cloudOf(tenant.baseUrl);
  // The settings refuse any other root; this guards a caller that skipped them.
  if (!cloud) throw new Error(`${tenant.baseUrl} is not a Microsoft Graph root`);
  const { authorityHost, scope } = cloud;
  const credential =
    "clientSecret" in tenant.credential
      ? new ClientSecretCredential(tenant.tenantId, tenant.clientId, tenant.credential.clientSecret, { authorityHost })
      : new ClientCertificateCredential(
          tenant.tenantId,
          tenant.clientId,
          { certificate: readFileSync(tenant.credential.certificatePath, "utf8") },
          { authorityHost },
        );
  return { credential, scope };
}

/**
 * An access token for Graph, as the app gets one (client credentials): from the cloud's authority,
 * or from the simulated tenant's token endpoint (src/simulator/tokenEndpoint.ts).
 */
export async function accessTokenFor(target: GraphTarget, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<string> {
  if (target.kind === "simulator") {
    const response = await fetch(new URL("organizations/oauth2/v2.0/token", target.url), {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "client_credentials", scope: "https://graph.microsoft.com/.default" }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = (await response.json()) as { access_token?: unknown };
    if (!response.ok || typeof body.access_token !== "string")
      throw new Error(`the simulated tenant's token endpoint answered ${response.status}`);
    return body.access_token;
  }
  const { credential, scope } = signIn(target);
  const token = await credential.getToken(scope, { abortSignal: AbortSignal.timeout(timeoutMs) });
  if (!token) throw new Error("Entra gave no access token");
  return token.token;
}

/** How long one HTTP request to Graph may take before it is abandoned (and, for a write, the tenant is checked). */
export const DEFAULT_TIMEOUT_MS = 60_000;

/**
 * The client's default middleware (auth, retries with Retry-After, redirects, telemetry) with a time
 * limit on each attempt, and retries that never send a write again after a 503 or 504.
 */
function middlewareChain(authProvider: AuthenticationProvider, timeoutMs: number): Middleware[] {
  const chain = MiddlewareFactory.getDefaultMiddlewareChain(authProvider).map((m) =>
    m instanceof RetryHandler ? new RetryHandler(new RetryHandlerOptions(undefined, undefined, safeToResend)) : m,
  );
  chain.splice(chain.length - 1, 0, new TimeoutHandler(timeoutMs));
  return chain;
}

/**
 * A 429 means Graph did not take the request, so anything may be sent again. A 503 or 504 may come
 * after a write landed (docs/graph-contract.md): sending assignLicense or reprocessLicenseAssignment
 * again, alone or in a $batch, could apply it twice, so the caller gets the error and checks the tenant.
 */
const safeToResend: ShouldRetry = (_delay, _attempt, request, options, response) => {
  if (response.status !== 503 && response.status !== 504) return true;
  const url = typeof request === "string" ? request : request.url;
  const method = (options?.method ?? (typeof request === "string" ? "GET" : request.method)).toUpperCase();
  if (method !== "POST") return true;
  const writes = /\/(assignLicense|reprocessLicenseAssignment)(\?|$)/;
  if (writes.test(url)) return false;
  const body = typeof options?.body === "string" ? options.body : "";
  return !(/\/\$batch(\?|$)/.test(url) && /assignLicense|reprocessLicenseAssignment/.test(body));
};

/** Gives each attempt its own abort signal: a Graph that never answers becomes an error, not a hang. */
class TimeoutHandler implements Middleware {
  private next: Middleware | undefined;

  constructor(private readonly timeoutMs: number) {}

  async execute(context: Context): Promise<void> {
    context.options = { ...context.options, signal: AbortSignal.timeout(this.timeoutMs) };
    if (!this.next) throw new Error("TimeoutHandler must not be last in the middleware chain");
    await this.next.execute(context);
  }

  setNext(next: Middleware): void {
    this.next = next;
  }
}

export class GraphGateway {
  constructor(private readonly client: Client) {}

  /** The tenant's products with their seats and service plans. */
  async listProducts(): Promise<Product[]> {
    const page = await this.call("read the tenant's subscribed products", "LicenseAssignment.Read.All", () =>
      this.client
        .api("/subscribedSkus")
        .select([
          "skuId",
          "skuPartNumber",
          "appliesTo",
          "capabilityStatus",
          "consumedUnits",
          "prepaidUnits",
          "servicePlans",
        ])
        .get(),
    );
    return (page as GraphCollection<Graph.SubscribedSku>).value.map(toProduct);
  }

  /**
   * The tenant's commercial subscriptions (trial, state, next date), or undefined when the app may
   * not read them: they need Organization.Read.All, which an admin may not have granted
   * (docs/graph-and-entra.md, "Subscriptions").
   */
  async listSubscriptions(): Promise<Subscription[] | undefined> {
    try {
      const page = await this.call("read the tenant's subscriptions", "Organization.Read.All", () =>
        this.client
          .api("/directory/subscriptions")
          .select(["skuId", "status", "isTrial", "nextLifecycleDateTime", "totalLicenses"])
          .get(),
      );
      return (page as GraphCollection<Graph.CompanySubscription>).value.map((s) => ({
        skuId: required(s.skuId, "subscription.skuId"),
        status: s.status ?? "Enabled",
        isTrial: s.isTrial ?? false,
        nextLifecycleDateTime: s.nextLifecycleDateTime ?? null,
        totalLicenses: s.totalLicenses ?? 0,
      }));
    } catch (error) {
      if (error instanceof TenantRequestError && error.status === 403) return undefined;
      throw error;
    }
  }

  /**
   * Groups whose name is `name` (case-insensitive), else those whose name starts with it, with the
   * fields the checks read, so that a match needs no second call.
   */
  async findGroups(name: string): Promise<TenantGroup[]> {
    const find = (filter: string) =>
      this.listAll(
        `find the group "${name}"`,
        "GroupMember.Read.All",
        this.client.api("/groups").filter(encodeURIComponent(filter)).select(GROUP_FIELDS).top(PAGE_SIZE),
        toGroup,
        { maxPages: 1 },
      );
    const literal = odataString(name);
    const exact = await find(`displayName eq ${literal}`);
    return exact.length > 0 ? exact : await find(`startswith(displayName,${literal})`);
  }

  /** Every group's name, for suggesting the closest when nothing matched (at most `limit`). */
  async listGroupNames(limit: number): Promise<NamedEntity[]> {
    const groups = await this.listAll(
      "list the tenant's groups",
      "GroupMember.Read.All",
      this.client.api("/groups").select(["id", "displayName"]).top(PAGE_SIZE),
      toNamed,
      { maxPages: Math.ceil(limit / PAGE_SIZE) },
    );
    return groups.slice(0, limit);
  }

  /**
   * Users whose user principal name or mail is `name` when it has an @, else whose display name is
   * `name`, else starts with it; with the fields the checks read.
   */
  async findUsers(name: string): Promise<TenantUser[]> {
    const find = (filter: string) =>
      this.listAll(
        `find the user "${name}"`,
        "User.Read.All",
        this.client.api("/users").filter(encodeURIComponent(filter)).select(USER_FIELDS).top(PAGE_SIZE),
        toUser,
        { maxPages: 1 },
      );
    const literal = odataString(name);
    if (name.includes("@")) return find(`userPrincipalName eq ${literal} or mail eq ${literal}`);
    const exact = await find(`displayName eq ${literal}`);
    return exact.length > 0 ? exact : await find(`startswith(displayName,${literal})`);
  }

  /** Every user's name, for suggesting the closest when nothing matched (at most `limit`). */
  async listUserNames(limit: number): Promise<NamedEntity[]> {
    const users = await this.listAll(
      "list the tenant's users",
      "User.Read.All",
      this.client.api("/users").select(["id", "displayName", "userPrincipalName"]).top(PAGE_SIZE),
      toNamed,
      { maxPages: Math.ceil(limit / PAGE_SIZE) },
    );
    return users.slice(0, limit);
  }

  async getGroup(id: string): Promise<TenantGroup> {
    const group = await this.call(`read the group ${id}`, "GroupMember.Read.All", () =>
      this.client
        .api(`/groups/${encodeURIComponent(id)}`)
        .select(GROUP_FIELDS)
        .get(),
    );
    return toGroup(group as Graph.Group);
  }

  async getUser(id: string): Promise<TenantUser> {
    const user = await this.call(`read the user ${id}`, "User.Read.All", () =>
      this.client
        .api(`/users/${encodeURIComponent(id)}`)
        .select(USER_FIELDS)
        .get(),
    );
    return toUser(user as Graph.User);
  }

  /**
   * A group's direct members with their license fields: one paged listing of the users (cast to
   * user, 999 a page, only the fields the checks need) and one of the nested groups. No call per
   * member. `onCount` hears the number of user members as soon as the first page tells it.
   */
  async listGroupMembers(groupId: string, onCount?: (users: number) => void): Promise<GroupMembers> {
    const id = encodeURIComponent(groupId);
    // $count needs ConsistencyLevel: eventual on every page, the next pages' links included.
    const eventual = { ConsistencyLevel: "eventual" };
    const users = await this.listAll(
      "read the group's members",
      "GroupMember.Read.All",
      this.client
        .api(`/groups/${id}/members/microsoft.graph.user`)
        .headers(eventual)
        .count(true)
        .select(USER_FIELDS)
        .top(PAGE_SIZE),
      toUser,
      { onCount, headers: eventual },
    );
    const nestedGroups = await this.listAll(
      "read the group's nested groups",
      "GroupMember.Read.All",
      this.client
        .api(`/groups/${id}/members/microsoft.graph.group`)
        .headers(eventual)
        .count(true)
        .select(["id", "displayName"])
        .top(PAGE_SIZE),
      toNamed,
      { headers: eventual },
    ).catch((error: unknown) => {
      // Graph refuses the cast on a Microsoft 365 group, which cannot contain groups: it has none.
      if (error instanceof TenantRequestError && error.code === "Request_UnsupportedQuery") return [];
      throw error;
    });
    return { users, nestedGroups };
  }

  /**
   * Users who hold the product from a direct assignment, members of any group or none: one paged
   * listing of the users whose assignedLicenses include it (an advanced query, so ConsistencyLevel:
   * eventual and $count on every page), kept when a license state of it is direct. assignedLicenses
   * mixes direct and inherited (docs/graph-and-entra.md, "User license fields"); only
   * licenseAssignmentStates tells them apart.
   */
  async listDirectHolders(skuId: string): Promise<TenantUser[]> {
    // The GUID goes into the filter unquoted: anything else is a defect, never a user's text.
    if (!isGuid(skuId)) throw new Error(`not a skuId: ${skuId}`);
    const eventual = { ConsistencyLevel: "eventual" };
    const users = await this.listAll(
      "find the users who hold the product directly",
      "User.Read.All",
      this.client
        .api("/users")
        .headers(eventual)
        .count(true)
        .filter(encodeURIComponent(`assignedLicenses/any(x:x/skuId eq ${skuId})`))
        .select(USER_FIELDS)
        .top(PAGE_SIZE),
      toUser,
      { headers: eventual },
    );
    const wanted = skuId.toLowerCase();
    return users.filter((u) =>
      u.licenseStates.some((s) => s.assignedByGroup === null && s.skuId.toLowerCase() === wanted),
    );
  }

  /** Display names of groups by id, in one $batch per 20 ids; an id Graph does not know is left out. */
  async groupNames(ids: readonly string[]): Promise<Map<string, string>> {
    const answers = await this.batch(
      "read group names",
      "GroupMember.Read.All",
      ids.map((gid) => ({ method: "GET", url: `/groups/${encodeURIComponent(gid)}?$select=id,displayName` })),
    );
    const names = new Map<string, string>();
    for (const r of answers) {
      const group = r.body as Graph.Group | undefined;
      if (r.status === 200 && group?.id && group.displayName) names.set(group.id, group.displayName);
    }
    return names;
  }

  /** Users by id with their license fields, 20 per $batch; a user Graph does not know is left out. */
  async getUsers(ids: readonly string[]): Promise<TenantUser[]> {
    const select = USER_FIELDS.join(",");
    const answers = await this.batch(
      "read users' licenses",
      "User.Read.All",
      ids.map((id) => ({ method: "GET", url: `/users/${encodeURIComponent(id)}?$select=${select}` })),
    );
    // Only an unknown user is left out: any other refusal (403, say) would silently drop users.
    const refused = answers.find((r) => r.status !== 200 && r.status !== 404);
    if (refused) {
      const error = graphErrorOf(JSON.stringify(refused.body ?? {}));
      throw new TenantRequestError(
        "read users' licenses",
        refused.status,
        error.code,
        error.message ?? `status ${refused.status}`,
        error.requestId,
        undefined,
        "User.Read.All",
      );
    }
    return answers.filter((r) => r.status === 200).map((r) => toUser(r.body as Graph.User));
  }

  /**
   * Sends each operation (user assignLicense calls only) through $batch, 20 per request, and
   * answers each one's status in order: 200, or Graph's error status with its message.
   */
  async assignLicenses(operations: readonly Operation[]): Promise<{ status: number; message?: string }[]> {
    for (const o of operations) {
      if (!/^\/users\/[^/]+\/assignLicense$/.test(o.path))
        throw new Error(`refusing to batch ${o.method} ${o.path}: only a user's assignLicense may be sent this way`);
    }
    const answers = await this.batch(
      "change users' licenses",
      "LicenseAssignment.ReadWrite.All",
      operations.map((o) => ({
        method: o.method,
        url: o.path,
        body: o.body,
        headers: { "Content-Type": "application/json" },
      })),
    );
    return answers.map((r) => ({
      status: r.status,
      ...(r.status >= 300 ? { message: batchErrorMessage(r.body) } : {}),
    }));
  }

  /**
   * $batch, 20 requests at a time (docs/graph-and-entra.md, "$batch"); answers in the order asked.
   * Items Graph throttles (429) are sent again after their Retry-After (bounded), so callers see a 429
   * only once retries are spent.
   */
  private async batch(operation: string, permission: string, requests: readonly BatchItem[]): Promise<BatchAnswer[]> {
    const answers: BatchAnswer[] = new Array(requests.length);
    const starts = Array.from({ length: Math.ceil(requests.length / BATCH_SIZE) }, (_, n) => n * BATCH_SIZE);
    // A few $batch requests in flight at once: reading 100,000 users one by one is 5,000 of them.
    let next = 0;
    const worker = async () => {
      while (next < starts.length) await this.batchOf(operation, permission, requests, starts[next++]!, answers);
    };
    await Promise.all(Array.from({ length: Math.min(BATCHES_IN_FLIGHT, starts.length) }, worker));
    return answers;
  }

  /** One $batch of up to 20 requests from `start`, its throttled items sent again; answers written into `answers`. */
  private async batchOf(
    operation: string,
    permission: string,
    requests: readonly BatchItem[],
    start: number,
    answers: BatchAnswer[],
  ): Promise<void> {
    let pending = requests.slice(start, start + BATCH_SIZE).map((request, n) => ({ index: start + n, request }));
    for (let attempt = 0; pending.length > 0; attempt++) {
      const body = { requests: pending.map((p) => ({ id: String(p.index), ...p.request })) };
      const answer = (await this.call(operation, permission, () => this.client.api("/$batch").post(body))) as {
        responses: (BatchAnswer & { id: string; headers?: Record<string, string> })[];
      };
      const throttled: typeof pending = [];
      let wait = 0;
      for (const r of answer.responses) {
        const item = pending.find((p) => String(p.index) === r.id);
        if (!item) continue;
        if (r.status === 429 && attempt < BATCH_RETRIES) {
          throttled.push(item);
          wait = Math.max(wait, retryAfterSeconds(r.headers, attempt));
        } else {
          answers[item.index] = { status: r.status, body: r.body };
        }
      }
      pending = throttled;
      if (pending.length > 0) await new Promise((resolve) => setTimeout(resolve, wait * 1000));
    }
  }

  /** The id of the tenant Graph answers for (GET /organization). */
  async organizationId(): Promise<string> {
    const page = (await this.call("read the tenant's id", "Organization.Read.All", () =>
      this.client.api("/organization").select(["id"]).get(),
    )) as GraphCollection<Graph.Organization>;
    return directoryId(required(page.value[0]?.id, "organization.id"));
  }

  /**
   * Sends one license change exactly as previewed and approved: `operation.body` as it is, to
   * `operation.path` (a user's or a group's assignLicense, nothing else). Resolves to Graph's status
   * (200 for a user, 202 for a group) and its request-id; any other answer is a TenantRequestError.
   * The client's retry middleware still retries 429/503/504 below this call.
   */
  async assignLicense(operation: Operation): Promise<WriteResult> {
    const target = ASSIGN_LICENSE_PATH.exec(operation.path);
    // A defect, not a user error: the preview builds these paths, and nothing else may be written.
    if (operation.method !== "POST" || !target)
      throw new Error(`not an assignLicense operation: ${operation.method} ${operation.path}`);
    const what = `change the licenses of the ${target[1] === "groups" ? "group" : "user"} ${decodeURIComponent(target[2]!)}`;
    const response = (await this.call(what, "LicenseAssignment.ReadWrite.All", () =>
      this.client.api(operation.path).responseType(ResponseType.RAW).post(operation.body),
    )) as Response;
    const requestId = response.headers.get("request-id") ?? undefined;
    // Read the body either way, so the connection is released; only an error's body matters.
    const text = await response.text().catch(() => "");
    if (!response.ok) {
      const error = graphErrorOf(text);
      throw new TenantRequestError(
        what,
        response.status,
        error.code,
        error.message ?? (text || response.statusText),
        requestId ?? error.requestId,
      );
    }
    return requestId === undefined ? { status: response.status } : { status: response.status, requestId };
  }

  /** Re-runs group-based licensing for one user, at once (docs/graph-and-entra.md, "reprocessLicenseAssignment"). */
  async reprocessUser(userId: string): Promise<void> {
    await this.call(`reprocess the licenses of the user ${userId}`, "User.ReadWrite.All", () =>
      this.client.api(`/users/${encodeURIComponent(userId)}/reprocessLicenseAssignment`).post(undefined),
    );
  }

  /**
   * Which of `groupIds` the user is a member of, directly or through nested groups, as Graph says
   * now (checkMemberGroups, 20 ids a call). Ids are compared without case; the set holds them as given.
   */
  async checkMemberGroups(userId: string, groupIds: readonly string[]): Promise<Set<string>> {
    const member = new Set<string>();
    const unique = [...new Map(groupIds.map((id) => [id.toLowerCase(), id])).values()];
    for (let i = 0; i < unique.length; i += MEMBER_GROUPS_PER_CALL) {
      const chunk = unique.slice(i, i + MEMBER_GROUPS_PER_CALL);
      const answer = (await this.call(
        `check the group memberships of the user ${userId}`,
        "User.Read.All and GroupMember.Read.All",
        () => this.client.api(`/users/${encodeURIComponent(userId)}/checkMemberGroups`).post({ groupIds: chunk }),
      )) as { value?: string[] };
      const found = new Set((answer.value ?? []).map((id) => id.toLowerCase()));
      for (const id of chunk) if (found.has(id.toLowerCase())) member.add(id);
    }
    return member;
  }

  /** All pages of a listing, up to `maxPages`, following @odata.nextLink (sent with `headers`, as the first page was). */
  private async listAll<T, R>(
    operation: string,
    permission: string,
    first: GraphRequest,
    /** Applied to each page as it arrives: Graph's shapes are not kept beside the converted ones. */
    convert: (item: T) => R,
    {
      maxPages = Number.POSITIVE_INFINITY,
      onCount,
      headers = {},
    }: { maxPages?: number; onCount?: (count: number) => void; headers?: Record<string, string> } = {},
  ): Promise<R[]> {
    let page = (await this.call(operation, permission, () => first.get())) as GraphCollection<T>;
    if (onCount && page["@odata.count"] !== undefined) onCount(page["@odata.count"]);
    const items = page.value.map(convert);
    for (let pages = 1; page["@odata.nextLink"] && pages < maxPages; pages++) {
      const next = page["@odata.nextLink"];
      page = (await this.call(operation, permission, () =>
        this.client.api(next).headers(headers).get(),
      )) as GraphCollection<T>;
      for (const item of page.value) items.push(convert(item));
    }
    return items;
  }

  /**
   * Runs one Graph request and turns any failure into a TenantRequestError that says what was being
   * done; `permission` is the application permission the call needs (docs/graph-contract.md), named
   * when Graph refuses it with 403.
   */
  private async call<T>(operation: string, permission: string, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      if (error instanceof GraphError) {
        const status = error.statusCode > 0 ? error.statusCode : undefined;
        const retryAfter = Number(error.headers?.get("retry-after") ?? Number.NaN);
        throw new TenantRequestError(
          operation,
          status,
          error.code ?? undefined,
          error.message,
          error.requestId ?? undefined,
          Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter : undefined,
          permission,
        );
      }
      throw new TenantRequestError(
        operation,
        undefined,
        undefined,
        error instanceof Error ? error.message : String(error),
        undefined,
      );
    }
  }
}

/** Graph's {"error":{"code","message","innerError":{"request-id"}}}, as far as the body has it. */
function graphErrorOf(text: string): { code?: string; message?: string; requestId?: string } {
  try {
    const body = JSON.parse(text) as {
      error?: { code?: unknown; message?: unknown; innerError?: { "request-id"?: unknown } };
    };
    const e = body.error;
    const str = (v: unknown) => (typeof v === "string" && v !== "" ? v : undefined);
    return { code: str(e?.code), message: str(e?.message), requestId: str(e?.innerError?.["request-id"]) };
  } catch {
    return {};
  }
}

function toProduct(sku: Graph.SubscribedSku): Product {
  return {
    skuId: required(sku.skuId, "subscribedSku.skuId"),
    skuPartNumber: required(sku.skuPartNumber, "subscribedSku.skuPartNumber"),
    appliesTo: sku.appliesTo === "Company" ? "Company" : "User",
    capabilityStatus: (sku.capabilityStatus ?? "Enabled") as CapabilityStatus,
    enabledUnits: sku.prepaidUnits?.enabled ?? 0,
    warningUnits: sku.prepaidUnits?.warning ?? 0,
    consumedUnits: sku.consumedUnits ?? 0,
    servicePlans: (sku.servicePlans ?? []).map((p) => ({
      id: required(p.servicePlanId, "servicePlanId"),
      name: p.servicePlanName ?? "",
      appliesTo: p.appliesTo === "Company" ? "Company" : "User",
    })),
  };
}

function required<T>(value: T | null | undefined, field: string): T {
  if (value === null || value === undefined) {
    // Graph always sends these; an answer without one is a defect to log, not a user error.
    throw new Error(`Graph's answer has no ${field}`);
  }
  return value;
}

/** An OData string literal: quotes doubled, so a name can never change the query around it. */
export function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

function toNamed(entity: Graph.User | Graph.Group): NamedEntity {
  const upn = "userPrincipalName" in entity ? entity.userPrincipalName : undefined;
  return {
    id: directoryId(required(entity.id, "id")),
    displayName: entity.displayName ?? "",
    ...(upn ? { userPrincipalName: upn } : {}),
  };
}

function toLicenses(licenses: Graph.AssignedLicense[] | null | undefined): AssignedLicense[] {
  return (licenses ?? []).map((l) => ({
    skuId: required(l.skuId, "assignedLicense.skuId"),
    disabledPlans: l.disabledPlans ?? [],
  }));
}

function toUser(user: Graph.User): TenantUser {
  return {
    id: directoryId(required(user.id, "user.id")),
    displayName: user.displayName ?? "",
    userPrincipalName: user.userPrincipalName ?? "",
    usageLocation: user.usageLocation ?? null,
    userType: user.userType ?? null,
    assignedLicenses: toLicenses(user.assignedLicenses),
    licenseStates: (user.licenseAssignmentStates ?? []).map((s): LicenseState => ({
      skuId: required(s.skuId, "licenseAssignmentState.skuId"),
      assignedByGroup: s.assignedByGroup ? directoryId(s.assignedByGroup) : null,
      disabledPlans: s.disabledPlans ?? [],
      state: (s.state ?? "Active") as LicenseState["state"],
      // Graph documents both null and "None" for no error (docs/graph-and-entra.md, "User license fields").
      error: s.error && s.error !== "None" ? s.error : null,
    })),
  };
}

function toGroup(group: Graph.Group): TenantGroup {
  const processing = (group as { licenseProcessingState?: { state?: string } | null }).licenseProcessingState;
  return {
    id: directoryId(required(group.id, "group.id")),
    displayName: group.displayName ?? "",
    groupTypes: group.groupTypes ?? [],
    securityEnabled: group.securityEnabled ?? false,
    mailEnabled: group.mailEnabled ?? false,
    membershipRule: group.membershipRule ?? null,
    membershipRuleProcessingState: group.membershipRuleProcessingState ?? null,
    onPremisesSyncEnabled: group.onPremisesSyncEnabled ?? null,
    assignedLicenses: toLicenses(group.assignedLicenses),
    licenseProcessingState: (processing?.state ?? null) as LicenseProcessingState | null,
  };
}
