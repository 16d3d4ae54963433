/**
 * How numbers, counts, lists and times read everywhere people read them: cards, chat replies and
 * the command line. One of each, so that every card says "1,234" and "and 1,234 more" alike.
 */

/** 100000 → "100,000". */
export function fmt(n: number): string {
  return n.toLocaleString("en-US");
}

/** plural(1, "member") → "1 member"; plural(3, "member") → "3 members". */
export function plural(n: number, noun: string, nouns = `${noun}s`): string {
  return `${fmt(n)} ${n === 1 ? noun : nouns}`;
}

/** Names in one line, the first few then the count of the rest: "A, B, C and 4 more". */
export function listNames(names: readonly string[], max = 5): string {
  if (names.length <= max) return names.join(", ");
  return `${names.slice(0, max).join(", ")} and ${fmt(names.length - max)} more`;
}

/** Lines, the first few then one line for the rest: ["A", "B", "and 1,234 more"]. */
export function firstLines(lines: readonly string[], max = 5): string[] {
  const rest = lines.length - max;
  return rest > 0 ? [...lines.slice(0, max), `and ${fmt(rest)} more`] : [...lines];
}

/** An ISO time to the minute, as cards and replies show it: "2025-06-01 12:00 UTC"; "" stays "". */
export function utcMinute(iso: string): string {
  return iso === "" ? "" : `${iso.slice(0, 16).replace("T", " ")} UTC`;
}
