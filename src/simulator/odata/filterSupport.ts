/**
 * What Graph lets a resource filter on: the support tables' types, and the check that refuses, with
 * Graph's codes, a property, operator or literal that a resource does not accept.
 */
import {
  filterFunctions,
  LAMBDA_ELEMENT,
  type FilterExpr,
  type FilterOperator,
  type LambdaOperator,
  type Literal,
} from "./filterSyntax";
import { ODataError } from "./odataError";

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
