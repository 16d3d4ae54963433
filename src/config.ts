/**
 * Settings: read once from the environment (and `.env` when present), validated with zod, so that
 * a bad or missing setting stops the process at start-up with one line that names it.
 * Every setting is documented in .env.sample.
 */
import { z } from "zod";
import type { RoleSettings } from "./approval/roles";
import { cloudOf, GRAPH_CLOUDS, type GraphAppRegistration } from "./graph/graphGateway";
import type { BotAuthSettings } from "./teams/botHost";
import { directoryId, isGuid } from "./directoryId";
import { SettingsError } from "./errors";
import { DEMO_IDS } from "./simulator/demoIds";
import { README_PERMISSIONS } from "./simulator/permissions";
import { DEFAULT_INDEX_LAG_MS, DEFAULT_PROCESSING_STATE_LAG_MS } from "./simulator/readLag";

const optionalText = z.string().trim().optional();
const port = z.coerce.number().int().min(0).max(65535);
/** Comma-separated Entra object ids; each must be a GUID. Lower-cased and de-duplicated. */
const objectIds = z
  .string()
  .transform((value, ctx) => {
    const ids = value
      .split(",")
      .map((id) => id.trim())
      .filter((id) => id !== "");
    const bad = ids.find((id) => !isGuid(id));
    if (bad !== undefined) {
      ctx.addIssue({
        code: "custom",
        message: `"${bad}" is not an Entra object id (a GUID such as 6a2d8f3b-5c1e-4b7a-9e4d-0b3c7f1a8e62)`,
      });
      return z.NEVER;
    }
    return [...new Set(ids.map(directoryId))];
  })
  .optional();
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
  GRAPH_BASE_URL: z
    .url()
    .default("https://graph.microsoft.com/")
    .refine((url) => cloudOf(url) !== undefined, {
      message: `must be a Microsoft Graph root: ${Object.keys(GRAPH_CLOUDS)
        .map((h) => `https://${h}/`)
        .join(", ")}`,
    }),

  SIMULATOR_URL: z
    .url({
      protocol: /^https?$/,
      error: "must be the http(s) URL of a running simulated tenant, e.g. http://127.0.0.1:4000/",
    })
    .optional(),
  SIMULATOR_SNAPSHOT: z.string().trim().min(1).default("tenants/demo.json"),
  SIMULATOR_PORT: port.default(0),
  SIMULATOR_PROCESSING_DELAY_MS: z.coerce.number().int().min(0).default(3000),
  SIMULATOR_INDEX_LAG_MS: z.coerce.number().int().min(0).default(DEFAULT_INDEX_LAG_MS),
  SIMULATOR_PROCESSING_STATE_LAG_MS: z.coerce.number().int().min(0).default(DEFAULT_PROCESSING_STATE_LAG_MS),
  SIMULATOR_LATENCY_MS: z.coerce.number().int().min(0).default(0),
  SIMULATOR_THROTTLE_RATE: z.coerce.number().min(0).max(1).default(0),
  /** Comma-separated application permissions the simulated tenant grants; empty: what the README asks for. */
  SIMULATOR_PERMISSIONS: z
    .string()
    .default("")
    .transform((value, ctx) => {
      const names = value
        .split(",")
        .map((p) => p.trim())
        .filter((p) => p !== "");
      const bad = names.find((p) => !/^[A-Za-z]+(\.[A-Za-z]+)+$/.test(p));
      if (bad !== undefined) {
        ctx.addIssue({ code: "custom", message: `"${bad}" is not a Graph permission name such as User.Read.All` });
        return z.NEVER;
      }
      return names.length > 0 ? names : [...README_PERMISSIONS];
    }),

  APPROVER_GROUP_IDS: objectIds,
  REQUESTER_GROUP_IDS: objectIds,
  APPROVER_USER_IDS: objectIds,
  REQUESTER_USER_IDS: objectIds,
  REQUEST_EXPIRY_HOURS: z.coerce.number().positive().default(24),
  GRAPH_TIMEOUT_MS: z.coerce.number().int().min(1000).default(60_000),
  DATA_DIR: z.string().trim().min(1).default("data"),

  PLAYGROUND: flag.default(true),
  PLAYGROUND_PORT: port.default(56150),
});

/**
 * How the bot reaches a tenant: Microsoft Graph with an app registration, or the simulated tenant,
 * either started by the bot itself or already running elsewhere (SIMULATOR_URL).
 */
export type TenantSettings = GraphAppRegistration | SimulatedTenantSettings | RunningSimulatorSettings;

/** The simulated tenant, started by the bot in its own process from a snapshot file. */
export interface SimulatedTenantSettings {
  kind: "simulated";
  snapshotPath: string;
  port: number;
  processingDelayMs: number;
  /** How far eventually consistent reads lag behind license changes. */
  indexLagMs: number;
  /** How long a group's processing state reads as it was before an accepted assignLicense. */
  processingStateLagMs: number;
  latencyMs: number;
  throttleRate: number;
  /** The application permissions the simulated tenant grants the bot. */
  permissions: readonly string[];
}

/**
 * A simulated tenant that already runs in another process (scripts/simulated-tenant.ts, or a test's),
 * reached at `url`; its tenant id is read from it (GET /organization). It outlives the bot, which is
 * what a restart test needs.
 */
export interface RunningSimulatorSettings {
  kind: "simulated";
  url: string;
}

export interface Settings {
  host: string;
  port: number;
  logLevel: string;
  bot: BotAuthSettings;
  tenant: TenantSettings;
  playground: { enabled: boolean; port: number };
  /** Who may request and who may approve (../approval/roles.ts). */
  roles: RoleSettings;
  /** Pending requests expire after this many hours. */
  requestExpiryHours: number;
  /** How long one Graph request may take; a restart waits this long after an unanswered write before reading the tenant. */
  graphTimeoutMs: number;
  /** Folder of the request database, created on first start. */
  dataDir: string;
}

/**
 * The demo tenant's role groups (src/simulator/demoIds.ts): the simulated tenant's
 * defaults, so that `npm start` demonstrates approval with no .env. Never used with Microsoft Graph.
 */
export const DEMO_ROLE_GROUPS = {
  approvers: DEMO_IDS.approversGroup, // "License Desk Approvers"
  requesters: DEMO_IDS.helpdeskGroup, // "License Desk Helpdesk"
} as const;

export function loadSettings(env: NodeJS.ProcessEnv): Settings {
  // An empty value (`PORT=` in .env) means "not set", so that the default applies.
  const given = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== ""));
  const parsed = environmentSchema.safeParse(given);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new SettingsError(String(issue.path[0] ?? "?"), issue.message);
  }
  const e = parsed.data;
  const tenant = tenantSettings(e);
  return {
    host: e.HOST,
    port: e.PORT,
    logLevel: e.LOG_LEVEL,
    bot: botAuth(e),
    tenant,
    playground: { enabled: e.PLAYGROUND, port: e.PLAYGROUND_PORT },
    roles: roleSettings(e, tenant.kind === "simulated"),
    requestExpiryHours: e.REQUEST_EXPIRY_HOURS,
    graphTimeoutMs: e.GRAPH_TIMEOUT_MS,
    dataDir: e.DATA_DIR,
  };
}

type Environment = z.infer<typeof environmentSchema>;

/**
 * The role settings as given. On the simulated tenant only, an unset approver side (no group and no
 * user) defaults to the demo tenant's approvers group, and an unset requester side to its helpdesk
 * group. With Microsoft Graph there are no defaults: no approver configured means nobody approves,
 * and no requester configured means every user of the tenant may request (roles.ts).
 */
function roleSettings(e: Environment, simulated: boolean): RoleSettings {
  const approverUnset = e.APPROVER_GROUP_IDS === undefined && e.APPROVER_USER_IDS === undefined;
  const requesterUnset = e.REQUESTER_GROUP_IDS === undefined && e.REQUESTER_USER_IDS === undefined;
  return {
    approverGroupIds: e.APPROVER_GROUP_IDS ?? (simulated && approverUnset ? [DEMO_ROLE_GROUPS.approvers] : []),
    requesterGroupIds: e.REQUESTER_GROUP_IDS ?? (simulated && requesterUnset ? [DEMO_ROLE_GROUPS.requesters] : []),
    approverUserIds: e.APPROVER_USER_IDS ?? [],
    requesterUserIds: e.REQUESTER_USER_IDS ?? [],
  };
}

function botAuth(e: Environment): BotAuthSettings {
  if (!e.MICROSOFT_APP_ID) {
    if (e.MICROSOFT_APP_PASSWORD)
      throw new SettingsError("MICROSOFT_APP_ID", "is required when MICROSOFT_APP_PASSWORD is set");
    return { kind: "local" };
  }
  if (e.MICROSOFT_APP_TYPE !== "UserAssignedMSI" && !e.MICROSOFT_APP_PASSWORD) {
    throw new SettingsError("MICROSOFT_APP_PASSWORD", `is required for MICROSOFT_APP_TYPE=${e.MICROSOFT_APP_TYPE}`);
  }
  if (e.MICROSOFT_APP_TYPE !== "MultiTenant" && !e.MICROSOFT_APP_TENANT_ID) {
    throw new SettingsError("MICROSOFT_APP_TENANT_ID", `is required for MICROSOFT_APP_TYPE=${e.MICROSOFT_APP_TYPE}`);
  }
  return {
    kind: "azure",
    appId: e.MICROSOFT_APP_ID,
    appPassword: e.MICROSOFT_APP_PASSWORD,
    appType: e.MICROSOFT_APP_TYPE,
    appTenantId: e.MICROSOFT_APP_TENANT_ID,
  };
}

function tenantSettings(e: Environment): TenantSettings {
  const anyGraph = e.GRAPH_TENANT_ID ?? e.GRAPH_CLIENT_ID ?? e.GRAPH_CLIENT_SECRET ?? e.GRAPH_CERTIFICATE_PATH;
  if (e.SIMULATOR_URL !== undefined) {
    // Two tenants named at once is a mistake to point out, not one to resolve silently.
    if (anyGraph)
      throw new SettingsError(
        "SIMULATOR_URL",
        "set either SIMULATOR_URL (a running simulated tenant) or the GRAPH_* settings (a real tenant), not both",
      );
    // The other SIMULATOR_* settings belong to the process that runs that tenant; here they do not apply.
    return { kind: "simulated", url: e.SIMULATOR_URL.endsWith("/") ? e.SIMULATOR_URL : `${e.SIMULATOR_URL}/` };
  }
  if (!anyGraph) {
    return {
      kind: "simulated",
      snapshotPath: e.SIMULATOR_SNAPSHOT,
      port: e.SIMULATOR_PORT,
      processingDelayMs: e.SIMULATOR_PROCESSING_DELAY_MS,
      indexLagMs: e.SIMULATOR_INDEX_LAG_MS,
      processingStateLagMs: e.SIMULATOR_PROCESSING_STATE_LAG_MS,
      latencyMs: e.SIMULATOR_LATENCY_MS,
      throttleRate: e.SIMULATOR_THROTTLE_RATE,
      permissions: e.SIMULATOR_PERMISSIONS,
    };
  }
  if (!e.GRAPH_TENANT_ID)
    throw new SettingsError(
      "GRAPH_TENANT_ID",
      "is required to use Microsoft Graph (leave every GRAPH_* setting empty for the simulated tenant)",
    );
  if (!e.GRAPH_CLIENT_ID)
    throw new SettingsError(
      "GRAPH_CLIENT_ID",
      "is required to use Microsoft Graph (leave every GRAPH_* setting empty for the simulated tenant)",
    );
  if (e.GRAPH_CLIENT_SECRET && e.GRAPH_CERTIFICATE_PATH) {
    throw new SettingsError(
      "GRAPH_CERTIFICATE_PATH",
      "set either GRAPH_CLIENT_SECRET or GRAPH_CERTIFICATE_PATH, not both",
    );
  }
  const credential = e.GRAPH_CLIENT_SECRET
    ? { clientSecret: e.GRAPH_CLIENT_SECRET }
    : e.GRAPH_CERTIFICATE_PATH
      ? { certificatePath: e.GRAPH_CERTIFICATE_PATH }
      : undefined;
  if (!credential)
    throw new SettingsError("GRAPH_CLIENT_SECRET", "or GRAPH_CERTIFICATE_PATH is required to use Microsoft Graph");
  return {
    kind: "graph",
    baseUrl: e.GRAPH_BASE_URL,
    tenantId: e.GRAPH_TENANT_ID,
    clientId: e.GRAPH_CLIENT_ID,
    credential,
  };
}
