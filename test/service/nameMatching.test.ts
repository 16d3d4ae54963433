import assert from "node:assert/strict";
import { rankByName } from "../../src/service/nameMatching";

interface Named {
  displayName: string;
}
const named = (...names: string[]): Named[] => names.map((displayName) => ({ displayName }));
const names = (items: readonly Named[]) => items.map((i) => i.displayName);
const rank = (query: string, candidates: readonly Named[]) => {
  const r = rankByName(query, candidates, (c) => c.displayName);
  return { exact: names(r.exact), prefix: names(r.prefix), similar: names(r.similar) };
};

describe("name matching", () => {
  const groups = named(
    "Sales EMEA",
    "Sales",
    "Sales Americas",
    "Marketing Europe",
    "Finance",
    "HR",
    "SALES",
    "Wholesale",
  );

  it("puts exact names first (case and spaces ignored), then prefixes shortest first", () => {
    assert.deepEqual(rank("  sales ", groups), {
      exact: ["Sales", "SALES"],
      prefix: ["Sales EMEA", "Sales Americas"],
      similar: [],
    });
    assert.deepEqual(rank("Sales  EMEA", groups).exact, ["Sales EMEA"]);
  });

  it("offers prefix matches when no name is exact, and names containing the query as similar", () => {
    assert.deepEqual(rank("Sal", groups), {
      exact: [],
      prefix: ["Sales", "SALES", "Sales EMEA", "Sales Americas"],
      similar: ["Wholesale"],
    });
  });

  it("suggests up to three similar names, closest first, for typos and partial names", () => {
    assert.deepEqual(rank("Slaes", groups).similar, ["Sales", "SALES"]);
    assert.deepEqual(rank("Marketng", groups).similar, ["Marketing Europe"]);
    assert.deepEqual(rank("EMEA", groups).similar, ["Sales EMEA"]);
    assert.deepEqual(rank("Megan Bowan", named("Megan Bowen", "Megan Brown", "Alex Wilber")).similar, [
      "Megan Bowen",
      "Megan Brown",
    ]);
    const many = named("Sales 1", "Sales 2", "Sales 3", "Sales 4", "Sales 5");
    assert.equal(rank("Sales0", many).similar.length, 3);
  });

  it("suggests nothing far from every name", () => {
    assert.deepEqual(rank("Procurement", groups), { exact: [], prefix: [], similar: [] });
    assert.deepEqual(rank("", groups), { exact: [], prefix: [], similar: [] });
    assert.deepEqual(rank("Sales", []), { exact: [], prefix: [], similar: [] });
  });

  it("matches names with quotes and OData characters literally", () => {
    const odd = named("O'Brien & Sons (EMEA), #1", "Sales' or 1 eq 1", "R&D 50%");
    assert.deepEqual(rank("o'brien & sons (emea), #1", odd).exact, ["O'Brien & Sons (EMEA), #1"]);
    assert.deepEqual(rank("Sales'", odd).prefix, ["Sales' or 1 eq 1"]);
    assert.deepEqual(rank("R&D 50%", odd).exact, ["R&D 50%"]);
  });

  it("stays quick and does not throw on long queries and large candidate lists", () => {
    const pool = named(...Array.from({ length: 10_000 }, (_, i) => `Group number ${i} of the tenant`));
    const started = Date.now();
    assert.deepEqual(rank("x".repeat(10_000), pool), { exact: [], prefix: [], similar: [] });
    assert.equal(rank("Group number 4242 of the tenant", pool).exact.length, 1);
    assert.equal(rank("Group numbr 4242 of the tenant", pool).similar.length, 3);
    assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);
  });
});
