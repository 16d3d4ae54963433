/**
 * The OData query options the simulated Graph understands: $filter (a real tokenizer and
 * recursive-descent parser, so quotes, parentheses, commas, `&`, `#`, `%` and unicode inside string
 * literals survive; lambdas such as `assignedLicenses/any(x:x/skuId eq <guid>)` included), $select,
 * $top, $count and $skiptoken.
 *
 * Parsing is separate from support: the parser accepts the OData grammar the product could send,
 * and `checkFilterSupport` then refuses what Graph refuses for a given resource, with Graph's codes.
 */

/** A query that Graph would refuse. The server turns it into a 400 with this code and message. */
export class ODataError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = "ODataError";
  }
}

// ---------------------------------------------------------------------------------------------
// $filter: tokens

export type Token =
  | { kind: "string"; value: string; pos: number }
  | { kind: "number"; value: number; pos: number }
  | { kind: "guid"; value: string; pos: number }
  | { kind: "word"; value: string; pos: number } // identifiers, keywords, property paths (a/b)
  | { kind: "punct"; value: "(" | ")" | "," | ":"; pos: number }
  | { kind: "end"; pos: number };

const GUID_AT = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(?![0-9A-Za-z_])/;

function invalidFilter(detail: string): ODataError {
  // Graph answers a filter it cannot parse with 400 BadRequest "Invalid filter clause…".
  return new ODataError("BadRequest", `Invalid filter clause: ${detail}`);
}

function isWordStart(c: string): boolean {
  return /[\p{L}_$@]/u.test(c);
}
function isWordPart(c: string): boolean {
  return /[\p{L}\p{N}_.$@/]/u.test(c);
}

/** Splits a $filter value (already URL-decoded) into tokens. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/u.test(c)) {
      i++;
      continue;
    }
    const start = i;
    if (c === "'") {
      // OData string literal: a quote inside is written twice ('').
      let value = "";
      i++;
      for (;;) {
        if (i >= text.length)
          throw invalidFilter(`There is an unterminated string literal at position ${start} in '${text}'.`);
        const d = text[i]!;
        if (d === "'") {
          if (text[i + 1] === "'") {
            value += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += d;
        i++;
      }
      tokens.push({ kind: "string", value, pos: start });
      continue;
    }
    if (c === "(" || c === ")" || c === "," || c === ":") {
      tokens.push({ kind: "punct", value: c, pos: start });
      i++;
      continue;
    }
    const guid = GUID_AT.exec(text.slice(i));
    if (guid) {
      tokens.push({ kind: "guid", value: guid[0].toLowerCase(), pos: start });
      i += guid[0].length;
      continue;
    }
    if (/[0-9-]/.test(c)) {
      const m = /^-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(i));
      if (!m) throw invalidFilter(`Syntax error at position ${start} in '${text}'.`);
      tokens.push({ kind: "number", value: Number(m[0]), pos: start });
      i += m[0].length;
      continue;
    }
    if (isWordStart(c)) {
      while (i < text.length && isWordPart(text[i]!)) i++;
      tokens.push({ kind: "word", value: text.slice(start, i), pos: start });
      continue;
    }
    throw invalidFilter(`Syntax error: character '${c}' is not valid at position ${start} in '${text}'.`);
  }
  tokens.push({ kind: "end", pos: text.length });
  return tokens;
}

// ---------------------------------------------------------------------------------------------
// $filter: syntax tree and parser

export type Literal =
  | { type: "string"; value: string }
  | { type: "number"; value: number }
  | { type: "boolean"; value: boolean }
  | { type: "guid"; value: string }
  | { type: "null" };

export const comparisonOperators = ["eq", "ne", "gt", "ge", "lt", "le"] as const;
export type ComparisonOperator = (typeof comparisonOperators)[number];
export const filterFunctions = ["startswith", "endswith", "contains"] as const;
export type FilterFunction = (typeof filterFunctions)[number];
/** Everything a property can be tested with; used by the support tables. */
export type FilterOperator = ComparisonOperator | FilterFunction | "in";
export const lambdaOperators = ["any", "all"] as const;
export type LambdaOperator = (typeof lambdaOperators)[number];
/** Inside a lambda over a collection of primitives, the element itself (`p` in `any(p:p eq 'x')`). */
export const LAMBDA_ELEMENT = "";

export type FilterExpr =
  | { kind: "and" | "or"; left: FilterExpr; right: FilterExpr }
  | { kind: "not"; operand: FilterExpr }
  | { kind: "compare"; op: ComparisonOperator; property: string; value: Literal }
  | { kind: "in"; property: string; values: Literal[] }
  | { kind: "function"; name: FilterFunction; property: string; value: Literal }
  /** `collection/any(x:body)`: body's properties are the element's (`x/skuId` is read as `skuId`). */
  | { kind: "lambda"; operator: LambdaOperator; collection: string; body: FilterExpr };

class FilterParser {
  private i = 0;
  /** The range variable of the lambda being parsed; Graph nests none, nor does the simulator. */
  private lambdaVariable: string | undefined;
  constructor(
    private readonly text: string,
    private readonly tokens: Token[],
  ) {}

  parse(): FilterExpr {
    if (this.peek().kind === "end") throw invalidFilter("The filter expression is empty.");
    const expr = this.orExpr();
    const t = this.peek();
    if (t.kind !== "end") throw this.unexpected(t);
    return expr;
  }

  private peek(): Token {
    return this.tokens[this.i]!;
  }
  private next(): Token {
    return this.tokens[this.i++]!;
  }
  private isKeyword(t: Token, word: string): boolean {
    return t.kind === "word" && t.value.toLowerCase() === word;
  }
  private unexpected(t: Token): ODataError {
    const what = t.kind === "end" ? "end of expression" : `'${this.text.slice(t.pos, t.pos + 20)}'`;
    return invalidFilter(`Syntax error: unexpected ${what} at position ${t.pos} in '${this.text}'.`);
  }
  private expectPunct(p: "(" | ")" | "," | ":"): void {
    const t = this.next();
    if (t.kind !== "punct" || t.value !== p) throw this.unexpected(t);
  }

  private orExpr(): FilterExpr {
    let left = this.andExpr();
    while (this.isKeyword(this.peek(), "or")) {
      this.next();
      left = { kind: "or", left, right: this.andExpr() };
    }
    return left;
  }

  private andExpr(): FilterExpr {
    let left = this.unary();
    while (this.isKeyword(this.peek(), "and")) {
      this.next();
      left = { kind: "and", left, right: this.unary() };
    }
    return left;
  }

  private unary(): FilterExpr {
    const t = this.peek();
    if (this.isKeyword(t, "not")) {
      this.next();
      return { kind: "not", operand: this.unary() };
    }
    return this.primary();
  }

  private primary(): FilterExpr {
    const t = this.next();
    if (t.kind === "punct" && t.value === "(") {
      const inner = this.orExpr();
      this.expectPunct(")");
      return inner;
    }
    if (t.kind !== "word") throw this.unexpected(t);
    const after = this.peek();
    const lambda = /^(.+)\/(any|all)$/i.exec(t.value);
    if (lambda && after.kind === "punct" && after.value === "(")
      return this.lambda(lambda[1]!, lambda[2]!.toLowerCase() as LambdaOperator);
    if (after.kind === "punct" && after.value === "(") {
      const name = t.value.toLowerCase();
      if (!(filterFunctions as readonly string[]).includes(name)) {
        throw new ODataError("Request_UnsupportedQuery", `Unsupported function '${t.value}' in filter clause.`);
      }
      this.next();
      const prop = this.next();
      if (prop.kind !== "word") throw this.unexpected(prop);
      this.expectPunct(",");
      const value = this.literal();
      this.expectPunct(")");
      return { kind: "function", name: name as FilterFunction, property: this.property(prop), value };
    }
    const property = this.property(t);
    const opToken = this.next();
    if (opToken.kind !== "word") throw this.unexpected(opToken);
    const op = opToken.value.toLowerCase();
    if (op === "in") {
      this.expectPunct("(");
      const values = [this.literal()];
      while (this.peek().kind === "punct" && (this.peek() as { value: string }).value === ",") {
        this.next();
        values.push(this.literal());
      }
      this.expectPunct(")");
      return { kind: "in", property, values };
    }
    if (!(comparisonOperators as readonly string[]).includes(op)) throw this.unexpected(opToken);
    return { kind: "compare", op: op as ComparisonOperator, property, value: this.literal() };
  }

  /** `assignedLicenses/any(x:x/skuId eq 6fd2…)`, from the "(" on. */
  private lambda(collection: string, operator: LambdaOperator): FilterExpr {
    if (this.lambdaVariable !== undefined)
      throw new ODataError("Request_UnsupportedQuery", "Nested lambda expressions are not supported.");
    this.expectPunct("(");
    const variable = this.next();
    if (variable.kind !== "word" || !/^[\p{L}_][\p{L}\p{N}_]*$/u.test(variable.value)) throw this.unexpected(variable);
    this.expectPunct(":");
    this.lambdaVariable = variable.value;
    try {
      const body = this.orExpr();
      this.expectPunct(")");
      return { kind: "lambda", operator, collection, body };
    } finally {
      this.lambdaVariable = undefined;
    }
  }

  /** A property path as the tests read it: inside a lambda, relative to its element (and only through its variable). */
  private property(t: Token & { kind: "word" }): string {
    const variable = this.lambdaVariable;
    if (variable === undefined) return t.value;
    if (t.value === variable) return LAMBDA_ELEMENT;
    if (t.value.startsWith(`${variable}/`) && t.value.length > variable.length + 1)
      return t.value.slice(variable.length + 1);
    throw invalidFilter(
      `'${t.value}' at position ${t.pos} is not a property of the lambda variable '${variable}' in '${this.text}'.`,
    );
  }

  private literal(): Literal {
    const t = this.next();
    switch (t.kind) {
      case "string":
        return { type: "string", value: t.value };
      case "number":
        return { type: "number", value: t.value };
      case "guid":
        return { type: "guid", value: t.value };
      case "word": {
        const w = t.value.toLowerCase();
        if (w === "true" || w === "false") return { type: "boolean", value: w === "true" };
        if (w === "null") return { type: "null" };
        throw this.unexpected(t);
      }
      default:
        throw this.unexpected(t);
    }
  }
}

/** Parses a $filter value (already URL-decoded). Throws ODataError on a malformed clause. */
export function parseFilter(text: string): FilterExpr {
  return new FilterParser(text, tokenize(text)).parse();
}

/** Quotes a string as an OData literal: `O'Brien` → `'O''Brien'`. For callers building filters. */
export function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

// ---------------------------------------------------------------------------------------------
// $filter: support check and evaluation

/** A property tested directly: its literal type and the operators a resource accepts on it. */
export interface PropertySupport {
  readonly type: "string" | "boolean" | "guid";
  readonly ops: readonly FilterOperator[];
}
/** A collection property tested through lambdas: which ones, and what its elements support. */
export interface CollectionSupport {
  readonly type: "collection";
  readonly lambdas: readonly LambdaOperator[];
  readonly element: FilterSupport;
}
export type FilterSupport = Readonly<Record<string, PropertySupport | CollectionSupport>>;

type Use =
  | { property: string; op: FilterOperator | "not"; values: Literal[] }
  | { property: string; op: LambdaOperator; body: FilterExpr };

/** Every test in the expression (with its literals), every `not`, and every lambda (with its body, checked apart). */
function* uses(expr: FilterExpr): Generator<Use> {
  switch (expr.kind) {
    case "and":
    case "or":
      yield* uses(expr.left);
      yield* uses(expr.right);
      return;
    case "not":
      yield { property: "", op: "not", values: [] };
      yield* uses(expr.operand);
      return;
    case "compare":
      yield { property: expr.property, op: expr.op, values: [expr.value] };
      return;
    case "in":
      yield { property: expr.property, op: "in", values: expr.values };
      return;
    case "function":
      yield { property: expr.property, op: expr.name, values: [expr.value] };
      return;
    case "lambda":
      yield { property: expr.collection, op: expr.operator, body: expr.body };
      return;
  }
}

/**
 * Refuses, as Graph does with Request_UnsupportedQuery, a property the resource cannot be
 * filtered on, an operator it does not accept on that property, or a literal of the wrong type.
 * `allowNot` is false for Graph's default queries (`not` needs advanced query capabilities).
 */
export function checkFilterSupport(
  expr: FilterExpr,
  support: FilterSupport,
  resource: string,
  allowNot: boolean,
): void {
  for (const use of uses(expr)) {
    if (use.op === "not") {
      if (!allowNot) throw new ODataError("Request_UnsupportedQuery", "Unsupported query.");
      continue;
    }
    const entry = Object.prototype.hasOwnProperty.call(support, use.property) ? support[use.property] : undefined;
    let supported: boolean;
    if ("body" in use) {
      supported = entry?.type === "collection" && entry.lambdas.includes(use.op);
      if (supported && entry?.type === "collection") checkFilterSupport(use.body, entry.element, resource, allowNot);
    } else {
      const functionNeedsString = (filterFunctions as readonly string[]).includes(use.op);
      supported =
        entry !== undefined &&
        entry.type !== "collection" &&
        entry.ops.includes(use.op) &&
        use.values.every((v) => v.type === entry.type || (v.type === "null" && !functionNeedsString));
    }
    if (!supported) {
      throw new ODataError(
        "Request_UnsupportedQuery",
        `Unsupported or invalid query filter clause specified for property '${use.property === LAMBDA_ELEMENT ? "$it" : use.property}' of resource '${resource}'.`,
      );
    }
  }
}

function literalValue(l: Literal): string | number | boolean | null {
  return l.type === "null" ? null : l.value;
}

/** Directory string comparisons are case-insensitive (displayName, userPrincipalName, mail…). */
function fold(v: unknown): unknown {
  return typeof v === "string" ? v.toLowerCase() : v;
}

function equals(actual: unknown, expected: Literal): boolean {
  return fold(actual ?? null) === fold(literalValue(expected));
}

/** Evaluates a parsed filter against one entity; `get` reads a property by its name. */
export function evaluateFilter(expr: FilterExpr, get: (property: string) => unknown): boolean {
  switch (expr.kind) {
    case "and":
      return evaluateFilter(expr.left, get) && evaluateFilter(expr.right, get);
    case "or":
      return evaluateFilter(expr.left, get) || evaluateFilter(expr.right, get);
    case "not":
      return !evaluateFilter(expr.operand, get);
    case "in": {
      const actual = get(expr.property);
      return expr.values.some((v) => equals(actual, v));
    }
    case "compare": {
      const actual = get(expr.property);
      if (expr.op === "eq") return equals(actual, expr.value);
      if (expr.op === "ne") return !equals(actual, expr.value);
      const a = fold(actual);
      const b = fold(literalValue(expr.value));
      if (a === null || a === undefined || b === null) return false;
      if (typeof a !== typeof b) return false;
      const x = a as string | number | boolean;
      const y = b as string | number | boolean;
      switch (expr.op) {
        case "gt":
          return x > y;
        case "ge":
          return x >= y;
        case "lt":
          return x < y;
        case "le":
          return x <= y;
      }
      return false;
    }
    case "lambda": {
      // A missing or null collection has no element that matches (and none that fails `all`).
      const items = get(expr.collection);
      const elements: readonly unknown[] = Array.isArray(items) ? items : [];
      const test = (item: unknown) =>
        evaluateFilter(expr.body, (p) =>
          p === LAMBDA_ELEMENT
            ? item
            : typeof item === "object" && item !== null
              ? (item as Record<string, unknown>)[p]
              : undefined,
        );
      return expr.operator === "any" ? elements.some(test) : elements.every(test);
    }
    case "function": {
      const actual = get(expr.property);
      const expected = literalValue(expr.value);
      if (typeof actual !== "string" || typeof expected !== "string") return false;
      const a = actual.toLowerCase();
      const e = expected.toLowerCase();
      if (expr.name === "startswith") return a.startsWith(e);
      if (expr.name === "endswith") return a.endsWith(e);
      return a.includes(e);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// $select, $top, $count and the whole query string

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
