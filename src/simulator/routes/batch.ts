/**
 * POST /$batch: up to 20 requests in one, each run through the server's dispatcher in turn (so
 * that they are counted and throttled like top-level ones) and answered together (docs/graph-and-entra.md, "$batch").
 */
import { randomUUID } from "node:crypto";
import { ClientGone } from "../faults";
import { errorResponse, toErrorResponse } from "../graphErrors";
import { GRAPH_CONTENT_TYPE, jsonResponse, stampRequestIds, type SimResponse } from "../graphResponses";
import type { Route, RouteContext } from "../routing";
import { readJsonBody } from "./requestBody";

const MAX_BATCH_REQUESTS = 20;

export const BATCH_TEMPLATE = "/$batch";

/** What a batch needs of the server that runs it. */
export interface BatchDispatcher {
  /** Runs one inner request (a path below the host, e.g. "/v1.0/users/…") as a request inside a batch. */
  dispatch(
    method: string,
    path: string,
    headers: Record<string, string>,
    body: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<SimResponse>;
  /** Counts a request that no route takes, by its method. */
  countUnmatched(method: string): void;
}

async function runBatch(ctx: RouteContext, server: BatchDispatcher): Promise<SimResponse> {
  const payload = readJsonBody(ctx, true);
  const invalid = (why: string): SimResponse =>
    errorResponse(400, "BadRequest", `Invalid batch payload format: ${why}`);
  if (typeof payload !== "object" || payload === null || !Array.isArray((payload as { requests?: unknown }).requests)) {
    return invalid("the body must be an object with a 'requests' array.");
  }
  const requests = (payload as { requests: unknown[] }).requests;
  if (requests.length === 0) return invalid("'requests' is empty.");
  if (requests.length > MAX_BATCH_REQUESTS) {
    return errorResponse(
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
      return errorResponse(
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
      response = errorResponse(424, "FailedDependency", "A request this request depends on failed.");
    } else if (/^[a-z][a-z0-9+.-]*:/i.test(r.url)) {
      server.countUnmatched(r.method.toUpperCase());
      response = errorResponse(400, "BadRequest", "Batch request URLs must be relative, e.g. '/users/{id}'.");
    } else {
      const path = "/v1.0" + (r.url.startsWith("/") ? r.url : "/" + r.url);
      const body = r.body === undefined ? undefined : typeof r.body === "string" ? r.body : JSON.stringify(r.body);
      // Links in inner responses point at the same host as the batch itself.
      const headers: Record<string, string> = { ...r.headers };
      delete headers.host;
      if (ctx.headers.host !== undefined) headers.host = ctx.headers.host;
      try {
        response = await server.dispatch(r.method, path, headers, body, ctx.signal);
      } catch (e) {
        // A held or hanging inner write whose client left: the whole batch has nobody to answer.
        if (e instanceof ClientGone) throw e;
        response = toErrorResponse(e);
      }
    }
    const requestId = randomUUID();
    stampRequestIds(response, requestId, r.headers["client-request-id"] ?? requestId);
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
  return jsonResponse(200, { responses });
}

export function batchRoutes(server: BatchDispatcher): readonly Route[] {
  return [{ method: "POST", template: BATCH_TEMPLATE, options: [], handler: (ctx) => runBatch(ctx, server) }];
}
