/**
 * The simulated tenant's HTTP face: the subset of Microsoft Graph v1.0 that License Desk uses,
 * answered the way Graph answers it (JSON shapes, status codes, error bodies, paging, $batch,
 * throttling), so that `@microsoft/microsoft-graph-client` can be pointed at it unchanged.
 *
 * `handle()` is a transport-free dispatcher over the route table (routes/*.ts); the `http` listener
 * adapts it, and `$batch` feeds its inner requests back through it (so they are counted and
 * throttled alike). This module runs requests: faults, counters, dispatch and the HTTP adapter.
 * The licensing behaviour itself lives in TenantState.
 */
import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import {
  changeFaults,
  ClientGone,
  DEFAULT_FAULTS,
  delay,
  ThrottleSchedule,
  waitUnless,
  type SimulatorFaults,
} from "./faults";
import { errorResponse, GraphErrorAnswer, toErrorResponse } from "./graphErrors";
import { GRAPH_CONTENT_TYPE, stampRequestIds, type SimRequest, type SimResponse } from "./graphResponses";
import { splitQuery, type QueryOptionName } from "./odata/queryOptions";
import { RequestCounters } from "./requestCounters";
import { batchRoutes, BATCH_TEMPLATE } from "./routes/batch";
import { groupRoutes } from "./routes/groups";
import { organizationRoutes } from "./routes/organization";
import { subscribedSkuRoutes } from "./routes/subscribedSkus";
import { userRoutes } from "./routes/users";
import { matchRoute, unmatchedResponse, type Handler, type Route, type RouteContext } from "./routing";
import type { TenantState } from "./tenantState";
import { permits, README_PERMISSIONS } from "./permissions";
import { isTokenRequest, tokenResponse } from "./tokenEndpoint";

function normalizeHeaders(headers: SimRequest["headers"]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) {
    if (v === undefined) continue;
    out[k.toLowerCase()] = Array.isArray(v) ? v.join(", ") : v;
  }
  return out;
}

export class GraphSimulatorServer {
  readonly counters = new RequestCounters();
  private faults: SimulatorFaults = { ...DEFAULT_FAULTS };
  /** Held writes, each re-checking the faults when they change. */
  private readonly heldWrites = new Set<() => void>();
  /** Which throttle-eligible requests, counted since the throttle rate was last set, get a 429. */
  private readonly throttle = new ThrottleSchedule();
  /** Called after every write the tenant applies (tests check invariants there). */
  private readonly writeListeners = new Set<(write: { method: string; path: string; status: number }) => void>();
  private server: http.Server | undefined;
  private baseUrl: string | undefined;
  private readonly routes: readonly Route[];
  private granted: ReadonlySet<string>;

  /** `permissions`: the application permissions the app was granted (default: what the README asks for). */
  constructor(
    readonly state: TenantState,
    faults?: Partial<SimulatorFaults>,
    permissions: readonly string[] = README_PERMISSIONS,
  ) {
    this.granted = new Set(permissions);
    if (faults) this.setFaults(faults);
    this.routes = [
      ...subscribedSkuRoutes,
      ...organizationRoutes,
      ...userRoutes,
      ...groupRoutes,
      ...batchRoutes({
        dispatch: (method, path, headers, body, signal) => this.dispatch(method, path, headers, body, false, signal),
        countUnmatched: (method) => this.count(`${method} (unmatched)`),
      }),
    ];
  }

  /** Calls `listener` after every write the tenant applies, with what it was; returns the unsubscribe. */
  onWrite(listener: (write: { method: string; path: string; status: number }) => void): () => void {
    this.writeListeners.add(listener);
    return () => this.writeListeners.delete(listener);
  }

  /** Changes the given faults only (undefined values are ignored). Setting throttleRate restarts its count. */
  setFaults(f: Partial<SimulatorFaults>): void {
    this.faults = changeFaults(this.faults, f);
    if (f.throttleRate !== undefined) this.throttle.restart();
    for (const wake of [...this.heldWrites]) wake();
  }

  /** Grants exactly these application permissions from now on (an admin changing the app's consent). */
  grantPermissions(permissions: readonly string[]): void {
    this.granted = new Set(permissions);
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
    // Sign-in is Entra's, not Graph's: neither counted nor subject to Graph's faults.
    if (isTokenRequest(request.method, new URL(request.url, "http://simulator/").pathname)) {
      return tokenResponse(this.state.organization.id, [...this.granted], "https://graph.microsoft.com");
    }
    this.counters.roundTrips++;
    const requestId = randomUUID();
    const clientRequestId = headers["client-request-id"] ?? requestId;
    let response: SimResponse;
    try {
      response = await this.dispatch(request.method, request.url, headers, request.body, true, request.signal);
    } catch (e) {
      response = toErrorResponse(e);
    }
    return stampRequestIds(response, requestId, clientRequestId);
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
      return errorResponse(400, "BadRequest", `Invalid request URL '${url}'.`);
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
      return errorResponse(400, "BadRequest", `Invalid request URL '${url}'.`);
    }

    const version = segments[0];
    const below = segments.slice(1);
    const matched = version === "v1.0" ? matchRoute(this.routes, upper, below) : undefined;
    const routeKey = matched ? `${upper} ${matched.route.template}` : `${upper} (unmatched)`;
    const isBatch = matched?.route.template === BATCH_TEMPLATE;
    this.count(routeKey);

    if (this.faults.outage) {
      this.counters.unavailable++;
      return this.retryLater(
        503,
        "serviceNotAvailable",
        "The service is temporarily unavailable. Retry after the interval given in the Retry-After header.",
      );
    }
    // The batch envelope itself is not throttled; its inner requests are, one by one.
    if (!isBatch && this.throttle.next(this.faults.throttleRate)) {
      this.counters.throttled++;
      return this.retryLater(
        429,
        "TooManyRequests",
        "Too many requests. Retry after the interval given in the Retry-After header.",
      );
    }

    if (version !== "v1.0") {
      return errorResponse(400, "BadRequest", `Invalid version: ${version ?? ""}. The simulator serves v1.0 only.`);
    }
    if (!matched) return unmatchedResponse(this.routes, upper, below);

    const query = splitQuery(parsed.search);
    for (const name of Object.keys(query.options) as QueryOptionName[]) {
      if (!matched.route.options.includes(name)) {
        if (name === "$skip")
          throw new GraphErrorAnswer(400, "Request_BadRequest", "'$skip' is not supported by the service.");
        throw new GraphErrorAnswer(400, "BadRequest", `Query option '${name}' is not allowed on this request.`);
      }
    }
    const ctx: RouteContext = {
      method: upper,
      params: matched.params,
      query,
      path: "/" + rawSegments.slice(1).join("/"),
      headers,
      body,
      base: `${parsed.protocol}//${parsed.host}/`,
      eventual: (headers["consistencylevel"] ?? "").toLowerCase() === "eventual",
      state: this.state,
      signal,
    };
    if (isBatch && !topLevel)
      return errorResponse(400, "BadRequest", "A batch request cannot contain another batch request.");
    // Graph checks the token's permissions per request, a $batch's items one by one.
    if (matched.route.permissions && !permits(matched.route.permissions, this.granted)) {
      this.counters.denied++;
      return errorResponse(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.");
    }
    if (matched.route.write) return this.write(ctx, matched.route.handler, signal);
    return matched.route.handler(ctx);
  }

  /** A write, under the `writes` fault: held or delayed before it is applied, or left unanswered after. */
  private async write(ctx: RouteContext, handler: Handler, signal: AbortSignal | undefined): Promise<SimResponse> {
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
    if (this.faults.writes === "apply-then-504")
      return errorResponse(504, "GatewayTimeout", "The gateway did not receive a timely response from the service.");
    // The write is in the tenant; its answer is never sent. Only the client leaving ends the wait.
    if (this.faults.writes === "apply-then-hang") await waitUnless(signal, new Set(), () => false);
    return response;
  }

  /** Applies a write to the tenant: counted, and told to the write listeners. */
  private async apply(ctx: RouteContext, handler: Handler): Promise<SimResponse> {
    this.counters.writes++;
    const response = await handler(ctx);
    for (const listener of this.writeListeners)
      listener({ method: ctx.method, path: ctx.path, status: response.status });
    return response;
  }

  /** An injected refusal that asks the client to come back: the error with the faults' Retry-After. */
  private retryLater(status: 429 | 503, code: string, message: string): SimResponse {
    const response = errorResponse(status, code, message);
    response.headers["retry-after"] = String(this.faults.retryAfterSeconds);
    return response;
  }

  private count(routeKey: string): void {
    this.counters.total++;
    this.counters.byRoute[routeKey] = (this.counters.byRoute[routeKey] ?? 0) + 1;
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
