/**
 * Writes a generated tenant snapshot (docs/tenant-snapshot.md).
 *
 *   npx tsx scripts/generate-tenant.ts --demo [--seed S] [--out tenants/demo.json]
 *   npx tsx scripts/generate-tenant.ts --users 100000 [--seed S] [--out FILE]
 *
 * Without --out the JSON goes to stdout. The demo is written 2-space indented (it is committed and
 * read by people); large tenants are written compact, since indentation would double their size.
 */
import { writeFileSync } from "node:fs";
import { DEMO_SEED, generateDemoTenant, generateLargeTenant } from "../src/simulator/generator";
import { integerArg, readArgs } from "./scriptArgs";

interface Args {
  demo: boolean;
  users?: number;
  seed?: number;
  out?: string;
}

const USAGE = "usage: npx tsx scripts/generate-tenant.ts [--demo] [--users N] [--seed S] [--out FILE]";

function parseArgs(argv: readonly string[]): Args {
  const values = readArgs(
    argv,
    { demo: { type: "boolean" }, users: { type: "string" }, seed: { type: "string" }, out: { type: "string" } },
    USAGE,
  );
  const args: Args = {
    demo: values.demo ?? false,
    users: integerArg("--users", values.users, USAGE),
    seed: integerArg("--seed", values.seed, USAGE),
    out: values.out,
  };
  if (args.demo && args.users !== undefined) throw new Error(`--demo and --users exclude each other\n${USAGE}`);
  if (!args.demo && args.users === undefined) args.demo = true;
  return args;
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  const snapshot = args.demo
    ? generateDemoTenant({ seed: args.seed ?? DEMO_SEED })
    : generateLargeTenant({ users: args.users as number, seed: args.seed });
  const json = args.demo ? `${JSON.stringify(snapshot, null, 2)}\n` : JSON.stringify(snapshot);
  if (args.out === undefined) {
    process.stdout.write(json);
    return;
  }
  writeFileSync(args.out, json);
  console.error(
    `wrote ${args.out}: ${snapshot.users.length} users, ${snapshot.groups.length} groups, ${snapshot.subscribedSkus.length} products`,
  );
}

try {
  main();
} catch (err) {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
}
