/**
 * The $filter language the simulated Graph reads: a real tokenizer and recursive-descent parser, so
 * quotes, parentheses, commas, `&`, `#`, `%` and unicode inside string literals survive; lambdas such
 * as `assignedLicenses/any(x:x/skuId eq <guid>)` included.
 *
 * Parsing is separate from support: the parser accepts the OData grammar the product could send, and
 * filterSupport.ts then refuses what Graph refuses for a given resource, with Graph's codes.
 */
import { ODataError } from "./odataError";

// ---------------------------------------------------------------------------------------------
// Tokens

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
// Syntax tree and parser

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
