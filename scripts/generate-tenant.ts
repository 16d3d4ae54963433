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

interface Args {
  demo: boolean;
  users?: number;
  seed?: number;
  out?: string;
}

const USAGE = "usage: npx tsx scripts/generate-tenant.ts [--demo] [--users N] [--seed S] [--out FILE]";

function parseInteger(flag: string, value: string | undefined): number {
  const n = Number(value);
  if (value === undefined || !Number.isInteger(n)) throw new Error(`${flag} needs an integer, not ${value ?? "nothing"}\n${USAGE}`);
  return n;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { demo: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    switch (flag) {
      case "--demo":
        args.demo = true;
        break;
      case "--users":
        args.users = parseInteger(flag, argv[++i]);
        break;
      case "--seed":
        args.seed = parseInteger(flag, argv[++i]);
        break;
      case "--out":
        args.out = argv[++i];
        if (args.out === undefined) throw new Error(`--out needs a file name\n${USAGE}`);
        break;
      case "--help":
      case "-h":
        console.log(USAGE);
        process.exit(0);
        break;
      default:
        throw new Error(`unknown argument ${flag}\n${USAGE}`);
    }
  }
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
  console.error(`wrote ${args.out}: ${snapshot.users.length} users, ${snapshot.groups.length} groups, ${snapshot.subscribedSkus.length} products`);
}

try {
  main();
} catch (err) {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
}
