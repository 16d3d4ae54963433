/**
 * What every card is made of: a template in cards/ (Adaptive Cards 1.5) bound to data with
 * adaptivecards-templating, and the parts several cards share.
 */
import * as ACData from "adaptivecards-templating";

/** An Adaptive Card as JSON, ready to attach to a message. */
export interface AdaptiveCard {
  type: "AdaptiveCard";
  version: string;
  body: unknown[];
  actions?: unknown[];
}

export function bind(template: object, data: object): AdaptiveCard {
  return new ACData.Template(template).expand({ $root: data }) as AdaptiveCard;
}

/** Shows or hides the card's element "details" (the Graph calls, the checks that passed). */
export const DETAILS_TOGGLE = { type: "Action.ToggleVisibility", title: "Details", targetElements: ["details"] };

/** One card above another, as one card: a notice over the request it is about. */
export function stacked(top: AdaptiveCard, bottom: AdaptiveCard): AdaptiveCard {
  return { ...bottom, body: [...top.body, ...bottom.body] };
}
