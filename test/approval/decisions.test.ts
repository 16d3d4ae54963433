import assert from "node:assert/strict";
import { TenantRequestError } from "../../src/errors";
import { ADELE, ADELE_CHAT, MEGAN, PATTI, refusal, START, userChange, workflow } from "./fixtures";

describe("approval decisions", () => {
  it("refuses a stale card version and applies nothing", async () => {
    const w = workflow();
    const stored = await w.request();
    assert.deepEqual(await refusal(w.decisions.approve(PATTI, stored.id, stored.version + 1, ADELE_CHAT)), [
      "staleCard",
      `This card is out of date: request #${stored.id} has changed since it was shown. Look at the updated card and try again.`,
    ]);
    await w.context.work.idle();
    assert.equal(w.graph.writes.length, 0);
    assert.equal(w.store.get(stored.id)?.status, "pending");
  });

  it("approves once: of two approvals at once one applies, the other is told it was already approved", async () => {
    const w = workflow();
    const stored = await w.request();
    let release = (): void => undefined;
    w.previews.gate = new Promise((resolve) => (release = resolve));
    const both = Promise.allSettled([
      w.decisions.approve(PATTI, stored.id, stored.version, ADELE_CHAT),
      w.decisions.approve(MEGAN, stored.id, stored.version, ADELE_CHAT),
    ]);
    await new Promise((resolve) => setImmediate(resolve));
    release();
    const [first, second] = await both;
    assert.equal(first.status, "fulfilled");
    assert.equal(second.status, "rejected");
    assert.equal(
      second.status === "rejected" && second.reason instanceof Error ? second.reason.message : undefined,
      `Request #${stored.id} was already approved by Patti Fernandez and is being applied. Nothing more was done.`,
    );
    await w.context.work.idle();
    assert.equal(w.graph.writes.length, 1);
    assert.deepEqual(w.notifier.told, [
      `Patti Fernandez approved request #${stored.id}. I am applying it now.`,
      `Request #${stored.id} is done: Alex Wilber now holds Office 365 E3.`,
    ]);
    assert.deepEqual(await refusal(w.decisions.approve(PATTI, stored.id, stored.version, ADELE_CHAT)), [
      "notPending",
      `Request #${stored.id} is already approved by Patti Fernandez and applied. Nothing more was done.`,
    ]);
  });

  it("refuses the requester's own approval, and approve-all and stop on a single-stage change", async () => {
    const w = workflow();
    const stored = await w.request();
    assert.deepEqual(await refusal(w.decisions.approve(PATTI, stored.id, stored.version, ADELE_CHAT, true)), [
      "notForThisRequest",
      `Request #${stored.id} has a single stage: approve it with Approve. Nothing was changed.`,
    ]);
    assert.deepEqual(await refusal(w.decisions.stop(PATTI, stored.id, stored.version, ADELE_CHAT)), [
      "notForThisRequest",
      `Request #${stored.id} is not a migration between stages; reject or cancel it instead.`,
    ]);
    const own = workflow();
    const patti = await own.intake.requestApproval(PATTI, { target: { type: "user", id: "x" }, to: "E3" }, ADELE_CHAT);
    assert.deepEqual(await refusal(own.decisions.approve(PATTI, patti.id, patti.version, ADELE_CHAT)), [
      "ownRequest",
      "You asked for this change, so someone else must approve it.",
    ]);
    assert.equal(w.graph.writes.length + own.graph.writes.length, 0);
  });

  it("re-checks after the approval is answered: a tenant that changed the call to make applies nothing, and the request waits again", async () => {
    const w = workflow();
    const stored = await w.request();
    w.previews.plan = userChange({ operations: [] });
    const approved = await w.decisions.approve(PATTI, stored.id, stored.version, ADELE_CHAT);
    assert.equal(approved.status, "approved");
    await w.context.work.idle();
    const reopened = w.store.get(stored.id);
    assert.deepEqual([reopened?.status, reopened?.version], ["pending", stored.version + 2]);
    assert.equal(reopened?.stages[0]?.approvedBy, undefined);
    assert.deepEqual(w.notifier.updated.at(-1), { activityId: "activity-1", version: stored.version + 2 });
    assert.deepEqual(w.notifier.told, [
      `Patti Fernandez approved request #${stored.id}, but the tenant has changed since it was previewed (users, seats needed or the call to make), so nothing was applied. The card shows the new preview: an approver must approve it again.`,
    ]);
    assert.equal(w.graph.writes.length, 0);
  });

  it("re-checks after the approval is answered: a Graph that cannot be read applies nothing, says why, and the request waits again", async () => {
    const w = workflow();
    const stored = await w.request();
    w.previews.gate = Promise.reject(
      new TenantRequestError("read the group's members", 503, "serviceNotAvailable", "Try later.", "req-9"),
    );
    w.previews.gate.catch(() => undefined);
    await w.decisions.approve(PATTI, stored.id, stored.version, ADELE_CHAT);
    await w.context.work.idle();
    assert.equal(w.store.get(stored.id)?.status, "pending");
    assert.equal(w.notifier.told.length, 1);
    assert.match(
      w.notifier.told[0],
      /^Patti Fernandez approved request #\d+, but I could not check the tenant again before applying it, so nothing was applied and it waits for an approver again\. Microsoft Graph /,
    );
    assert.equal(w.graph.writes.length, 0);
  });

  it("expires a pending request after 24 hours, telling the requester", async () => {
    const w = workflow();
    await w.request();
    assert.equal(await w.decisions.expireDue(), 0);
    w.clock.time = START + 24 * 3_600_000;
    assert.equal(await w.decisions.expireDue(), 1);
    assert.deepEqual(w.notifier.told, ["Request #1 expired without a decision. Ask again if it is still needed."]);
  });

  it("tells the requester who rejected and why", async () => {
    const w = workflow();
    const stored = await w.request();
    assert.deepEqual(await refusal(w.decisions.reject(PATTI, stored.id, stored.version, "  ", ADELE_CHAT)), [
      "reasonRequired",
      "Say why you reject it: the requester will read the reason.",
    ]);
    await w.decisions.reject(PATTI, stored.id, stored.version, "Budget is frozen", ADELE_CHAT);
    assert.deepEqual(w.notifier.told, [`Patti Fernandez rejected request #${stored.id}: Budget is frozen`]);
    assert.deepEqual(await refusal(w.decisions.cancel(ADELE, stored.id, stored.version + 1, ADELE_CHAT)), [
      "notPending",
      `Request #${stored.id} is already rejected by Patti Fernandez. Nothing more was done.`,
    ]);
  });
});
