/** Evaluating a parsed $filter against one entity, as the directory compares values. */
import { LAMBDA_ELEMENT, type FilterExpr, type Literal } from "./filterSyntax";

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
