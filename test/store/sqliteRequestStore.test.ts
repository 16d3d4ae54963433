import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import type { Operation, Preview } from "../../src/licensing/preview";
import type { ConversationRef, LicenseRequest, Person } from "../../src/requests/licenseRequest";
import type { AuditEntry, NewLicenseRequest } from "../../src/store/requestStore";
import {
  CorruptRecordError,
  SCHEMA_STEPS,
  SchemaVersionError,
  SqliteRequestStore,
} from "../../src/store/sqliteRequestStore";
import { scratchDir } from "../support/scratch";

const E1 = { skuId: "18181a46-0d4e-45cd-891e-60aabd171b4e", skuPartNumber: "STANDARDPACK" };
const E3 = { skuId: "6fd2c87f-b296-42f0-b197-1e91e994b900", skuPartNumber: "ENTERPRISEPACK" };
const SALES = "5b3e3c1a-7f0e-4b59-9d1f-2a6c0e4f9a10";

const operation: Operation = {
  method: "POST",
  path: `/groups/${SALES}/assignLicense`,
  body: {
    addLicenses: [{ skuId: E3.skuId, disabledPlans: ["a23b959c-7ce8-4e57-9140-b90eb88a9e97"] }],
    removeLicenses: [E1.skuId],
  },
};

const preview: Preview = {
  kind: "group-change",
  target: { type: "group", id: SALES, displayName: "Sales", memberCount: 60 },
  from: E1,
  to: E3,
  verdict: "warnings",
  checks: [
    {
      id: "source-assigned",
      status: "pass",
      title: "Sales has Office 365 E1 assigned",
      detail: "The group holds the product being replaced.",
    },
    {
      id: "direct-source",
      status: "warn",
      title: "2 of 60 members also hold E1 directly",
      detail: "They keep an E1 seat after the change; remove their direct E1 to free it.",
      count: 2,
      users: [
        { id: "u1", displayName: "Adele Vance", userPrincipalName: "adele@contoso.example" },
        { id: "u2", displayName: "Alex Wilber", userPrincipalName: "alex@contoso.example", note: "direct since 2023" },
      ],
    },
    { id: "seats", status: "info", title: "58 E3 seats needed, 70 available", detail: "Enough seats.", count: 58 },
  ],
  seats: {
    ENTERPRISEPACK: { enabled: 100, consumed: 30, available: 70, needed: 58, shortfall: 0 },
    STANDARDPACK: { enabled: 80, consumed: 62, available: 18, freed: 58 },
  },
  operations: [operation],
};

const helpdesk: Person = { id: "helpdesk-1", name: "Megan Bowen" };
const approver: Person = { id: "approver-1", name: "Nestor Wilke" };
const conversation: ConversationRef = {
  conversation: { id: "19:abc@thread.v2" },
  serviceUrl: "https://smba.example/",
  bot: { id: "28:bot" },
};

function newRequest(overrides: Partial<NewLicenseRequest> = {}): NewLicenseRequest {
  return {
    kind: "group-change",
    requester: helpdesk,
    createdAt: "2025-03-01T09:00:00.000Z",
    expiresAt: "2025-03-02T09:00:00.000Z",
    preview,
    stages: [{ title: "Move Sales from E1 to E3", operations: [operation] }],
    requesterConversation: conversation,
    deliverTo: [conversation],
    ...overrides,
  };
}

function entry(
  action: string,
  actor = helpdesk.id,
  details: Record<string, unknown> = {},
): Omit<AuditEntry, "requestId"> {
  return { at: "2025-03-01T09:00:00.000Z", actor, action, details };
}

describe("SqliteRequestStore", () => {
  let dir: string;
  let file: string;
  const open: SqliteRequestStore[] = [];
  const openStore = (options?: Parameters<typeof SqliteRequestStore.open>[1], at = file): SqliteRequestStore => {
    const store = SqliteRequestStore.open(at, options);
    open.push(store);
    return store;
  };
  /** A raw connection, for what the store must refuse or survive. */
  const raw = (): Database.Database => new Database(file);

  beforeEach(() => {
    dir = scratchDir("store");
    file = path.join(dir, "data", "nested", "license-desk.db");
  });
  afterEach(() => {
    for (const store of open.splice(0)) store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  describe("opening", () => {
    it("creates the parent folder, the file and the schema on first start, in WAL mode", () => {
      assert.equal(fs.existsSync(path.dirname(file)), false);
      openStore();
      assert.equal(fs.existsSync(file), true);
      const db = raw();
      try {
        assert.equal(db.pragma("user_version", { simple: true }), SCHEMA_STEPS.length);
        assert.equal(db.pragma("journal_mode", { simple: true }), "wal");
        const tables = (
          db
            .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
            .all() as { name: string }[]
        ).map((t) => t.name);
        assert.deepEqual(tables, ["audit", "cards", "outbox", "requests", "settings", "stages"]);
      } finally {
        db.close();
      }
    });

    it("works in memory for tests", () => {
      const store = openStore(undefined, ":memory:");
      const created = store.create(newRequest(), entry("requested")).request;
      assert.equal(store.get(created.id)?.preview.verdict, "warnings");
    });

    it("does not re-run schema steps on reopening", () => {
      // A step that would fail (or count twice) if it ran again.
      const schemaSteps = [...SCHEMA_STEPS, `CREATE TABLE once (n INTEGER); INSERT INTO once VALUES (1);`];
      openStore({ schemaSteps }).close();
      openStore({ schemaSteps }).close();
      const db = raw();
      try {
        assert.equal(db.pragma("user_version", { simple: true }), schemaSteps.length);
        assert.deepEqual(db.prepare(`SELECT count(*) AS n FROM once`).get(), { n: 1 });
      } finally {
        db.close();
      }
    });

    it("upgrades an older file by running only the new steps, keeping its data", () => {
      const v1 = openStore();
      const created = v1.create(newRequest(), entry("requested")).request;
      v1.close();
      const v2 = openStore({ schemaSteps: [...SCHEMA_STEPS, `ALTER TABLE requests ADD COLUMN note TEXT;`] });
      assert.deepEqual(v2.get(created.id), created);
      const db = raw();
      try {
        assert.equal(db.pragma("user_version", { simple: true }), SCHEMA_STEPS.length + 1);
      } finally {
        db.close();
      }
    });

    it("rolls a failing schema step back entirely and leaves the version where it was", () => {
      openStore().close();
      const broken = [...SCHEMA_STEPS, `CREATE TABLE half (n INTEGER);`, `THIS IS NOT SQL;`];
      assert.throws(() => openStore({ schemaSteps: broken }), /syntax error/);
      const db = raw();
      try {
        assert.equal(db.pragma("user_version", { simple: true }), SCHEMA_STEPS.length);
        assert.equal(db.prepare(`SELECT name FROM sqlite_master WHERE name = 'half'`).get(), undefined);
      } finally {
        db.close();
      }
    });

    it("refuses a file newer than the code, naming both versions, and leaves it untouched", () => {
      openStore().close();
      const db = raw();
      db.pragma(`user_version = ${SCHEMA_STEPS.length + 3}`);
      db.close();
      assert.throws(
        () => openStore(),
        (error: unknown) =>
          error instanceof SchemaVersionError &&
          error.fileVersion === SCHEMA_STEPS.length + 3 &&
          error.codeVersion === SCHEMA_STEPS.length &&
          error.message.includes(`schema version ${SCHEMA_STEPS.length + 3}`) &&
          error.message.includes(`up to ${SCHEMA_STEPS.length}`) &&
          error.message.includes(file),
      );
      const after = raw();
      try {
        assert.equal(after.pragma("user_version", { simple: true }), SCHEMA_STEPS.length + 3);
      } finally {
        after.close();
      }
    });
  });

  describe("create and get", () => {
    it("round-trips a request exactly, with its preview, stages and audit row", () => {
      const store = openStore();
      const created = store.create(newRequest(), entry("requested", helpdesk.id, { verdict: "warnings" })).request;
      const expected: LicenseRequest = {
        id: created.id,
        kind: "group-change",
        status: "pending",
        version: 1,
        requester: helpdesk,
        createdAt: "2025-03-01T09:00:00.000Z",
        expiresAt: "2025-03-02T09:00:00.000Z",
        preview,
        stages: [{ index: 0, title: "Move Sales from E1 to E3", status: "pending", operations: [operation] }],
        requesterConversation: conversation,
        cards: [],
      };
      assert.deepStrictEqual(created, expected);
      assert.deepStrictEqual(store.get(created.id), expected);
      assert.deepStrictEqual(store.audit(created.id), [
        { requestId: created.id, ...entry("requested", helpdesk.id, { verdict: "warnings" }) },
      ]);
    });

    it("keeps several stages in order, each pending, and the request an undo reverses", () => {
      const store = openStore();
      const first = store.create(newRequest(), entry("requested")).request;
      const undo = store.create(
        newRequest({
          undoOf: first.id,
          stages: [
            { title: "Stage 1", operations: [operation] },
            { title: "Stage 2", operations: [] },
          ],
        }),
        entry("requested"),
      ).request;
      assert.equal(undo.undoOf, first.id);
      assert.deepEqual(
        store.get(undo.id)?.stages.map((s) => [s.index, s.title, s.status, s.operations.length]),
        [
          [0, "Stage 1", "pending", 1],
          [1, "Stage 2", "pending", 0],
        ],
      );
    });

    it("answers undefined for an unknown request", () => {
      assert.equal(openStore().get(999), undefined);
    });

    it("returns plain objects whose stored parts cannot be changed: a change is refused and the store keeps its own", () => {
      const store = openStore();
      const created = store.create(newRequest(), entry("requested")).request;
      const read = store.get(created.id) as LicenseRequest;
      assert.equal(Object.getPrototypeOf(read), Object.prototype);
      // Deliberately break the readonly contract: the parsed preview and stages are shared, so frozen.
      assert.throws(() => ((read.preview.checks as unknown[]).length = 0), TypeError);
      assert.throws(() => ((read.stages[0] as { title: string }).title = "changed"), TypeError);
      assert.equal(store.get(created.id)?.preview.checks.length, 3);
      assert.equal(store.get(created.id)?.stages[0]?.title, read.stages[0]?.title);
    });
  });

  describe("transition", () => {
    it("applies the change at the expected version, bumps the version and appends the audit row", () => {
      const store = openStore();
      const created = store.create(newRequest(), entry("requested")).request;
      const approved = store.transition(created.id, 1, { status: "approved" }, entry("approved", approver.id));
      assert.ok(approved);
      assert.equal(approved.status, "approved");
      assert.equal(approved.version, 2);
      assert.deepEqual(approved.preview, preview); // not given, not changed
      assert.equal(approved.stages[0]?.status, "pending"); // stage status is its own column
      assert.deepEqual(store.get(created.id), approved);
      assert.deepEqual(
        store.audit(created.id).map((a) => [a.action, a.actor]),
        [
          ["requested", helpdesk.id],
          ["approved", approver.id],
        ],
      );
    });

    it("appends the next stage after the last one, pending, with its operations, in the same compare-and-set", () => {
      const store = openStore();
      const created = store.create(newRequest(), entry("requested")).request;
      const wave = { title: "Wave 1 of 3", operations: [{ ...operation, path: "/users/u-1/assignLicense" }] };
      const next = store.transition(
        created.id,
        1,
        { status: "pending", stage: { index: 0, status: "done" }, appendStage: wave },
        entry("stage-proposed", approver.id),
      );
      assert.ok(next);
      assert.deepEqual(
        next.stages.map((st) => [st.index, st.title, st.status]),
        [
          [0, "Move Sales from E1 to E3", "done"],
          [1, "Wave 1 of 3", "pending"],
        ],
      );
      assert.deepEqual(next.stages[1]?.operations, wave.operations);
      assert.equal(
        store.transition(created.id, 1, { appendStage: wave }, entry("late")),
        undefined,
        "a stale version appends nothing",
      );
      assert.equal(store.get(created.id)?.stages.length, 2);
    });

    it("refuses a stale version: undefined, nothing changed, no audit row", () => {
      const store = openStore();
      const created = store.create(newRequest(), entry("requested")).request;
      store.transition(created.id, 1, { status: "approved" }, entry("approved"));
      const before = store.get(created.id);
      assert.equal(
        store.transition(created.id, 1, { status: "rejected", rejectionReason: "late" }, entry("rejected")),
        undefined,
      );
      assert.equal(store.transition(created.id, 7, { status: "rejected" }, entry("rejected")), undefined);
      assert.deepEqual(store.get(created.id), before);
      assert.deepEqual(
        store.audit(created.id).map((a) => a.action),
        ["requested", "approved"],
      );
    });

    it("answers undefined for an unknown request", () => {
      const store = openStore();
      assert.equal(store.transition(42, 1, { status: "approved" }, entry("approved")), undefined);
      assert.deepEqual(store.audit(42), []);
    });

    it("updates only the given fields of a stage and reads back the Graph answer and the report", () => {
      const store = openStore();
      const created = store.create(
        newRequest({
          stages: [
            { title: "One", operations: [operation] },
            { title: "Two", operations: [] },
          ],
        }),
        entry("requested"),
      ).request;
      const approvedAt = "2025-03-01T10:00:00.000Z";
      store.transition(
        created.id,
        1,
        { status: "approved", stage: { index: 0, status: "approved", approvedBy: approver, approvedAt } },
        entry("approved"),
      );
      store.transition(
        created.id,
        2,
        {
          status: "processing",
          stage: { index: 0, status: "processing", graphStatus: 202, graphRequestId: "b7c1-req" },
        },
        entry("applied"),
      );
      const report = {
        holdTarget: 58,
        failed: [{ user: { id: "u9", displayName: "Lee Gu" }, error: "CountViolation" }],
        seats: { before: 70, after: 12 },
      };
      const request = store.transition(
        created.id,
        3,
        {
          status: "done-with-errors",
          stage: { index: 0, status: "done-with-errors", report, error: "1 member failed" },
        },
        entry("processed"),
      );
      assert.ok(request);
      const expectedStage = {
        index: 0,
        title: "One",
        status: "done-with-errors",
        operations: [operation],
        approvedBy: approver,
        approvedAt,
        graphStatus: 202,
        graphRequestId: "b7c1-req",
        report,
        error: "1 member failed",
      };
      assert.deepStrictEqual(request.stages[0], expectedStage);
      assert.deepStrictEqual(store.get(created.id)?.stages[0], expectedStage);
      assert.deepStrictEqual(store.get(created.id)?.stages[1], {
        index: 1,
        title: "Two",
        status: "pending",
        operations: [],
      });
      assert.equal(store.get(created.id)?.version, 4);
    });

    it("rolls the whole transition back for a stage that does not exist", () => {
      const store = openStore();
      const created = store.create(newRequest(), entry("requested")).request;
      assert.throws(
        () =>
          store.transition(
            created.id,
            1,
            { status: "approved", stage: { index: 3, status: "approved" } },
            entry("approved"),
          ),
        /no stage 3/,
      );
      assert.throws(() => store.transition(created.id, 1, { stage: { index: 5 } }, entry("touched")), /no stage 5/);
      assert.deepEqual(store.get(created.id), created);
      assert.deepEqual(
        store.audit(created.id).map((a) => a.action),
        ["requested"],
      );
    });

    it("records a rejection, a new preview and a new expiry", () => {
      const store = openStore();
      const created = store.create(newRequest(), entry("requested")).request;
      const repreviewed = { ...preview, verdict: "ready" as const, checks: preview.checks.slice(0, 1) };
      store.transition(
        created.id,
        1,
        { preview: repreviewed, expiresAt: "2025-03-03T09:00:00.000Z" },
        entry("re-previewed"),
      );
      const rejected = store.transition(
        created.id,
        2,
        { status: "rejected", rejectedBy: approver, rejectionReason: "Wait for the budget" },
        entry("rejected", approver.id),
      );
      assert.ok(rejected);
      assert.deepEqual(rejected.preview, repreviewed);
      assert.equal(rejected.expiresAt, "2025-03-03T09:00:00.000Z");
      assert.deepStrictEqual(rejected.rejectedBy, approver);
      assert.equal(rejected.rejectionReason, "Wait for the budget");
      assert.deepEqual(store.get(created.id), rejected);
    });
  });

  describe("the approval race: 20 transitions from one version, exactly one wins", () => {
    const approve = (store: SqliteRequestStore, id: number, who: string) =>
      store.transition(
        id,
        1,
        { status: "approved", stage: { index: 0, status: "approved", approvedBy: { id: who, name: who } } },
        entry("approved", who),
      );

    it("in one process, one after another", () => {
      const store = openStore();
      const { id } = store.create(newRequest(), entry("requested")).request;
      const results = Array.from({ length: 20 }, (_, i) => approve(store, id, `approver-${i}`));
      assert.equal(results.filter((r) => r !== undefined).length, 1);
      assert.equal(store.get(id)?.version, 2);
      assert.deepEqual(
        store.audit(id).map((a) => a.action),
        ["requested", "approved"],
      );
    });

    it("across two store instances on the same file, interleaved", () => {
      const a = openStore();
      const b = openStore();
      const { id } = a.create(newRequest(), entry("requested")).request;
      const results = Array.from({ length: 20 }, (_, i) => approve(i % 2 === 0 ? a : b, id, `approver-${i}`));
      assert.equal(results.filter((r) => r !== undefined).length, 1);
      assert.equal(results[0]?.version, 2); // the first click wins, whichever instance took it
      assert.equal(b.get(id)?.version, 2);
      assert.deepEqual(a.audit(id).filter((e) => e.action === "approved").length, 1);
    });

    it("across four processes firing at once", async function () {
      this.timeout(60_000);
      const store = openStore();
      const { id } = store.create(newRequest(), entry("requested")).request;
      const goFile = path.join(dir, "go");
      const worker = path.join(__dirname, "sqliteRaceWorker.ts");
      const outputs = Array.from({ length: 4 }, (_, n) => {
        const child = spawn(
          process.execPath,
          ["--require", require.resolve("tsx/cjs"), worker, file, String(id), "1", "5", goFile, `worker-${n}`],
          {
            stdio: ["ignore", "pipe", "pipe"],
          },
        );
        let out = "";
        let err = "";
        child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
        child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
        const ready = new Promise<void>((resolve, reject) => {
          const timer = setInterval(() => {
            if (out.includes("ready")) {
              clearInterval(timer);
              resolve();
            }
          }, 10);
          child.on(
            "exit",
            () => (
              clearInterval(timer),
              out.includes("ready") ? resolve() : reject(new Error(`worker ${n} died: ${err}`))
            ),
          );
        });
        const done = new Promise<string>((resolve, reject) =>
          child.on("exit", (code) =>
            code === 0 ? resolve(out) : reject(new Error(`worker ${n} exited ${code}: ${err}`)),
          ),
        );
        return { ready, done };
      });
      await Promise.all(outputs.map((o) => o.ready));
      fs.writeFileSync(goFile, "go");
      const wins = (await Promise.all(outputs.map((o) => o.done))).map((out) => Number(/won (\d+)/.exec(out)?.[1]));
      assert.equal(
        wins.reduce((sum, n) => sum + n, 0),
        1,
        `wins per worker: ${wins.join(", ")}`,
      );
      assert.equal(store.get(id)?.version, 2);
      assert.equal(store.audit(id).filter((e) => e.action === "approved").length, 1);
    });
  });

  describe("durability", () => {
    it("a second instance on the same file sees the first's writes at once", () => {
      const a = openStore();
      const b = openStore();
      const created = a.create(newRequest(), entry("requested")).request;
      assert.deepEqual(b.get(created.id), created);
      const approved = b.transition(created.id, 1, { status: "approved" }, entry("approved"));
      assert.deepEqual(a.get(created.id), approved);
    });

    it("keeps everything across a restart (close and reopen)", () => {
      const before = openStore();
      const created = before.create(newRequest(), entry("requested")).request;
      before.delivered(before.undelivered()[0]!.id, { conversation, activityId: "1:card" });
      const applied = before.transition(
        created.id,
        1,
        { status: "applying", stage: { index: 0, status: "applying", approvedBy: approver } },
        entry("applying"),
      );
      before.appendAudit({
        requestId: null,
        at: "2025-03-01T11:00:00.000Z",
        actor: approver.id,
        action: "approvals-channel-set",
        details: { channel: "19:x" },
      });
      before.setSetting("approvalsChannel", conversation);
      const audit = before.audit(created.id);
      before.close();

      const after = openStore();
      assert.deepEqual(after.get(created.id), { ...applied, cards: [{ conversation, activityId: "1:card" }] });
      assert.deepEqual(after.audit(created.id), audit);
      assert.deepEqual(after.getSetting("approvalsChannel"), conversation);
      assert.deepEqual(
        after.listByStatus(["applying"]).map((r) => r.id),
        [created.id],
      );
    });
  });

  describe("audit", () => {
    it("is append-only: raw UPDATE and DELETE fail and the rows stay", () => {
      const store = openStore();
      const created = store.create(newRequest(), entry("requested")).request;
      const db = raw();
      try {
        assert.throws(() => db.prepare(`UPDATE audit SET actor = 'mallory'`).run(), /append-only/);
        assert.throws(() => db.prepare(`DELETE FROM audit`).run(), /append-only/);
      } finally {
        db.close();
      }
      assert.deepEqual(store.audit(created.id), [{ requestId: created.id, ...entry("requested") }]);
    });

    it("has no UPDATE or DELETE of audit anywhere in the store's code", () => {
      const source = fs.readFileSync(path.join(__dirname, "../../src/store/sqliteRequestStore.ts"), "utf8");
      assert.doesNotMatch(source, /UPDATE\s+audit\b|DELETE\s+FROM\s+audit\b|INSERT\s+OR\s+REPLACE\s+INTO\s+audit\b/i);
    });

    it("appends entries with or without a request, in order", () => {
      const store = openStore();
      const created = store.create(newRequest(), entry("requested")).request;
      store.appendAudit({
        requestId: created.id,
        at: "2025-03-01T09:05:00.000Z",
        actor: "bot",
        action: "graph-call",
        details: { status: 202, requestId: "r-1" },
      });
      store.appendAudit({
        requestId: null,
        at: "2025-03-01T09:06:00.000Z",
        actor: "bot",
        action: "started",
        details: {},
      });
      assert.deepEqual(
        store.audit(created.id).map((a) => a.action),
        ["requested", "graph-call"],
      );
      assert.deepEqual(store.audit(created.id)[1]?.details, { status: 202, requestId: "r-1" });
    });
  });

  describe("cards", () => {
    it("records delivered cards in order, keeps a repeated card once, and refuses an unknown outbox item", () => {
      const store = openStore();
      const channel: ConversationRef = { conversation: { id: "19:approvals@thread.tacv2" } };
      const created = store.create(newRequest({ deliverTo: [conversation, channel] }), entry("requested")).request;
      const [toChat, toChannel] = store.undelivered();
      assert.ok(toChat && toChannel);
      store.delivered(toChat.id, { conversation, activityId: "1:preview" });
      store.delivered(toChannel.id, { conversation: channel, activityId: "1:approval" });
      store.delivered(toChat.id, { conversation, activityId: "1:preview" });
      assert.deepEqual(store.undelivered(), []);
      assert.deepEqual(store.get(created.id)?.cards, [
        { conversation, activityId: "1:preview" },
        { conversation: channel, activityId: "1:approval" },
      ]);
      assert.equal(store.get(created.id)?.version, 1); // a card is not a transition
      assert.throws(() => store.delivered(999, { conversation, activityId: "x" }), /no such outbox item/);
    });
  });

  describe("lists", () => {
    function seed(store: SqliteRequestStore): number[] {
      const other: Person = { id: "helpdesk-2", name: "Pradeep Gupta" };
      return [
        store.create(newRequest({ createdAt: "2025-03-01T09:00:00.000Z" }), entry("requested")).request.id,
        store.create(newRequest({ createdAt: "2025-03-03T09:00:00.000Z" }), entry("requested")).request.id,
        store.create(newRequest({ createdAt: "2025-03-02T09:00:00.000Z", requester: other }), entry("requested"))
          .request.id,
        store.create(newRequest({ createdAt: "2025-03-04T09:00:00.000Z" }), entry("requested")).request.id,
      ];
    }

    it("lists a requester's requests newest first, up to the limit", () => {
      const store = openStore();
      const [oldest, middle, , newest] = seed(store);
      assert.deepEqual(
        store.listByRequester(helpdesk.id, 10).map((r) => r.id),
        [newest, middle, oldest],
      );
      assert.deepEqual(
        store.listByRequester(helpdesk.id, 2).map((r) => r.id),
        [newest, middle],
      );
      assert.deepEqual(store.listByRequester(helpdesk.id, 0), []);
      assert.deepEqual(store.listByRequester("nobody", 10), []);
      assert.throws(() => store.listByRequester(helpdesk.id, -1), RangeError);
      assert.deepEqual(store.listByRequester(helpdesk.id, 1)[0], store.get(newest as number)); // full requests
    });

    it("lists requests in any of the given statuses, oldest first", () => {
      const store = openStore();
      const [a, b, c, d] = seed(store) as [number, number, number, number];
      store.transition(b, 1, { status: "approved" }, entry("approved"));
      store.transition(d, 1, { status: "processing" }, entry("applied"));
      store.transition(a, 1, { status: "rejected" }, entry("rejected"));
      assert.deepEqual(
        store.listByStatus(["approved", "applying", "processing"]).map((r) => r.id),
        [b, d],
      );
      assert.deepEqual(
        store.listByStatus(["pending"]).map((r) => r.id),
        [c],
      );
      assert.deepEqual(store.listByStatus([]), []);
    });

    it("uses the indexes for both lists", () => {
      openStore().close();
      const db = raw();
      try {
        const plan = (sql: string) => JSON.stringify(db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all());
        assert.match(
          plan(`SELECT * FROM requests WHERE requester_id = 'x' ORDER BY created_at DESC, id DESC LIMIT 5`),
          /requests_by_requester/,
        );
        assert.match(
          plan(`SELECT * FROM requests WHERE status IN ('approved', 'applying') ORDER BY created_at ASC, id ASC`),
          /requests_by_status/,
        );
      } finally {
        db.close();
      }
    });
  });

  describe("settings", () => {
    it("round-trips values, overwrites, and removes on undefined", () => {
      const store = openStore();
      assert.equal(store.getSetting("approvalsChannel"), undefined);
      store.setSetting("approvalsChannel", conversation);
      store.setSetting("expiryHours", 24);
      assert.deepEqual(store.getSetting("approvalsChannel"), conversation);
      store.setSetting("expiryHours", 48);
      assert.equal(store.getSetting("expiryHours"), 48);
      store.setSetting("flag", false);
      assert.equal(store.getSetting("flag"), false);
      store.setSetting("expiryHours", undefined);
      assert.equal(store.getSetting("expiryHours"), undefined);
    });
  });

  describe("malformed stored data", () => {
    it("throws a named error for that request on get, and lists skip it and report it", () => {
      const reported: CorruptRecordError[] = [];
      const store = openStore({ onCorruptRecord: (e) => reported.push(e) });
      const good = store.create(newRequest({ createdAt: "2025-03-01T09:00:00.000Z" }), entry("requested")).request;
      const truncated = store.create(newRequest({ createdAt: "2025-03-02T09:00:00.000Z" }), entry("requested")).request;
      const wrongShape = store.create(
        newRequest({ createdAt: "2025-03-03T09:00:00.000Z" }),
        entry("requested"),
      ).request;
      const db = raw();
      try {
        // The schema's json_valid checks stop this through ordinary SQL; corruption need not be polite.
        db.pragma("ignore_check_constraints = ON");
        db.prepare(`UPDATE requests SET preview = '{"kind": "group-ch' WHERE id = ?`).run(truncated.id);
        db.prepare(`UPDATE stages SET approved_by = '42' WHERE request_id = ?`).run(wrongShape.id);
      } finally {
        db.close();
      }

      assert.throws(
        () => store.get(truncated.id),
        (e: unknown) =>
          e instanceof CorruptRecordError && e.record === `request ${truncated.id}` && e.column === "preview",
      );
      assert.throws(
        () => store.get(wrongShape.id),
        (e: unknown) =>
          e instanceof CorruptRecordError &&
          e.record === `stage 0 of request ${wrongShape.id}` &&
          e.column === "approved_by",
      );
      assert.deepEqual(store.get(good.id), good);
      assert.deepEqual(
        store.listByStatus(["pending"]).map((r) => r.id),
        [good.id],
      );
      assert.deepEqual(
        store.listByRequester(helpdesk.id, 10).map((r) => r.id),
        [good.id],
      );
      assert.equal(reported.length, 4);
      // A transition cannot return a request it cannot read: it throws and writes nothing.
      assert.throws(
        () => store.transition(truncated.id, 1, { status: "expired" }, entry("expired")),
        CorruptRecordError,
      );
      assert.equal(store.audit(truncated.id).length, 1);
    });

    it("keeps an audit entry whose details are unreadable, and a corrupt setting fails alone", () => {
      const reported: CorruptRecordError[] = [];
      const store = openStore({ onCorruptRecord: (e) => reported.push(e) });
      const created = store.create(newRequest(), entry("requested")).request;
      store.setSetting("good", { a: 1 });
      store.setSetting("bad", { b: 2 });
      const db = raw();
      try {
        db.pragma("ignore_check_constraints = ON");
        db.prepare(
          `INSERT INTO audit (request_id, at, actor, action, details) VALUES (?, 'now', 'bot', 'graph-call', '{oops')`,
        ).run(created.id);
        db.prepare(`UPDATE settings SET value = '{"b":' WHERE key = 'bad'`).run();
      } finally {
        db.close();
      }
      assert.deepEqual(
        store.audit(created.id).map((a) => [a.action, a.details]),
        [
          ["requested", {}],
          ["graph-call", { unreadable: "{oops" }],
        ],
      );
      assert.equal(reported.length, 1);
      assert.throws(
        () => store.getSetting("bad"),
        (e: unknown) => e instanceof CorruptRecordError && e.record === "setting bad",
      );
      assert.deepEqual(store.getSetting("good"), { a: 1 });
    });

    it("refuses malformed JSON through ordinary SQL", () => {
      const store = openStore();
      const created = store.create(newRequest(), entry("requested")).request;
      const db = raw();
      try {
        assert.throws(
          () => db.prepare(`UPDATE requests SET preview = '{' WHERE id = ?`).run(created.id),
          /CHECK constraint failed/,
        );
      } finally {
        db.close();
      }
    });
  });
});
