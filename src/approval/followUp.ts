/**
 * Following Entra's processing of a group's licenses after a write: its licenseProcessingState is
 * read with back-off until it is complete and the members show the write, through transient Graph
 * errors, up to a deadline.
 *
 * Two of Graph's reads may be older than the write (docs/graph-contract.md, "Consistency"): nothing
 * says the processing state changes at once when assignLicense answers 202, so a "complete" read
 * right after may be the state before it; and the member listing is an advanced query served from
 * an index that lags. So "complete" counts only once every direct user member, read one by one
 * (which is current), holds a state of the product from this group: Active, or an error saying why
 * not. Before the write none did, so that state cannot predate it.
 */
import { isTransient } from "../errors";
import type { GroupMembers, TenantGroup, TenantUser } from "../licensing/model";
import type { Logger } from "../log";
import { FollowUpAbandoned, GROUP_PROCESSING_DEADLINE_MS, type Clock, type WorkflowGraph } from "./types";

export const ABANDONED_AFTER_24_HOURS =
  "Entra has not finished processing the group's licenses within 24 hours of the approval, so I stopped following it. " +
  "Check the group's Licenses page in the Microsoft Entra admin center (processing state and users in error); if it is still processing, open a Microsoft support request.";

/** Users read one by one per $batch of 20: the first batch tells whether processing has reached them. */
const BATCH = 20;

export interface GroupProcessingOptions {
  readonly graph: Pick<WorkflowGraph, "getGroup" | "listGroupMembers" | "getUsers">;
  /** Waits between reads, the last one repeated. */
  readonly pollDelaysMs: readonly number[];
  readonly clock: Clock;
  readonly log: Logger;
  /** Checked before each read: true at shutdown, when the follow-up is left for the next start. */
  readonly stopped: () => boolean;
}

/** The group once processed, and its members as they are now (license fields read one by one). */
export interface ProcessedGroup {
  readonly group: TenantGroup;
  readonly members: GroupMembers;
}

export class GroupProcessing {
  constructor(private readonly options: GroupProcessingOptions) {}

  /**
   * Waits until Entra has processed the group's licenses (the group holds `skuId`, its state is
   * complete and every member shows the product from it), reading with back-off. A read that fails
   * for a while (throttled, Graph down) is tried again, after its Retry-After when Graph gives one;
   * only past the deadline counted from `since` (the approval) does the follow-up give up
   * (FollowUpAbandoned), saying what to check.
   */
  async wait(groupId: string, skuId: string, since: string | undefined): Promise<ProcessedGroup> {
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
        ) {
          const members = await this.membersShowing(groupId, skuId);
          if (members) return { group, members };
          log.info({ group: groupId }, "the group reads complete, but its members do not show the change yet");
        }
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

  /**
   * The members with their license fields read one by one, when every one shows a state of `skuId`
   * from the group; undefined as soon as one does not (the first $batch usually tells).
   */
  private async membersShowing(groupId: string, skuId: string): Promise<GroupMembers | undefined> {
    const { graph } = this.options;
    const listed = await graph.listGroupMembers(groupId);
    const ids = listed.users.map((u) => u.id);
    const shows = (u: TenantUser) => u.licenseStates.some((s) => s.skuId === skuId && s.assignedByGroup === groupId);
    const first = await graph.getUsers(ids.slice(0, BATCH));
    if (!first.every(shows)) return undefined;
    const rest = await graph.getUsers(ids.slice(BATCH));
    if (!rest.every(shows)) return undefined;
    // In the listing's order; a member deleted since the listing is left out, as Graph would now.
    const byId = new Map([...first, ...rest].map((u) => [u.id, u]));
    return { users: ids.flatMap((id) => byId.get(id) ?? []), nestedGroups: listed.nestedGroups };
  }
}
