/**
 * The data folder (DATA_DIR), checked before the request store opens it, so that start-up never
 * turns a lost or damaged database into a fresh, empty one that silently forgets every request.
 *
 * Beside the database sits a marker file, written once the store has been created there. While the
 * marker is present, a database that is missing, empty (0 bytes) or without tables was lost, not
 * never made: start-up is refused. Without a marker (a new folder, or one from before markers) the
 * store opens as it always did, and the marker is written then.
 *
 * Every refusal is a DataFolderError: one line naming DATA_DIR, what is wrong and what to do. The
 * folder is left exactly as it was found.
 */
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { z } from "zod";
import { UserFacingError } from "../errors";
import { SchemaVersionError, SqliteRequestStore } from "./sqliteRequestStore";

const DATABASE_FILE = "license-desk.sqlite";
const MARKER_FILE = "license-desk.marker";

/** What the marker says; read leniently (see readMarker). */
const markerSchema = z.object({ database: z.string(), createdAt: z.string() });

/** What is wrong with the data folder. */
export type DataFolderProblem =
  /** A marker says License Desk created a database here, and it is missing, empty or has no tables. */
  | "databaseLost"
  | "notAFolder"
  /** The folder cannot be created or written. */
  | "folderUnusable"
  /** The database was written by a newer License Desk. */
  | "newerSchema"
  | "databaseDamaged"
  | "databaseUnopenable";

/** The data folder cannot be used as it is; `userMessage` is the one line to print. */
export class DataFolderError extends UserFacingError {
  readonly userMessage: string;

  constructor(
    readonly code: DataFolderProblem,
    userMessage: string,
    options?: { cause: unknown },
  ) {
    super(userMessage, options);
    this.name = "DataFolderError";
    this.userMessage = userMessage;
  }
}

/**
 * Checks the data folder (creating it when missing), then opens the request store in it; writes the
 * marker once the store stands. Throws DataFolderError for anything the operator must put right.
 */
export function openDataFolder(dataDir: string): SqliteRequestStore {
  const folder = path.resolve(dataDir);
  const where = `DATA_DIR ${folder}`;
  prepareFolder(folder, where);
  const file = path.join(folder, DATABASE_FILE);
  const marker = readMarker(path.join(folder, MARKER_FILE));
  const size = fileSize(file);
  if (marker) {
    const lost =
      size === undefined
        ? "is missing"
        : size === 0
          ? "is empty (0 bytes)"
          : tableCount(file, where) === 0
            ? "holds no tables"
            : undefined;
    if (lost) {
      throw new DataFolderError(
        "databaseLost",
        `${where}: the request database ${DATABASE_FILE} ${lost}, yet ${MARKER_FILE} (written ${marker.createdAt}) says License Desk created it here; ` +
          `the bot did not start and changed nothing. Restore ${DATABASE_FILE} from backup, or point DATA_DIR at an empty folder to start afresh.`,
      );
    }
  }
  const store = openStore(file, where);
  if (!marker) writeMarker(path.join(folder, MARKER_FILE));
  return store;
}

function prepareFolder(folder: string, where: string): void {
  try {
    const stat = fs.statSync(folder, { throwIfNoEntry: false });
    if (stat?.isDirectory()) return;
    if (stat)
      throw new DataFolderError(
        "notAFolder",
        `${where} is a file, not a folder: point DATA_DIR at a folder for the request database (it is created if missing).`,
      );
    fs.mkdirSync(folder, { recursive: true });
  } catch (error) {
    if (error instanceof DataFolderError) throw error;
    // e.g. ENOTDIR (a file on the way) or EACCES.
    throw new DataFolderError(
      "folderUnusable",
      `${where} cannot be used (${error instanceof Error ? error.message : String(error)}): point DATA_DIR at a folder the bot may create or write.`,
      { cause: error },
    );
  }
}

/**
 * The marker, if there is one. A marker that cannot be parsed (cut short by a crash while it was
 * written) still says a database was created here; only its date is unknown.
 */
function readMarker(file: string): { createdAt: string } | undefined {
  if (!fs.existsSync(file)) return undefined;
  const parsed = markerSchema.safeParse(readJson(file));
  return { createdAt: parsed.success ? parsed.data.createdAt : "at an unknown date" };
}

function writeMarker(file: string): void {
  const marker: z.infer<typeof markerSchema> & { about: string } = {
    database: DATABASE_FILE,
    createdAt: new Date().toISOString(),
    about: `Written by License Desk beside the database it created. While this file is here, a missing or empty ${DATABASE_FILE} stops start-up instead of starting afresh.`,
  };
  try {
    // "wx": of two processes starting together on a new folder, the first marker stands.
    fs.writeFileSync(file, `${JSON.stringify(marker, null, 2)}\n`, { flag: "wx" });
  } catch (error) {
    if (!isErrno(error, "EEXIST")) throw error;
  }
}

function fileSize(file: string): number | undefined {
  return fs.statSync(file, { throwIfNoEntry: false })?.size;
}

/** How many tables the database holds, read without changing what it holds. */
function tableCount(file: string, where: string): number {
  return withSqliteErrors(where, () => {
    const db = new Database(file, { fileMustExist: true });
    try {
      const row = db.prepare("SELECT count(*) AS tables FROM sqlite_schema WHERE type = 'table'").get() as {
        tables: number;
      }; // count(*) is an integer
      return row.tables;
    } finally {
      db.close();
    }
  });
}

function openStore(file: string, where: string): SqliteRequestStore {
  return withSqliteErrors(where, () => {
    try {
      return SqliteRequestStore.open(file);
    } catch (error) {
      if (!(error instanceof SchemaVersionError)) throw error;
      throw new DataFolderError(
        "newerSchema",
        `${where}: ${DATABASE_FILE} has schema version ${error.fileVersion}, newer than this License Desk knows (up to ${error.codeVersion}); it was written by a newer License Desk. ` +
          `Run that version, or point DATA_DIR at another folder.`,
        { cause: error },
      );
    }
  });
}

/** Turns SQLite's refusals to read or open the file into DataFolderErrors. */
function withSqliteErrors<T>(where: string, run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (!(error instanceof Database.SqliteError)) throw error;
    if (error.code === "SQLITE_NOTADB" || error.code === "SQLITE_CORRUPT") {
      throw new DataFolderError(
        "databaseDamaged",
        `${where}: ${DATABASE_FILE} is damaged or not a database (${error.message}); the bot did not start and changed nothing. ` +
          `Restore it from backup, or point DATA_DIR at an empty folder to start afresh.`,
        { cause: error },
      );
    }
    throw new DataFolderError(
      "databaseUnopenable",
      `${where}: ${DATABASE_FILE} cannot be opened (${error.message}): check that the bot may read and write it and its folder.`,
      { cause: error },
    );
  }
}

/** The file's JSON, or undefined when it cannot be read or parsed. */
function readJson(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as unknown;
  } catch {
    return undefined;
  }
}

function isErrno(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}
