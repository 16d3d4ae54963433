/**
 * Prints how previews scale, measured on the simulated tenant over HTTP through the same Graph
 * client as production: for groups of several sizes, the wall time of a preview and of a
 * migration plan, and the Graph requests each made (the budget is ceil(N/999) + 3 for a change).
 *
 *   npx tsx scripts/benchmark.ts [--users N] [--latency MS]
 *
 * Figures, not assertions: the tests check the request counts; this shows the time they take.
 */
import { parseArgs } from "node:util";
import { createGraphClient, GraphGateway } from "../src/graph/graphGateway";
import { PreviewService } from "../src/service/previewService";
import { generateLargeTenant } from "../src/simulator/generator";
import { GraphSimulatorServer } from "../src/simulator/graphServer";
import { TenantState } from "../src/simulator/tenantState";

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { users: { type: "string", default: "100000" }, latency: { type: "string", default: "0" } },
  });
  const users = Number(values.users);
  const latencyMs = Number(values.latency);
  const started = Date.now();
  const snapshot = generateLargeTenant({ users });
  const state = TenantState.fromJson(snapshot, { processingDelayMs: 0 });
  console.log(`tenant: ${users.toLocaleString("en-US")} users generated and loaded in ${Date.now() - started} ms`);

  const server = new GraphSimulatorServer(state, { latencyMs });
  const url = await server.listen(0);
  const graph = new GraphGateway(createGraphClient({ kind: "simulator", url }));
  const previews = new PreviewService(graph);
  console.log(`per-request latency added by the simulator: ${latencyMs} ms\n`);
  console.log("group                          members   preview ms  requests  budget   migration plan ms  requests");
  for (const group of state
    .groups()
    .filter((g) => g.members.length > 0)
    .sort((a, b) => a.members.length - b.members.length)) {
    const n = group.members.length;
    server.counters.reset();
    let t = Date.now();
    const change = await previews.preview({
      target: { type: "group", id: group.id },
      to: "ENTERPRISEPACK",
      ...(group.assignedLicenses.length === 1 ? {} : { from: "STANDARDPACK" }),
    });
    const previewMs = Date.now() - t;
    const previewRequests = server.counters.total;
    server.counters.reset();
    t = Date.now();
    const migration = await previews.previewMigration({ group: { id: group.id }, product: "ENTERPRISEPACK" });
    const migrationMs = Date.now() - t;
    const row = [
      group.displayName.padEnd(30).slice(0, 30),
      String(n).padStart(8),
      (change.kind === "preview" ? String(previewMs) : change.kind).padStart(12),
      String(previewRequests).padStart(9),
      String(Math.ceil(n / 999) + 3).padStart(7),
      (migration.kind === "migration-preview" ? String(migrationMs) : migration.kind).padStart(20),
      String(server.counters.total).padStart(9),
    ];
    console.log(row.join(" "));
  }
  await server.close();
  state.stop();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
