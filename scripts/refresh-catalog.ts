/**
 * Refreshes the product catalog from Microsoft's "Product names and service plan identifiers for
 * licensing" CSV (data/licensing/README.md).
 *
 *   npm run refresh-catalog [-- path/to/new.csv]
 *
 * Reads the CSV (default: the copy in data/licensing/), checks it (scripts/catalogCsv.ts), copies a
 * CSV given from elsewhere over that copy, and writes src/licensing/catalogData.json. Nothing is
 * written when the CSV fails the checks.
 */
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { catalogJson, parseCatalogCsv } from "./catalogCsv";

const ROOT = path.resolve(__dirname, "..");
const CSV_COPY = path.join(ROOT, "data/licensing/product-names-and-service-plan-identifiers.csv");
const DATA_FILE = path.join(ROOT, "src/licensing/catalogData.json");
const USAGE = "usage: npm run refresh-catalog [-- path/to/product-names-and-service-plan-identifiers.csv]";

function main(): void {
  const { values, positionals } = parseArgs({
    args: process.argv.slice(2),
    options: { help: { type: "boolean", short: "h" } },
    allowPositionals: true,
    strict: true,
  });
  if (values.help === true) {
    console.log(USAGE);
    return;
  }
  if (positionals.length > 1) throw new Error(`one CSV at most\n${USAGE}`);
  const source = path.resolve(positionals[0] ?? CSV_COPY);

  const { data, notes } = parseCatalogCsv(readFileSync(source, "utf8"));
  if (source !== CSV_COPY) copyFileSync(source, CSV_COPY);
  writeFileSync(DATA_FILE, catalogJson(data));

  const plans = data.products.reduce((n, p) => n + p.plans.length, 0);
  for (const note of notes) console.log(`note: ${note}`);
  console.log(
    `${shown(DATA_FILE)}: ${data.products.length} products, ${plans} plans ` +
      `(${Object.keys(data.planFriendlyNames).length} distinct plan names) from ${shown(source)}`,
  );
  if (source !== CSV_COPY) {
    console.log(
      `copied to ${shown(CSV_COPY)}: set the date of the copy in data/licensing/README.md and CATALOG_SOURCE (src/licensing/catalog.ts)`,
    );
  }
}

/** Relative to the project when inside it. */
function shown(file: string): string {
  const relative = path.relative(ROOT, file);
  return relative.startsWith("..") || path.isAbsolute(relative) ? file : relative;
}

try {
  main();
} catch (err) {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
}
