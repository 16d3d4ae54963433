/**
 * A request's query options read against an entity type, as Graph applies them to the directory:
 * $select, $filter (default or advanced), $count, $orderby, and one page of a collection with its
 * @odata.nextLink.
 */
import { GraphErrorAnswer } from "../graphErrors";
import { jsonResponse, type SimResponse } from "../graphResponses";
import { checkFilterSupport } from "../odata/filterSupport";
import { parseFilter, type FilterExpr } from "../odata/filterSyntax";
import { decodeSkipToken, encodeSkipToken, joinQuery, parseCount, parseSelect, parseTop } from "../odata/queryOptions";
import type { RouteContext } from "../routing";
import type { EntityType } from "./entityTypes";

const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 999;

function checkSelect(
  names: readonly string[],
  propSets: readonly Readonly<Record<string, unknown>>[],
  typeName: string,
): void {
  for (const name of names) {
    if (name === "*") continue;
    if (!propSets.some((p) => Object.prototype.hasOwnProperty.call(p, name))) {
      throw new GraphErrorAnswer(400, "BadRequest", `Could not find a property named '${name}' on type '${typeName}'.`);
    }
  }
}

/** $select, checked against the properties of the types the answer may hold. */
export function readSelect(
  ctx: RouteContext,
  propSets: readonly Readonly<Record<string, unknown>>[],
  typeName: string,
): string[] | undefined {
  const raw = ctx.query.options.$select;
  if (raw === undefined) return undefined;
  const names = parseSelect(raw);
  checkSelect(names, propSets, typeName);
  return names;
}

/** $filter, checked against what the type supports (its advanced support with ConsistencyLevel: eventual). */
export function readFilter<T>(ctx: RouteContext, type: EntityType<T>): FilterExpr | undefined {
  const raw = ctx.query.options.$filter;
  if (raw === undefined) return undefined;
  const expr = parseFilter(raw);
  checkFilterSupport(expr, ctx.eventual ? type.advancedFilter : type.filter, type.resource, ctx.eventual);
  return expr;
}

export function wantsCount(ctx: RouteContext): boolean {
  const raw = ctx.query.options.$count;
  if (raw === undefined || !parseCount(raw)) return false;
  // Directory objects count only with advanced query capabilities.
  if (!ctx.eventual) throw new GraphErrorAnswer(400, "Request_BadRequest", "$count is not currently supported.");
  return true;
}

/** The items sorted as $orderby asks (one of the type's sortable properties). */
export function order<T>(ctx: RouteContext, type: EntityType<T>, items: readonly T[]): readonly T[] {
  const raw = ctx.query.options.$orderby;
  if (raw === undefined) return items;
  const m = /^\s*([A-Za-z]+)(?:\s+(asc|desc))?\s*$/i.exec(raw);
  const prop = m?.[1];
  if (!m || !prop || !type.orderBy.includes(prop)) {
    throw new GraphErrorAnswer(400, "Request_UnsupportedQuery", `Order by '${raw}' is not supported.`);
  }
  if (ctx.query.options.$filter !== undefined && !ctx.eventual) {
    throw new GraphErrorAnswer(400, "Request_UnsupportedQuery", "Sorting not supported for current query.");
  }
  const get = type.props[prop]!;
  const dir = m[2]?.toLowerCase() === "desc" ? -1 : 1;
  return [...items].sort(
    (a, b) =>
      dir *
      String(get(a, ctx.state) ?? "").localeCompare(String(get(b, ctx.state) ?? ""), "en", { sensitivity: "base" }),
  );
}

/** One page of a collection, with @odata.nextLink to the next (query options carried on). */
export function page<T>(
  ctx: RouteContext,
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
  return jsonResponse(200, body);
}
