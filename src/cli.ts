#!/usr/bin/env node
/**
 * The command line: the bot's preview from a shell, for scripts and support, and a check of what the
 * app may do in its tenant.
 *
 *   license-desk plan "<request>" [--tenant FILE] [--json]
 *   license-desk check [--tenant FILE]
 *
 * Reads the tenant configured in the environment (or .env), or with --tenant loads FILE into the
 * simulated tenant. Prints the preview card's content as text, or with --json the preview object
 * (docs/plan-json.md). A migration to group-based licensing ("migrate Sales to group licensing for
 * E3") prints its migration preview the same way. Exit codes: 0 ready or warnings, 1 blocked, 2 a request it could not
 * understand or resolve (the reason on stderr), 3 a setting or the tenant failed.
 *
 * `check` signs in as the bot does, lists the application permissions in the app's token against
 * what License Desk needs, and tries one read of each kind. Exit codes: 0 every needed permission
 * granted and every read worked, 1 otherwise, 3 a setting failed.
 */
import "dotenv/config";
import { parseArgs } from "node:util";
import { previewView, type PreviewView } from "./cards/changePreviewCard";
import { migrationPreviewView, type MigrationPreviewView } from "./cards/migrationPreviewCard";
import type { ChecksView } from "./cards/previewParts";
import { EXAMPLE_REQUESTS } from "./chat/commands";
import { parseChangeSentence, parseMigrationSentence } from "./chat/requestParser";
import { loadSettings } from "./config";
import { SettingsError } from "./errors";
import { UserFacingError } from "./errors";
import { PreviewService } from "./service/previewService";
import { APP_PERMISSIONS, missingPermissionLines, probeReads } from "./graph/appPermissions";
import { connectTenant, type TenantConnection } from "./tenantConnection";

const USAGE =
  'usage: license-desk plan "<request>" [--tenant FILE] [--json]\n       license-desk check [--tenant FILE]';

export const EXIT = { ok: 0, blocked: 1, notUnderstood: 2, failed: 3 } as const;

export async function runCli(
  argv: readonly string[],
  out: (line: string) => void,
  err: (line: string) => void,
): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: { tenant: { type: "string" }, json: { type: "boolean", default: false } },
    });
  } catch (error) {
    err(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return EXIT.notUnderstood;
  }
  const [verb, text, ...extra] = args.positionals;
  if (verb === "check" && text === undefined && !args.values.json) return runCheck(args.values.tenant, out, err);
  if (verb !== "plan" || text === undefined || extra.length > 0) {
    err(USAGE);
    return EXIT.notUnderstood;
  }
  // As in the chat: a migration first, the change parser leaves those alone.
  const migration = parseMigrationSentence(text);
  const request = migration ? undefined : parseChangeSentence(text);
  if (!migration && !request) {
    err(
      `I could not understand "${text.slice(0, 200)}". Examples:\n${EXAMPLE_REQUESTS.map((e) => `  license-desk plan "${e}"`).join("\n")}`,
    );
    return EXIT.notUnderstood;
  }

  const connection = await connect(args.values.tenant, err);
  if (!connection) return EXIT.failed;
  try {
    const service = new PreviewService(connection.graph);
    const outcome = migration
      ? await service.previewMigration({
          group: { name: migration.group },
          ...(migration.product !== undefined ? { product: migration.product } : {}),
          ...(migration.pilot ? { pilot: migration.pilot } : {}),
          ...(migration.waveSize !== undefined ? { waveSize: migration.waveSize } : {}),
        })
      : request &&
        (await service.preview({
          target: request.target,
          ...(request.from ? { from: request.from } : {}),
          to: request.to,
        }));
    if (!outcome) return EXIT.notUnderstood; // unreachable: one of them parsed
    /** The plan as JSON, or as the card's text; the exit code says whether it is blocked. */
    const print = (plan: { verdict: string }, text: () => string) => {
      out(args.values.json ? JSON.stringify(plan, null, 2) : text());
      return plan.verdict === "blocked" ? EXIT.blocked : EXIT.ok;
    };
    switch (outcome.kind) {
      case "refused":
        err(plain(outcome.message));
        return EXIT.notUnderstood;
      case "choose":
        err(
          `${outcome.choice.question} ${outcome.choice.hint}\n${outcome.choice.options.map((o) => `  ${o.title}`).join("\n")}`,
        );
        return EXIT.notUnderstood;
      case "preview":
        return print(outcome.preview, () => previewText(previewView(outcome.preview, new Date())));
      case "migration-preview":
        return print(outcome.preview, () => migrationPreviewText(migrationPreviewView(outcome.preview, new Date())));
    }
  } catch (error) {
    err(error instanceof UserFacingError ? error.userMessage : String(error));
    return EXIT.failed;
  } finally {
    await connection.close();
  }
}

/** The tenant of the settings in the environment, or FILE in the simulated tenant; undefined after saying why not. */
async function connect(
  tenantFile: string | undefined,
  err: (line: string) => void,
): Promise<TenantConnection | undefined> {
  try {
    const settings = loadSettings(
      tenantFile
        ? {
            ...process.env,
            GRAPH_TENANT_ID: "",
            GRAPH_CLIENT_ID: "",
            GRAPH_CLIENT_SECRET: "",
            GRAPH_CERTIFICATE_PATH: "",
            SIMULATOR_SNAPSHOT: tenantFile,
          }
        : process.env,
    );
    return await connectTenant(settings.tenant, settings.graphTimeoutMs);
  } catch (error) {
    err(error instanceof SettingsError ? error.message : String(error));
    return undefined;
  }
}

/** `license-desk check`: the permissions in the app's token, then one read of each kind. */
async function runCheck(
  tenantFile: string | undefined,
  out: (line: string) => void,
  err: (line: string) => void,
): Promise<number> {
  const connection = await connect(tenantFile, err);
  if (!connection) return EXIT.failed;
  try {
    const granted = connection.permissions;
    out(connection.description);
    out("");
    if (granted.roles === undefined) {
      out(`Application permissions: unknown (${granted.unknownBecause ?? "no token"})`);
    } else {
      out(`Application permissions in the app's token: ${granted.roles.join(", ") || "none"}`);
      const missing = new Set(granted.missing.map((p) => p.name));
      for (const p of APP_PERMISSIONS)
        out(`  ${missing.has(p.name) ? "✗" : "✓"} ${p.name}${p.optional ? " (optional)" : ""}: ${p.feature}`);
      for (const line of missingPermissionLines(granted)) out(`  ${line}`);
    }
    out("");
    out("One read of each kind");
    const reads = await probeReads(connection.graph);
    for (const r of reads) out(`  ${r.ok ? "✓" : "✗"} ${r.what}: ${r.detail}`);
    const needed = granted.missing.filter((p) => !p.optional);
    const fine = needed.length === 0 && granted.roles !== undefined && reads.every((r) => r.ok);
    out("");
    out(fine ? "Everything License Desk needs works." : "Something License Desk needs does not work: see ✗ above.");
    return fine ? EXIT.ok : EXIT.blocked;
  } finally {
    await connection.close();
  }
}

/** The card's content as text. */
export function previewText(view: PreviewView): string {
  const lines = [
    view.headline,
    view.subtitle,
    "",
    view.verdictText,
    view.verdictHint,
    "",
    ...seatLines(view.seats, "after the change"),
    "",
    ...findingLines(view),
  ];
  lines.push(
    "",
    ...passedLines(view),
    "",
    "The change, exactly as it will be sent",
    ...view.operations.map((o) => `  ${o.text}`),
  );
  return lines.map(plain).join("\n");
}

/** The migration preview card's content as text. */
export function migrationPreviewText(view: MigrationPreviewView): string {
  const lines = [
    view.headline,
    view.subtitle,
    "",
    view.verdictText,
    view.verdictHint,
    "",
    ...view.counts.map((c) => `  ${c.title}: ${c.value}`),
    "",
  ];
  lines.push(
    ...seatLines(view.seats, "after the migration"),
    "",
    "Stages, each approved before it runs",
    ...view.stages.map((s) => `  ${s.step} ${s.title} (${s.users})`),
  );
  lines.push(
    "",
    ...findingLines(view),
    "",
    ...passedLines(view),
    "",
    "The group assignment, exactly as it will be sent",
    ...view.operations.map((o) => `  ${o.text}`),
  );
  if (view.assignmentNote !== "") lines.push(`  ${view.assignmentNote}`);
  lines.push("", "Each removal, one call per user, nothing else added or removed", `  ${view.removal}`);
  return lines.map(plain).join("\n");
}

function seatLines(seats: PreviewView["seats"], after: string): string[] {
  return [
    `Seats: used / paid, available now, ${after}`,
    ...seats.map((s) => `  ${s.name}: ${s.used}, ${s.available}, ${s.after}`),
  ];
}

function findingLines(view: ChecksView): string[] {
  return [
    view.findingsTitle,
    ...view.findings.flatMap((f) => [
      `  [${f.label}] ${f.title}`,
      `    ${f.detail}`,
      ...f.users.map((u) => `    - ${u}`),
    ]),
  ];
}

function passedLines(view: ChecksView): string[] {
  return ["Checks passed", ...view.passed.map((p) => `  ✓ ${p.title}`)];
}

/** Chat markdown as plain text for a terminal: bold markers dropped, backslash escapes (escapeMarkdown) undone. */
function plain(text: string): string {
  return text.replace(/\*\*/g, "").replace(/\\([!-/:-@[-`{-~])/g, "$1");
}

/** The process's entry (bin/license-desk.js): runs the command with the process's arguments and exits with its code. */
export function main(): void {
  runCli(
    process.argv.slice(2),
    (l) => process.stdout.write(`${l}\n`),
    (l) => process.stderr.write(`${l}\n`),
  ).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`${String(error)}\n`);
      process.exit(EXIT.failed);
    },
  );
}
