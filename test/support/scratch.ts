/**
 * Temporary folders for tests (data folders, snapshots, browser profiles). Each is removed when the
 * test process exits, whichever test made it and however it ended, so runs leave nothing behind.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const made: string[] = [];

/** A new empty folder named license-desk-<purpose>-XXXXXX under the system's temporary folder. */
export function scratchDir(purpose: string): string {
  const dir = mkdtempSync(join(tmpdir(), `license-desk-${purpose}-`));
  made.push(dir);
  return dir;
}

// mocha exits the process when the run ends (.mocharc "exit"): "exit" listeners still run, and must be synchronous.
process.on("exit", () => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});
