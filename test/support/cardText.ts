/** Reading cards as a person would: the card of a reply, and the texts it shows. */
import type { SentActivity } from "./botHarness";

/** The Adaptive Card of a reply, or a failed assertion. */
export function cardOf(activity: SentActivity | undefined): { body: unknown[]; actions?: unknown[] } {
  const attachment = activity?.attachments?.[0];
  if (!attachment || attachment.contentType !== "application/vnd.microsoft.card.adaptive") throw new Error(`not a card: ${JSON.stringify(activity)}`);
  return attachment.content as { body: unknown[]; actions?: unknown[] };
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
