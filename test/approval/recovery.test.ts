import assert from "node:assert/strict";
import { SYSTEM } from "../../src/approval/types";
import type { LicenseRequest } from "../../src/requests/licenseRequest";
import { E3 } from "../support/productIds";
import { licenseState, user } from "../support/tenantBuilder";
import { PATTI, START, USER_ID, workflow, type Workflow } from "./fixtures";

/** A stored request moved on to where a restart found it: approved, or applying with its write sent at `START`. */
async function interrupted(w: Workflow, at: "approved" | "applying"): Promise<LicenseRequest> {
  const stored = await w.request();
  const { records } = w.context;
  const approved = records.transition(
    stored,
    {
      status: "approved",
      stage: { index: 0, status: "approved", approvedBy: PATTI, approvedAt: new Date(START).toISOString() },
    },
    PATTI,
    "approved",
    { stage: 0 },
  );
  if (at === "approved") return approved;
  return records.transition(
    approved,
    { status: "applying", stage: { index: 0, status: "applying", attemptedAt: new Date(START).toISOString() } },
    SYSTEM,
    "applying",
    {},
  );
}

describe("recovery after a restart", () => {
  it("an attempted write found in effect is not sent again: it waits out Graph's timeout, then follows it", async () => {
    const w = workflow();
    const request = await interrupted(w, "applying");
    w.graph.users.set(USER_ID, user(USER_ID, [licenseState(E3, null)])); // the write took effect
    w.clock.time = START + 10_000;
    w.recovery.reconcile();
    await w.context.work.idle();
    assert.equal(w.graph.writes.length, 0);
    assert.deepEqual(w.clock.waits, [50_000]);
    assert.equal(w.store.get(request.id)?.status, "done");
    assert.deepEqual(
      w.store.audit(request.id).map((a) => a.action),
      ["requested", "approved", "applying", "found-applied", "finished"],
    );
    assert.deepEqual(w.notifier.told, [`Request #${request.id} is done: Alex Wilber now holds Office 365 E3.`]);
  });

  it("an attempted write not in effect is sent once", async () => {
    const w = workflow();
    const request = await interrupted(w, "applying");
    w.clock.time = START + 120_000;
    w.recovery.reconcile();
    await w.context.work.idle();
    assert.equal(w.graph.writes.length, 1);
    assert.deepEqual(w.clock.waits, []);
    assert.equal(w.store.get(request.id)?.status, "done");
  });

  it("an approved request is applied, and cards stored but not sent go out", async () => {
    const w = workflow();
    const request = await interrupted(w, "approved");
    const undelivered = w.store.create(
      {
        kind: "user-change",
        requester: PATTI,
        createdAt: new Date(START).toISOString(),
        expiresAt: new Date(START + 3_600_000).toISOString(),
        preview: request.preview,
        stages: [{ title: "Apply the change", operations: [] }],
        requesterConversation: { conversation: { id: "chat-patti" } },
        deliverTo: [{ conversation: { id: "chat-patti" } }],
      },
      { at: new Date(START).toISOString(), actor: PATTI.id, action: "requested", details: {} },
    );
    w.recovery.reconcile();
    await w.context.work.idle();
    assert.equal(w.graph.writes.length, 1);
    assert.equal(w.store.get(request.id)?.status, "done");
    assert.deepEqual(
      w.notifier.sent.map((s) => s.requestId),
      [request.id, undelivered.request.id],
    );
  });
});
