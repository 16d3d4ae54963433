/**
 * What the workflow tells people: the request's cards (sent from the outbox, updated when the
 * request moves on) and the short messages to the requester, whose texts are all here.
 */
import { describeMigrationProgress } from "../requests/migrationProgress";
import type { Logger } from "../log";
import { escapeMarkdown } from "../markdown";
import type { OutcomeReport } from "../licensing/outcome";
import type { Preview } from "../licensing/preview";
import { productName } from "../licensing/productNames";
import type { LicenseRequest } from "../requests/licenseRequest";
import type { RequestStore } from "../store/requestStore";
import type { Notifier } from "./types";

export interface NotificationsOptions {
  readonly notifier: Notifier;
  readonly store: Pick<RequestStore, "get" | "undelivered" | "delivered" | "listWithStaleCards" | "cardShown">;
  readonly log: Logger;
}

export class Notifications {
  constructor(private readonly options: NotificationsOptions) {}

  /** A short message to the request's requester, in the conversation they asked in. */
  tell(request: LicenseRequest, text: string): Promise<void> {
    return this.options.notifier.tell(request.requesterConversation, text);
  }

  /** Brings every card of the request that shows an older version up to date; one that fails stays stale for the next sweep. */
  async refreshCards(request: LicenseRequest): Promise<void> {
    const { notifier, store, log } = this.options;
    for (const card of request.cards) {
      if (card.shownVersion !== undefined && card.shownVersion >= request.version) continue;
      try {
        await notifier.updateRequestCard(card, request);
        store.cardShown(request.id, card.activityId, request.version);
      } catch (error) {
        log.warn({ err: error, request: request.id }, "could not update a card; it is updated again at the next sweep");
      }
    }
  }

  /** The cards of a request, brought up to date, then the requester told `text`. */
  async announce(request: LicenseRequest, text: string): Promise<void> {
    await this.refreshCards(request);
    await this.tell(request, text);
  }

  /**
   * Sends the cards of the outbox (of one request, or of all open ones) and marks each delivered with
   * the card it became. One that cannot be sent stays in the outbox for the next sweep or start.
   */
  async deliver(requestId?: number): Promise<void> {
    const { notifier, store, log } = this.options;
    for (const item of store.undelivered()) {
      if (requestId !== undefined && item.requestId !== requestId) continue;
      const request = store.get(item.requestId);
      if (!request) continue;
      try {
        const activityId = await notifier.sendRequestCard(item.conversation, request);
        store.delivered(
          item.id,
          activityId ? { conversation: item.conversation, activityId, shownVersion: request.version } : undefined,
        );
      } catch (error) {
        log.warn(
          { err: error, request: request.id },
          "could not send a request card; it is sent again at the next sweep",
        );
      }
    }
  }

  /** The sweep's and the start's part for cards: undelivered ones sent, stale ones of open requests brought up to date. */
  async catchUp(): Promise<void> {
    await this.deliver();
    for (const request of this.options.store.listWithStaleCards()) await this.refreshCards(request);
  }
}

/** What the requester is told, word for word. */
export const told = {
  approved: (approver: string, request: LicenseRequest, stageIndex: number, moved: string | undefined): string =>
    `${escapeMarkdown(approver)} approved ${stageIndex === 0 ? "" : `stage ${stageIndex + 1} of `}request #${request.id}.${moved ? ` Seats moved since the preview without changing the decision: ${moved}` : ""} I am applying it now.`,
  /** The approval-time re-check found the tenant changed: the request waits for an approver again. */
  changedBeforeApplying: (approver: string, request: LicenseRequest, verdict: string): string =>
    verdict === "blocked"
      ? `${escapeMarkdown(approver)} approved request #${request.id}, but the tenant has changed since it was previewed and the change is now blocked, so nothing was applied. The card shows the new preview.`
      : `${escapeMarkdown(approver)} approved request #${request.id}, but the tenant has changed since it was previewed (users, seats needed or the call to make), so nothing was applied. The card shows the new preview: an approver must approve it again.`,
  /** The approval-time re-check could not read the tenant: nothing was applied, the request waits again. */
  checkFailed: (approver: string, request: LicenseRequest, why: string): string =>
    `${escapeMarkdown(approver)} approved request #${request.id}, but I could not check the tenant again before applying it, so nothing was applied and it waits for an approver again. ${why}`,
  rejected: (approver: string, request: LicenseRequest, reason: string): string =>
    `${escapeMarkdown(approver)} rejected request #${request.id}: ${escapeMarkdown(reason)}`,
  stopped: (approver: string, request: LicenseRequest, afterStage: number): string =>
    `${escapeMarkdown(approver)} stopped the migration of request #${request.id} after stage ${afterStage}. Users already moved stay on group licensing; the others keep their direct license.`,
  expired: (request: LicenseRequest): string =>
    `Request #${request.id} expired without a decision. Ask again if it is still needed.`,
  callFailed: (request: LicenseRequest, message: string): string =>
    `Request #${request.id} could not be applied: ${message} Nothing was changed.`,
  followUpAbandoned: (request: LicenseRequest, message: string): string =>
    `Request #${request.id}: the change was sent, but ${message}`,
  changeDone: (request: LicenseRequest, preview: Preview, report: OutcomeReport): string => {
    const to = productName(preview.to.skuPartNumber);
    return preview.target.type === "user"
      ? `Request #${request.id} is done: ${preview.target.displayName} ${report.holdTarget > 0 ? "now holds" : "does not hold"} ${to}${report.failed > 0 ? " (see the card for why)" : ""}.`
      : `Request #${request.id} is done: ${report.holdTarget} of ${report.members} now hold ${to}${report.failed > 0 ? `, ${report.failed} failed (see the card)` : ""}.`;
  },
  stageFailed: (request: LicenseRequest, stageIndex: number, message: string): string =>
    `Stage ${stageIndex + 1} of request #${request.id} failed: ${message} Users not yet moved keep their direct license.`,
  migrationStopped: (request: LicenseRequest, why: string): string => `Request #${request.id}: ${why}`,
  migrationDone: (request: LicenseRequest): string => {
    const note = request.preview.kind === "direct-to-group" ? request.preview.stages.at(-1)?.note : undefined;
    return `Request #${request.id} is done: ${describeMigrationProgress(request)}.${note ? ` ${note}` : ""}`;
  },
  stageDone: (request: LicenseRequest, stageIndex: number, nextTitle: string): string =>
    `Request #${request.id}: stage ${stageIndex + 1} is done (${describeMigrationProgress(request)}). Next, waiting for an approver: ${nextTitle}.`,
};
