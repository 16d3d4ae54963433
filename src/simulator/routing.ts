/**
 * The route table's vocabulary: what a route is, what its handler is given, how a path matches a
 * route's template, and what Graph answers for a path or method no route takes.
 */
import { errorResponse } from "./graphErrors";
import type { SimResponse } from "./graphResponses";
import type { QueryOptionName, RawQuery } from "./odata/queryOptions";
import type { PermissionRule } from "./permissions";
import type { TenantState } from "./tenantState";

/** One request as a handler sees it. */
export interface RouteContext {
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
  state: TenantState;
  /** Aborted when the client goes away. */
  signal: AbortSignal | undefined;
}

export type Handler = (ctx: RouteContext) => SimResponse | Promise<SimResponse>;

export interface Route {
  method: "GET" | "POST";
  /** e.g. "/groups/{id}/members/microsoft.graph.user"; also the counters' key after the method. */
  template: string;
  /** Query options the route accepts; any other `$` option is a 400. */
  options: readonly QueryOptionName[];
  write?: boolean;
  /** The application permissions that allow the call (none: the $batch envelope, whose items are each checked). */
  permissions?: PermissionRule;
  handler: Handler;
}

/** The query options of a paged collection. */
export const LIST_OPTIONS: readonly QueryOptionName[] = [
  "$select",
  "$filter",
  "$top",
  "$count",
  "$skiptoken",
  "$orderby",
];

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

export function matchRoute(
  routes: readonly Route[],
  method: string,
  segments: readonly string[],
): { route: Route; params: Record<string, string> } | undefined {
  for (const route of routes) {
    if (route.method !== method) continue;
    const params = matchTemplate(route.template, segments);
    if (params) return { route, params };
  }
  return undefined;
}

/** Graph's answers to a path it does not know or a method a path does not take. */
export function unmatchedResponse(routes: readonly Route[], method: string, segments: readonly string[]): SimResponse {
  if (routes.some((r) => matchTemplate(r.template, segments))) {
    return errorResponse(
      405,
      "Request_BadRequest",
      `Specified HTTP method '${method}' is not allowed for the request uri.`,
    );
  }
  // Name the first segment that no route continues with.
  let depth = 0;
  while (
    depth < segments.length &&
    routes.some((r) => {
      const parts = r.template.split("/").filter((s) => s !== "");
      return (
        parts.length > depth && matchTemplate("/" + parts.slice(0, depth + 1).join("/"), segments.slice(0, depth + 1))
      );
    })
  ) {
    depth++;
  }
  const segment = segments[Math.min(depth, segments.length - 1)] ?? "";
  return errorResponse(400, "BadRequest", `Resource not found for the segment '${segment}'.`);
}
