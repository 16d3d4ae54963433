/**
 * The embedded RequestStore: one SQLite file (better-sqlite3) under the data folder.
 *
 * - Every write is one IMMEDIATE transaction: it takes the write lock up front (waiting up to the busy
 *   timeout), so two processes on the same file serialise instead of failing on a stale snapshot.
 * - `transition` is a compare-and-set on `requests.version`: of any number of callers holding the same
 *   version, exactly one changes the request; the others get undefined and write nothing. Approval's
 *   idempotence rests on this.
 * - The audit table is append-only, enforced by triggers: no code path can update or delete its rows.
 * - The schema is versioned in code (SCHEMA_STEPS, tracked with PRAGMA user_version); a file written by a
 *   newer License Desk is refused rather than half understood.
 *
 * Unreadable stored data (malformed JSON, or JSON of the wrong shape): the affected record is reported,
 * never guessed at, and never stops the others from being read.
 * - `get(id)` of a corrupt request throws CorruptRecordError (naming the request and the column): saying
 *   "no such request" for a request that may have been applied would be worse than failing loudly.
 * - `listByRequester` / `listByStatus` skip a corrupt request and pass the CorruptRecordError to
 *   `onCorruptRecord` (default: process.emitWarning), so one bad row does not stop start-up
 *   reconciliation or "my requests" for everything else.
 * - `audit(id)` keeps an entry whose details are unreadable, with details `{ unreadable: <stored text> }`
 *   (an audit trail must not lose entries), and reports it the same way.
 * - `getSetting` of a corrupt value throws CorruptRecordError; other settings read normally.
 * - `transition` of a corrupt request throws (after rolling back): it cannot return the fresh request.
 */
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import type { Operation } from "../licensing/preview";
import type {
  CardRef,
  ConversationRef,
  LicenseRequest,
  Person,
  RequestPlan,
  RequestStatus,
  Stage,
} from "../requests/licenseRequest";
import type { AuditEntry, OutboxItem, NewLicenseRequest, RequestStore, Transition } from "./requestStore";
import { OPEN_STATUSES } from "../requests/licenseRequest";
import { CorruptRecordError } from "./requestStore";

export { CorruptRecordError };

/**
 * Schema steps, in order. Step i (0-based) takes the file from user_version i to i + 1. Never edit
 * a step that has shipped: append a new one. Tables are STRICT, so the column types the row casts below
 * rely on are enforced by SQLite itself.
 */
export const SCHEMA_STEPS: readonly string[] = [
  `
  CREATE TABLE requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    version INTEGER NOT NULL,
    requester_id TEXT NOT NULL, -- requester's id, kept apart from the JSON so listByRequester is indexed and never parses
    requester TEXT NOT NULL CHECK (json_valid(requester)),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    preview TEXT NOT NULL CHECK (json_valid(preview)),
    requester_conversation TEXT NOT NULL CHECK (json_valid(requester_conversation)),
    rejected_by TEXT CHECK (rejected_by IS NULL OR json_valid(rejected_by)),
    rejection_reason TEXT,
    undo_of INTEGER REFERENCES requests(id)
  ) STRICT;
  CREATE INDEX requests_by_requester ON requests(requester_id, created_at);
  CREATE INDEX requests_by_status ON requests(status, created_at);

  CREATE TABLE stages (
    request_id INTEGER NOT NULL REFERENCES requests(id),
    idx INTEGER NOT NULL,
    title TEXT NOT NULL,
    status TEXT NOT NULL,
    operations TEXT NOT NULL CHECK (json_valid(operations)),
    approved_by TEXT CHECK (approved_by IS NULL OR json_valid(approved_by)),
    approved_at TEXT,
    graph_status INTEGER,
    graph_request_id TEXT,
    report TEXT CHECK (report IS NULL OR json_valid(report)),
    error TEXT,
    PRIMARY KEY (request_id, idx)
  ) STRICT;

  CREATE TABLE cards (
    request_id INTEGER NOT NULL REFERENCES requests(id),
    conversation TEXT NOT NULL CHECK (json_valid(conversation)),
    activity_id TEXT NOT NULL,
    UNIQUE (request_id, activity_id, conversation)
  ) STRICT;

  CREATE TABLE audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id INTEGER REFERENCES requests(id),
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    details TEXT NOT NULL CHECK (json_valid(details))
  ) STRICT;
  CREATE INDEX audit_by_request ON audit(request_id, id);
  CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
    BEGIN SELECT RAISE(ABORT, 'audit is append-only: its rows cannot be updated'); END;
  CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
    BEGIN SELECT RAISE(ABORT, 'audit is append-only: its rows cannot be deleted'); END;

  CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL CHECK (json_valid(value))
  ) STRICT;
  `,
  // Durable card delivery, one open request per change, in-flight writes and stale cards.
  `
  ALTER TABLE requests ADD COLUMN dedupe_key TEXT;
  -- The status list is OPEN_STATUSES (src/requests/licenseRequest.ts).
  CREATE UNIQUE INDEX requests_open_by_change ON requests(dedupe_key)
    WHERE dedupe_key IS NOT NULL AND status IN ('pending', 'approved', 'applying', 'processing');

  ALTER TABLE stages ADD COLUMN attempted_at TEXT;

  ALTER TABLE cards ADD COLUMN shown_version INTEGER;

  CREATE TABLE outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id INTEGER NOT NULL REFERENCES requests(id),
    conversation TEXT NOT NULL CHECK (json_valid(conversation)),
    created_at TEXT NOT NULL,
    delivered_at TEXT
  ) STRICT;
  CREATE INDEX outbox_undelivered ON outbox(request_id) WHERE delivered_at IS NULL;
  `,
  // An approval answered at once, the tenant checked again after it.
  `
  ALTER TABLE stages ADD COLUMN checked_at TEXT;
  `,
];

/** The database file was written by a newer License Desk (or is not ours): refused, never downgraded. */
export class SchemaVersionError extends Error {
  constructor(
    readonly file: string,
    readonly fileVersion: number,
    readonly codeVersion: number,
  ) {
    super(
      `The database ${file} has schema version ${fileVersion}, but this License Desk only knows schema versions up to ${codeVersion}. ` +
        `It was written by a newer License Desk: run that version, or point the data folder elsewhere.`,
    );
    this.name = "SchemaVersionError";
  }
}

export interface SqliteRequestStoreOptions {
  /** Told of every corrupt record skipped by a list read or kept in an audit read. Default: process.emitWarning. */
  readonly onCorruptRecord?: (error: CorruptRecordError) => void;
  /** How long a write waits for another process's write lock, in ms. Default 5000. */
  readonly busyTimeoutMs?: number;
  /** The schema steps to apply; tests only (the default is SCHEMA_STEPS). */
  readonly schemaSteps?: readonly string[];
}

// Row shapes. The tables are STRICT, so SQLite guarantees these column types; the casts in the queries
// below only restate the schema. JSON columns are parsed and checked separately.
interface RequestRow {
  id: number;
  kind: string;
  status: string;
  version: number;
  requester: string;
  created_at: string;
  expires_at: string;
  preview: string;
  requester_conversation: string;
  rejected_by: string | null;
  rejection_reason: string | null;
  undo_of: number | null;
}

interface StageRow {
  idx: number;
  title: string;
  status: string;
  operations: string;
  approved_by: string | null;
  approved_at: string | null;
  graph_status: number | null;
  graph_request_id: string | null;
  report: string | null;
  error: string | null;
  attempted_at: string | null;
  checked_at: string | null;
}

/** A stage row's small columns, with the sizes of its large ones. */
type StageHead = Omit<StageRow, "operations" | "report"> & {
  operations_length: number;
  report_length: number | null;
};

interface CardRow {
  conversation: string;
  activity_id: string;
  shown_version: number | null;
}

interface OutboxRow {
  id: number;
  request_id: number;
  conversation: string;
}

interface AuditRow {
  request_id: number | null;
  at: string;
  actor: string;
  action: string;
  details: string;
}

type SqlValue = string | number | null;

const REQUEST_STATUSES: ReadonlySet<string> = new Set<RequestStatus>([
  "pending",
  "approved",
  "applying",
  "processing",
  "done",
  "done-with-errors",
  "failed",
  "rejected",
  "expired",
  "cancelled",
]);
const KINDS: ReadonlySet<string> = new Set<RequestPlan["kind"]>(["group-change", "user-change", "direct-to-group"]);

export class SqliteRequestStore implements RequestStore {
  private readonly onCorrupt: (error: CorruptRecordError) => void;
  /**
   * What a stage's or a preview's stored columns last parsed to, by request and stage: a migration
   * of 1,000 waves is read after every step, and parsing all its stages each time made each wave
   * cost more than the one before. A hit needs the very same column values, so it is never stale;
   * what it holds is frozen, since every read shares it.
   */
  private readonly parsed = new Map<string, { readonly columns: readonly unknown[]; readonly value: unknown }>();

  private constructor(
    private readonly db: Database.Database,
    options: SqliteRequestStoreOptions,
  ) {
    this.onCorrupt = options.onCorruptRecord ?? ((error) => process.emitWarning(error.message, "CorruptRecordWarning"));
  }

  /**
   * Opens (creating on first start: the parent folder, the file, the schema) the database at `file`,
   * or an in-memory one for ":memory:". Throws SchemaVersionError for a file newer than this code.
   */
  static open(file: string, options: SqliteRequestStoreOptions = {}): SqliteRequestStore {
    const inMemory = file === ":memory:" || file === "";
    if (!inMemory) fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    const db = new Database(file, { timeout: options.busyTimeoutMs ?? 5000 });
    try {
      const steps = options.schemaSteps ?? SCHEMA_STEPS;
      // Refuse a newer file before touching it at all (not even its journal mode).
      assertKnownVersion(db, file, steps.length);
      // WAL: readers never block the writer and a crash mid-write leaves the last commit intact.
      // (An in-memory database stays in "memory" mode; that is fine for tests.)
      db.pragma("journal_mode = WAL");
      // FULL: a committed approval survives a power cut, not only a process crash.
      db.pragma("synchronous = FULL");
      db.pragma("foreign_keys = ON");
      upgradeSchema(db, file, steps);
      return new SqliteRequestStore(db, options);
    } catch (error) {
      db.close();
      throw error;
    }
  }

  create(
    request: NewLicenseRequest,
    audit: Omit<AuditEntry, "requestId">,
  ): { request: LicenseRequest; created: boolean } {
    return this.db
      .transaction(() => {
        // Under the write lock (IMMEDIATE), so two processes cannot both find no open request.
        if (request.dedupeKey !== undefined) {
          const open = this.db
            .prepare(
              `SELECT id FROM requests WHERE dedupe_key = ? AND status IN (${OPEN_STATUSES.map(() => "?").join(", ")})`,
            )
            .get(request.dedupeKey, ...OPEN_STATUSES) as { id: number } | undefined;
          if (open) return { request: this.readRequest(open.id) as LicenseRequest, created: false }; // found in this transaction
        }
        const result = this.db
          .prepare(
            `INSERT INTO requests (kind, status, version, requester_id, requester, created_at, expires_at, preview, requester_conversation, undo_of, dedupe_key)
             VALUES (?, 'pending', 1, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(
            request.kind,
            request.requester.id,
            JSON.stringify(request.requester),
            request.createdAt,
            request.expiresAt,
            JSON.stringify(request.preview),
            JSON.stringify(request.requesterConversation),
            request.undoOf ?? null,
            request.dedupeKey ?? null,
          );
        const id = Number(result.lastInsertRowid);
        const insertOutbox = this.db.prepare(
          `INSERT INTO outbox (request_id, conversation, created_at) VALUES (?, ?, ?)`,
        );
        for (const conversation of request.deliverTo)
          insertOutbox.run(id, JSON.stringify(conversation), request.createdAt);
        const insertStage = this.db.prepare(
          `INSERT INTO stages (request_id, idx, title, status, operations) VALUES (?, ?, ?, 'pending', ?)`,
        );
        request.stages.forEach((stage, index) =>
          insertStage.run(id, index, stage.title, JSON.stringify(stage.operations)),
        );
        this.insertAudit({ ...audit, requestId: id });
        return { request: this.readRequest(id) as LicenseRequest, created: true }; // just inserted in this transaction
      })
      .immediate();
  }

  get(id: number): LicenseRequest | undefined {
    // A (deferred) read transaction: the request, its stages and its cards come from one snapshot.
    return this.db.transaction(() => this.readRequest(id))();
  }

  transition(
    id: number,
    expectVersion: number,
    change: Transition,
    audit: Omit<AuditEntry, "requestId">,
  ): LicenseRequest | undefined {
    return this.db
      .transaction(() => {
        // Only the fields given are written; an undefined field leaves the stored value as it is.
        const sets: string[] = [];
        const params: SqlValue[] = [];
        const set = (column: string, value: SqlValue): void => {
          sets.push(`${column} = ?`);
          params.push(value);
        };
        if (change.status !== undefined) set("status", change.status);
        if (change.preview !== undefined) set("preview", JSON.stringify(change.preview));
        if (change.expiresAt !== undefined) set("expires_at", change.expiresAt);
        if (change.rejectedBy !== undefined) set("rejected_by", JSON.stringify(change.rejectedBy));
        if (change.rejectionReason !== undefined) set("rejection_reason", change.rejectionReason);
        sets.push("version = version + 1");

        // The compare-and-set: whoever is not at expectVersion any more changes nothing.
        const updated = this.db
          .prepare(`UPDATE requests SET ${sets.join(", ")} WHERE id = ? AND version = ?`)
          .run(...params, id, expectVersion);
        if (updated.changes === 0) return undefined;

        if (change.stage !== undefined) this.updateStage(id, change.stage);
        if (change.appendStage !== undefined) {
          // The next stage of a multi-stage request, waiting for its own approval.
          this.db
            .prepare(
              `INSERT INTO stages (request_id, idx, title, status, operations) VALUES (?, (SELECT COUNT(*) FROM stages WHERE request_id = ?), ?, 'pending', ?)`,
            )
            .run(id, id, change.appendStage.title, JSON.stringify(change.appendStage.operations));
        }
        this.insertAudit({ ...audit, requestId: id });
        return this.readRequest(id) as LicenseRequest; // updated in this transaction, so it exists
      })
      .immediate();
  }

  undelivered(): OutboxItem[] {
    const rows = this.db
      .prepare(
        `SELECT outbox.id, outbox.request_id, outbox.conversation FROM outbox JOIN requests ON requests.id = outbox.request_id
         WHERE outbox.delivered_at IS NULL AND requests.status IN (${OPEN_STATUSES.map(() => "?").join(", ")}) ORDER BY outbox.id ASC`,
      )
      .all(...OPEN_STATUSES) as OutboxRow[]; // STRICT table
    const items: OutboxItem[] = [];
    for (const row of rows) {
      try {
        items.push({
          id: row.id,
          requestId: row.request_id,
          conversation: parseObject<ConversationRef>(row.conversation, `outbox item ${row.id}`, "conversation"),
        });
      } catch (error) {
        if (!(error instanceof CorruptRecordError)) throw error;
        this.onCorrupt(error);
      }
    }
    return items;
  }

  delivered(itemId: number, card: CardRef | undefined): void {
    this.db
      .transaction(() => {
        const item = this.db.prepare(`SELECT request_id FROM outbox WHERE id = ?`).get(itemId) as
          { request_id: number } | undefined;
        if (item === undefined) throw new Error(`There is no such outbox item: ${itemId}.`);
        this.db
          .prepare(`UPDATE outbox SET delivered_at = ? WHERE id = ? AND delivered_at IS NULL`)
          .run(new Date().toISOString(), itemId);
        if (card) this.insertCard(item.request_id, card);
      })
      .immediate();
  }

  listWithStaleCards(): LicenseRequest[] {
    return this.readList(
      `SELECT * FROM requests WHERE id IN (SELECT cards.request_id FROM cards JOIN requests r ON r.id = cards.request_id WHERE coalesce(cards.shown_version, 0) < r.version) ORDER BY created_at ASC, id ASC`,
      [],
    );
  }

  cardShown(requestId: number, activityId: string, version: number): void {
    this.db
      .prepare(
        `UPDATE cards SET shown_version = max(coalesce(shown_version, 0), ?) WHERE request_id = ? AND activity_id = ?`,
      )
      .run(version, requestId, activityId);
  }

  private insertCard(requestId: number, card: CardRef): void {
    // The same card recorded twice (e.g. after a restart) is kept once.
    this.db
      .prepare(`INSERT OR IGNORE INTO cards (request_id, conversation, activity_id, shown_version) VALUES (?, ?, ?, ?)`)
      .run(requestId, JSON.stringify(card.conversation), card.activityId, card.shownVersion ?? null);
  }

  listByRequester(personId: string, limit: number): LicenseRequest[] {
    if (!Number.isInteger(limit) || limit < 0) throw new RangeError(`limit must be a whole number ≥ 0, not ${limit}`);
    return this.readList(`SELECT * FROM requests WHERE requester_id = ? ORDER BY created_at DESC, id DESC LIMIT ?`, [
      personId,
      limit,
    ]);
  }

  listByStatus(statuses: readonly RequestStatus[]): LicenseRequest[] {
    if (statuses.length === 0) return [];
    return this.readList(
      `SELECT * FROM requests WHERE status IN (${statuses.map(() => "?").join(", ")}) ORDER BY created_at ASC, id ASC`,
      [...statuses],
    );
  }

  audit(requestId: number): AuditEntry[] {
    const rows = this.db
      .prepare(`SELECT request_id, at, actor, action, details FROM audit WHERE request_id = ? ORDER BY id ASC`)
      .all(requestId) as AuditRow[]; // STRICT table: the types are the schema's
    return rows.map((row) => {
      let details: Record<string, unknown>;
      try {
        details = parseObject(row.details, `audit entry of request ${requestId}`, "details");
      } catch (error) {
        if (!(error instanceof CorruptRecordError)) throw error;
        this.onCorrupt(error);
        details = { unreadable: row.details };
      }
      return { requestId: row.request_id, at: row.at, actor: row.actor, action: row.action, details };
    });
  }

  appendAudit(entry: AuditEntry): void {
    this.db.transaction(() => this.insertAudit(entry)).immediate();
  }

  getSetting(key: string): unknown {
    const row = this.db.prepare(`SELECT value FROM settings WHERE key = ?`).get(key) as { value: string } | undefined; // STRICT table
    return row === undefined ? undefined : parseJson(row.value, `setting ${key}`, "value");
  }

  /** Setting a value to undefined removes the setting. */
  setSetting(key: string, value: unknown): void {
    const json = JSON.stringify(value) as string | undefined; // undefined for undefined (and functions)
    if (json === undefined) {
      this.db.prepare(`DELETE FROM settings WHERE key = ?`).run(key);
      return;
    }
    this.db
      .prepare(`INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`)
      .run(key, json);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  private updateStage(id: number, stage: NonNullable<Transition["stage"]>): void {
    const sets: string[] = [];
    const params: SqlValue[] = [];
    const set = (column: string, value: SqlValue): void => {
      sets.push(`${column} = ?`);
      params.push(value);
    };
    if (stage.status !== undefined) set("status", stage.status);
    if (stage.approvedBy !== undefined)
      set("approved_by", stage.approvedBy === null ? null : JSON.stringify(stage.approvedBy));
    if (stage.approvedAt !== undefined) set("approved_at", stage.approvedAt);
    if (stage.checkedAt !== undefined) set("checked_at", stage.checkedAt);
    if (stage.graphStatus !== undefined) set("graph_status", stage.graphStatus);
    if (stage.graphRequestId !== undefined) set("graph_request_id", stage.graphRequestId);
    if (stage.report !== undefined) set("report", JSON.stringify(stage.report));
    if (stage.error !== undefined) set("error", stage.error);
    if (stage.attemptedAt !== undefined) set("attempted_at", stage.attemptedAt);
    const changed =
      sets.length > 0
        ? this.db
            .prepare(`UPDATE stages SET ${sets.join(", ")} WHERE request_id = ? AND idx = ?`)
            .run(...params, id, stage.index).changes
        : this.db.prepare(`SELECT 1 FROM stages WHERE request_id = ? AND idx = ?`).all(id, stage.index).length;
    // A programming error, not a lost race: throwing rolls the whole transition back.
    if (changed === 0) throw new Error(`Request ${id} has no stage ${stage.index}.`);
  }

  private insertAudit(entry: AuditEntry): void {
    this.db
      .prepare(`INSERT INTO audit (request_id, at, actor, action, details) VALUES (?, ?, ?, ?, ?)`)
      .run(entry.requestId, entry.at, entry.actor, entry.action, JSON.stringify(entry.details));
  }

  /** Reads requests in one snapshot, skipping (and reporting) corrupt ones. */
  private readList(sql: string, params: SqlValue[]): LicenseRequest[] {
    return this.db.transaction(() => {
      const rows = this.db.prepare(sql).all(...params) as RequestRow[]; // STRICT table
      const requests: LicenseRequest[] = [];
      for (const row of rows) {
        try {
          requests.push(this.toRequest(row));
        } catch (error) {
          if (!(error instanceof CorruptRecordError)) throw error;
          this.onCorrupt(error);
        }
      }
      return requests;
    })();
  }

  private readRequest(id: number): LicenseRequest | undefined {
    const row = this.db.prepare(`SELECT * FROM requests WHERE id = ?`).get(id) as RequestRow | undefined; // STRICT table
    return row === undefined ? undefined : this.toRequest(row);
  }

  /**
   * A request's stages. A finished stage (its status not open) never changes again, so when the
   * cache holds it with the same small columns and sizes, its large ones (operations, report) are
   * not even read: a migration of 1,000 waves is read after every wave.
   */
  private stagesOf(requestId: number, record: string): Stage[] {
    const heads = this.db
      .prepare(
        `SELECT idx, title, status, approved_by, approved_at, graph_status, graph_request_id, error, attempted_at, checked_at,
                length(operations) AS operations_length, length(report) AS report_length
         FROM stages WHERE request_id = ? ORDER BY idx ASC`,
      )
      .all(requestId) as StageHead[]; // STRICT table
    const large = this.db.prepare(`SELECT operations, report FROM stages WHERE request_id = ? AND idx = ?`);
    return heads.map(({ operations_length, report_length, ...head }) => {
      const key = `${requestId}:stage:${head.idx}`;
      const marker = [...Object.values(head), operations_length, report_length];
      const known = this.parsed.get(key);
      const finished = !(OPEN_STATUSES as readonly string[]).includes(head.status);
      if (finished && known && sameValues(known.columns.slice(0, marker.length), marker)) return known.value as Stage;
      const texts = large.get(requestId, head.idx) as Pick<StageRow, "operations" | "report">; // STRICT table
      const row: StageRow = { ...head, ...texts };
      return this.parseOnce(key, [...marker, texts.operations, texts.report], () =>
        toStage(row, `stage ${head.idx} of ${record}`),
      );
    });
  }

  /** `parse()`, or what it gave for the same `columns` under `key` before (the latest PARSED_KEPT keys are kept). */
  private parseOnce<T>(key: string, columns: readonly unknown[], parse: () => T): T {
    const hit = this.parsed.get(key);
    if (hit && sameValues(hit.columns, columns)) return hit.value as T; // stored below from parse's own result
    const value = deepFreeze(parse());
    this.parsed.delete(key);
    this.parsed.set(key, { columns, value });
    if (this.parsed.size > PARSED_KEPT) this.parsed.delete(this.parsed.keys().next().value as string);
    return value;
  }

  /** Builds a plain object from a row and its stages and cards; throws CorruptRecordError. */
  private toRequest(row: RequestRow): LicenseRequest {
    const record = `request ${row.id}`;
    const cardRows = this.db
      .prepare(`SELECT conversation, activity_id, shown_version FROM cards WHERE request_id = ? ORDER BY rowid ASC`)
      .all(row.id) as CardRow[]; // STRICT table

    const request: {
      -readonly [K in keyof LicenseRequest]: LicenseRequest[K];
    } = {
      id: row.id,
      kind: checkKind(row.kind, record),
      status: checkStatus(row.status, record, "status"),
      version: row.version,
      requester: parsePerson(row.requester, record, "requester"),
      createdAt: row.created_at,
      expiresAt: row.expires_at,
      preview: this.parseOnce(`${row.id}:preview`, [row.preview], () => parsePreview(row.preview, record)),
      stages: this.stagesOf(row.id, record),
      requesterConversation: parseObject<ConversationRef>(row.requester_conversation, record, "requester_conversation"),
      cards: cardRows.map((card) => ({
        conversation: parseObject<ConversationRef>(card.conversation, `card of ${record}`, "conversation"),
        activityId: card.activity_id,
        ...(card.shown_version !== null ? { shownVersion: card.shown_version } : {}),
      })),
    };
    // Optional fields are absent rather than undefined, so a read deep-equals what was written.
    if (row.rejected_by !== null) request.rejectedBy = parsePerson(row.rejected_by, record, "rejected_by");
    if (row.rejection_reason !== null) request.rejectionReason = row.rejection_reason;
    if (row.undo_of !== null) request.undoOf = row.undo_of;
    return request;
  }
}

/** How many parsed texts the store keeps: the stages of a few large migrations. */
const PARSED_KEPT = 5000;

function sameValues(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((value, i) => value === b[i]);
}

/** Freezes `value` and everything in it: parsed JSON, shared by every read. */
function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

function toStage(row: StageRow, record: string): Stage {
  const operations = parseJson(row.operations, record, "operations");
  if (!Array.isArray(operations)) throw new CorruptRecordError(record, "operations", "not a list");
  const stage: { -readonly [K in keyof Stage]: Stage[K] } = {
    index: row.idx,
    title: row.title,
    status: checkStatus(row.status, record, "status"),
    operations: operations as Operation[], // written by this store from Operation[] (JSON round trip)
  };
  if (row.approved_by !== null) stage.approvedBy = parsePerson(row.approved_by, record, "approved_by");
  if (row.approved_at !== null) stage.approvedAt = row.approved_at;
  if (row.graph_status !== null) stage.graphStatus = row.graph_status;
  if (row.graph_request_id !== null) stage.graphRequestId = row.graph_request_id;
  if (row.report !== null) stage.report = parseJson(row.report, record, "report");
  if (row.error !== null) stage.error = row.error;
  if (row.attempted_at !== null) stage.attemptedAt = row.attempted_at;
  if (row.checked_at !== null) stage.checkedAt = row.checked_at;
  return stage;
}

function parseJson(text: string, record: string, column: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new CorruptRecordError(record, column, error instanceof Error ? error.message : String(error));
  }
}

/** A JSON object (not null, not a list). The cast to T is safe as far as this store wrote it from a T. */
function parseObject<T extends object>(text: string, record: string, column: string): T {
  const value = parseJson(text, record, column);
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new CorruptRecordError(record, column, "not a JSON object");
  }
  return value as T;
}

function parsePerson(text: string, record: string, column: string): Person {
  const value = parseObject<Record<string, unknown>>(text, record, column);
  if (typeof value.id !== "string" || typeof value.name !== "string") {
    throw new CorruptRecordError(record, column, "not a person (id and name)");
  }
  return value as unknown as Person; // id and name checked; a Person has nothing else
}

function parsePreview(text: string, record: string): RequestPlan {
  const value = parseObject<Record<string, unknown>>(text, record, "preview");
  // The fields every consumer reads first; the rest is the JSON this store wrote from a Preview.
  if (
    typeof value.kind !== "string" ||
    typeof value.target !== "object" ||
    !Array.isArray(value.operations) ||
    !Array.isArray(value.checks)
  ) {
    throw new CorruptRecordError(record, "preview", "not a preview (kind, target, checks, operations)");
  }
  return value as unknown as RequestPlan;
}

function checkStatus(value: string, record: string, column: string): RequestStatus {
  if (!REQUEST_STATUSES.has(value)) throw new CorruptRecordError(record, column, `unknown status "${value}"`);
  return value as RequestStatus; // checked against the full list just above
}

function checkKind(value: string, record: string): RequestPlan["kind"] {
  if (!KINDS.has(value)) throw new CorruptRecordError(record, "kind", `unknown kind "${value}"`);
  return value as RequestPlan["kind"]; // checked against the full list just above
}

function userVersion(db: Database.Database): number {
  const value = db.pragma("user_version", { simple: true });
  if (typeof value !== "number") throw new Error(`PRAGMA user_version answered ${String(value)}, not a number`);
  return value;
}

function assertKnownVersion(db: Database.Database, file: string, codeVersion: number): void {
  const fileVersion = userVersion(db);
  if (fileVersion > codeVersion) throw new SchemaVersionError(file, fileVersion, codeVersion);
}

/**
 * Brings the file up to the code's schema in one IMMEDIATE transaction: two processes starting together
 * on a fresh file serialise here, and the second finds the work done. A failing step rolls back every
 * step of this run and leaves user_version where it was.
 */
function upgradeSchema(db: Database.Database, file: string, steps: readonly string[]): void {
  db.transaction(() => {
    assertKnownVersion(db, file, steps.length); // again, under the lock
    const from = userVersion(db);
    for (let step = from; step < steps.length; step++) db.exec(steps[step]);
    // PRAGMA user_version is written in the file header, inside this transaction.
    if (from < steps.length) db.pragma(`user_version = ${steps.length}`);
  }).immediate();
}
