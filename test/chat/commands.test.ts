import assert from "node:assert/strict";
import { parseCommand } from "../../src/chat/commands";

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
});
