/**
 * The preview's numbers are a forecast of what Entra will do: for every licensed group of the demo
 * tenant and of twenty random tenants, the change is previewed through Graph, applied to the
 * simulated tenant as the approval would apply it, and every seat figure of the preview is compared
 * with the tenant afterwards, as are the members it says get nothing or lose a product.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createGraphClient, GraphGateway } from "../../src/graph/graphGateway";
import type { Product, TenantUser } from "../../src/licensing/model";
import type { CheckResult, Preview } from "../../src/licensing/preview";
import { PreviewService } from "../../src/service/previewService";
import { generateRandomTenant } from "../../src/simulator/generator";
import { GraphSimulatorServer } from "../../src/simulator/graphServer";
import { DEFAULT_INDEX_LAG_MS } from "../../src/simulator/readLag";
import { TenantState } from "../../src/simulator/tenantState";
import { DEMO } from "../support/demoTenant";
import { E1, E3 } from "../support/productIds";

interface Tenant {
  readonly sim: GraphSimulatorServer;
  readonly graph: GraphGateway;
  readonly previews: PreviewService;
}

/**
 * The tenant's clock runs ahead by the index's lag after each change (`catchUp`), so that the next
 * preview, which reads members through that index, sees it, as a preview made a moment later would.
 */
let clockAhead = 0;
function catchUp(): void {
  clockAhead += DEFAULT_INDEX_LAG_MS;
}

async function open(snapshot: unknown): Promise<Tenant> {
  const state = TenantState.fromJson(snapshot, {
    processingDelayMs: 0,
    now: () => new Date(Date.now() + clockAhead),
  });
  const sim = new GraphSimulatorServer(state, { latencyMs: 0 });
  const url = await sim.listen(0);
  const graph = new GraphGateway(createGraphClient({ kind: "simulator", url }));
  return { sim, graph, previews: new PreviewService(graph) };
}

async function close(t: Tenant): Promise<void> {
  await t.sim.close();
  t.sim.state.stop();
}

const holds = (u: TenantUser, skuId: string): boolean =>
  u.licenseStates.some((s) => s.skuId === skuId && (s.state === "Active" || s.state === "ActiveWithError"));

const check = (p: Preview, id: string): CheckResult | undefined => p.checks.find((c) => c.id === id);

/** What a group's change did, read back through Graph once Entra has processed it. */
interface Outcome {
  readonly consumed: ReadonlyMap<string, number>;
  readonly members: readonly TenantUser[];
}

/** The members read one by one (current), as the follow-up reads them; the listing's index may lag. */
async function read(t: Tenant, groupId: string): Promise<Outcome> {
  const products: Product[] = await t.graph.listProducts();
  const listed = await t.graph.listGroupMembers(groupId);
  const users = await t.graph.getUsers(listed.users.map((u) => u.id));
  return { consumed: new Map(products.map((p) => [p.skuId, p.consumedUnits])), members: users };
}

/**
 * Previews group `name` from S to T, applies it unless the seats fall short (then Entra's choice of
 * who gets a seat is its own), and compares. Returns what happened, for the tests' own counts.
 */
async function previewApplyCompare(
  t: Tenant,
  name: string,
  from: string,
  to: string,
): Promise<{ result: "applied" | "short" | "not held"; losers: number }> {
  const outcome = await t.previews.preview({ target: { hint: "group", name }, from, to });
  assert.equal(outcome.kind, "preview", `${name}: ${JSON.stringify(outcome)}`);
  if (outcome.kind !== "preview") throw new Error("unreachable");
  const p = outcome.preview;
  assert.equal(p.target.type, "group");
  const groupId = p.target.id;
  const s = p.seats[p.from.skuPartNumber];
  const tt = p.seats[p.to.skuPartNumber];
  assert.ok(s && tt, `${name}: seats of both products`);
  const before = await read(t, groupId);
  // The figures before the change are the tenant's.
  assert.equal(tt.consumed, before.consumed.get(p.to.skuId), `${name}: T consumed`);
  assert.equal(s.consumed, before.consumed.get(p.from.skuId), `${name}: S consumed`);
  assert.equal(tt.available, tt.enabled - tt.consumed);

  if (check(p, "source-assigned")?.status === "block") {
    // Nothing would move: the preview takes and frees nothing.
    assert.equal(tt.needed, 0, `${name}: needed`);
    assert.equal(s.freed, 0, `${name}: freed`);
    return { result: "not held", losers: 0 };
  }
  if ((tt.shortfall ?? 0) > 0) return { result: "short", losers: 0 };

  const holdersBefore = before.members.filter((u) => holds(u, p.to.skuId)).length;
  assert.equal(p.operations.length, 1);
  assert.equal((await t.graph.assignLicense(p.operations[0])).status, 202);
  await t.sim.state.whenIdle();
  const after = await read(t, groupId);
  catchUp();

  const label = `${name} (${p.from.skuPartNumber} → ${p.to.skuPartNumber})`;
  assert.equal(
    after.consumed.get(p.to.skuId),
    tt.consumed + (tt.needed ?? 0),
    `${label}: T consumed after = before + needed`,
  );
  assert.equal(
    after.consumed.get(p.from.skuId),
    s.consumed - (s.freed ?? 0),
    `${label}: S consumed after = before − freed`,
  );
  assert.equal(
    after.members.filter((u) => holds(u, p.to.skuId)).length,
    holdersBefore + (tt.needed ?? 0),
    `${label}: members holding T after`,
  );
  // Members the conflicts check names get nothing from the group: their states from it are in error.
  const failed = after.members.filter((u) =>
    u.licenseStates.some((x) => x.assignedByGroup === groupId && x.error === "MutuallyExclusiveViolation"),
  );
  assert.deepEqual(
    failed.map((u) => u.id).sort(),
    (check(p, "conflicts")?.users ?? []).map((u) => u.id).sort(),
    `${label}: members who get nothing`,
  );
  // Each member all-or-nothing names loses what it says, and nobody else loses a product.
  const lost = new Map((check(p, "all-or-nothing")?.users ?? []).map((u) => [u.id, u.note ?? ""]));
  const beforeById = new Map(before.members.map((u) => [u.id, u]));
  for (const u of after.members) {
    const was = beforeById.get(u.id);
    if (!was) continue;
    const gone = [...new Set(was.licenseStates.map((x) => x.skuId))].filter(
      (sku) => holds(was, sku) && !holds(u, sku) && sku !== p.from.skuId,
    );
    const lostSource = holds(was, p.from.skuId) && !holds(u, p.from.skuId) && !holds(u, p.to.skuId);
    assert.equal(gone.length > 0 || lostSource, lost.has(u.id), `${label}: ${u.displayName} loses a product`);
  }
  return { result: "applied", losers: lost.size };
}

/** Each licensed group's product, and the move the tests make of it. */
const MOVES: Readonly<Record<string, string>> = {
  STANDARDPACK: "ENTERPRISEPACK",
  ENTERPRISEPACK: "STANDARDPACK",
  SPE_F1: "ENTERPRISEPACK",
};

describe("the seat forecast equals the outcome", () => {
  it("for every group of the demo tenant: E1 → E3, E3 → E1, F3 → E3, and groups without a license take nothing", async () => {
    const snapshot: unknown = JSON.parse(readFileSync(DEMO, "utf8"));
    const tally: Record<string, number> = {};
    const groups = (snapshot as { groups: { displayName: string; assignedLicenses: { skuId: string }[] }[] }).groups;
    const skus = new Map(
      (snapshot as { subscribedSkus: { skuId: string; skuPartNumber: string }[] }).subscribedSkus.map((s) => [
        s.skuId,
        s.skuPartNumber,
      ]),
    );
    for (const g of groups) {
      // Each change on a fresh tenant, so that one group's change does not move another's figures.
      const t = await open(snapshot);
      try {
        const from = g.assignedLicenses[0] ? skus.get(g.assignedLicenses[0].skuId) : "STANDARDPACK";
        assert.ok(from);
        const { result } = await previewApplyCompare(t, g.displayName, from, MOVES[from] ?? "ENTERPRISEPACK");
        tally[result] = (tally[result] ?? 0) + 1;
      } finally {
        await close(t);
      }
    }
    // Customer Support is 25 E3 seats short; Sales EMEA, Operations, Project Phoenix and the two
    // License Desk groups hold no license.
    assert.deepEqual(tally, { applied: 9, short: 1, "not held": 5 });
  });

  it("for 20 random tenants: both groups, E1 → E3", async function () {
    this.timeout(60_000);
    const tally: Record<string, number> = { losers: 0 };
    for (let seed = 1; seed <= 20; seed++) {
      for (const group of ["Alpha", "Beta"]) {
        const t = await open(JSON.parse(JSON.stringify(generateRandomTenant({ seed }))));
        try {
          const { result, losers } = await previewApplyCompare(t, group, E1, E3);
          tally[result] = (tally[result] ?? 0) + 1;
          tally.losers += losers;
        } finally {
          await close(t);
        }
      }
    }
    // Three are short of E3 seats (the generator draws 0 to N free); in the others, 46 members of
    // Alpha who keep a conflicting license lose its Audio Conferencing or its E1, as all-or-nothing said.
    assert.deepEqual(tally, { losers: 46, applied: 37, short: 3 });
  });
});
