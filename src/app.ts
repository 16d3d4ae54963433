/**
 * Composition of the running bot: tenant connection, request store, approval workflow,
 * conversation, Teams host. Used by main.ts and by the tests, which start the same thing on free
 * ports with their own data folder.
 */
import { ApprovalService, DEFAULT_POLL_DELAYS_MS } from "./approval/approvalService";
import { RoleDirectory } from "./approval/roles";
import { ChatService } from "./chat/chatService";
import type { Settings } from "./config";
import { missingPermissionLines } from "./graph/appPermissions";
import type { Logger } from "./log";
import { PreviewService } from "./service/previewService";
import { openDataFolder } from "./store/dataFolder";
import { BackgroundTurns } from "./teams/backgroundTurns";
import { BotHost } from "./teams/botHost";
import { LicenseDeskBot } from "./teams/licenseDeskBot";
import { connectTenant, type TenantConnection } from "./tenantConnection";

export interface RunningBot {
  readonly endpoint: string;
  readonly tenant: TenantConnection;
  readonly approvals: ApprovalService;
  /** Resolves once every message received so far has been answered (answers go out after their turn). */
  answered(): Promise<void>;
  close(): Promise<void>;
}

/** How often pending requests are checked for expiry, and cards not yet sent or updated are sent again. */
const SWEEP_MS = 60_000;

export interface StartOptions {
  /** Waits between reads of a group's processing state (tests shorten them). */
  readonly pollDelaysMs?: readonly number[];
  readonly now?: () => Date;
}

export async function startBot(settings: Settings, log: Logger, options: StartOptions = {}): Promise<RunningBot> {
  const tenant = await connectTenant(settings.tenant, settings.graphTimeoutMs);
  const store = openDataFolder(settings.dataDir);
  const host = new BotHost(settings.bot, log, {
    // Request ids start at 1: a read that reaches the database and finds nothing.
    store: async () => store.get(0),
    graph: () => tenant.graph.organizationId(),
  });
  const previews = new PreviewService(tenant.graph);
  const approvals = new ApprovalService({
    graph: tenant.graph,
    store,
    roles: new RoleDirectory(tenant.graph, settings.roles),
    previews,
    notifier: host.notifier,
    settings: {
      tenantId: tenant.tenantId,
      expiryHours: settings.requestExpiryHours,
      pollDelaysMs: options.pollDelaysMs ?? DEFAULT_POLL_DELAYS_MS,
      graphTimeoutMs: settings.graphTimeoutMs,
    },
    log,
    now: options.now,
  });
  const permissionNotes = missingPermissionLines(tenant.permissions);
  const desk = new ChatService(tenant.graph, previews, approvals, log, permissionNotes, options.now);
  const turns = new BackgroundTurns(log);
  const bot = new LicenseDeskBot(desk, { turns, conversationAt: (ref) => host.conversationAt(ref) });
  const endpoint = await host.listen(bot, settings.port, settings.host);
  // Requests a previous run left in the middle are finished before new work comes in.
  await approvals.reconcile();
  const sweep = setInterval(
    () =>
      void approvals
        .expireDue()
        .then(() => approvals.catchUpCards())
        .catch((error: unknown) => log.error({ err: error }, "sweep failed")),
    SWEEP_MS,
  );
  sweep.unref();
  return {
    endpoint,
    tenant,
    approvals,
    answered: () => turns.idle(),
    close: async () => {
      clearInterval(sweep);
      approvals.stop();
      await host.close();
      await turns.idle();
      await approvals.idle();
      store.close();
      await tenant.close();
    },
  };
}
