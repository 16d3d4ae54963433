/**
 * The groups routes: list and get groups, change a group's licenses, and list a group's direct
 * members cast to users or to groups.
 */
import { GraphErrorAnswer, resourceNotFound } from "../graphErrors";
import { contextUrl, jsonResponse, type SimResponse } from "../graphResponses";
import { evaluateFilter } from "../odata/filterEvaluation";
import { parseFilter } from "../odata/filterSyntax";
import { LIST_OPTIONS, type Route, type RouteContext } from "../routing";
import type { Group, User } from "../snapshot";
import { order, page, readFilter, readSelect, wantsCount } from "./collectionQuery";
import { groupType, isUser, renderEntity, userType, type EntityType } from "./entityTypes";
import { readJsonBody } from "./requestBody";
import { anyOf } from "../permissions";

/** The group as a read reports it; not a copy (the page renders it and lets it go). */
function findGroup(ctx: RouteContext, id: string): Group {
  const group = ctx.state.groupReadOnly(id);
  if (!group) throw resourceNotFound(id);
  return ctx.state.reportedGroup(group);
}

function listGroups(ctx: RouteContext): SimResponse {
  const select = readSelect(ctx, [groupType.props], groupType.typeName);
  const rawFilter = ctx.query.options.$filter;
  if (ctx.eventual && rawFilter !== undefined && /hasMembersWithLicenseErrors/i.test(rawFilter)) {
    // Parse first, so that the refusal names the property only when it is really used.
    const usesProperty = JSON.stringify(parseFilter(rawFilter)).includes('"property":"hasMembersWithLicenseErrors"');
    if (usesProperty) {
      throw new GraphErrorAnswer(
        400,
        "Request_UnsupportedQuery",
        "Unsupported query: 'hasMembersWithLicenseErrors' cannot be used with ConsistencyLevel 'eventual'.",
      );
    }
  }
  const filter = readFilter(ctx, groupType);
  const count = wantsCount(ctx);
  let groups: readonly Group[] = ctx.state.groupsReadOnly().map((g) => ctx.state.reportedGroup(g));
  if (filter) {
    groups = groups.filter((g) =>
      evaluateFilter(filter, (p) =>
        p === "hasMembersWithLicenseErrors"
          ? ctx.state.membersWithLicenseErrors(g.id).length > 0
          : groupType.props[p]?.(g, ctx.state),
      ),
    );
  }
  groups = order(ctx, groupType, groups);
  const render = renderEntity(groupType, ctx.state, select, false);
  return page(ctx, groups, contextUrl(ctx.base, "groups", select), render, count);
}

function getGroup(ctx: RouteContext): SimResponse {
  const select = readSelect(ctx, [groupType.props], groupType.typeName);
  const group = findGroup(ctx, ctx.params.id!);
  return jsonResponse(200, {
    "@odata.context": contextUrl(ctx.base, "groups", select, true),
    ...renderEntity(groupType, ctx.state, select, false)(group),
  });
}

function assignGroupLicense(ctx: RouteContext): SimResponse {
  const body = readJsonBody(ctx, true);
  findGroup(ctx, ctx.params.id!);
  const group = ctx.state.assignGroupLicense(ctx.params.id!, body);
  // Graph accepts the change and processes members later: 202 with the group.
  return jsonResponse(202, {
    "@odata.context": contextUrl(ctx.base, "groups", undefined, true),
    ...renderEntity(groupType, ctx.state, undefined, false)(group),
  });
}

/** A group's direct members of one type (the members/microsoft.graph.user or …group cast). */
function listMembersOfType<T extends User | Group>(
  ctx: RouteContext,
  type: EntityType<T>,
  kind: "user" | "group",
): SimResponse {
  const select = readSelect(ctx, [type.props], type.typeName);
  const group = findGroup(ctx, ctx.params.id!);
  // An OData cast is an advanced query: Graph requires ConsistencyLevel: eventual and $count
  // ("List group members"), and a Microsoft 365 group, which cannot contain groups, refuses the cast to group.
  if (!ctx.eventual || ctx.query.options.$count === undefined) {
    throw new GraphErrorAnswer(
      400,
      "Request_UnsupportedQuery",
      "OData cast on members requires the ConsistencyLevel header set to 'eventual' and $count=true.",
    );
  }
  if (type.typeName === "microsoft.graph.group" && group.groupTypes.includes("Unified")) {
    throw new GraphErrorAnswer(
      400,
      "Request_UnsupportedQuery",
      "Unsupported query: a Microsoft 365 group cannot have groups as members.",
    );
  }
  // Graph filters members only with advanced query capabilities.
  if (ctx.query.options.$filter !== undefined && !ctx.eventual) {
    throw new GraphErrorAnswer(
      400,
      "Request_UnsupportedQuery",
      "Filter on members requires the ConsistencyLevel header set to 'eventual' and $count=true.",
    );
  }
  if (ctx.query.options.$orderby !== undefined)
    throw new GraphErrorAnswer(400, "Request_UnsupportedQuery", "Sorting not supported for current query.");
  const count = wantsCount(ctx);
  // The cast is an advanced query: members' license fields come from the index, which lags (readLag.ts).
  const member = (id: string): T => {
    const m = ctx.state.memberReadOnly(id);
    return (isUser(m) ? ctx.state.indexedUser(m) : m) as T;
  };
  const render = renderEntity(type, ctx.state, select, true);
  let ids = ctx.state.memberIds(group.id, kind);
  const filter = readFilter(ctx, type);
  // Only a filter needs every member; a page otherwise resolves just the members it shows.
  if (filter) ids = ids.filter((id) => evaluateFilter(filter, (p) => type.props[p]?.(member(id), ctx.state)));
  return page(ctx, ids, contextUrl(ctx.base, type.entitySet, select), (id) => render(member(id)), count);
}

// Application permissions from Microsoft's "List groups", "Get group" and "List group members" pages.
const READ_GROUPS = anyOf(
  "GroupMember.Read.All",
  "Group.Read.All",
  "Directory.Read.All",
  "Group.ReadWrite.All",
  "Directory.ReadWrite.All",
);
const READ_MEMBERS = anyOf(
  "GroupMember.Read.All",
  "Directory.Read.All",
  "Group.Read.All",
  "Group.ReadWrite.All",
  "GroupMember.ReadWrite.All",
);

export const groupRoutes: readonly Route[] = [
  { method: "GET", template: "/groups", options: LIST_OPTIONS, permissions: READ_GROUPS, handler: listGroups },
  { method: "GET", template: "/groups/{id}", options: ["$select"], permissions: READ_GROUPS, handler: getGroup },
  {
    method: "POST",
    template: "/groups/{id}/assignLicense",
    options: [],
    write: true,
    permissions: anyOf("LicenseAssignment.ReadWrite.All", "Directory.ReadWrite.All", "Group.ReadWrite.All"),
    handler: assignGroupLicense,
  },
  {
    method: "GET",
    template: "/groups/{id}/members/microsoft.graph.user",
    permissions: READ_MEMBERS,
    options: LIST_OPTIONS,
    handler: (ctx) => listMembersOfType(ctx, userType, "user"),
  },
  {
    method: "GET",
    template: "/groups/{id}/members/microsoft.graph.group",
    permissions: READ_MEMBERS,
    options: LIST_OPTIONS,
    handler: (ctx) => listMembersOfType(ctx, groupType, "group"),
  },
];
