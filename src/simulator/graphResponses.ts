/**
 * Requests and responses as the simulated Graph sees them, transport-free, and the parts of an
 * answer Graph always gives: its JSON content type, @odata.context links and request ids.
 */

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

export const GRAPH_CONTENT_TYPE =
  "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";

export function jsonResponse(status: number, body: unknown): SimResponse {
  // A copy, so that a caller of handle() never holds live tenant state.
  return { status, headers: { "content-type": GRAPH_CONTENT_TYPE }, body: structuredClone(body) };
}

/** The @odata.context of an answer: `base` is the service root, e.g. "http://127.0.0.1:4000/". */
export function contextUrl(
  base: string,
  fragment: string,
  select: readonly string[] | undefined,
  entity = false,
): string {
  const sel = select ? `(${select.join(",")})` : "";
  return `${base}v1.0/$metadata#${fragment}${sel}${entity ? "/$entity" : ""}`;
}

/** Adds Graph's request ids to a response (and to an error body's innerError). */
export function stampRequestIds(response: SimResponse, requestId: string, clientRequestId: string): SimResponse {
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
