/**
 * Checks that only a group change (or a migration onto a group) has: what the group is, how its
 * members hold the source product now, Entra's rules on the group's own products and on each member
 * (all or nothing), and what the terms of group licensing ask (Entra ID P1, size, guests).
 */
import type { GroupMembers, Product, TenantGroup, TenantUser } from "../model";
import { productName } from "../productNames";
import type { CheckResult, UserRef } from "../preview";
import { planDisplayName } from "../catalog";
import { whatToDoFor } from "../licenseErrors";
import { findConflictsBetween, findUnmetDependencies } from "../servicePlanRules";
import { errorOf, isHolding, userCheck, userRef, type ChangeContext, type UserFacts } from "./context";
import { fmt, listNames, plural } from "../../format";

/** "3 of 25 members" */
function ofMembers(ctx: ChangeContext, n: number): string {
  return `${fmt(n)} of ${plural(ctx.users.length, "member")}`;
}

/** G holds S in assignedLicenses. */
export function groupSourceAssignedCheck(ctx: ChangeContext, group: TenantGroup): CheckResult {
  const id = "source-assigned";
  const sName = ctx.index.name(ctx.sourceSkuId);
  if (!ctx.source) {
    return {
      id,
      status: "block",
      title: `The tenant does not own ${sName}`,
      detail: `Name the product ${group.displayName} holds now as the source.`,
    };
  }
  if (group.assignedLicenses.some((l) => l.skuId === ctx.sourceSkuId)) {
    return {
      id,
      status: "pass",
      title: `${group.displayName} holds ${sName}`,
      detail: `The change replaces ${sName} on the group.`,
    };
  }
  const held = group.assignedLicenses.map((l) => ctx.index.name(l.skuId));
  return {
    id,
    status: "block",
    title: `${group.displayName} does not hold ${sName}`,
    detail:
      held.length > 0
        ? `It holds ${listNames(held)}. Name one of these as the source.`
        : `It holds no license: assign ${ctx.index.name(ctx.targetSkuId)} to it instead of moving.`,
  };
}

/**
 * Only security groups, and Microsoft 365 groups with securityEnabled, can hold licenses
 * (docs/graph-and-entra.md, "Groups that can hold licenses").
 */
export function groupTypeCheck(group: TenantGroup): CheckResult {
  const id = "group-type";
  const unified = group.groupTypes.includes("Unified");
  if (group.securityEnabled) {
    return {
      id,
      status: "pass",
      title: `${group.displayName} can hold licenses (${unified ? "Microsoft 365 group, security enabled" : "security group"})`,
      detail: "Security groups and security-enabled Microsoft 365 groups can hold licenses.",
    };
  }
  const kind = unified
    ? "a Microsoft 365 group without security enabled"
    : group.mailEnabled
      ? "a distribution group"
      : "not a security group";
  return {
    id,
    status: "block",
    title: `${group.displayName} cannot hold licenses: it is ${kind}`,
    detail:
      "Only security groups and Microsoft 365 groups with securityEnabled can hold licenses. Use a security group with the same members" +
      (unified ? ", or enable security on this group." : "."),
  };
}

/** Members who hold S from somewhere else too keep it: their seat is not freed. */
export function directSourceCheck(ctx: ChangeContext, facts: readonly UserFacts[]): CheckResult {
  const id = "direct-source";
  const sName = ctx.index.name(ctx.sourceSkuId);
  const hit = facts.filter((f) => f.otherSourceStates.length > 0);
  const users = hit.map((f) =>
    userRef(
      f.user,
      `also holds ${sName}: ${[...new Set(f.otherSourceStates.map((s) => ctx.sourceLabel(s)))].join(", ")}`,
    ),
  );
  const title = `${ofMembers(ctx, hit.length)} hold ${sName} from another source`;
  if (hit.length === 0)
    return userCheck(id, "pass", title, `Every seat of ${sName} the group gives is freed by the change.`, users);
  return userCheck(
    id,
    "warn",
    title,
    `They keep ${sName} after the change (their seat is not freed), and keeping it next to ${ctx.index.name(ctx.targetSkuId)} may conflict (see conflicts). Remove their direct or other-group ${sName} if they should have only the new product.`,
    users,
  );
}

/**
 * All or nothing per user (docs/graph-and-entra.md): a member who keeps a plan that conflicts with
 * T gets none of G's products after the change, so loses every product they have only from G (S
 * and any other product of G). That is a loss of service: it blocks, naming what each loses.
 */
export function allOrNothingCheck(ctx: ChangeContext, group: TenantGroup, facts: readonly UserFacts[]): CheckResult {
  const id = "all-or-nothing";
  const tName = ctx.index.name(ctx.targetSkuId);
  const losses = facts.flatMap((f) => {
    if (f.conflicts.length === 0) return [];
    const fromElsewhere = new Set(
      f.user.licenseStates.filter((s) => isHolding(s) && s.assignedByGroup !== group.id).map((s) => s.skuId),
    );
    const lost = [
      ...new Set(
        f.user.licenseStates
          .filter((s) => isHolding(s) && s.assignedByGroup === group.id && s.skuId !== ctx.targetSkuId)
          .map((s) => s.skuId)
          .filter((sku) => !fromElsewhere.has(sku)),
      ),
    ].map((sku) => ctx.index.name(sku));
    return lost.length > 0 ? [{ f, lost }] : [];
  });
  const title = `${ofMembers(ctx, losses.length)} would lose a product they have only from ${group.displayName}`;
  const users = losses.map(({ f, lost }) =>
    userRef(
      f.user,
      `loses ${lost.join(", ")}: keeps ${[...new Set(f.conflicts.map((c) => c.heldBy))].join("; ")}, which conflicts with ${tName}`,
    ),
  );
  if (losses.length === 0) {
    return userCheck(
      id,
      "pass",
      title,
      `Members who cannot take ${tName} get none of ${group.displayName}'s products (all or nothing); none of them has a product only from ${group.displayName}.`,
      users,
    );
  }
  const lostProducts = [...new Set(losses.flatMap((l) => l.lost))];
  return userCheck(
    id,
    "block",
    `${title}: ${listNames(lostProducts)}`,
    `They keep a license that conflicts with ${tName} (see conflicts), so Entra gives them none of ${group.displayName}'s products, all or nothing, and they lose ${listNames(lostProducts)}, which they have from nowhere else. Remove the conflicting license first (or disable its conflicting plan), then preview again.`,
    users,
  );
}

/**
 * Entra's rules on the group's own products after the change (docs/graph-and-entra.md, "Rules on
 * the group itself"): an add-on's prerequisite must be in the same group, and no two of its
 * products may exclude each other. Either fails the whole call, so either blocks.
 */
export function groupProductsCheck(ctx: ChangeContext, group: TenantGroup): CheckResult {
  const id = "group-products";
  const after = [
    ...group.assignedLicenses.filter((l) => l.skuId !== ctx.sourceSkuId && l.skuId !== ctx.targetSkuId),
    { skuId: ctx.targetSkuId, disabledPlans: ctx.targetDisabled },
  ];
  const names = after.map((l) => ctx.index.name(l.skuId));
  const plans = after.map((l) => ctx.index.enabledPlanNames(l.skuId, l.disabledPlans));
  const unmet = findUnmetDependencies(new Set(plans.flatMap((p) => [...p])));
  const conflicts = findConflictsBetween(plans).map(
    ({ first, second, conflict: c }) =>
      `${planDisplayName(c.conflictsWith)} (${names[first]}) excludes ${planDisplayName(c.plan)} (${names[second]})`,
  );
  if (unmet.length === 0 && conflicts.length === 0) {
    return {
      id,
      status: "pass",
      title: `${group.displayName} would hold ${plural(after.length, "product")}, none in conflict or missing a prerequisite: ${listNames(names)}`,
      detail:
        "No add-on on the group lacks its prerequisite, and no two of its products have plans that exclude each other.",
    };
  }
  const problems = [
    ...unmet.map(
      (d) =>
        `${planDisplayName(d.plan)} needs ${d.requiresAnyOf.map(planDisplayName).join(" or ")} in the same group, and ${group.displayName} would have none`,
    ),
    ...conflicts,
  ];
  return {
    id,
    status: "block",
    title:
      unmet.length > 0
        ? `${group.displayName} would hold an add-on without its prerequisite`
        : `${group.displayName} would hold products that exclude each other`,
    detail: `${problems.join("; ")}. Entra refuses such a change to a group ("Make sure that the group has necessary services before adding or removing a dependent service"). Choose a target that keeps what the group's other products need, or change the group's other products first.`,
  };
}

/** Nested groups' members get nothing from G; `consequence` (", so …") says what that means for the request at hand. */
export function nestedGroupsCheck(group: TenantGroup, members: GroupMembers, consequence = ""): CheckResult {
  const id = "nested-groups";
  const nested = members.nestedGroups;
  if (nested.length === 0) {
    return {
      id,
      status: "pass",
      title: `${group.displayName} has no nested groups`,
      detail: "Every member is a user, and every user member gets the group's licenses.",
      count: 0,
    };
  }
  return {
    id,
    status: "warn",
    title: `${group.displayName} has ${plural(nested.length, "nested group")}: their members get nothing from it`,
    detail: `Nested: ${listNames(nested.map((g) => g.displayName))}. Licenses reach only a group's own user members${consequence}. Add those users to ${group.displayName} directly, or license the nested groups themselves.`,
    count: nested.length,
  };
}

export function onPremisesSyncCheck(group: TenantGroup): CheckResult {
  const id = "on-premises-sync";
  if (group.onPremisesSyncEnabled === true) {
    return {
      id,
      status: "info",
      title: `${group.displayName} is synced from on-premises`,
      detail:
        "Its membership is changed on premises and reaches Entra through Entra Connect with a delay. The license change itself works the same.",
    };
  }
  return {
    id,
    status: "pass",
    title: `${group.displayName} is a cloud group`,
    detail: "Its membership is managed in Entra.",
  };
}

export function dynamicMembershipCheck(group: TenantGroup): CheckResult {
  const id = "dynamic-membership";
  if (group.groupTypes.includes("DynamicMembership") && group.membershipRuleProcessingState === "Paused") {
    return {
      id,
      status: "warn",
      title: `${group.displayName} is a dynamic group whose rule processing is paused`,
      detail: `Rule: ${group.membershipRule ?? "(not read)"}. While processing is paused (membershipRuleProcessingState Paused) Entra does not update its members: the change reaches today's members, and people who should join or leave the group will not until an administrator resumes it.`,
    };
  }
  if (group.groupTypes.includes("DynamicMembership")) {
    return {
      id,
      status: "info",
      title: `${group.displayName} is a dynamic group`,
      detail: `Rule: ${group.membershipRule ?? "(not read)"}. Members come and go with their attributes; a user who stops matching loses the group's licenses.`,
    };
  }
  return {
    id,
    status: "pass",
    title: `${group.displayName} has assigned membership`,
    detail: "Members are added and removed by hand.",
  };
}

/**
 * Members without a usage location take the tenant's in group assignment
 * (docs/graph-and-entra.md, "Usage location").
 */
export function groupUsageLocationCheck(ctx: ChangeContext): CheckResult {
  const id = "usage-location";
  const hit = ctx.users.filter((u) => !u.usageLocation);
  const users = hit.map((u) => userRef(u));
  if (hit.length === 0)
    return userCheck(
      id,
      "pass",
      `All ${plural(ctx.users.length, "member")} have a usage location`,
      "Nothing to do.",
      users,
    );
  return userCheck(
    id,
    "info",
    `${ofMembers(ctx, hit.length)} have no usage location`,
    "Group licensing gives them the tenant's location (and does not change theirs). Set one where a product is not sold in the tenant's country.",
    users,
  );
}

/** Members already in a license error on G. */
export function existingErrorsCheck(ctx: ChangeContext, group: TenantGroup): CheckResult {
  const id = "existing-errors";
  const byCode = new Map<string, number>();
  const users: UserRef[] = [];
  for (const u of ctx.users) {
    const codes = new Map<string, string[]>(); // error code → products in that error
    for (const s of u.licenseStates) {
      if (s.assignedByGroup !== group.id) continue;
      const error = errorOf(s);
      if (error === null && s.state !== "Error" && s.state !== "ActiveWithError") continue;
      const code = error ?? "Other";
      codes.set(code, [...(codes.get(code) ?? []), ctx.index.name(s.skuId)]);
    }
    if (codes.size === 0) continue;
    for (const code of codes.keys()) byCode.set(code, (byCode.get(code) ?? 0) + 1);
    users.push(userRef(u, [...codes].map(([code, products]) => `${code} on ${products.join(", ")}`).join("; ")));
  }
  const title = `${ofMembers(ctx, users.length)} are in a license error on ${group.displayName}`;
  if (users.length === 0)
    return userCheck(id, "pass", title, "No member of the group is in a license error now.", users);
  const counts = [...byCode].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const advice = counts.map(([code]) => `${code}: ${whatToDoFor(code)}.`).join(" ");
  return userCheck(
    id,
    "warn",
    title,
    `${counts.map(([code, n]) => `${code} ${fmt(n)}`).join(", ")}. They may stay in error after the change. ${advice}`,
    users,
  );
}

export function processingStateCheck(group: TenantGroup): CheckResult {
  const id = "processing-state";
  const state = group.licenseProcessingState;
  if (state === "QueuedForProcessing" || state === "ProcessingInProgress") {
    return {
      id,
      status: "warn",
      title: `The last license change on ${group.displayName} is not processed yet (${state})`,
      detail:
        "Members may not yet have what the group holds, so the numbers above may change. Wait until processing completes, then preview again.",
    };
  }
  return {
    id,
    status: "pass",
    title:
      state === null
        ? `${group.displayName} has no license change pending`
        : `License processing on ${group.displayName} is complete`,
    detail: "Members have what the group holds.",
  };
}

/**
 * Products whose holders may benefit from group-based licensing, besides those with an Entra ID P1
 * or P2 plan: Office 365 E3 and above (docs/graph-and-entra.md, "Licenses group-based licensing needs").
 */
const GROUP_LICENSING_PRODUCTS: ReadonlySet<string> = new Set([
  "ENTERPRISEPACK",
  "ENTERPRISEPREMIUM",
  "ENTERPRISEPREMIUM_NOPSTNCONF",
  "Office_365_E3_(no_Teams)",
  "Office_365_w/o_Teams_Bundle_E5",
  "ENTERPRISEPACK_GOV",
  "ENTERPRISEPACK_USGOV_GCCHIGH",
  "ENTERPRISEPACK_USGOV_DOD",
  "ENTERPRISEPACKPLUS_FACULTY",
]);

function allowsGroupLicensing(p: Product): boolean {
  return (
    GROUP_LICENSING_PRODUCTS.has(p.skuPartNumber) ||
    p.servicePlans.some((sp) => sp.name === "AAD_PREMIUM" || sp.name === "AAD_PREMIUM_P2")
  );
}

/**
 * Group-based licensing needs Entra ID P1 (or a product that includes it) for every user who
 * benefits. Entra does not enforce it: a licensing-terms warning. `productSkuId` is what the group
 * gives (T, or P of a migration): when it includes the right, every member who gets it is covered.
 */
export function entraIdP1Check(
  group: TenantGroup,
  memberCount: number,
  products: readonly Product[],
  productSkuId: string,
): CheckResult {
  const id = "entra-id-p1";
  const given = products.find((p) => p.skuId === productSkuId);
  if (given && allowsGroupLicensing(given)) {
    return {
      id,
      status: "pass",
      title: `${productName(given.skuPartNumber)} includes the right to group-based licensing`,
      detail: `Microsoft's terms require Entra ID P1, or a product that includes it, for every user who benefits from group licensing; each member of ${group.displayName} who gets ${productName(given.skuPartNumber)} has it.`,
    };
  }
  const owned = products.filter(
    (p) => allowsGroupLicensing(p) && (p.capabilityStatus === "Enabled" || p.capabilityStatus === "Warning"),
  );
  const seats = owned.reduce((n, p) => n + p.enabledUnits + (p.warningUnits ?? 0), 0);
  const names = listNames(owned.map((p) => productName(p.skuPartNumber)));
  if (seats === 0) {
    return {
      id,
      status: "warn",
      title: "The tenant owns no Entra ID P1, nor a product that includes it",
      detail: `Microsoft's terms require Entra ID P1 (or Microsoft 365 Business Premium, Office 365 E3 and above) for every user who benefits from group-based licensing; Entra does not enforce it. Buy Entra ID P1 for the ${plural(memberCount, "member")} of ${group.displayName}, or license them another way.`,
    };
  }
  return {
    id,
    status: seats < memberCount ? "info" : "pass",
    title: `Entra ID P1 or a product with it: ${plural(seats, "seat")} for ${plural(memberCount, "member")} of ${group.displayName}`,
    detail: `Microsoft's terms require one for every user who benefits from group-based licensing (Entra does not enforce it). The tenant owns ${names}.${seats < memberCount ? ` Check that the members of ${group.displayName} hold one.` : ""}`,
  };
}

/** Microsoft's guidance on group processing times (docs/graph-and-entra.md, "Group license processing"). */
const LARGE_GROUP = 10_000;
const GUIDANCE_MEMBERS = 60_000;

export function groupSizeCheck(group: TenantGroup, memberCount: number): CheckResult {
  const id = "group-size";
  const title = `${group.displayName} has ${plural(memberCount, "member")}`;
  if (memberCount > GUIDANCE_MEMBERS) {
    return {
      id,
      status: "warn",
      title,
      detail: `Entra processes a group's licenses in the background; Microsoft's guidance expects up to 24 hours for a group of ${fmt(GUIDANCE_MEMBERS)} users, and this one is larger. Expect the follow-up to take a day or more, or split the group.`,
    };
  }
  if (memberCount >= LARGE_GROUP) {
    return {
      id,
      status: "info",
      title,
      detail: `Entra processes a group's licenses in the background: for this many members it may take hours (Microsoft's guidance: up to 24 hours for ${fmt(GUIDANCE_MEMBERS)} users). The bot follows it to the end.`,
    };
  }
  return { id, status: "pass", title, detail: "Entra usually processes a group of this size within minutes." };
}

/** Guests (external users) get the group's licenses like members, on the tenant's seats. */
export function guestsCheck(group: TenantGroup, members: readonly TenantUser[], productLabel: string): CheckResult {
  const id = "guests";
  const guests = members.filter((u) => u.userType === "Guest");
  const title = `${fmt(guests.length)} of ${plural(members.length, "member")} of ${group.displayName} are guests`;
  if (guests.length === 0) return userCheck(id, "pass", title, "Every member is a user of this tenant.", []);
  return userCheck(
    id,
    "info",
    title,
    `Guests (external users invited into the tenant) get ${productLabel} from ${group.displayName} like everyone else, each on one of your seats. Check that they should, or take them out of the group.`,
    guests.map((u) => userRef(u)),
  );
}
