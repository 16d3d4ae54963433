/**
 * GET /subscribedSkus: the tenant's products, with their seats and service plans; and
 * GET /directory/subscriptions: the commercial subscriptions behind them (trial, state, next date).
 */
import { contextUrl, jsonResponse, type SimResponse } from "../graphResponses";
import type { Route, RouteContext } from "../routing";
import type { CompanySubscription, Organization, SubscribedSku } from "../snapshot";
import { readSelect } from "./collectionQuery";
import { project, type Getter } from "./entityTypes";
import { anyOf } from "../permissions";

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

const SUBSCRIPTION_PROPS: Record<string, Getter<CompanySubscription>> = {
  id: (s) => s.id,
  commerceSubscriptionId: (s) => s.commerceSubscriptionId,
  createdDateTime: (s) => s.createdDateTime,
  isTrial: (s) => s.isTrial,
  nextLifecycleDateTime: (s) => s.nextLifecycleDateTime,
  ownerId: () => null,
  ownerTenantId: () => null,
  ownerType: () => null,
  serviceStatus: () => [],
  skuId: (s) => s.skuId,
  skuPartNumber: (s) => s.skuPartNumber,
  status: (s) => s.status,
  totalLicenses: (s) => s.totalLicenses,
};

function listSubscriptions(ctx: RouteContext): SimResponse {
  const select = readSelect(ctx, [SUBSCRIPTION_PROPS], "microsoft.graph.companySubscription");
  const all = Object.keys(SUBSCRIPTION_PROPS).filter((p) => p !== "id");
  return jsonResponse(200, {
    "@odata.context": contextUrl(ctx.base, "directory/subscriptions", select),
    value: ctx.state.subscriptions().map((s) => project(SUBSCRIPTION_PROPS, all, s, ctx.state, select)),
  });
}

export const subscribedSkuRoutes: readonly Route[] = [
  {
    method: "GET",
    template: "/subscribedSkus",
    options: ["$select"],
    permissions: anyOf(
      "LicenseAssignment.Read.All",
      "Directory.Read.All",
      "Directory.ReadWrite.All",
      "Organization.Read.All",
      "Organization.ReadWrite.All",
    ),
    handler: listSubscribedSkus,
  },
  // Graph documents $select, $filter and $top on it; the product only selects.
  {
    method: "GET",
    template: "/directory/subscriptions",
    options: ["$select"],
    permissions: anyOf("Organization.Read.All", "Directory.Read.All", "Organization.ReadWrite.All"),
    handler: listSubscriptions,
  },
];
