import assert from "node:assert/strict";
import { changeKind } from "../../src/approval/kinds/change";
import { kindOf, REQUEST_KINDS } from "../../src/approval/kinds";
import { migrationKind } from "../../src/approval/kinds/migration";
import { describeMigrationProgress } from "../../src/requests/migrationProgress";
import { isMigrationStageReport, isOutcomeReport } from "../../src/requests/stageReport";
import { E1, E3 } from "../support/productIds";
import {
  ADELE,
  ADELE_CHAT,
  GROUP_ID,
  groupChange,
  migration,
  PATTI,
  refusal,
  USER_ID,
  userChange,
  workflow,
} from "./fixtures";

describe("request kinds", () => {
  it("has one entry per plan kind: both changes share one module", () => {
    assert.equal(REQUEST_KINDS["group-change"], changeKind);
    assert.equal(REQUEST_KINDS["user-change"], changeKind);
    assert.equal(REQUEST_KINDS["direct-to-group"], migrationKind);
    assert.equal(kindOf(migration()), migrationKind);
  });

  it("names the first stage and keys open requests by what they change", () => {
    assert.equal(changeKind.firstStageTitle(userChange()), "Apply the change");
    assert.equal(migrationKind.firstStageTitle(migration()), "Give Sales Office 365 E3 and verify");
    assert.equal(changeKind.dedupeKey(groupChange(), 4), JSON.stringify(["group-change", GROUP_ID, E1, E3, 4]));
    assert.equal(
      migrationKind.dedupeKey(migration(), undefined),
      JSON.stringify(["direct-to-group", GROUP_ID, E3, { pilot: { count: 2, percent: 0 }, waveSize: 4 }]),
    );
  });

  it("a migration's re-check also compares its counts", () => {
    const now = { ...migration(), counts: { ...migration().counts, migrating: 11 } };
    assert.equal(migrationKind.changedSince(migration(), migration()), false);
    assert.equal(migrationKind.changedSince(migration(), now), true);
  });

  it("undo: a change is inverted with what it removed; a migration is refused", async () => {
    const w = workflow();
    const done = await w.request(
      userChange({ from: { skuId: E1, skuPartNumber: "STANDARDPACK", disabledPlans: ["p1"] } }),
    );
    assert.deepEqual(changeKind.inverse(done, userChange()), {
      target: { type: "user", id: USER_ID },
      from: E3,
      to: E1,
      restore: { undoOf: done.id, disabledPlans: ["p1"] },
    });
    const m = workflow(migration());
    const moved = await m.request();
    m.context.records.transition(moved, { status: "done", stage: { index: 0, status: "done" } }, PATTI, "finished", {});
    assert.deepEqual(await refusal(m.intake.undo(ADELE, moved.id, ADELE_CHAT)), [
      "notForThisRequest",
      `Request #${moved.id} moved users onto group licensing; it cannot be undone with a single change.`,
    ]);
  });

  it("tells the reports apart and describes a migration's progress", async () => {
    const w = workflow(migration());
    const stored = await w.request();
    const assign = {
      kind: "assign" as const,
      verified: ["a", "b", "c"],
      notVerified: [{ id: "d", displayName: "D", userPrincipalName: "d@contoso.com", reason: "error" }],
    };
    assert.equal(isMigrationStageReport(assign), true);
    assert.equal(isOutcomeReport(assign), false);
    assert.equal(isOutcomeReport({ members: 1, holdTarget: 1, holdSource: 0, failed: 0, errors: [], seats: {} }), true);
    const reported = w.context.records.transition(
      stored,
      { status: "done", stage: { index: 0, status: "done", report: assign } },
      PATTI,
      "finished",
      {},
    );
    assert.deepEqual(migrationKind.report(reported.stages[0]), assign);
    assert.equal(changeKind.report(reported.stages[0]), undefined);
    assert.equal(describeMigrationProgress(reported), "3 verified, 0 moved off their direct license, 1 not verified");
  });

  it("a migration can be stopped only between stages", async () => {
    const w = workflow(migration());
    const stored = await w.request();
    assert.equal(
      migrationKind.refuseStop(stored),
      `Request #${stored.id} is not a migration between stages; reject or cancel it instead.`,
    );
    assert.equal(migrationKind.refuseApproveAll(stored), undefined);
  });
});
