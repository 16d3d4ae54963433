/**
 * Settings: read once from the environment (and `.env` when present), validated with zod, so that
 * a bad or missing setting stops the process at start-up with one line that names it.
 * Every setting is documented in .env.sample.
 */
import { z } from "zod";

const optionalText = z.string().trim().optional();
const port = z.coerce.number().int().min(0).max(65535);
const flag = z
  .enum(["true", "false", "1", "0", "yes", "no"])
  .transform((v) => v === "true" || v === "1" || v === "yes");

const environmentSchema = z.object({
  HOST: z.string().trim().min(1).default("127.0.0.1"),
  PORT: port.default(3978),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),

  MICROSOFT_APP_ID: optionalText,
  MICROSOFT_APP_PASSWORD: optionalText,
  MICROSOFT_APP_TYPE: z.enum(["MultiTenant", "SingleTenant", "UserAssignedMSI"]).default("SingleTenant"),
  MICROSOFT_APP_TENANT_ID: optionalText,

  GRAPH_TENANT_ID: optionalText,
  GRAPH_CLIENT_ID: optionalText,
  GRAPH_CLIENT_SECRET: optionalText,
  GRAPH_CERTIFICATE_PATH: optionalText,
  GRAPH_BASE_URL: z.url().default("https://graph.microsoft.com/"),

  SIMULATOR_SNAPSHOT: z.string().trim().min(1).default("tenants/demo.json"),
  SIMULATOR_PORT: port.default(0),
  SIMULATOR_PROCESSING_DELAY_MS: z.coerce.number().int().min(0).default(3000),
  SIMULATOR_LATENCY_MS: z.coerce.number().int().min(0).default(0),
  SIMULATOR_THROTTLE_RATE: z.coerce.number().min(0).max(1).default(0),

  PLAYGROUND: flag.default(true),
  PLAYGROUND_PORT: port.default(56150),
});

/** How the bot reaches a tenant: Microsoft Graph with an app registration, or the simulated tenant. */
export type TenantSettings =
  | {
      kind: "graph";
      baseUrl: string;
      tenantId: string;
      clientId: string;
      credential: { clientSecret: string } | { certificatePath: string };
    }
  | {
      kind: "simulated";
      snapshotPath: string;
      port: number;
      processingDelayMs: number;
      latencyMs: number;
      throttleRate: number;
    };

/** Bot Framework credentials; none means local mode (no auth), for the Agents Playground. */
export type BotAuthSettings =
  | { kind: "local" }
  | { kind: "azure"; appId: string; appPassword?: string; appType: "MultiTenant" | "SingleTenant" | "UserAssignedMSI"; appTenantId?: string };

export interface Settings {
  host: string;
  port: number;
  logLevel: string;
  bot: BotAuthSettings;
  tenant: TenantSettings;
  playground: { enabled: boolean; port: number };
}

/** A setting that is missing or malformed; `message` is the one line to print. */
export class SettingsError extends Error {
  constructor(readonly setting: string, problem: string) {
    super(`Setting ${setting}: ${problem} (see .env.sample)`);
    this.name = "SettingsError";
  }
}

export function loadSettings(env: NodeJS.ProcessEnv): Settings {
  // An empty value (`PORT=` in .env) means "not set", so that the default applies.
  const given = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== ""));
  const parsed = environmentSchema.safeParse(given);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new SettingsError(String(issue.path[0] ?? "?"), issue.message);
  }
  const e = parsed.data;
  return {
    host: e.HOST,
    port: e.PORT,
    logLevel: e.LOG_LEVEL,
    bot: botAuth(e),
    tenant: tenantSettings(e),
    playground: { enabled: e.PLAYGROUND, port: e.PLAYGROUND_PORT },
  };
}

type Environment = z.infer<typeof environmentSchema>;

function botAuth(e: Environment): BotAuthSettings {
  if (!e.MICROSOFT_APP_ID) {
    if (e.MICROSOFT_APP_PASSWORD) throw new SettingsError("MICROSOFT_APP_ID", "is required when MICROSOFT_APP_PASSWORD is set");
    return { kind: "local" };
  }
  if (e.MICROSOFT_APP_TYPE !== "UserAssignedMSI" && !e.MICROSOFT_APP_PASSWORD) {
    throw new SettingsError("MICROSOFT_APP_PASSWORD", `is required for MICROSOFT_APP_TYPE=${e.MICROSOFT_APP_TYPE}`);
  }
  if (e.MICROSOFT_APP_TYPE !== "MultiTenant" && !e.MICROSOFT_APP_TENANT_ID) {
    throw new SettingsError("MICROSOFT_APP_TENANT_ID", `is required for MICROSOFT_APP_TYPE=${e.MICROSOFT_APP_TYPE}`);
  }
  return { kind: "azure", appId: e.MICROSOFT_APP_ID, appPassword: e.MICROSOFT_APP_PASSWORD, appType: e.MICROSOFT_APP_TYPE, appTenantId: e.MICROSOFT_APP_TENANT_ID };
}

function tenantSettings(e: Environment): TenantSettings {
  const anyGraph = e.GRAPH_TENANT_ID ?? e.GRAPH_CLIENT_ID ?? e.GRAPH_CLIENT_SECRET ?? e.GRAPH_CERTIFICATE_PATH;
  if (!anyGraph) {
    return {
      kind: "simulated",
      snapshotPath: e.SIMULATOR_SNAPSHOT,
      port: e.SIMULATOR_PORT,
      processingDelayMs: e.SIMULATOR_PROCESSING_DELAY_MS,
      latencyMs: e.SIMULATOR_LATENCY_MS,
      throttleRate: e.SIMULATOR_THROTTLE_RATE,
    };
  }
  if (!e.GRAPH_TENANT_ID) throw new SettingsError("GRAPH_TENANT_ID", "is required to use Microsoft Graph (leave every GRAPH_* setting empty for the simulated tenant)");
  if (!e.GRAPH_CLIENT_ID) throw new SettingsError("GRAPH_CLIENT_ID", "is required to use Microsoft Graph (leave every GRAPH_* setting empty for the simulated tenant)");
  if (e.GRAPH_CLIENT_SECRET && e.GRAPH_CERTIFICATE_PATH) {
    throw new SettingsError("GRAPH_CERTIFICATE_PATH", "set either GRAPH_CLIENT_SECRET or GRAPH_CERTIFICATE_PATH, not both");
  }
  const credential = e.GRAPH_CLIENT_SECRET
    ? { clientSecret: e.GRAPH_CLIENT_SECRET }
    : e.GRAPH_CERTIFICATE_PATH
      ? { certificatePath: e.GRAPH_CERTIFICATE_PATH }
      : undefined;
  if (!credential) throw new SettingsError("GRAPH_CLIENT_SECRET", "or GRAPH_CERTIFICATE_PATH is required to use Microsoft Graph");
  return { kind: "graph", baseUrl: e.GRAPH_BASE_URL, tenantId: e.GRAPH_TENANT_ID, clientId: e.GRAPH_CLIENT_ID, credential };
}
