/** Checks that differ for a user change. */
import type { TenantUser } from "../model";
import type { CheckResult } from "../preview";
import { isHolding, userRef, type ChangeContext } from "./context";
import { listNames } from "../../format";

/**
 * U holds S directly. An inherited license can only be changed on its group
 * (docs/graph-and-entra.md, "assignLicense"), so holding S only through groups blocks and names them.
 */
export function userSourceAssignedCheck(
  ctx: ChangeContext,
  user: TenantUser,
  groupName: (id: string) => string,
): CheckResult {
  const id = "source-assigned";
  const sName = ctx.index.name(ctx.sourceSkuId);
  const tName = ctx.index.name(ctx.targetSkuId);
  if (!ctx.source)
    return {
      id,
      status: "block",
      title: `The tenant does not own ${sName}`,
      detail: `Name the product ${user.displayName} holds now as the source.`,
    };
  const states = user.licenseStates.filter((s) => s.skuId === ctx.sourceSkuId);
  // Any direct state counts, even one in error: it is what the call removes.
  const direct = states.some((s) => s.assignedByGroup === null);
  const groups = [
    ...new Set(
      states
        .filter((s) => s.assignedByGroup !== null && isHolding(s))
        .map((s) => groupName(s.assignedByGroup as string)),
    ),
  ];
  if (direct) {
    const also =
      groups.length > 0
        ? ` ${user.displayName} also inherits it from ${listNames(groups.map((g) => `group ${g}`))} and keeps it from there.`
        : "";
    return {
      id,
      status: "pass",
      title: `${user.displayName} holds ${sName} directly`,
      detail: `The change replaces the direct ${sName}.${also}`,
    };
  }
  if (groups.length > 0) {
    const first = groups[0];
    return {
      id,
      status: "block",
      title: `${user.displayName} holds ${sName} only through ${groups.length === 1 ? "group" : "groups"} ${listNames(groups)}`,
      detail: `An inherited license can only be changed on its group: move group ${first} from ${sName} to ${tName} instead, or take ${user.displayName} out of the group and assign ${tName} directly.`,
    };
  }
  return {
    id,
    status: "block",
    title: `${user.displayName} does not hold ${sName}`,
    detail: `Name a product ${user.displayName} holds as the source, or assign ${tName} without a move.`,
  };
}

/** A direct assignment needs a usage location (docs/graph-and-entra.md, "Usage location"). */
export function userUsageLocationCheck(user: TenantUser): CheckResult {
  const id = "usage-location";
  if (user.usageLocation) {
    return {
      id,
      status: "pass",
      title: `${user.displayName}'s usage location is ${user.usageLocation}`,
      detail: "A direct assignment needs one; it is set.",
      count: 0,
    };
  }
  return {
    id,
    status: "block",
    title: `${user.displayName} has no usage location`,
    detail: "A direct assignment needs one. Set the user's usage location (two letters, e.g. US), then preview again.",
    count: 1,
    users: [userRef(user)],
  };
}
