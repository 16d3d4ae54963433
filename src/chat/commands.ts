/**
 * What a chat message asks for. Pure: text in, command out, so the phrasing rules are tested
 * without a bot or a tenant.
 */
import { parseChangeSentence, parseMigrationSentence, type ParsedChange, type ParsedMigration } from "./requestParser";

export type { ParsedChange, ParsedMigration } from "./requestParser";

export type Command =
  | { kind: "help" }
  | { kind: "seats" }
  | { kind: "change"; request: ParsedChange }
  | { kind: "migrate"; request: ParsedMigration }
  | { kind: "status"; requestId?: number }
  | { kind: "my-requests" }
  | { kind: "undo"; requestId: number }
  | { kind: "approvals-channel" }
  | { kind: "unknown"; text: string };

/** Requests shown to someone whose message was not understood: one of each common shape. */
export const EXAMPLE_REQUESTS = [
  "move group Sales from E1 to E3",
  "upgrade user megan@contoso.com to Office 365 E3",
  "change group 'Sales EMEA' E1 -> E3",
] as const;

/** Longest message we read; anything longer is not a request a person typed. */
export const MAX_MESSAGE_LENGTH = 2000;

const HELP = new Set(["help", "?", "hi", "hello", "hey", "what can you do", "commands"]);
const SEATS = new Set([
  "seats",
  "licenses",
  "licences",
  "show licenses",
  "show licences",
  "show seats",
  "list licenses",
  "products",
  "show products",
]);

export function parseCommand(text: string): Command {
  const normalized = normalize(text);
  if (normalized === "" || HELP.has(normalized)) return { kind: "help" };
  if (SEATS.has(normalized)) return { kind: "seats" };
  const workflow = parseWorkflowCommand(normalized);
  if (workflow) return workflow;
  // The request parsers read the text as typed: names keep their case. The change parser leaves
  // migrations alone, so the order only saves it the work.
  const migration = parseMigrationSentence(text);
  if (migration) return { kind: "migrate", request: migration };
  const request = parseChangeSentence(text);
  if (request) return { kind: "change", request };
  return { kind: "unknown", text: normalized.slice(0, 80) };
}

const MY_REQUESTS = new Set(["my requests", "show my requests", "list my requests", "requests"]);
const APPROVALS_CHANNEL = new Set([
  "use this channel for approvals",
  "use this chat for approvals",
  "send approvals here",
]);

/** "status", "status 12", "status of request #12", "my requests", "undo request 12", "use this channel for approvals". */
function parseWorkflowCommand(normalized: string): Command | undefined {
  if (normalized === "status") return { kind: "status" };
  if (MY_REQUESTS.has(normalized)) return { kind: "my-requests" };
  if (APPROVALS_CHANNEL.has(normalized)) return { kind: "approvals-channel" };
  const status = /^status(?: of)?(?: request)? #?(\d{1,9})$/.exec(normalized);
  if (status) return { kind: "status", requestId: Number(status[1]) };
  const undo = /^undo(?: request)? #?(\d{1,9})$/.exec(normalized);
  if (undo) return { kind: "undo", requestId: Number(undo[1]) };
  return undefined;
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
