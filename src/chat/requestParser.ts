/**
 * Reads a license change request out of a chat message ("move group Sales from E1 to E3" and the
 * ways people vary it). Pure text work: the group or user name and the product phrases come out as
 * typed, and are resolved against the tenant later (productResolver.ts, the Graph lookups).
 */
import { looksLikeProductPhrase } from "../licensing/productResolver";

export interface ParsedChange {
  target: { hint: "group" | "user" | "either"; name: string };
  /** The product to move from, as typed; absent when the request names only the target product. */
  from?: string;
  to: string;
}

type Hint = ParsedChange["target"]["hint"];

/** Longer text is not a request someone typed; reading it would only cost time. */
const MAX_INPUT_LENGTH = 4000;
const MAX_REQUEST_LENGTH = 1000;
/** Entra's limit for a display name, and the preview request schema's. */
const MAX_NAME_LENGTH = 256;
const MAX_PRODUCT_LENGTH = 100;
const MAX_PRODUCT_WORDS = 6;
/** Most words a product phrase at the end of an unquoted name can have ("Microsoft 365 Business Premium"). */
const MAX_SUFFIX_WORDS = 5;

const VERB = /^(?:move|switch|change|upgrade|downgrade|migrate)\s+/i;
/** Words before the request that ask politely or address the bot. */
const LEADING =
  /^(?:please|pls|plz|kindly|(?:can|could|would|will) you(?: please)?|i(?:'d| would)? like to|(?:i|we) (?:want|need) to|let'?s|hey|hi|hello|ok|okay|@\S+)(?:[\s,:;!]+|$)/i;
/** Words and marks after the request. */
const TRAILING =
  /(?:[\s,]+(?:please|pls|plz|thanks|thank you|thx|asap|now|for me|if possible)|[\s.!?,;:\p{Extended_Pictographic}\u{FE0F}]+)$/iu;
/** Between the two products: "to", or an arrow. */
const SEPARATOR = String.raw`(\s+to\s+|\s*(?:-->|->|→|⟶|=>|⇒)\s*)`;
/**
 * Moving users from direct assignment to group-based licensing is another feature; these phrasings
 * ("migrate Sales to group licensing for E3", "move direct E3 users of Sales to group licensing")
 * must not be read as a product change.
 */
const GROUP_LICENSING_MIGRATION = [
  /\bto\s+group[- ]?(?:based\s+)?licen[cs]ing\b/i,
  /\bgroup[- ]based\s+licen[cs]/i,
  /\bdirect(?:ly)?(?:[- ]assigned)?\s+(?:\S+\s+)?users\b/i,
  /\bfrom\s+direct(?:ly)?\b.*\bto\s+group\b/i,
];

/** Opening quotes and the closing quotes each accepts (typed and "smart" quotes get mixed up). */
const QUOTES: ReadonlyMap<string, string> = new Map([
  ["'", "'’"],
  ['"', '"”'],
  ["“", '”“"'],
  ["‘", "’‘'"],
  ["„", "“”"],
  ["«", "»"],
]);

/** The change request the text asks for; undefined for anything else. Never throws. */
export function parseChangeSentence(text: string): ParsedChange | undefined {
  try {
    return parse(text);
  } catch {
    // The contract is "never throws, whatever the input": a bug here must cost a misread request, not the bot.
    return undefined;
  }
}

function parse(text: string): ParsedChange | undefined {
  if (typeof text !== "string" || text.length > MAX_INPUT_LENGTH) return undefined;
  const cleaned = clean(text);
  if (cleaned.length > MAX_REQUEST_LENGTH) return undefined;
  const verb = VERB.exec(cleaned);
  if (!verb) return undefined;
  const rest = cleaned.slice(verb[0].length);
  const outsideQuotes = rest.replace(
    /["“”„«»][^"“”„«»]*["“”„«»]|(?<![\p{L}\p{N}])['‘’][^'‘’]*['‘’](?![\p{L}\p{N}])/gu,
    " ",
  );
  if (GROUP_LICENSING_MIGRATION.some((pattern) => pattern.test(outsideQuotes))) return undefined;
  // "switch from E1 to E3 for group Sales": the target last, read as if it came first.
  const targetLast = /^((?:from|to)\s.+?)\s+for\s+(.+)$/i.exec(rest);
  return parseTarget(rest) ?? (targetLast ? parseTarget(`${targetLast[2]} ${targetLast[1]}`) : undefined);
}

/** One line, single spaces, no @mention of the bot, no politeness around the request. */
function clean(text: string): string {
  let s = text
    .replace(/<at>[^<]*<\/at>/gi, " ")
    .replace(/\p{Cf}/gu, "") // zero-width and direction marks are invisible in Teams, and in no name
    .replace(/\p{Cc}/gu, " ")
    .replace(/\s+/g, " ")
    .trim();
  // A few rounds: "can you please move ... thanks!" has several layers on each side.
  for (let round = 0; round < 5; round++) {
    const before = s;
    s = s.replace(LEADING, "").replace(TRAILING, "").trim();
    if (s === before) break;
  }
  return s;
}

/** "[the] [group|user] NAME [group|user] <products>", with NAME quoted or not. */
function parseTarget(rest: string): ParsedChange | undefined {
  let hint: Hint | undefined;
  let body = rest;
  const keyword = /^(?:the\s+)?(group|user)(?:\s+(?:named|called))?\s+/i.exec(body);
  if (keyword) {
    hint = keyword[1].toLowerCase() as Hint;
    body = body.slice(keyword[0].length);
  }
  body = body.replace(/^the\s+(?=["'“‘„«])/i, ""); // "the 'Sales' group"
  const closers = QUOTES.get(body[0] ?? "");
  return closers ? parseQuoted(body, closers, hint) : parseUnquoted(body, hint);
}

/**
 * A quoted name may hold anything, other quotes and the words from and to included ("O'Brien &
 * Sons"): it ends at the first closing quote not followed by a letter or digit after which the rest
 * reads as products.
 */
function parseQuoted(body: string, closers: string, hint: Hint | undefined): ParsedChange | undefined {
  for (let i = 1; i < body.length; i++) {
    if (!closers.includes(body[i]) || /[\p{L}\p{N}]/u.test(body[i + 1] ?? "")) continue;
    let tail = body.slice(i + 1);
    let tailHint = hint;
    const keyword = /^\s+(group|user)\b/i.exec(tail);
    if (keyword) {
      tailHint ??= keyword[1].toLowerCase() as Hint;
      tail = tail.slice(keyword[0].length);
    }
    const products = quotedTail(tail);
    const request = products && build(body.slice(1, i).trim(), tailHint, products);
    if (request) return request;
  }
  return undefined;
}

interface Products {
  from?: string;
  to: string;
}

function quotedTail(tail: string): Products | undefined {
  const fromTo = new RegExp(String.raw`^\s*from\s+(.+?)${SEPARATOR}(.+)$`, "i").exec(tail);
  if (fromTo) return products(fromTo[1], fromTo[3]);
  const toOnly = /^\s*(?:to\s+|-->|->|→|⟶|=>|⇒)\s*(.+)$/i.exec(tail);
  if (toOnly) return products(undefined, toOnly[1]);
  const bare = new RegExp(String.raw`^\s*(.+?)${SEPARATOR}(.+)$`, "i").exec(tail);
  return bare ? products(bare[1], bare[3]) : undefined;
}

function parseUnquoted(body: string, hint: Hint | undefined): ParsedChange | undefined {
  // The last "from" wins, so that an unquoted name may contain the word ("Letters from Home").
  const fromTo = new RegExp(String.raw`^(.+)\s+from\s+(.+?)${SEPARATOR}(.+)$`, "i").exec(body);
  if (fromTo) {
    const found = products(fromTo[2], fromTo[4]);
    return found && build(fromTo[1], hint, found, true);
  }
  // No "from": the last separator ends the left side, which is the name, maybe followed by the source.
  const split = new RegExp(String.raw`^(.+)${SEPARATOR}(.+)$`, "i").exec(body);
  if (!split) return undefined;
  const [, left, separator, right] = split;
  const { name, from } = splitSource(left, separator.trim().toLowerCase() !== "to");
  const found = products(from, right);
  return found && build(name, hint, found, true);
}

/**
 * "Sales EMEA E1" → name "Sales EMEA", source "E1": the longest known product phrase at the end.
 * With an arrow a source is expected, so without a known phrase the last word is taken for it;
 * with "to" ("upgrade Sales EMEA to E3") the whole left side is the name.
 */
function splitSource(left: string, arrow: boolean): { name: string; from?: string } {
  const words = left.trim().split(" ");
  for (let n = Math.min(MAX_SUFFIX_WORDS, words.length - 1); n >= 1; n--) {
    const suffix = words.slice(-n).join(" ");
    if (looksLikeProductPhrase(suffix)) return { name: words.slice(0, -n).join(" "), from: suffix };
  }
  if (arrow && words.length >= 2) return { name: words.slice(0, -1).join(" "), from: words[words.length - 1] };
  return { name: left };
}

/** Product phrases as typed, without quotes, articles or a trailing "license"; undefined if one cannot be a product. */
function products(from: string | undefined, to: string): Products | undefined {
  const target = productPhrase(to);
  if (!target) return undefined;
  if (from === undefined) return { to: target };
  const source = productPhrase(from);
  return source ? { from: source, to: target } : undefined;
}

function productPhrase(raw: string): string | undefined {
  let phrase = raw.trim();
  const closers = QUOTES.get(phrase[0] ?? "");
  if (closers && phrase.length > 1 && closers.includes(phrase[phrase.length - 1])) phrase = phrase.slice(1, -1).trim();
  phrase = phrase
    .replace(/^(?:the|an?)\s+/i, "")
    .replace(/\s+licen[cs]es?$/i, "")
    .trim();
  if (phrase === "" || phrase.length > MAX_PRODUCT_LENGTH || phrase.split(" ").length > MAX_PRODUCT_WORDS)
    return undefined;
  // A separator or a quote still inside means the text was split in the wrong place.
  if (/\b(?:from|to)\b|->|→|⟶|=>|⇒|["'“”‘’„«»]/i.test(phrase)) return undefined;
  return phrase;
}

/**
 * The request, once the name is tidied: an unquoted name loses a trailing "group"/"user" ("the
 * Sales group") and "license(s)" ("Sales licenses"). A name with "@" is a user's unless a keyword said otherwise.
 */
function build(rawName: string, hint: Hint | undefined, found: Products, unquoted = false): ParsedChange | undefined {
  const tidy = tidyName(rawName, hint, unquoted);
  if (!tidy) return undefined;
  const finalHint = tidy.hint ?? (tidy.name.includes("@") ? "user" : "either");
  return {
    target: { hint: finalHint, name: tidy.name },
    ...(found.from !== undefined ? { from: found.from } : {}),
    to: found.to,
  };
}

/** The name without what is not part of it (see build); undefined when nothing usable is left. */
function tidyName(
  rawName: string,
  hint: Hint | undefined,
  unquoted: boolean,
): { name: string; hint: Hint | undefined } | undefined {
  let name = rawName.trim();
  let finalHint = hint;
  if (unquoted) {
    name = name.replace(/(?:'s|’s)?\s+licen[cs]es?$/i, "");
    const trailing = /^(?:the\s+)?(.+?)\s+(group|user)$/i.exec(name);
    if (trailing && finalHint === undefined) {
      finalHint = trailing[2].toLowerCase() as Hint;
      name = trailing[1];
    }
    // Left over when the text had no name at all ("move from E1 to E3").
    if (/^(?:from|to)\b|\b(?:from|to)$/i.test(name)) return undefined;
  }
  if (name === "" || name.length > MAX_NAME_LENGTH) return undefined;
  return { name, hint: finalHint };
}

// ——— moving direct assignments to group-based licensing ———

/** "migrate Sales to group licensing for E3": the group, and the product when the text names one. */
export interface ParsedMigration {
  group: string;
  /** The product as typed; absent when the request leaves it to what the members hold directly. */
  product?: string;
  /**
   * The pilot when the request sets it: "a pilot of 10" is {count: 10, percent: 0}, "a pilot of
   * 10%" {count: 0, percent: 10}. Absent: the default (5 users or 5 %, whichever is larger).
   */
  pilot?: { count: number; percent: number };
  /** Users per wave after the pilot when the request sets it ("in waves of 50"); absent: 100. */
  waveSize?: number;
}

/** Bounds of the settings a request may give; outside them the request is not read. */
export const MIGRATION_SETTING_BOUNDS = { pilotUsers: 1000, pilotPercent: 100, waveSize: 1000 } as const;

const MIGRATION_VERB = /^(?:migrate|move|switch|convert|transfer|transition)\s+/i;
/**
 * What follows the group: "[from direct [E3] [licensing|licenses|assignment]] to group[-based]
 * licensing [for E3]". The direct product is lazy so that "from direct assignment" names none.
 */
const MIGRATION_TAIL = String.raw`(?:\s+from\s+direct(?:ly)?(?:[- ]assigned)?(?:\s+(?<direct>.+?))??(?:\s+(?:licen[cs](?:ing|es?)|assignments?))?)?\s+(?:on)?to\s+(?:the\s+)?group(?:[- ]?based)?\s+licen[cs](?:ing|es?)(?:\s+(?:for|of|with)\s+(?<for>.+))?`;
const QUOTED_MIGRATION_TAIL = new RegExp(String.raw`^(?:\s+group\b)?${MIGRATION_TAIL}$`, "i");
const UNQUOTED_MIGRATION = new RegExp(String.raw`^(?<name>.+?)${MIGRATION_TAIL}$`, "i");
/** "[all] [the] [direct] [E3] users of" before the group. */
const MOVERS_OF =
  /^(?:all\s+)?(?:the\s+)?(?<direct>direct(?:ly)?(?:[- ](?:assigned|licen[cs]ed))?\s+)?(?:(?<product>.+?)\s+)?(?:users|members)\s+(?:of|in|from)\s+/i;
/** "Sales's direct E3 users" after an unquoted name: read only with 's, "direct" or a product, so a group "All Users" stays whole. */
const MOVERS_AFTER =
  /^(?<name>.+?)(?<owner>'s|’s)?(?<direct>\s+direct(?:ly)?(?:[- ](?:assigned|licen[cs]ed))?)?(?:\s+(?<product>.+?))?\s+(?:users|members)$/i;

/**
 * One setting at the end of a migration request: "[,] [and] [with] [a] pilot [of] 10 [users|%]",
 * "[,] [and] [in|with] waves [of] [up to] 50 [users]". Numbers may have thousands separators.
 */
const MIGRATION_SETTING = new RegExp(
  String.raw`(?:\s*,\s*|\s+)(?:and\s+)?(?:(?:with\s+)?(?:an?\s+)?pilot(?:\s+of)?\s+(?<pilot>\d{1,3}(?:,\d{3})+|\d{1,9})\s*(?<unit>%|percent|per\s?cent|users?)?|(?:(?:in|with)\s+)?waves?(?:\s+of)?(?:\s+up\s+to)?\s+(?<wave>\d{1,3}(?:,\d{3})+|\d{1,9})(?:\s+users?)?)$`,
  "i",
);
/** A setting's word left in a product phrase: a setting the request gives, but not in a form read above. */
const SETTING_WORD = /\b(?:pilot|waves?)\b/i;

/** A setting inside an unquoted group name: "Sales with a pilot of 10". */
const SETTING_IN_NAME = /\b(?:pilot|waves?)(?:\s+of)?(?:\s+up\s+to)?\s+\d/i;

type MigrationSettings = Pick<ParsedMigration, "pilot" | "waveSize">;

/**
 * The settings at the end of the text, in any order, and the text before them; undefined when a
 * setting is out of bounds or given twice.
 */
function migrationSettings(text: string): { rest: string; settings: MigrationSettings } | undefined {
  const settings: MigrationSettings = {};
  let rest = text;
  for (;;) {
    const found = MIGRATION_SETTING.exec(rest);
    if (!found?.groups) return { rest, settings };
    rest = rest.slice(0, found.index);
    const { pilot, unit, wave } = found.groups;
    if (pilot !== undefined) {
      if (settings.pilot) return undefined;
      const n = Number(pilot.replace(/,/g, ""));
      const percent = unit !== undefined && !/^users?$/i.test(unit);
      if (n < 1 || n > (percent ? MIGRATION_SETTING_BOUNDS.pilotPercent : MIGRATION_SETTING_BOUNDS.pilotUsers))
        return undefined;
      settings.pilot = percent ? { count: 0, percent: n } : { count: n, percent: 0 };
    } else if (wave !== undefined) {
      if (settings.waveSize !== undefined) return undefined;
      const n = Number(wave.replace(/,/g, ""));
      if (n < 1 || n > MIGRATION_SETTING_BOUNDS.waveSize) return undefined;
      settings.waveSize = n;
    }
  }
}

/** The migration request the text asks for; undefined for anything else. Never throws. */
export function parseMigrationSentence(text: string): ParsedMigration | undefined {
  try {
    return parseMigration(text);
  } catch {
    return undefined; // as parseChangeSentence: a misread request, never a failing bot
  }
}

function parseMigration(text: string): ParsedMigration | undefined {
  if (typeof text !== "string" || text.length > MAX_INPUT_LENGTH) return undefined;
  const cleaned = clean(text);
  if (cleaned.length > MAX_REQUEST_LENGTH) return undefined;
  const verb = MIGRATION_VERB.exec(cleaned);
  if (!verb) return undefined;
  const withSettings = migrationSettings(cleaned.slice(verb[0].length));
  if (!withSettings) return undefined;
  const request = parseMigrationBody(withSettings.rest);
  return request && { ...request, ...withSettings.settings };
}

/** The group and product of what follows the verb, the settings at the end taken off. */
function parseMigrationBody(rest: string): ParsedMigration | undefined {
  let body = rest;
  const named: (string | undefined)[] = [];
  const movers = MOVERS_OF.exec(body);
  // "Power users of Contoso" is a name: without "direct", only a known product makes it "E3 users of".
  if (
    movers?.groups &&
    (movers.groups.product === undefined ||
      movers.groups.direct !== undefined ||
      looksLikeProductPhrase(movers.groups.product))
  ) {
    named.push(movers.groups.product);
    body = body.slice(movers[0].length);
  }
  const keyword = /^(?:the\s+)?(group|user)(?:\s+(?:named|called))?\s+/i.exec(body);
  if (keyword?.[1]?.toLowerCase() === "user") return undefined; // group licensing is a group's
  const hint: Hint | undefined = keyword ? "group" : undefined;
  if (keyword) body = body.slice(keyword[0].length);
  body = body.replace(/^the\s+(?=["'“‘„«])/i, "");
  const closers = QUOTES.get(body[0] ?? "");
  if (closers) {
    for (let i = 1; i < body.length; i++) {
      if (!closers.includes(body[i]) || /[\p{L}\p{N}]/u.test(body[i + 1] ?? "")) continue;
      const tail = QUOTED_MIGRATION_TAIL.exec(body.slice(i + 1));
      const request =
        tail?.groups && migration(body.slice(1, i), hint, false, [...named, tail.groups.direct, tail.groups.for]);
      if (request) return request;
    }
    return undefined;
  }
  const whole = UNQUOTED_MIGRATION.exec(body)?.groups;
  if (!whole?.name) return undefined;
  let name = whole.name;
  const after = MOVERS_AFTER.exec(name)?.groups;
  if (
    after?.name &&
    named.length === 0 &&
    (after.owner !== undefined ||
      after.direct !== undefined ||
      (after.product !== undefined && looksLikeProductPhrase(after.product)))
  ) {
    name = after.name;
    named.push(after.product);
  }
  return migration(name, hint, true, [...named, whole.direct, whole.for]);
}

/** The request from its name and the product phrases it named (at most one product, however often). */
function migration(
  rawName: string,
  hint: Hint | undefined,
  unquoted: boolean,
  phrases: readonly (string | undefined)[],
): ParsedMigration | undefined {
  const tidy = tidyName(rawName, hint, unquoted);
  if (!tidy || tidy.hint === "user") return undefined;
  // "migrate Sales with a pilot of 10 to group licensing": settings go at the end, not in a name (unless quoted).
  if (unquoted && SETTING_IN_NAME.test(tidy.name)) return undefined;
  const found = new Map<string, string>();
  for (const raw of phrases) {
    if (raw === undefined) continue;
    const phrase = productPhrase(raw);
    // "for E3 with a pilot of ten": a setting not read as one is not part of a product's name.
    if (!phrase || SETTING_WORD.test(phrase)) return undefined;
    found.set(phrase.toLowerCase(), phrase);
  }
  if (found.size > 1) return undefined; // "direct E1 users ... for E3": which one is meant?
  const [product] = found.values();
  return product === undefined ? { group: tidy.name } : { group: tidy.name, product };
}
