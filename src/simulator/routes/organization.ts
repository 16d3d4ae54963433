/** GET /organization: the tenant itself (its id is the tenant id). */
import { contextUrl, jsonResponse, type SimResponse } from "../graphResponses";
import type { Route, RouteContext } from "../routing";
import type { Organization } from "../snapshot";
import { readSelect } from "./collectionQuery";
import { project, type Getter } from "./entityTypes";
import { anyOf } from "../permissions";

const organizationProps: Record<string, Getter<Organization>> = {
  id: (o) => o.id,
  displayName: (o) => o.displayName,
  countryLetterCode: (o) => o.countryLetterCode,
  verifiedDomains: (o) => o.verifiedDomains,
};

function listOrganization(ctx: RouteContext): SimResponse {
  const select = readSelect(ctx, [organizationProps], "microsoft.graph.organization");
  const all = Object.keys(organizationProps).filter((p) => p !== "id");
  return jsonResponse(200, {
    "@odata.context": contextUrl(ctx.base, "organization", select),
    value: [project(organizationProps, all, ctx.state.organization, ctx.state, select)],
  });
}

export const organizationRoutes: readonly Route[] = [
  {
    method: "GET",
    template: "/organization",
    options: ["$select"],
    permissions: anyOf(
      "Organization.Read.All",
      "Directory.Read.All",
      "Organization.ReadWrite.All",
      "Directory.ReadWrite.All",
    ),
    handler: listOrganization,
  },
];
