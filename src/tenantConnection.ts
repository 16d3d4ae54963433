/**
 * Connects the bot to its tenant: Microsoft Graph when GRAPH_* settings are given, otherwise the
 * simulated tenant, reached over HTTP through the very same Graph client: started here on a local
 * port from a snapshot file, or, with SIMULATOR_URL, one already running in another process.
 */
import { readFileSync } from "node:fs";
import type { RunningSimulatorSettings, TenantSettings } from "./config";
import { SettingsError } from "./errors";
import { directoryId } from "./directoryId";
import { TenantRequestError } from "./errors";
import { readGrantedPermissions, type GrantedPermissions } from "./graph/appPermissions";
import { createGraphClient, GraphGateway } from "./graph/graphGateway";
import { GraphSimulatorServer } from "./simulator/graphServer";
import { SnapshotError } from "./simulator/snapshotValidation";
import { TenantState, type TenantStateOptions } from "./simulator/tenantState";

export interface TenantConnection {
  readonly graph: GraphGateway;
  /** The simulated tenant, when the bot runs on one (tests use its fault injection and counters). */
  readonly simulator?: GraphSimulatorServer;
  /** The Entra tenant id: activities from any other tenant are refused. */
  readonly tenantId: string;
  /** One line for the start-up log. */
  readonly description: string;
  /** The application permissions the app's token says it holds, read once at connection. */
  readonly permissions: GrantedPermissions;
  close(): Promise<void>;
}

export async function connectTenant(tenant: TenantSettings, timeoutMs?: number): Promise<TenantConnection> {
  if (tenant.kind === "graph") {
    return {
      graph: new GraphGateway(createGraphClient(tenant, timeoutMs)),
      permissions: await readGrantedPermissions(tenant, timeoutMs),
      tenantId: directoryId(tenant.tenantId),
      description: `Microsoft Graph at ${tenant.baseUrl} for tenant ${tenant.tenantId}`,
      close: async () => {},
    };
  }
  if ("url" in tenant) return connectRunningSimulator(tenant, timeoutMs);
  const simulator = new GraphSimulatorServer(
    loadSnapshot(tenant.snapshotPath, {
      processingDelayMs: tenant.processingDelayMs,
      indexLagMs: tenant.indexLagMs,
      processingStateLagMs: tenant.processingStateLagMs,
    }),
    { latencyMs: tenant.latencyMs, throttleRate: tenant.throttleRate },
    tenant.permissions,
  );
  const url = await simulator.listen(tenant.port);
  return {
    graph: new GraphGateway(createGraphClient({ kind: "simulator", url }, timeoutMs)),
    permissions: await readGrantedPermissions({ kind: "simulator", url }, timeoutMs),
    simulator,
    tenantId: directoryId(simulator.state.organization.id),
    description: `simulated tenant "${simulator.state.organization.displayName}" from ${tenant.snapshotPath} at ${url}`,
    close: async () => {
      await simulator.close();
      simulator.state.stop();
    },
  };
}

/** A simulated tenant run by another process: nothing to start or stop here; its tenant id is asked of it. */
async function connectRunningSimulator(
  tenant: RunningSimulatorSettings,
  timeoutMs?: number,
): Promise<TenantConnection> {
  const graph = new GraphGateway(createGraphClient({ kind: "simulator", url: tenant.url }, timeoutMs));
  let tenantId: string;
  try {
    tenantId = await graph.organizationId();
  } catch (error) {
    const reason =
      error instanceof TenantRequestError
        ? `${error.status ?? "no answer"}: ${error.graphMessage}`
        : error instanceof Error
          ? error.message
          : String(error);
    throw new SettingsError(
      "SIMULATOR_URL",
      `no simulated tenant answers at ${tenant.url} (${reason}); start one with npx tsx scripts/simulated-tenant.ts`,
    );
  }
  return {
    graph,
    permissions: await readGrantedPermissions({ kind: "simulator", url: tenant.url }, timeoutMs),
    tenantId,
    description: `simulated tenant ${tenantId} running at ${tenant.url}`,
    close: async () => {},
  };
}

/** Reads and checks a snapshot file; a problem is a SettingsError naming SIMULATOR_SNAPSHOT. */
export function loadSnapshot(path: string, options: TenantStateOptions): TenantState {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new SettingsError(
      "SIMULATOR_SNAPSHOT",
      `cannot read the tenant snapshot ${path}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  try {
    return TenantState.fromJson(json, options);
  } catch (error) {
    if (error instanceof SnapshotError)
      throw new SettingsError("SIMULATOR_SNAPSHOT", `${path} is not a consistent tenant: ${error.message}`);
    throw error;
  }
}
