/**
 * Which of the tenant's products a phrase names ("E3", "Office 365 E3", "STANDARDPACK", a skuId).
 * The names and aliases live in productNames.ts; this module only decides, against the products the
 * tenant owns, whether a phrase names one of them, several, a product the tenant lacks, or nothing.
 */
import { distance } from "fastest-levenshtein";
import { isGuid } from "../directoryId";
import type { Product } from "./model";
import { KNOWN_PRODUCTS, productName } from "./productNames";

export type ProductResolution =
  | { kind: "found"; product: Product }
  /** Several owned products answer to the phrase ("E3" in a tenant with Office 365 E3 and Microsoft 365 E3): ask which. */
  | { kind: "ambiguous"; phrase: string; candidates: Product[] }
  /**
   * A product this module knows, which the tenant does not own. When the phrase names several such
   * products ("E3" in a tenant owning neither), `name` and `skuPartNumber` list them joined by " or ".
   */
  | { kind: "not-owned"; phrase: string; skuPartNumber: string; name: string }
  /** Not a product at all; `suggestions` are up to 3 owned products whose names come closest. */
  | { kind: "unknown"; phrase: string; suggestions: Product[] };

const MAX_SUGGESTIONS = 3;
/** Suggest a product when at most this share of the phrase must change to reach one of its names. */
const SUGGESTION_DISTANCE = 0.5;
/** Longest phrase compared for suggestions: product names are short, and edit distance is quadratic. */
const MAX_COMPARED_LENGTH = 100;

/**
 * A skuPartNumber nobody listed (POWER_BI_PRO): capitals joined by underscores. A lone capitalised
 * word (EMEA, HR) is not taken for one, since names end with such words more often than requests do.
 */
const SKU_PART_NUMBER_LIKE = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/;

/**
 * The form phrases are compared in: case, spaces, hyphens and underscores ignored, and the usual
 * spellings of the suite names brought to one ("Microsoft 365", "MS365" → m365; "Office 365" → o365).
 */
function key(phrase: string): string {
  return compact(phrase)
    .replace(/^(?:microsoft365|ms365)/, "m365")
    .replace(/^office365/, "o365");
}

function compact(phrase: string): string {
  return phrase
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[\s\-_]+/g, "");
}

/** Every known spelling (key) → the skuPartNumbers it can name. */
const KNOWN_KEYS: ReadonlyMap<string, readonly string[]> = (() => {
  const index = new Map<string, string[]>();
  for (const product of KNOWN_PRODUCTS) {
    const spellings = [
      product.skuPartNumber,
      product.name,
      ...product.aliases,
      ...(product.skuId ? [product.skuId] : []),
    ];
    for (const k of new Set(spellings.map(key))) {
      const named = index.get(k) ?? [];
      named.push(product.skuPartNumber);
      index.set(k, named);
    }
  }
  return index;
})();

/** True when the phrase is a product by static knowledge alone (the parser uses it to find where a name ends). */
export function looksLikeProductPhrase(phrase: string): boolean {
  const trimmed = phrase.trim();
  return KNOWN_KEYS.has(key(trimmed)) || isGuid(trimmed) || SKU_PART_NUMBER_LIKE.test(trimmed);
}

export function resolveProduct(phrase: string, owned: readonly Product[]): ProductResolution {
  const wanted = key(phrase);
  if (wanted === "") return { kind: "unknown", phrase, suggestions: [] };

  const named = new Set(KNOWN_KEYS.get(wanted) ?? []);
  // An owned product answers to its own skuPartNumber and skuId even when this module does not know it.
  for (const product of owned) {
    if (key(product.skuPartNumber) === wanted || key(product.skuId) === wanted) named.add(product.skuPartNumber);
  }

  const matches = uniqueBySkuId(owned.filter((p) => named.has(p.skuPartNumber)));
  if (matches.length === 1) return { kind: "found", product: matches[0] };
  if (matches.length > 1) return { kind: "ambiguous", phrase, candidates: matches };
  if (named.size > 0) {
    const skuPartNumbers = [...named];
    return {
      kind: "not-owned",
      phrase,
      skuPartNumber: skuPartNumbers.join(" or "),
      name: skuPartNumbers.map(productName).join(" or "),
    };
  }
  return { kind: "unknown", phrase, suggestions: closest(wanted, owned) };
}

function uniqueBySkuId(products: readonly Product[]): Product[] {
  const seen = new Set<string>();
  return products.filter((p) => !seen.has(p.skuId.toLowerCase()) && seen.add(p.skuId.toLowerCase()));
}

/** Owned products whose spellings come closest to an unknown phrase, best first. */
function closest(wanted: string, owned: readonly Product[]): Product[] {
  if (wanted.length > MAX_COMPARED_LENGTH) return [];
  // Typos in the suite name ("Ofice 365 E3") escape its canonical form, so spellings are compared both ways.
  const scored = uniqueBySkuId(owned).map((product) => ({
    product,
    score: Math.min(...spellingsOf(product).map((s) => difference(wanted, s))),
  }));
  return scored
    .filter((s) => s.score <= SUGGESTION_DISTANCE)
    .sort((a, b) => a.score - b.score)
    .slice(0, MAX_SUGGESTIONS)
    .map((s) => s.product);
}

function spellingsOf(product: Product): string[] {
  const known = KNOWN_PRODUCTS.find((k) => k.skuPartNumber === product.skuPartNumber);
  const spellings = [product.skuPartNumber, productName(product.skuPartNumber), ...(known?.aliases ?? [])];
  return [...spellings.map(key), ...spellings.map(compact)];
}

/** 0 for the same key, 1 for nothing in common; a phrase contained in a spelling ("visio" in "visioclient") counts as close. */
function difference(a: string, b: string): number {
  if (a.length >= 3 && b.includes(a)) return 0.25;
  return distance(a, b) / Math.max(a.length, b.length);
}
