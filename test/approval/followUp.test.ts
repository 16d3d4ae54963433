import assert from "node:assert/strict";
import pino from "pino";
import { ABANDONED_AFTER_24_HOURS, GroupProcessing } from "../../src/approval/followUp";
import { FollowUpAbandoned } from "../../src/approval/types";
import { TenantRequestError } from "../../src/errors";
import type { TenantGroup, TenantUser } from "../../src/licensing/model";
import { E1, E3 } from "../support/productIds";
import { licenseState, securityGroup, user } from "../support/tenantBuilder";
import { ADELE_CHAT, FakeClock, GROUP_ID, groupChange, PATTI, START, workflow } from "./fixtures";

const HOUR = 3_600_000;

/** Group reads in turn (the last one repeated), over a group of one member whose own reads go in turn too. */
function processing(
  reads: (() => TenantGroup)[],
  delays: number[],
  clock: FakeClock,
  memberReads: (() => TenantUser)[] = [],
) {
  let n = 0;
  let m = 0;
  const member = () => memberReads[Math.min(m++, memberReads.length - 1)]();
  const follow = new GroupProcessing({
    graph: {
      getGroup: async () => reads[Math.min(n++, reads.length - 1)](),
      listGroupMembers: async () => ({ users: memberReads.length > 0 ? [user("u1")] : [], nestedGroups: [] }),
      getUsers: async (ids) => ids.map(() => member()),
    },
    pollDelaysMs: delays,
    clock,
    log: pino({ level: "silent" }),
    stopped: () => false,
  });
  return { follow, reads: () => n };
}

const inProgress = () => securityGroup(GROUP_ID, "Sales", { licenseProcessingState: "ProcessingInProgress" });
const complete = () =>
  securityGroup(GROUP_ID, "Sales", {
    licenseProcessingState: "ProcessingComplete",
    assignedLicenses: [{ skuId: E3, disabledPlans: [] }],
  });
const throttled = () => {
  throw new TenantRequestError("read the group", 429, "TooManyRequests", "slow down", "req-1", 30);
};

describe("following a group's license processing", () => {
  it("retries a transient error after its Retry-After, then returns once processing is complete", async () => {
    const clock = new FakeClock(START);
    const { follow, reads } = processing([throttled, inProgress, complete], [500, 1000], clock);
    await follow.wait(GROUP_ID, E3, new Date(START).toISOString());
    assert.equal(reads(), 3);
    assert.deepEqual(clock.waits, [30_000, 1000]);
  });

  it("does not take a complete state as the end until the members, read one by one, show the product from the group", async () => {
    const clock = new FakeClock(START);
    // The state read "complete" before the write was processed; the member's own read shows when it was.
    const before = () => user("u1", [licenseState(E1, null)]);
    const after = () => user("u1", [licenseState(E1, null), licenseState(E3, GROUP_ID)]);
    const { follow, reads } = processing([complete], [500, 1000], clock, [before, before, after]);
    const processed = await follow.wait(GROUP_ID, E3, new Date(START).toISOString());
    assert.equal(reads(), 3);
    assert.deepEqual(clock.waits, [500, 1000]);
    assert.deepEqual(
      processed.members.users.map((u) => u.licenseStates.map((s) => `${s.skuId}:${s.assignedByGroup ?? "direct"}`)),
      [[`${E1}:direct`, `${E3}:${GROUP_ID}`]],
    );
  });

  it("throws a non-transient error at once", async () => {
    const clock = new FakeClock(START);
    const forbidden = () => {
      throw new TenantRequestError("read the group", 403, "Forbidden", "no", "req-2");
    };
    const { follow } = processing([forbidden], [500], clock);
    await assert.rejects(follow.wait(GROUP_ID, E3, undefined), TenantRequestError);
    assert.deepEqual(clock.waits, []);
  });

  it("gives up 24 hours after the approval, saying what to check", async () => {
    const clock = new FakeClock(START);
    const { follow, reads } = processing([inProgress], [HOUR], clock);
    await assert.rejects(
      follow.wait(GROUP_ID, E3, new Date(START).toISOString()),
      new FollowUpAbandoned(ABANDONED_AFTER_24_HOURS),
    );
    assert.equal(reads(), 25);
    assert.equal(clock.time - START, 24 * HOUR);
    assert.equal(
      ABANDONED_AFTER_24_HOURS,
      "Entra has not finished processing the group's licenses within 24 hours of the approval, so I stopped following it. Check the group's Licenses page in the Microsoft Entra admin center (processing state and users in error); if it is still processing, open a Microsoft support request.",
    );
  });

  it("a group change still processing at the deadline fails, and the requester is told", async () => {
    const w = workflow(groupChange(), { pollDelaysMs: [HOUR] });
    w.graph.onWrite = () => undefined;
    w.graph.readGroup = async () => inProgress();
    const stored = await w.request();
    await w.decisions.approve(PATTI, stored.id, stored.version, ADELE_CHAT);
    await w.context.work.idle();
    const failed = w.store.get(stored.id);
    assert.equal(failed?.status, "failed");
    assert.equal(failed?.stages[0].error, ABANDONED_AFTER_24_HOURS);
    assert.deepEqual(w.notifier.told, [
      `Patti Fernandez approved request #${stored.id}. I am applying it now.`,
      `Request #${stored.id}: the change was sent, but ${ABANDONED_AFTER_24_HOURS}`,
    ]);
    assert.equal(w.graph.writes.length, 1);
  });
});
