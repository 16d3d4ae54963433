/** The demo tenant (tenants/demo.json, docs/tenant-snapshot.md), and lookups in it that fail as assertions. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { snapshotSchema, type SubscribedSku } from "../../src/simulator/snapshot";

export const DEMO = "tenants/demo.json";
export const demo = snapshotSchema.parse(JSON.parse(readFileSync(DEMO, "utf8")));

export function demoGroup(name: string): { id: string; members: string[] } {
  const group = demo.groups.find((g) => g.displayName === name);
  assert.ok(group, `the demo tenant has no group ${name}`);
  return group;
}

export function demoSku(skuPartNumber: string): SubscribedSku {
  const sku = demo.subscribedSkus.find((s) => s.skuPartNumber === skuPartNumber);
  assert.ok(sku, `the demo tenant does not own ${skuPartNumber}`);
  return sku;
}
