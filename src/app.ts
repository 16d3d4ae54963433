/**
 * Composition of the running bot: tenant connection, conversation, Teams host. Used by main.ts and
 * by the integration tests, which start the same thing on free ports.
 */
import { LicenseDesk } from "./chat/licenseDesk";
import type { Settings } from "./config";
import type { Logger } from "./log";
import { PreviewService } from "./service/previewService";
import { BotHost } from "./teams/botHost";
import { LicenseDeskBot } from "./teams/licenseDeskBot";
import { connectTenant, type TenantConnection } from "./tenantConnection";

export interface RunningBot {
  readonly endpoint: string;
  readonly tenant: TenantConnection;
  close(): Promise<void>;
}

export async function startBot(settings: Settings, log: Logger): Promise<RunningBot> {
  const tenant = await connectTenant(settings.tenant);
  const host = new BotHost(new LicenseDeskBot(new LicenseDesk(tenant.graph, new PreviewService(tenant.graph), log)), settings.bot, log);
  const endpoint = await host.listen(settings.port, settings.host);
  return {
    endpoint,
    tenant,
    close: async () => {
      await host.close();
      await tenant.close();
    },
  };
}
