import assert from "node:assert/strict";
import { EXAMPLE_REQUESTS, parseCommand } from "../../src/chat/commands";

describe("chat commands", () => {
  for (const text of ["help", "HELP", "  Help!  ", "?", "hello", "", "<at>License Desk</at> help"]) {
    it(`reads ${JSON.stringify(text)} as help`, () => assert.deepEqual(parseCommand(text), { kind: "help" }));
  }
  for (const text of ["seats", "show licenses", "Show Licences.", "<at>License Desk</at>  seats"]) {
    it(`reads ${JSON.stringify(text)} as seats`, () => assert.deepEqual(parseCommand(text), { kind: "seats" }));
  }
  it("keeps at most 80 characters of text it does not understand", () => {
    const command = parseCommand("x".repeat(10_000));
    assert.equal(command.kind, "unknown");
    assert.equal(command.kind === "unknown" && command.text.length, 80);
  });
  it("reads a change request, keeping the name's case", () => {
    assert.deepEqual(parseCommand("<at>License Desk</at> move group Sales EMEA from E1 to E3"), {
      kind: "change",
      request: { target: { hint: "group", name: "Sales EMEA" }, from: "E1", to: "E3" },
    });
  });
  it("reads help and seats before change requests", () => {
    assert.deepEqual(parseCommand("show licenses"), { kind: "seats" });
  });
  it("reads a move to group-based licensing as a migration, not a change", () => {
    assert.deepEqual(parseCommand("<at>License Desk</at> migrate Sales to group licensing for E3"), {
      kind: "migrate",
      request: { group: "Sales", product: "E3" },
    });
    assert.deepEqual(parseCommand("move Operations from direct to group licensing"), {
      kind: "migrate",
      request: { group: "Operations" },
    });
    assert.equal(parseCommand("migrate Sales from E1 to E3").kind, "change");
  });
  it("offers example requests that it understands itself", () => {
    assert.equal(EXAMPLE_REQUESTS.length, 3);
    for (const example of EXAMPLE_REQUESTS) assert.equal(parseCommand(example).kind, "change", example);
  });
});
