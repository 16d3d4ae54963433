/**
 * What a chat message asks for. Pure: text in, command out, so the phrasing rules are tested
 * without a bot or a tenant.
 */
export type Command = { kind: "help" } | { kind: "seats" } | { kind: "unknown"; text: string };

/** Longest message we read; anything longer is not a request a person typed. */
export const MAX_MESSAGE_LENGTH = 2000;

const HELP = new Set(["help", "?", "hi", "hello", "hey", "what can you do", "commands"]);
const SEATS = new Set(["seats", "licenses", "licences", "show licenses", "show licences", "show seats", "list licenses", "products", "show products"]);

export function parseCommand(text: string): Command {
  const normalized = normalize(text);
  if (normalized === "" || HELP.has(normalized)) return { kind: "help" };
  if (SEATS.has(normalized)) return { kind: "seats" };
  return { kind: "unknown", text: normalized.slice(0, 80) };
}

/** Lower case, single spaces, no trailing punctuation, and no Teams @mention of the bot. */
function normalize(text: string): string {
  return text
    .slice(0, MAX_MESSAGE_LENGTH)
    .replace(/<at>[^<]*<\/at>/gi, " ")
    .replace(/\s+/g, " ")
    .trim()
    .replace(/[.!]+$/, "")
    .toLowerCase();
}
