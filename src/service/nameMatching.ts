/**
 * Ranks groups or users by how well their name matches what someone typed: the exact name, then
 * names that start with it, then a few that look like it (typos, a word left out), so the chat can
 * pick the one meant, ask which, or suggest the closest names.
 */
import { distance } from "fastest-levenshtein";

export interface NameRanking<T> {
  /** Same name, ignoring case and surrounding or repeated spaces. */
  exact: T[];
  /** Names that start with the query, shortest first. */
  prefix: T[];
  /** Up to 3 other names close to the query, closest first. */
  similar: T[];
}

const MAX_SIMILAR = 3;
/** A name is similar when at most this share of it must change to reach the query. */
const SIMILAR_DISTANCE = 0.4;
/** Entra display names are at most 256 characters; a longer query matches nothing similar and is not compared. */
const MAX_COMPARED_LENGTH = 256;
/** Below this length a query is too short for containment or fuzzy prefixes to mean anything. */
const MIN_FUZZY_LENGTH = 3;

export function rankByName<T>(query: string, candidates: readonly T[], nameOf: (t: T) => string): NameRanking<T> {
  const wanted = fold(query);
  const ranking: NameRanking<T> = { exact: [], prefix: [], similar: [] };
  if (wanted === "") return ranking;

  const prefix: { item: T; length: number }[] = [];
  const similar: { item: T; score: number }[] = [];
  for (const item of candidates) {
    const name = fold(nameOf(item));
    if (name === wanted) ranking.exact.push(item);
    else if (name.startsWith(wanted)) prefix.push({ item, length: name.length });
    else if (wanted.length <= MAX_COMPARED_LENGTH && name !== "") {
      const score = difference(wanted, name);
      if (score <= SIMILAR_DISTANCE) similar.push({ item, score });
    }
  }
  // Array.prototype.sort is stable: ties keep the candidates' order.
  ranking.prefix = prefix.sort((a, b) => a.length - b.length).map((p) => p.item);
  ranking.similar = similar
    .sort((a, b) => a.score - b.score)
    .slice(0, MAX_SIMILAR)
    .map((s) => s.item);
  return ranking;
}

/** Case, width and spacing differences are not differences of name. */
function fold(name: string): string {
  return name.normalize("NFKC").toLowerCase().replace(/\s+/g, " ").trim();
}

/** 0 for the same name, 1 for nothing in common. */
function difference(query: string, name: string): number {
  const whole = distance(query, name.slice(0, MAX_COMPARED_LENGTH)) / Math.max(query.length, name.length);
  if (query.length < MIN_FUZZY_LENGTH) return whole;
  // A name containing the query ("EMEA" in "Sales EMEA") or starting almost like it ("Marketng" for
  // "Marketing Europe") is close, though the whole names differ a lot.
  const contained = name.includes(query) ? 0.2 : 1;
  const fuzzyPrefix = distance(query, name.slice(0, query.length)) / query.length + 0.1;
  return Math.min(whole, contained, fuzzyPrefix);
}
