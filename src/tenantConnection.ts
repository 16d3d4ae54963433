/**
 * Connects the bot to its tenant: Microsoft Graph when GRAPH_* settings are given, otherwise the
 * simulated tenant, started here on a local port from a snapshot file and reached over HTTP
 * through the very same Graph client.
 */
import { readFileSync } from "node:fs";
import type { TenantSettings } from "./config";
import { SettingsError } from "./config";
import { createGraphClient, GraphGateway } from "./graph/graphGateway";
import { GraphSimulatorServer } from "./simulator/graphServer";
import { SnapshotError, TenantState } from "./simulator/tenantState";

export interface TenantConnection {
  readonly graph: GraphGateway;
  /** The simulated tenant, when the bot runs on one (tests use its fault injection and counters). */
  readonly simulator?: GraphSimulatorServer;
  /** The Entra tenant id: activities from any other tenant are refused. */
  readonly tenantId: string;
  /** One line for the start-up log. */
  readonly description: string;
  close(): Promise<void>;
}

export async function connectTenant(tenant: TenantSettings): Promise<TenantConnection> {
  if (tenant.kind === "graph") {
    return {
      graph: new GraphGateway(createGraphClient(tenant)),
      tenantId: tenant.tenantId,
      description: `Microsoft Graph at ${tenant.baseUrl} for tenant ${tenant.tenantId}`,
      close: async () => {},
    };
  }
  const simulator = new GraphSimulatorServer(loadSnapshot(tenant.snapshotPath, tenant.processingDelayMs), {
    latencyMs: tenant.latencyMs,
    throttleRate: tenant.throttleRate,
  });
  const url = await simulator.listen(tenant.port);
  return {
    graph: new GraphGateway(createGraphClient(tenant, url)),
    simulator,
    tenantId: simulator.state.organization.id,
    description: `simulated tenant "${simulator.state.organization.displayName}" from ${tenant.snapshotPath} at ${url}`,
    close: async () => {
      await simulator.close();
      simulator.state.stop();
    },
  };
}

function loadSnapshot(path: string, processingDelayMs: number): TenantState {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new SettingsError("SIMULATOR_SNAPSHOT", `cannot read the tenant snapshot ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  try {
    return TenantState.fromJson(json, { processingDelayMs });
  } catch (error) {
    if (error instanceof SnapshotError) throw new SettingsError("SIMULATOR_SNAPSHOT", `${path} is not a consistent tenant: ${error.message}`);
    throw error;
  }
}
