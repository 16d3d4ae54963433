/** Reading cards as a person would: the card of a reply, and the texts it shows. */
import assert from "node:assert/strict";
import type { BotAnswer, SentActivity } from "./botHarness";

export type Card = { body: unknown[]; actions?: unknown[] };
export type Json = Record<string, unknown>;

/** The Adaptive Card of a reply, or a failed assertion. */
export function cardOf(activity: SentActivity | undefined): Card {
  const attachment = activity?.attachments?.[0];
  if (!attachment || attachment.contentType !== "application/vnd.microsoft.card.adaptive")
    throw new Error(`not a card: ${JSON.stringify(activity)}`);
  return attachment.content as Card;
}

/** Every TextBlock text of a card, in order: what a person reads. */
export function cardTexts(card: { body: unknown[] }): string[] {
  const texts: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (typeof node === "object" && node !== null) {
      const element = node as Record<string, unknown>;
      if (element.type === "TextBlock" && typeof element.text === "string") texts.push(element.text);
      Object.values(element).forEach(walk);
    }
  };
  walk(card.body);
  return texts;
}

/** A card element as an object, or a failed assertion. */
export function record(value: unknown): Json {
  assert.ok(
    typeof value === "object" && value !== null && !Array.isArray(value),
    `not an object: ${JSON.stringify(value)}`,
  );
  return value as Json;
}

/** The one reply of an answer, which is a card. */
export function onlyCard(answer: BotAnswer): Card {
  assert.equal(answer.status, 200);
  assert.equal(answer.replies.length, 1, `expected one reply, got ${JSON.stringify(answer.replies)}`);
  return cardOf(answer.replies[0]);
}

/** The one reply of an answer, which is text. */
export function onlyText(answer: BotAnswer): string {
  assert.equal(answer.status, 200);
  assert.equal(answer.replies.length, 1, `expected one reply, got ${JSON.stringify(answer.replies)}`);
  const reply = answer.replies[0];
  assert.ok(
    !reply.attachments || reply.attachments.length === 0,
    `expected text, got a card: ${JSON.stringify(reply)}`,
  );
  assert.equal(typeof reply.text, "string");
  return reply.text ?? "";
}

/** A seat row of a preview as the card shows it: product, used / paid, available now, after the change. */
export function seatRow(texts: readonly string[], product: string): string[] {
  const header = texts.indexOf("After the change");
  assert.ok(header > 0, `no seats table in ${texts.join(" | ")}`);
  const row = texts.indexOf(product, header);
  assert.ok(row > header, `no ${product} row in ${texts.join(" | ")}`);
  return texts.slice(row, row + 4);
}

/** The data of a card's Action.Execute button with this verb (also inside a ShowCard, like Reject's). */
export function executeData(card: Card, verb: string): unknown {
  const found: unknown[] = [];
  const walk = (actions: unknown[] | undefined): void => {
    for (const action of (actions ?? []).map(record)) {
      if (action.type === "Action.Execute" && action.verb === verb) found.push(action.data);
      if (action.type === "Action.ShowCard") walk(record(action.card).actions as unknown[] | undefined);
    }
  };
  walk(card.actions);
  assert.equal(
    found.length,
    1,
    `expected one ${verb} button on the card, found ${found.length}: ${JSON.stringify(card.actions)}`,
  );
  return found[0];
}
