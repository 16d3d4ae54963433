/**
 * A stored request's cards, chosen by the request's kind from one table: the card everyone sees
 * (it follows the request to its end), and what replaces the preview its "Request approval"
 * button was clicked on.
 */
import type { Preview } from "../licensing/preview";
import type { LicenseRequest, RequestPlan } from "../requests/licenseRequest";
import { DETAILS_TOGGLE, stacked, type AdaptiveCard } from "./adaptiveCard";
import { noticeCard } from "./cards";
import { previewBody } from "./changePreviewCard";
import { AS_PREVIEWED, changeRequestCard } from "./changeRequestCard";
import { migrationRequestCard } from "./migrationRequestCard";

interface KindCards<P extends RequestPlan> {
  request(request: LicenseRequest, plan: P): AdaptiveCard;
  /** Shown under the "approval requested" notice: the preview as requested, or nothing. */
  requested(request: LicenseRequest, plan: P): AdaptiveCard | undefined;
}

const changeCards: KindCards<Preview> = {
  request: changeRequestCard,
  requested: (request, plan) => previewBody(plan, new Date(request.createdAt), [DETAILS_TOGGLE], AS_PREVIEWED),
};

/** Every kind of request has its cards: a new kind without them does not compile. */
const CARDS: { readonly [K in RequestPlan["kind"]]: KindCards<Extract<RequestPlan, { kind: K }>> } = {
  "group-change": changeCards,
  "user-change": changeCards,
  // The migration's request card already shows its plan; the notice points to it.
  "direct-to-group": { request: migrationRequestCard, requested: () => undefined },
};

function cardsOf(plan: RequestPlan): KindCards<RequestPlan> {
  // The table is keyed by the plan's kind, so the entry takes this plan.
  return CARDS[plan.kind] as KindCards<RequestPlan>;
}

/** A stored request as everyone sees it, with the buttons for what can be done next. */
export function requestCard(request: LicenseRequest): AdaptiveCard {
  return cardsOf(request.preview).request(request, request.preview);
}

/**
 * What replaces the preview card its "Request approval" button was clicked on. The bot cannot
 * update that card later (it does not know its id), so it shows nothing that goes stale: the
 * preview as requested and where to follow the request, the card sent with it, which is updated.
 */
export function requestedCard(request: LicenseRequest): AdaptiveCard {
  const notice = noticeCard(
    `Approval requested: request #${request.id}`,
    "The request card below follows it to the end: the decision, then the outcome.",
    "good",
  );
  const requested = cardsOf(request.preview).requested(request, request.preview);
  return requested ? stacked(notice, requested) : notice;
}
