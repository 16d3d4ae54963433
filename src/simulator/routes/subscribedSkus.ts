/** GET /subscribedSkus: the tenant's products, with their seats and service plans. */
import { contextUrl, jsonResponse, type SimResponse } from "../graphResponses";
import type { Route, RouteContext } from "../routing";
import type { Organization, SubscribedSku } from "../snapshot";
import { readSelect } from "./collectionQuery";
import { project, type Getter } from "./entityTypes";

function subscribedSkuProps(org: Organization): Record<string, Getter<SubscribedSku>> {
  return {
    id: (s) => s.id ?? `${org.id}_${s.skuId}`,
    accountId: (s) => s.accountId ?? org.id,
    accountName: () => org.displayName,
    appliesTo: (s) => s.appliesTo,
    capabilityStatus: (s) => s.capabilityStatus,
    consumedUnits: (s) => s.consumedUnits,
    prepaidUnits: (s) => s.prepaidUnits,
    servicePlans: (s) => s.servicePlans,
    skuId: (s) => s.skuId,
    skuPartNumber: (s) => s.skuPartNumber,
    subscriptionIds: () => [],
  };
}

function listSubscribedSkus(ctx: RouteContext): SimResponse {
  const props = subscribedSkuProps(ctx.state.organization);
  const select = readSelect(ctx, [props], "microsoft.graph.subscribedSku");
  const all = Object.keys(props).filter((p) => p !== "id");
  return jsonResponse(200, {
    "@odata.context": contextUrl(ctx.base, "subscribedSkus", select),
    value: ctx.state.subscribedSkus().map((s) => project(props, all, s, ctx.state, select)),
  });
}

export const subscribedSkuRoutes: readonly Route[] = [
  { method: "GET", template: "/subscribedSkus", options: ["$select"], handler: listSubscribedSkus },
];
