/**
 * Following Entra's processing of a group's licenses after a write: its licenseProcessingState is
 * read with back-off until it is complete, through transient Graph errors, up to a deadline.
 */
import { isTransient } from "../errors";
import type { Logger } from "../log";
import { FollowUpAbandoned, GROUP_PROCESSING_DEADLINE_MS, type Clock, type WorkflowGraph } from "./types";

export const ABANDONED_AFTER_24_HOURS =
  "Entra has not finished processing the group's licenses within 24 hours of the approval, so I stopped following it. " +
  "Check the group's Licenses page in the Microsoft Entra admin center (processing state and users in error); if it is still processing, open a Microsoft support request.";

export interface GroupProcessingOptions {
  readonly graph: Pick<WorkflowGraph, "getGroup">;
  /** Waits between reads, the last one repeated. */
  readonly pollDelaysMs: readonly number[];
  readonly clock: Clock;
  readonly log: Logger;
  /** Checked before each read: true at shutdown, when the follow-up is left for the next start. */
  readonly stopped: () => boolean;
}

export class GroupProcessing {
  constructor(private readonly options: GroupProcessingOptions) {}

  /**
   * Waits until Entra has processed the group's licenses (and the group holds `skuId`), reading its
   * state with back-off. A read that fails for a while (throttled, Graph down) is tried again, after
   * its Retry-After when Graph gives one; only past the deadline counted from `since` (the approval)
   * does the follow-up give up (FollowUpAbandoned), saying what to check.
   */
  async wait(groupId: string, skuId: string, since: string | undefined): Promise<void> {
    const { graph, pollDelaysMs: delays, clock, log } = this.options;
    const deadline = Date.parse(since ?? clock.now().toISOString()) + GROUP_PROCESSING_DEADLINE_MS;
    for (let attempt = 0; ; attempt++) {
      if (this.options.stopped()) throw new Error("stopping: the follow-up resumes at the next start");
      let wait = delays[Math.min(attempt, delays.length - 1)];
      try {
        const group = await graph.getGroup(groupId);
        if (
          group.licenseProcessingState === "ProcessingComplete" &&
          group.assignedLicenses.some((l) => l.skuId === skuId)
        )
          return;
      } catch (error) {
        if (!isTransient(error)) throw error;
        log.info(
          { group: groupId, status: error.status, retryAfter: error.retryAfterSeconds },
          "reading the group's processing state failed for now; trying again",
        );
        if (error.retryAfterSeconds !== undefined) wait = Math.max(wait, error.retryAfterSeconds * 1000);
      }
      if (clock.now().getTime() >= deadline) throw new FollowUpAbandoned(ABANDONED_AFTER_24_HOURS);
      await clock.sleep(wait);
    }
  }
}
