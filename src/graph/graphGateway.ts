/**
 * The one module that talks to Microsoft Graph. Every Graph URL the product uses is built here, and
 * every answer is turned into the licensing domain's plain types (../licensing/model.ts), so the
 * rest of the code never sees Graph's wire format.
 *
 * The same client reaches Microsoft Graph and the simulated tenant; only the base URL and the
 * authentication differ (createGraphClient). The client's default middleware retries 429 and 503/504
 * with Retry-After (bounded), so callers see a throttling error only once retries are spent.
 */
import { readFileSync } from "node:fs";
import { ClientCertificateCredential, ClientSecretCredential } from "@azure/identity";
import { Client, GraphError } from "@microsoft/microsoft-graph-client";
import { TokenCredentialAuthenticationProvider } from "@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials";
import type * as Graph from "@microsoft/microsoft-graph-types";
import type { TenantSettings } from "../config";
import { TenantRequestError } from "../errors";
import type { CapabilityStatus, Product } from "../licensing/model";

/** One page of a Graph collection. */
interface GraphCollection<T> {
  value: T[];
  "@odata.nextLink"?: string;
}

const GRAPH_SCOPE = "https://graph.microsoft.com/.default";

/** A Graph client for the configured tenant: Microsoft Graph with app credentials, or the simulator at `baseUrl`. */
export function createGraphClient(tenant: TenantSettings, simulatorUrl?: string): Client {
  if (tenant.kind === "simulated") {
    if (!simulatorUrl) throw new Error("the simulated tenant's URL is needed to create its Graph client");
    // The simulator needs no token; the client sends none to a host that is not Graph's.
    return Client.init({ baseUrl: simulatorUrl, defaultVersion: "v1.0", authProvider: (done) => done(null, "simulated-tenant") });
  }
  const credential =
    "clientSecret" in tenant.credential
      ? new ClientSecretCredential(tenant.tenantId, tenant.clientId, tenant.credential.clientSecret)
      : new ClientCertificateCredential(tenant.tenantId, tenant.clientId, { certificate: readFileSync(tenant.credential.certificatePath, "utf8") });
  const authProvider = new TokenCredentialAuthenticationProvider(credential, { scopes: [GRAPH_SCOPE] });
  const baseUrl = tenant.baseUrl.endsWith("/") ? tenant.baseUrl : `${tenant.baseUrl}/`;
  return Client.initWithMiddleware({ baseUrl, defaultVersion: "v1.0", authProvider, customHosts: new Set([new URL(baseUrl).host]) });
}

export class GraphGateway {
  constructor(private readonly client: Client) {}

  /** The tenant's products with their seats and service plans. */
  async listProducts(): Promise<Product[]> {
    const page = await this.call("read the tenant's subscribed products", () =>
      this.client
        .api("/subscribedSkus")
        .select(["skuId", "skuPartNumber", "appliesTo", "capabilityStatus", "consumedUnits", "prepaidUnits", "servicePlans"])
        .get(),
    );
    return (page as GraphCollection<Graph.SubscribedSku>).value.map(toProduct);
  }

  /** Runs one Graph request and turns any failure into a TenantRequestError that says what was being done. */
  private async call<T>(operation: string, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      if (error instanceof GraphError) {
        const status = error.statusCode > 0 ? error.statusCode : undefined;
        throw new TenantRequestError(operation, status, error.code ?? undefined, error.message, error.requestId ?? undefined);
      }
      throw new TenantRequestError(operation, undefined, undefined, error instanceof Error ? error.message : String(error), undefined);
    }
  }
}

function toProduct(sku: Graph.SubscribedSku): Product {
  return {
    skuId: required(sku.skuId, "subscribedSku.skuId"),
    skuPartNumber: required(sku.skuPartNumber, "subscribedSku.skuPartNumber"),
    appliesTo: sku.appliesTo === "Company" ? "Company" : "User",
    capabilityStatus: (sku.capabilityStatus ?? "Enabled") as CapabilityStatus,
    enabledUnits: sku.prepaidUnits?.enabled ?? 0,
    consumedUnits: sku.consumedUnits ?? 0,
    servicePlans: (sku.servicePlans ?? []).map((p) => ({ id: required(p.servicePlanId, "servicePlanId"), name: p.servicePlanName ?? "" })),
  };
}

function required<T>(value: T | null | undefined, field: string): T {
  if (value === null || value === undefined) {
    // Graph always sends these; an answer without one is a defect to log, not a user error.
    throw new Error(`Graph's answer has no ${field}`);
  }
  return value;
}
