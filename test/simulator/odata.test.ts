import assert from "assert/strict";
import { evaluateFilter } from "../../src/simulator/odata/filterEvaluation";
import { checkFilterSupport, type FilterSupport } from "../../src/simulator/odata/filterSupport";
import { odataString, parseFilter, tokenize } from "../../src/simulator/odata/filterSyntax";
import { ODataError } from "../../src/simulator/odata/odataError";
import {
  decodeSkipToken,
  encodeSkipToken,
  joinQuery,
  parseSelect,
  parseTop,
  splitQuery,
} from "../../src/simulator/odata/queryOptions";

const WEIRD = "O'Brien & Sons (EMEA), #1 100%";

function rejects(fn: () => unknown, code: string, message?: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ODataError, `expected ODataError, got ${String(e)}`);
    assert.equal(e.code, code);
    if (message) assert.match(e.message, message);
    return true;
  });
}

describe("odata", () => {
  describe("tokenize", () => {
    it("reads string literals with doubled quotes and any characters inside", () => {
      const tokens = tokenize(`displayName eq ${odataString(WEIRD)}`);
      assert.deepEqual(
        tokens.map((t) => t.kind),
        ["word", "word", "string", "end"],
      );
      assert.equal((tokens[2] as { value: string }).value, WEIRD);
    });

    it("reads GUIDs, numbers, punctuation and unicode names", () => {
      const tokens = tokenize("f(ab_c, 6fd2c87f-b296-42f0-b197-1e91e994b900, -12, 'Zoë 東京')");
      assert.deepEqual(
        tokens.map((t) => [t.kind, "value" in t ? t.value : null]),
        [
          ["word", "f"],
          ["punct", "("],
          ["word", "ab_c"],
          ["punct", ","],
          ["guid", "6fd2c87f-b296-42f0-b197-1e91e994b900"],
          ["punct", ","],
          ["number", -12],
          ["punct", ","],
          ["string", "Zoë 東京"],
          ["punct", ")"],
          ["end", null],
        ],
      );
    });

    it("refuses an unterminated string and stray characters", () => {
      rejects(() => tokenize("displayName eq 'abc"), "BadRequest", /Invalid filter clause: .*unterminated string/);
      rejects(() => tokenize("displayName eq 'a''"), "BadRequest", /unterminated/);
      rejects(() => tokenize("displayName = 'a'"), "BadRequest", /Invalid filter clause/);
    });
  });

  describe("parseFilter", () => {
    it("parses eq, startswith, in, not, and/or with OData precedence (and binds tighter)", () => {
      const expr = parseFilter("displayName eq 'a' or startswith(mail,'b') and not (accountEnabled eq false)");
      assert.deepEqual(expr, {
        kind: "or",
        left: { kind: "compare", op: "eq", property: "displayName", value: { type: "string", value: "a" } },
        right: {
          kind: "and",
          left: { kind: "function", name: "startswith", property: "mail", value: { type: "string", value: "b" } },
          right: {
            kind: "not",
            operand: {
              kind: "compare",
              op: "eq",
              property: "accountEnabled",
              value: { type: "boolean", value: false },
            },
          },
        },
      });
      assert.deepEqual(parseFilter("id in ('x', 'y')"), {
        kind: "in",
        property: "id",
        values: [
          { type: "string", value: "x" },
          { type: "string", value: "y" },
        ],
      });
    });

    it("accepts Graph's startsWith spelling and nested parentheses", () => {
      const expr = parseFilter("((startsWith(displayName,'Sa')))");
      assert.equal(expr.kind, "function");
    });

    it("round-trips a name with quotes, parentheses, commas, &, #, % through eq and startswith", () => {
      const eq = parseFilter(`displayName eq ${odataString(WEIRD)}`);
      assert.deepEqual(eq, {
        kind: "compare",
        op: "eq",
        property: "displayName",
        value: { type: "string", value: WEIRD },
      });
      const sw = parseFilter(`startswith(displayName,${odataString("O'Brien & Sons (EMEA),")})`);
      assert.ok(evaluateFilter(sw, () => WEIRD));
    });

    it("refuses malformed clauses with BadRequest 'Invalid filter clause'", () => {
      for (const bad of [
        "",
        "displayName eq",
        "displayName 'a'",
        "(displayName eq 'a'",
        "displayName eq 'a')",
        "displayName eq 'a' or",
        "startswith(displayName 'a')",
        "displayName eq 'a' and and mail eq 'b'",
      ]) {
        rejects(() => parseFilter(bad), "BadRequest", /^Invalid filter clause/);
      }
    });

    it("refuses unknown functions as unsupported queries", () => {
      rejects(() => parseFilter("substringof('a', displayName)"), "Request_UnsupportedQuery");
    });

    it("parses a lambda with any variable name, reading the element's properties through it", () => {
      const E3 = "6fd2c87f-b296-42f0-b197-1e91e994b900";
      const expected = {
        kind: "lambda",
        operator: "any",
        collection: "assignedLicenses",
        body: { kind: "compare", op: "eq", property: "skuId", value: { type: "guid", value: E3 } },
      };
      assert.deepEqual(parseFilter(`assignedLicenses/any(x:x/skuId eq ${E3})`), expected);
      assert.deepEqual(
        parseFilter(`assignedLicenses/any( lic : lic/skuId eq ${E3.toUpperCase()} )`),
        expected,
        "spaces, another name, an upper-case GUID",
      );
      assert.deepEqual(parseFilter(`proxyAddresses/all(p:startswith(p,'smtp:'))`), {
        kind: "lambda",
        operator: "all",
        collection: "proxyAddresses",
        body: { kind: "function", name: "startswith", property: "", value: { type: "string", value: "smtp:" } },
      });
      const combined = parseFilter(
        `accountEnabled eq true and assignedLicenses/any(x:x/skuId eq ${E3} or x/skuId eq ${E3})`,
      );
      assert.equal(combined.kind, "and");
    });

    it("refuses a malformed lambda as an invalid filter, and a nested one as unsupported", () => {
      const E3 = "6fd2c87f-b296-42f0-b197-1e91e994b900";
      for (const bad of [
        `assignedLicenses/any(x:y/skuId eq ${E3})`, // not the lambda's variable
        `assignedLicenses/any(x:skuId eq ${E3})`,
        `assignedLicenses/any(x x/skuId eq ${E3})`,
        `assignedLicenses/any(x/skuId eq ${E3})`,
        `assignedLicenses/any(x:x/skuId eq ${E3}`,
        `assignedLicenses/any(1:x/skuId eq ${E3})`,
        `x/skuId eq ${E3}`.replace("x/skuId", "x:skuId"),
      ]) {
        rejects(() => parseFilter(bad), "BadRequest", /^Invalid filter clause/);
      }
      rejects(() => parseFilter(`a/any(x:x/b/any(y:y eq 'c'))`), "Request_UnsupportedQuery", /Nested lambda/);
    });
  });

  describe("evaluateFilter", () => {
    const entity: Record<string, unknown> = { displayName: "Alice Smith", mail: null, accountEnabled: true };
    const get = (p: string) => entity[p];

    it("compares strings case-insensitively for eq and startswith, as Graph does", () => {
      assert.ok(evaluateFilter(parseFilter("displayName eq 'alice SMITH'"), get));
      assert.ok(evaluateFilter(parseFilter("startswith(displayName,'ALI')"), get));
      assert.ok(!evaluateFilter(parseFilter("startswith(displayName,'Bob')"), get));
    });

    it("evaluates any and all over a collection, comparing GUIDs without case", () => {
      const E1 = "18181a46-0d4e-45cd-891e-60aabd171b4e";
      const E3 = "6fd2c87f-b296-42f0-b197-1e91e994b900";
      const licensed: Record<string, unknown> = {
        assignedLicenses: [
          { skuId: E1, disabledPlans: [] },
          { skuId: E3.toUpperCase(), disabledPlans: [] },
        ],
        proxyAddresses: ["smtp:a@x", "SMTP:b@x"],
        none: null,
      };
      const read = (p: string) => licensed[p];
      assert.ok(evaluateFilter(parseFilter(`assignedLicenses/any(x:x/skuId eq ${E3})`), read));
      assert.ok(
        !evaluateFilter(parseFilter(`assignedLicenses/any(x:x/skuId eq 06ebc4ee-1bb5-47dd-8120-11324bc54e06)`), read),
      );
      assert.ok(!evaluateFilter(parseFilter(`assignedLicenses/all(x:x/skuId eq ${E3})`), read));
      assert.ok(evaluateFilter(parseFilter(`proxyAddresses/all(p:startswith(p,'smtp:'))`), read));
      assert.ok(!evaluateFilter(parseFilter(`none/any(x:x/skuId eq ${E3})`), read), "a null collection has no element");
      assert.ok(
        evaluateFilter(
          parseFilter(`not assignedLicenses/any(x:x/skuId eq 06ebc4ee-1bb5-47dd-8120-11324bc54e06)`),
          read,
        ),
      );
    });

    it("handles null, booleans, ne, in, not and the connectives", () => {
      assert.ok(evaluateFilter(parseFilter("mail eq null"), get));
      assert.ok(evaluateFilter(parseFilter("accountEnabled eq true and displayName ne 'x'"), get));
      assert.ok(evaluateFilter(parseFilter("displayName in ('x', 'alice smith')"), get));
      assert.ok(evaluateFilter(parseFilter("not (displayName eq 'x') or mail eq 'y'"), get));
      assert.ok(!evaluateFilter(parseFilter("startswith(mail,'a')"), get), "startswith on null is false");
    });
  });

  describe("checkFilterSupport", () => {
    const support: FilterSupport = {
      displayName: { type: "string", ops: ["eq", "startswith"] },
      accountEnabled: { type: "boolean", ops: ["eq"] },
    };

    it("accepts supported properties, operators and literal types", () => {
      checkFilterSupport(
        parseFilter("displayName eq 'a' or (startswith(displayName,'b') and accountEnabled eq true)"),
        support,
        "User",
        false,
      );
    });

    it("refuses the rest with Request_UnsupportedQuery naming the property", () => {
      rejects(
        () => checkFilterSupport(parseFilter("jobTitle eq 'a'"), support, "User", false),
        "Request_UnsupportedQuery",
        /property 'jobTitle' of resource 'User'/,
      );
      rejects(
        () => checkFilterSupport(parseFilter("endswith(displayName,'a')"), support, "User", false),
        "Request_UnsupportedQuery",
      );
      rejects(
        () => checkFilterSupport(parseFilter("accountEnabled eq 'true'"), support, "User", false),
        "Request_UnsupportedQuery",
      );
      rejects(
        () => checkFilterSupport(parseFilter("not (displayName eq 'a')"), support, "User", false),
        "Request_UnsupportedQuery",
      );
      checkFilterSupport(parseFilter("not (displayName eq 'a')"), support, "User", true);
    });

    it("checks a lambda against its collection's entry: the lambda allowed, and the body against the element's properties", () => {
      const E3 = "6fd2c87f-b296-42f0-b197-1e91e994b900";
      const withLicenses: FilterSupport = {
        ...support,
        assignedLicenses: { type: "collection", lambdas: ["any"], element: { skuId: { type: "guid", ops: ["eq"] } } },
      };
      checkFilterSupport(
        parseFilter(`assignedLicenses/any(x:x/skuId eq ${E3}) and accountEnabled eq true`),
        withLicenses,
        "User",
        false,
      );
      const unsupported =
        /Unsupported or invalid query filter clause specified for property '(\w+|\$it)' of resource 'User'/;
      rejects(
        () => checkFilterSupport(parseFilter(`assignedLicenses/any(x:x/skuId eq ${E3})`), support, "User", false),
        "Request_UnsupportedQuery",
        /property 'assignedLicenses'/,
      );
      rejects(
        () => checkFilterSupport(parseFilter(`assignedLicenses/all(x:x/skuId eq ${E3})`), withLicenses, "User", false),
        "Request_UnsupportedQuery",
        unsupported,
      );
      rejects(
        () =>
          checkFilterSupport(parseFilter(`assignedLicenses/any(x:x/skuId eq '${E3}')`), withLicenses, "User", false),
        "Request_UnsupportedQuery",
        /property 'skuId'/,
      );
      rejects(
        () =>
          checkFilterSupport(
            parseFilter(`assignedLicenses/any(x:x/disabledPlans eq null)`),
            withLicenses,
            "User",
            false,
          ),
        "Request_UnsupportedQuery",
        /property 'disabledPlans'/,
      );
      rejects(
        () => checkFilterSupport(parseFilter(`assignedLicenses/any(x:x eq 'a')`), withLicenses, "User", false),
        "Request_UnsupportedQuery",
        /property '\$it'/,
      );
      rejects(
        () => checkFilterSupport(parseFilter(`displayName/any(x:x eq 'a')`), withLicenses, "User", false),
        "Request_UnsupportedQuery",
        /property 'displayName'/,
      );
      rejects(
        () =>
          checkFilterSupport(
            parseFilter(`accountEnabled eq true`),
            { accountEnabled: withLicenses.assignedLicenses! },
            "User",
            false,
          ),
        "Request_UnsupportedQuery",
      );
    });
  });

  describe("$select, $top, query strings and skip tokens", () => {
    it("parses $select in order, trimmed, without duplicates", () => {
      assert.deepEqual(parseSelect("id, displayName,id,assignedLicenses"), ["id", "displayName", "assignedLicenses"]);
      rejects(() => parseSelect("id,,mail"), "BadRequest");
      rejects(() => parseSelect("id,dis play"), "BadRequest");
    });

    it("accepts $top 1..999 and refuses the rest as Graph does", () => {
      assert.equal(parseTop("999"), 999);
      assert.equal(parseTop("1"), 1);
      rejects(
        () => parseTop("1000"),
        "Request_BadRequest",
        /Invalid page size specified: '1000'. Must be between 1 and 999 inclusive./,
      );
      rejects(() => parseTop("0"), "Request_BadRequest");
      rejects(() => parseTop("ten"), "BadRequest");
    });

    it("splits a percent-encoded query string, and joins it back so that it round-trips", () => {
      const filter = `displayName eq ${odataString(WEIRD)}`;
      const search = `?$filter=${encodeURIComponent(filter)}&$TOP=5&api=1`;
      const q = splitQuery(search);
      assert.deepEqual(q.options, { $filter: filter, $top: "5" });
      assert.deepEqual(q.other, [["api", "1"]]);
      const joined = joinQuery([
        ["$filter", filter],
        ["$top", "5"],
      ]);
      assert.match(joined, /^\$filter=.*&\$top=5$/);
      assert.deepEqual(splitQuery(joined).options, { $filter: filter, $top: "5" });
    });

    it("refuses repeated and unknown $ options", () => {
      rejects(() => splitQuery("$top=1&$top=2"), "BadRequest", /more than once/);
      rejects(() => splitQuery("$bogus=1"), "BadRequest", /\$bogus/);
    });

    it("issues skip tokens it can read back, and refuses forged ones", () => {
      assert.equal(decodeSkipToken(encodeSkipToken(1998)), 1998);
      rejects(() => decodeSkipToken("not-a-token"), "Request_BadRequest");
    });
  });
});
