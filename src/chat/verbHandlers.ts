/**
 * One handler per card verb (src/cards/cardVerbs.ts): each takes the click's checked data and
 * answers with the card to show in place of the clicked one. The table is a mapped type over
 * `Verb`, so a verb without a handler does not compile.
 */
import type { Actor, ApprovalService } from "../approval/approvalService";
import type { AdaptiveCard } from "../cards/adaptiveCard";
import type { Verb, VerbData } from "../cards/cardVerbs";
import { requestCard, requestedCard } from "../cards/requestCards";
import type { ConversationRef } from "../requests/licenseRequest";

/** Who clicked, and where. */
export interface Click {
  readonly from: Actor;
  readonly conversation: ConversationRef;
}

export type VerbHandlers = { readonly [V in Verb]: (data: VerbData[V], click: Click) => Promise<AdaptiveCard> };

export function verbHandlers(approvals: ApprovalService): VerbHandlers {
  return {
    // The clicked preview is never updated again: it must not show a state or buttons that go stale.
    requestApproval: async (d, c) => requestedCard(await approvals.requestApproval(c.from, d.request, c.conversation)),
    requestMigration: async (d, c) =>
      requestedCard(await approvals.requestMigration(c.from, d.request, c.conversation)),
    approve: async (d, c) => requestCard(await approvals.approve(c.from, d.requestId, d.version, c.conversation)),
    approveAll: async (d, c) =>
      requestCard(await approvals.approve(c.from, d.requestId, d.version, c.conversation, true)),
    stop: async (d, c) => requestCard(await approvals.stopMigration(c.from, d.requestId, d.version, c.conversation)),
    reject: async (d, c) =>
      requestCard(await approvals.reject(c.from, d.requestId, d.version, d.reason, c.conversation)),
    cancel: async (d, c) => requestCard(await approvals.cancel(c.from, d.requestId, d.version, c.conversation)),
    reprocess: async (d, c) => {
      await approvals.reprocess(c.from, d.requestId, c.conversation);
      return requestCard(await approvals.get(d.requestId));
    },
  };
}

/** Runs the handler of `verb`. */
export function runVerb<V extends Verb>(
  handlers: VerbHandlers,
  verb: V,
  data: VerbData[V],
  click: Click,
): Promise<AdaptiveCard> {
  return handlers[verb](data, click);
}
