/** The workflow's pure rules: no store, no Graph, no clock of its own. */
import type { Preview } from "../licensing/preview";
import type { ConversationRef, LicenseRequest } from "../requests/licenseRequest";
import type { ChangeQuery } from "../requests/previewQuery";

/** Where a request stands, in words that follow "Request #N is already …". */
export function describeStatus(request: LicenseRequest): string {
  switch (request.status) {
    case "approved":
    case "applying":
    case "processing":
      return `approved by ${request.stages[0]?.approvedBy?.name ?? "an approver"} and is being applied`;
    case "done":
    case "done-with-errors":
      return `approved by ${request.stages[0]?.approvedBy?.name ?? "an approver"} and applied`;
    case "rejected":
      return `rejected by ${request.rejectedBy?.name ?? "an approver"}`;
    default:
      return request.status;
  }
}

/** A pending request past its time. */
export function isExpired(request: LicenseRequest, now: Date): boolean {
  return request.status === "pending" && now.getTime() >= Date.parse(request.expiresAt);
}

/** The request that previews this preview again: the same target by id, the same products by skuId. */
export function requestOf(preview: Preview): ChangeQuery {
  return {
    target: { type: preview.target.type, id: preview.target.id },
    from: preview.from.skuId,
    to: preview.to.skuId,
  };
}

/** A button of a request is honoured only in a conversation the request's card was sent to (ids compared exactly: they are opaque). */
export function shownIn(request: LicenseRequest, conversation: ConversationRef): boolean {
  const id = conversationId(conversation);
  return (
    id !== undefined &&
    [request.requesterConversation, ...request.cards.map((c) => c.conversation)].some((c) => conversationId(c) === id)
  );
}

function conversationId(reference: ConversationRef): string | undefined {
  const conversation = reference.conversation as { id?: unknown } | undefined;
  return typeof conversation?.id === "string" ? conversation.id : undefined;
}
