/**
 * Reads Microsoft's "Product names and service plan identifiers for licensing" CSV into the catalog
 * data (src/licensing/catalogData.json). Pure (text in, data out), so that the test can check the
 * committed data against the committed CSV; scripts/refresh-catalog.ts does the file work.
 *
 * What the published file needs (data/licensing/README.md):
 * - a UTF-8 BOM, CRLF line ends, and quoted fields holding commas;
 * - spaces, tabs and no-break spaces around and inside fields ("MCOCAP_FACULTY\u00a0"): every field
 *   is trimmed and its runs of white space made one space;
 * - rows repeated exactly, and a product listing the same plan id twice under two names: the
 *   first row of a plan id in a product stands;
 * - one String_Id on two products (MCOPSTN5): products are keyed by skuId, so both are kept.
 */
import { parse } from "csv-parse/sync";
import { directoryId, isGuid } from "../src/directoryId";
import type { CatalogData, CatalogPlan, CatalogProduct } from "../src/licensing/catalog";

export const CATALOG_COLUMNS = [
  "Product_Display_Name",
  "String_Id",
  "GUID",
  "Service_Plan_Name",
  "Service_Plan_Id",
  "Service_Plans_Included_Friendly_Names",
] as const;

/** The data, and what was set aside on the way (for the script to print). */
export interface ParsedCatalog {
  readonly data: CatalogData;
  readonly notes: readonly string[];
}

interface MutableProduct {
  skuId: string;
  skuPartNumber: string;
  name: string;
  plans: Map<string, CatalogPlan>;
}

/** Throws, naming the row (the header is row 1), on a wrong header, a field that is no GUID, or an empty name. */
export function parseCatalogCsv(text: string): ParsedCatalog {
  const records = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: false });
  const [header, ...rows] = records.map((r) => r.map(clean));
  if (header === undefined || header.join(",") !== CATALOG_COLUMNS.join(",")) {
    throw new Error(
      `row 1: expected the columns ${CATALOG_COLUMNS.join(",")}, found ${header?.join(",") ?? "nothing"}`,
    );
  }

  const products = new Map<string, MutableProduct>();
  const seenRows = new Set<string>();
  let repeatedRows = 0;
  let repeatedPlans = 0;
  const renamed: string[] = [];
  // Friendly names as listed under each product, in file order, for the choice in planFriendlyNames.
  const listed: [planName: string, friendlyName: string][] = [];

  rows.forEach((row, i) => {
    const at = `row ${i + 2}`;
    const rowKey = row.join("\u0000");
    if (seenRows.has(rowKey)) {
      repeatedRows++;
      return;
    }
    seenRows.add(rowKey);
    const [name, skuPartNumber, skuId, planName, planId, friendlyName] = row;
    required(at, { Product_Display_Name: name, String_Id: skuPartNumber, Service_Plan_Name: planName });
    required(at, { Service_Plans_Included_Friendly_Names: friendlyName });
    const sku = guid(at, "GUID", skuId);
    const plan: CatalogPlan = { id: guid(at, "Service_Plan_Id", planId), name: planName, friendlyName };

    let product = products.get(sku);
    if (product === undefined) {
      product = { skuId: sku, skuPartNumber, name, plans: new Map() };
      products.set(sku, product);
    } else if (product.skuPartNumber !== skuPartNumber || product.name !== name) {
      renamed.push(
        `${at}: ${sku} is also "${name}" (${skuPartNumber}); kept "${product.name}" (${product.skuPartNumber})`,
      );
    }
    if (product.plans.has(plan.id)) {
      repeatedPlans++;
      return;
    }
    product.plans.set(plan.id, plan);
    listed.push([plan.name, plan.friendlyName]);
  });

  const sorted: CatalogProduct[] = [...products.values()]
    .map((p) => ({
      skuId: p.skuId,
      skuPartNumber: p.skuPartNumber,
      name: p.name,
      plans: [...p.plans.values()].sort((a, b) => compare(a.name, b.name) || compare(a.id, b.id)),
    }))
    .sort((a, b) => compareSkuPartNumbers(a.skuPartNumber, b.skuPartNumber) || compare(a.skuId, b.skuId));

  const notes = [
    ...(repeatedRows > 0 ? [`rows repeated exactly, dropped: ${repeatedRows}`] : []),
    ...(repeatedPlans > 0 ? [`plans listed twice in one product, the first row kept: ${repeatedPlans}`] : []),
    ...renamed,
    ...sharedSkuPartNumbers(sorted),
  ];
  return { data: { products: sorted, planFriendlyNames: planFriendlyNames(listed) }, notes };
}

/**
 * One friendly name per plan name. A plan is named slightly differently under different products
 * ("Exchange Foundation", "EXCHANGE FOUNDATION"); the name most products use wins, a tie going to
 * the one met first in the file, so that a refresh of an unchanged file changes nothing.
 */
function planFriendlyNames(listed: readonly [string, string][]): Record<string, string> {
  const counts = new Map<string, Map<string, number>>();
  for (const [plan, friendly] of listed) {
    const byName = counts.get(plan) ?? new Map<string, number>();
    byName.set(friendly, (byName.get(friendly) ?? 0) + 1);
    counts.set(plan, byName);
  }
  const chosen: [string, string][] = [...counts].map(([plan, byName]) => {
    // A Map iterates in insertion order, so the first of equal counts is the first met.
    let best: [string, number] = ["", 0];
    for (const entry of byName) if (entry[1] > best[1]) best = entry;
    return [plan, best[0]];
  });
  return Object.fromEntries(chosen.sort(([a], [b]) => compare(a, b)));
}

function sharedSkuPartNumbers(products: readonly CatalogProduct[]): string[] {
  const bySkuPartNumber = new Map<string, CatalogProduct[]>();
  for (const p of products) {
    const key = p.skuPartNumber.toLowerCase();
    bySkuPartNumber.set(key, [...(bySkuPartNumber.get(key) ?? []), p]);
  }
  return [...bySkuPartNumber.values()]
    .filter((ps) => ps.length > 1)
    .map(
      (ps) =>
        `${ps[0].skuPartNumber} names ${ps.length} products: ${ps.map((p) => `"${p.name}" ${p.skuId}`).join(", ")}`,
    );
}

/**
 * The catalog data as committed: one line per product and one per plan, keys in a fixed order, so
 * that a refresh shows in a diff as the products and plans that changed.
 */
export function catalogJson(data: CatalogData): string {
  const lines = ["{", '  "products": ['];
  data.products.forEach((p, i) => {
    const head = JSON.stringify({ skuId: p.skuId, skuPartNumber: p.skuPartNumber, name: p.name }).slice(0, -1);
    const plans = p.plans.map((plan) =>
      JSON.stringify({ id: plan.id, name: plan.name, friendlyName: plan.friendlyName }),
    );
    const end = i < data.products.length - 1 ? "," : "";
    if (plans.length === 0) {
      lines.push(`    ${head},"plans":[]}${end}`);
      return;
    }
    lines.push(`    ${head},"plans":[`, ...plans.map((plan, j) => `      ${plan}${j < plans.length - 1 ? "," : ""}`));
    lines.push(`    ]}${end}`);
  });
  lines.push("  ],", '  "planFriendlyNames": {');
  const names = Object.entries(data.planFriendlyNames);
  names.forEach(([plan, friendly], i) => {
    lines.push(`    ${JSON.stringify(plan)}: ${JSON.stringify(friendly)}${i < names.length - 1 ? "," : ""}`);
  });
  lines.push("  }", "}", "");
  return lines.join("\n");
}

/** Trimmed, with every run of white space (tabs, no-break spaces) one space. */
function clean(field: string): string {
  return field.replace(/\s+/g, " ").trim();
}

function required(at: string, fields: Readonly<Record<string, string | undefined>>): void {
  for (const [column, value] of Object.entries(fields)) {
    if (value === undefined || value === "") throw new Error(`${at}: ${column} is empty`);
  }
}

function guid(at: string, column: string, value: string | undefined): string {
  if (value === undefined || !isGuid(value))
    throw new Error(`${at}: ${column} is not a GUID: ${JSON.stringify(value)}`);
  return directoryId(value);
}

/** Code-unit order: the same on every machine and locale. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Ignoring case first, so that DYN365_… and Dynamics_365_… sort among their neighbours. */
function compareSkuPartNumbers(a: string, b: string): number {
  return compare(a.toLowerCase(), b.toLowerCase()) || compare(a, b);
}
