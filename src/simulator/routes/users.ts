/**
 * The users routes: list and get users, change a user's direct licenses, reprocess a user's group
 * licenses, and check a user's group memberships.
 */
import { evaluateFilter } from "../odata/filterEvaluation";
import { GraphErrorAnswer, resourceNotFound } from "../graphErrors";
import { contextUrl, jsonResponse, type SimResponse } from "../graphResponses";
import { LIST_OPTIONS, type Route, type RouteContext } from "../routing";
import type { User } from "../snapshot";
import { order, page, readFilter, readSelect, wantsCount } from "./collectionQuery";
import { renderEntity, userType } from "./entityTypes";
import { readJsonBody } from "./requestBody";
import { anyOf } from "../permissions";

/** checkMemberGroups takes at most 20 group ids a request. */
const MAX_CHECK_MEMBER_GROUPS = 20;

function findUser(ctx: RouteContext, idOrUpn: string): User {
  const user = ctx.state.user(idOrUpn);
  if (!user) throw resourceNotFound(idOrUpn);
  return user;
}

function listUsers(ctx: RouteContext): SimResponse {
  const select = readSelect(ctx, [userType.props], userType.typeName);
  const filter = readFilter(ctx, userType);
  const count = wantsCount(ctx);
  // With ConsistencyLevel: eventual the list is an advanced query, answered from the index (readLag.ts).
  const all = ctx.state.usersReadOnly();
  let users = ctx.eventual ? all.map((u) => ctx.state.indexedUser(u)) : all;
  if (filter) users = users.filter((u) => evaluateFilter(filter, (p) => userType.props[p]?.(u, ctx.state)));
  users = order(ctx, userType, users);
  return page(
    ctx,
    users,
    contextUrl(ctx.base, "users", select),
    renderEntity(userType, ctx.state, select, false),
    count,
  );
}

function getUser(ctx: RouteContext): SimResponse {
  const select = readSelect(ctx, [userType.props], userType.typeName);
  const user = findUser(ctx, ctx.params.id!);
  return jsonResponse(200, {
    "@odata.context": contextUrl(ctx.base, "users", select, true),
    ...renderEntity(userType, ctx.state, select, false)(user),
  });
}

/** The user as a write answers it: Graph's default properties. */
function writtenUser(ctx: RouteContext, user: User): SimResponse {
  return jsonResponse(200, {
    "@odata.context": contextUrl(ctx.base, "users", undefined, true),
    ...renderEntity(userType, ctx.state, undefined, false)(user),
  });
}

function assignUserLicense(ctx: RouteContext): SimResponse {
  const body = readJsonBody(ctx, true);
  findUser(ctx, ctx.params.id!);
  return writtenUser(ctx, ctx.state.assignUserLicense(ctx.params.id!, body));
}

function reprocessUser(ctx: RouteContext): SimResponse {
  readJsonBody(ctx, false); // no body expected, but a malformed one is still a 400
  findUser(ctx, ctx.params.id!);
  return writtenUser(ctx, ctx.state.reprocessUser(ctx.params.id!));
}

/** Which of the given groups the user is in, directly or through nested groups; unknown ids are left out. */
function checkMemberGroups(ctx: RouteContext): SimResponse {
  const body = readJsonBody(ctx, true);
  const groupIds = (body as { groupIds?: unknown } | null)?.groupIds;
  if (!Array.isArray(groupIds) || !groupIds.every((id): id is string => typeof id === "string")) {
    throw new GraphErrorAnswer(
      400,
      "Request_BadRequest",
      "Invalid value specified for property 'groupIds': an array of group ids is required.",
    );
  }
  if (groupIds.length > MAX_CHECK_MEMBER_GROUPS) {
    throw new GraphErrorAnswer(
      400,
      "Request_BadRequest",
      `Too many group ids (${groupIds.length}): at most ${MAX_CHECK_MEMBER_GROUPS} may be checked in one request.`,
    );
  }
  const user = findUser(ctx, ctx.params.id!);
  // Ids match without case; the answer spells them as the directory does.
  const memberOf = new Map([...ctx.state.transitiveMemberOf(user.id)].map((id) => [id.toLowerCase(), id]));
  const value = [
    ...new Set(groupIds.map((id) => memberOf.get(id.toLowerCase())).filter((id): id is string => id !== undefined)),
  ];
  return jsonResponse(200, { "@odata.context": `${ctx.base}v1.0/$metadata#Collection(Edm.String)`, value });
}

// Application permissions from Microsoft's "List users" and "Get user" pages.
const READ_USERS = anyOf("User.Read.All", "User.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All");

export const userRoutes: readonly Route[] = [
  { method: "GET", template: "/users", options: LIST_OPTIONS, permissions: READ_USERS, handler: listUsers },
  { method: "GET", template: "/users/{id}", options: ["$select"], permissions: READ_USERS, handler: getUser },
  {
    method: "POST",
    template: "/users/{id}/assignLicense",
    options: [],
    write: true,
    permissions: anyOf("LicenseAssignment.ReadWrite.All", "Directory.ReadWrite.All", "User.ReadWrite.All"),
    handler: assignUserLicense,
  },
  {
    method: "POST",
    template: "/users/{id}/reprocessLicenseAssignment",
    permissions: anyOf("User.ReadWrite.All", "Directory.ReadWrite.All"),
    options: [],
    write: true,
    handler: reprocessUser,
  },
  // A read that Graph sends as a POST: not a write, so not counted in counters.writes.
  {
    method: "POST",
    template: "/users/{id}/checkMemberGroups",
    options: [],
    // Another user's memberships: two permissions together, or Directory.Read.All.
    permissions: [
      ["User.Read.All", "GroupMember.Read.All"],
      ["User.Read.All", "Group.Read.All"],
      ["Directory.Read.All"],
    ],
    handler: checkMemberGroups,
  },
];
