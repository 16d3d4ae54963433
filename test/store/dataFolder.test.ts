import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { DataFolderError, openDataFolder } from "../../src/store/dataFolder";
import { SCHEMA_STEPS, SqliteRequestStore } from "../../src/store/sqliteRequestStore";
import { scratchDir } from "../support/scratch";

const CREATED = "2025-01-02T03:04:05.000Z";

/** A new empty folder for one test. */
function newFolder(): string {
  return scratchDir("folder");
}

/** A folder the bot once created its store in: the marker it writes, and whatever `database` leaves. */
function folderWithMarker(database: (file: string) => void): string {
  const folder = newFolder();
  fs.writeFileSync(
    path.join(folder, "license-desk.marker"),
    JSON.stringify({ database: "license-desk.sqlite", createdAt: CREATED }),
  );
  database(path.join(folder, "license-desk.sqlite"));
  return folder;
}

/** Every file in the folder with its content, to show that a refusal changed nothing. */
function contents(folder: string): Record<string, string> {
  const content = (file: string) =>
    fs.statSync(file).isDirectory() ? "(a folder)" : fs.readFileSync(file).toString("base64");
  return Object.fromEntries(
    fs
      .readdirSync(folder)
      .sort()
      .map((name) => [name, content(path.join(folder, name))]),
  );
}

/** Asserts that opening `folder` is refused with exactly `message`, one line, and that nothing in it changed. */
function assertRefused(folder: string, message: string): void {
  const before = fs.statSync(folder).isDirectory() ? contents(folder) : fs.readFileSync(folder, "utf8");
  assert.throws(
    () => openDataFolder(folder),
    (error: unknown) => {
      assert.ok(error instanceof DataFolderError, String(error));
      assert.equal(error.userMessage, message);
      assert.equal(error.message, message);
      assert.doesNotMatch(message, /\n/);
      return true;
    },
  );
  assert.deepEqual(
    fs.statSync(folder).isDirectory() ? contents(folder) : fs.readFileSync(folder, "utf8"),
    before,
    "no fresh database, nothing changed",
  );
}

const LOST = (folder: string, what: string, written = CREATED) =>
  `DATA_DIR ${folder}: the request database license-desk.sqlite ${what}, yet license-desk.marker (written ${written}) says License Desk created it here; ` +
  `the bot did not start and changed nothing. Restore license-desk.sqlite from backup, or point DATA_DIR at an empty folder to start afresh.`;

describe("the data folder at start-up", () => {
  it("a new folder (created if missing): the store opens, and the marker is written beside it", () => {
    const folder = path.join(newFolder(), "data", "nested");
    const before = Date.now();
    const store = openDataFolder(folder);
    store.setSetting("approvalsChannel", { id: "19:approvals" });
    store.close();
    const marker = JSON.parse(fs.readFileSync(path.join(folder, "license-desk.marker"), "utf8")) as {
      database: string;
      createdAt: string;
    };
    assert.equal(marker.database, "license-desk.sqlite");
    assert.ok(
      Date.parse(marker.createdAt) >= before - 1000 && Date.parse(marker.createdAt) <= Date.now(),
      marker.createdAt,
    );
    // Started again: the same store, the marker as it was.
    const again = openDataFolder(folder);
    assert.deepEqual(again.getSetting("approvalsChannel"), { id: "19:approvals" });
    again.close();
    assert.equal(
      (JSON.parse(fs.readFileSync(path.join(folder, "license-desk.marker"), "utf8")) as { createdAt: string })
        .createdAt,
      marker.createdAt,
    );
  });

  it("a database from before markers: opened with everything in it, and vouched for from then on", () => {
    const folder = newFolder();
    const old = SqliteRequestStore.open(path.join(folder, "license-desk.sqlite"));
    old.setSetting("approvalsChannel", { id: "19:approvals" });
    old.close();
    const store = openDataFolder(folder);
    assert.deepEqual(store.getSetting("approvalsChannel"), { id: "19:approvals" });
    store.close();
    assert.ok(fs.existsSync(path.join(folder, "license-desk.marker")));
    fs.rmSync(path.join(folder, "license-desk.sqlite"));
    const written = (
      JSON.parse(fs.readFileSync(path.join(folder, "license-desk.marker"), "utf8")) as { createdAt: string }
    ).createdAt;
    assertRefused(folder, LOST(folder, "is missing", written));
  });

  it("marker present, database missing: refused, no fresh database", () => {
    const folder = folderWithMarker(() => {});
    assertRefused(folder, LOST(folder, "is missing"));
    assert.equal(fs.existsSync(path.join(folder, "license-desk.sqlite")), false);
  });

  it("marker present, database emptied to 0 bytes: refused, the file left at 0 bytes", () => {
    const folder = folderWithMarker((file) => fs.writeFileSync(file, ""));
    assertRefused(folder, LOST(folder, "is empty (0 bytes)"));
    assert.equal(fs.statSync(path.join(folder, "license-desk.sqlite")).size, 0);
  });

  it("marker present, database without tables: refused, no schema created in it", () => {
    const folder = folderWithMarker((file) => {
      const db = new Database(file);
      db.pragma("user_version = 0");
      db.exec("CREATE TABLE t (x); DROP TABLE t;"); // a real SQLite file, its schema empty
      db.close();
    });
    assertRefused(folder, LOST(folder, "holds no tables"));
  });

  it("a marker cut short (a crash while it was written) still vouches for the database", () => {
    const folder = newFolder();
    fs.writeFileSync(path.join(folder, "license-desk.marker"), '{"database": "license-de');
    assertRefused(folder, LOST(folder, "is missing", "at an unknown date"));
  });

  it("DATA_DIR is a file: refused, naming the setting", () => {
    const file = path.join(newFolder(), "data");
    fs.writeFileSync(file, "not a folder");
    assertRefused(
      file,
      `DATA_DIR ${file} is a file, not a folder: point DATA_DIR at a folder for the request database (it is created if missing).`,
    );
  });

  it("DATA_DIR inside a file cannot be used: refused, naming the setting", () => {
    const file = path.join(newFolder(), "data");
    fs.writeFileSync(file, "not a folder");
    const folder = path.join(file, "sub");
    assert.throws(
      () => openDataFolder(folder),
      (error: unknown) =>
        error instanceof DataFolderError &&
        error.userMessage ===
          `DATA_DIR ${folder} cannot be used (ENOTDIR: not a directory, stat '${folder}'): point DATA_DIR at a folder the bot may create or write.`,
    );
    assert.equal(fs.readFileSync(file, "utf8"), "not a folder");
  });

  it("a database file that is not a database: refused, the file untouched", () => {
    const folder = folderWithMarker((file) =>
      fs.writeFileSync(file, "these are not the bytes of a SQLite database\n".repeat(100)),
    );
    assertRefused(
      folder,
      `DATA_DIR ${folder}: license-desk.sqlite is damaged or not a database (file is not a database); the bot did not start and changed nothing. ` +
        `Restore it from backup, or point DATA_DIR at an empty folder to start afresh.`,
    );
  });

  it("the same without a marker: refused, not replaced by a fresh store", () => {
    const folder = newFolder();
    fs.writeFileSync(
      path.join(folder, "license-desk.sqlite"),
      "these are not the bytes of a SQLite database\n".repeat(100),
    );
    assertRefused(
      folder,
      `DATA_DIR ${folder}: license-desk.sqlite is damaged or not a database (file is not a database); the bot did not start and changed nothing. ` +
        `Restore it from backup, or point DATA_DIR at an empty folder to start afresh.`,
    );
  });

  it("a database the bot cannot open (a folder in its place): refused, naming the setting", () => {
    const folder = folderWithMarker((file) => fs.mkdirSync(file));
    assertRefused(
      folder,
      `DATA_DIR ${folder}: license-desk.sqlite cannot be opened (unable to open database file): check that the bot may read and write it and its folder.`,
    );
  });

  it("a database of a newer schema: refused, naming both versions", () => {
    const folder = folderWithMarker((file) => {
      const db = new Database(file);
      db.exec("CREATE TABLE future (x)");
      db.pragma(`user_version = ${SCHEMA_STEPS.length + 1}`);
      db.close();
    });
    assertRefused(
      folder,
      `DATA_DIR ${folder}: license-desk.sqlite has schema version ${SCHEMA_STEPS.length + 1}, newer than this License Desk knows (up to ${SCHEMA_STEPS.length}); ` +
        `it was written by a newer License Desk. Run that version, or point DATA_DIR at another folder.`,
    );
  });
});
