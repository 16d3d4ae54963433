/**
 * The OData query options besides $filter: $select, $top, $count, $skiptoken (the simulator's own
 * opaque paging token), and the query string as a whole (split into options, and joined back for
 * nextLinks).
 */
import { ODataError } from "./odataError";

/** Parses $select into property names, in order, without duplicates. */
export function parseSelect(text: string): string[] {
  const names: string[] = [];
  for (const raw of text.split(",")) {
    const name = raw.trim();
    if (name === "") throw new ODataError("BadRequest", `Invalid $select value '${text}': empty property name.`);
    if (name !== "*" && !/^[\p{L}_][\p{L}\p{N}_.]*$/u.test(name)) {
      throw new ODataError("BadRequest", `Syntax error at position ${text.indexOf(name)} in '${text}'.`);
    }
    if (!names.includes(name)) names.push(name);
  }
  return names;
}

/** Parses $top; Graph's directory accepts 1..999. */
export function parseTop(text: string, max = 999): number {
  const trimmed = text.trim();
  if (!/^-?[0-9]+$/.test(trimmed)) {
    throw new ODataError("BadRequest", `Invalid value '${text}' for query option '$top': it must be an integer.`);
  }
  const n = Number(trimmed);
  if (n < 1 || n > max) {
    throw new ODataError(
      "Request_BadRequest",
      `Invalid page size specified: '${trimmed}'. Must be between 1 and ${max} inclusive.`,
    );
  }
  return n;
}

export function parseCount(text: string): boolean {
  const v = text.trim().toLowerCase();
  if (v === "true") return true;
  if (v === "false") return false;
  throw new ODataError(
    "BadRequest",
    `Invalid value '${text}' for query option '$count': it must be 'true' or 'false'.`,
  );
}

export const queryOptionNames = [
  "$select",
  "$filter",
  "$top",
  "$count",
  "$skiptoken",
  "$orderby",
  "$expand",
  "$search",
  "$skip",
  "$format",
] as const;
export type QueryOptionName = (typeof queryOptionNames)[number];

/** The query string, split: OData options by lower-cased name (raw, decoded values), plus the rest. */
export interface RawQuery {
  options: Partial<Record<QueryOptionName, string>>;
  /** Non-OData parameters in order, decoded; Graph ignores them, nextLinks carry them on. */
  other: [string, string][];
}

/**
 * Splits a raw query string (`a=b&c=d`, percent-encoded). `+` is decoded as a space, as ASP.NET
 * does. A repeated option or an unknown `$` option is refused, as Graph does.
 */
export function splitQuery(search: string): RawQuery {
  const params = new URLSearchParams(search.startsWith("?") ? search.slice(1) : search);
  const options: Partial<Record<QueryOptionName, string>> = {};
  const other: [string, string][] = [];
  for (const [key, value] of params) {
    const lower = key.toLowerCase();
    if (lower.startsWith("$")) {
      if (!(queryOptionNames as readonly string[]).includes(lower)) {
        throw new ODataError("BadRequest", `Query option '${key}' is not supported.`);
      }
      const name = lower as QueryOptionName;
      if (options[name] !== undefined)
        throw new ODataError(
          "BadRequest",
          `Query option '${key}' was specified more than once, but it must be specified at most once.`,
        );
      options[name] = value;
    } else {
      other.push([key, value]);
    }
  }
  return { options, other };
}

/** Builds a query string back, keeping `$` readable and percent-encoding every value. */
export function joinQuery(pairs: readonly (readonly [string, string])[]): string {
  return pairs.map(([k, v]) => `${encodeURIComponent(k).replace(/^%24/, "$")}=${encodeURIComponent(v)}`).join("&");
}

/** The opaque $skiptoken the simulator issues: the offset of the next page. */
export function encodeSkipToken(offset: number): string {
  return Buffer.from(JSON.stringify({ sim: 1, o: offset })).toString("base64url");
}

export function decodeSkipToken(token: string): number {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
    if (typeof parsed === "object" && parsed !== null && "o" in parsed) {
      const o = (parsed as { o: unknown }).o;
      if (typeof o === "number" && Number.isInteger(o) && o >= 0) return o;
    }
  } catch {
    // fall through: any unreadable token is refused below
  }
  throw new ODataError("Request_BadRequest", "The specified page token value has expired or is invalid.");
}
