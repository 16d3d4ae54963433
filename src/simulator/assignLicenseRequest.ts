/**
 * An assignLicense request body as Graph reads it, for a user or a group: its shape, and the checks
 * every request passes before anything changes (known products, plans of those products, no product
 * named twice).
 */
import { z } from "zod";
import { formatPath } from "./entityDescriptions";
import { directoryBadRequest } from "./graphErrors";
import type { License } from "./licenseValues";
import type { TenantSkus } from "./tenantSkus";

export interface AssignLicenseBody {
  addLicenses: { skuId: string; disabledPlans?: string[] }[];
  removeLicenses: string[];
}

/** A request normalised: disabledPlans always present. */
export interface AssignLicenseRequest {
  addLicenses: License[];
  removeLicenses: string[];
}

const assignLicenseBodySchema = z.object({
  addLicenses: z.array(z.object({ skuId: z.string(), disabledPlans: z.array(z.string()).nullish() })),
  removeLicenses: z.array(z.string()),
});

export function parseAssignLicenseBody(body: unknown, resource: "User" | "Group"): AssignLicenseRequest {
  const parsed = assignLicenseBodySchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const property = formatPath(issue.path) || "(body)";
    throw directoryBadRequest(
      `Invalid value specified for property '${property}' of resource '${resource}': ${issue.message}. ` +
        `Expected {"addLicenses":[{"skuId":"…","disabledPlans":["…"]}],"removeLicenses":["…"]} (removeLicenses is required; it may be empty).`,
    );
  }
  return {
    addLicenses: parsed.data.addLicenses.map((a) => ({ skuId: a.skuId, disabledPlans: [...(a.disabledPlans ?? [])] })),
    removeLicenses: parsed.data.removeLicenses,
  };
}

/** Every sku named exists, every disabled plan belongs to its sku, and no sku is named twice. */
export function checkRequestedLicenses(request: AssignLicenseRequest, skus: TenantSkus): void {
  const named = [...request.addLicenses.map((a) => a.skuId), ...request.removeLicenses];
  for (const skuId of named) {
    if (!skus.get(skuId)) throw directoryBadRequest(`License ${skuId} does not correspond to a valid company License.`);
  }
  const seen = new Set<string>();
  for (const skuId of named) {
    if (seen.has(skuId))
      throw directoryBadRequest(
        `License ${skus.name(skuId)} is named more than once in addLicenses and removeLicenses.`,
      );
    seen.add(skuId);
  }
  for (const add of request.addLicenses) {
    const plans = new Set(skus.known(add.skuId).servicePlans.map((p) => p.servicePlanId));
    const unknown = add.disabledPlans.find((p) => !plans.has(p));
    if (unknown !== undefined)
      throw directoryBadRequest(`disabledPlans ${unknown} is not a service plan of License ${skus.name(add.skuId)}.`);
  }
}
