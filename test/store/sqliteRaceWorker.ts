/**
 * A separate process for the cross-process race in sqliteRequestStore.test.ts (not a test file itself).
 * Args: <database file> <request id> <expected version> <attempts> <go file> <worker name>.
 * Opens its own store, says "ready", waits for the go file (so every worker starts at once), then tries
 * `attempts` approvals from the same version and prints how many succeeded.
 */
import fs from "node:fs";
import { SqliteRequestStore } from "../../src/store/sqliteRequestStore";

const [file, id, version, attempts, goFile, name] = process.argv.slice(2);
if (
  file === undefined ||
  id === undefined ||
  version === undefined ||
  attempts === undefined ||
  goFile === undefined ||
  name === undefined
) {
  throw new Error("usage: sqliteRaceWorker <file> <id> <version> <attempts> <go file> <name>");
}
const store = SqliteRequestStore.open(file);
process.stdout.write("ready\n");
const sleeper = new Int32Array(new SharedArrayBuffer(4));
const deadline = Date.now() + 30_000;
while (!fs.existsSync(goFile)) {
  if (Date.now() > deadline) throw new Error("never told to go");
  Atomics.wait(sleeper, 0, 0, 1); // sleep 1 ms without spinning a core
}
let won = 0;
for (let i = 0; i < Number(attempts); i++) {
  const result = store.transition(
    Number(id),
    Number(version),
    {
      status: "approved",
      stage: { index: 0, status: "approved", approvedBy: { id: name, name }, approvedAt: new Date().toISOString() },
    },
    { at: new Date().toISOString(), actor: name, action: "approved", details: { attempt: i } },
  );
  if (result !== undefined) won++;
}
store.close();
process.stdout.write(`won ${won}\n`);
