/**
 * Checks of a license change that apply to a group change and a user change alike:
 * target-subscribed, seats, conflicts, dependencies, service-continuity.
 */
import type { CheckResult, SeatCount } from "../preview";
import { availableSeats } from "../seats";
import type { ServicePlan, SubscriptionsRead } from "../model";
import { planDisplayName as planName } from "../catalog";
import { backgroundReason, continuity, type Continuity } from "../workloads";
import { notChecked, userCheck, userRef, type ChangeContext, type UserFacts } from "./context";
import { fmt, listNames, plural } from "../../format";

/**
 * T is owned, assignable to users, and its subscription works. Without a source (a migration only
 * adds T) there is no "same product twice" to refuse.
 */
export function targetSubscribedCheck(
  ctx: Pick<ChangeContext, "index" | "target" | "targetSkuId"> & { readonly sourceSkuId?: string },
): CheckResult {
  const id = "target-subscribed";
  const t = ctx.target;
  const name = ctx.index.name(ctx.targetSkuId);
  if (!t) {
    return {
      id,
      status: "block",
      title: `The tenant does not own ${name}`,
      detail: "Buy the product, or name one this tenant subscribes to, then preview again.",
    };
  }
  if (ctx.targetSkuId === ctx.sourceSkuId) {
    return {
      id,
      status: "block",
      title: `${name} is both the source and the target`,
      detail: "Name two different products.",
    };
  }
  if (t.appliesTo !== "User") {
    return {
      id,
      status: "block",
      title: `${name} is a tenant-wide product: it cannot be assigned to users`,
      detail: "Choose a product that is licensed per user.",
    };
  }
  switch (t.capabilityStatus) {
    case "Enabled":
      return {
        id,
        status: "pass",
        title: `${name} is subscribed and enabled`,
        detail: "The subscription is active and licensed per user.",
      };
    case "Warning":
      return {
        id,
        status: "warn",
        title: `${name} subscription is in its grace period (Warning)`,
        detail:
          "It has expired but still works; it will be suspended unless renewed. Renew it in the Microsoft 365 admin center before relying on it.",
      };
    case "Suspended":
    case "LockedOut":
    case "Deleted": {
      const state = { Suspended: "suspended", LockedOut: "locked out", Deleted: "deleted" }[t.capabilityStatus];
      return {
        id,
        status: "block",
        title: `${name} subscription is ${state}`,
        detail: `Its services do not work for anyone who holds it. Reactivate or renew the subscription in the Microsoft 365 admin center (or choose another product), then preview again.`,
      };
    }
    default:
      // Graph may add states; an unknown one is not known to work.
      return {
        id,
        status: "block",
        title: `${name} subscription is in state ${String(t.capabilityStatus)}`,
        detail: "Check the subscription in the Microsoft 365 admin center, then preview again.",
      };
  }
}

export interface SeatFigures {
  readonly needed: number;
  readonly freed: number;
  /** Users who already hold T from some source: they need no seat. */
  readonly holders: number;
  /** Members who will get nothing from the group (all or nothing): they need no seat either. */
  readonly getNothing: number;
  /** Keyed by skuPartNumber; a product the tenant does not own has no entry. */
  readonly seats: Record<string, SeatCount>;
  readonly target?: SeatCount;
}

/** From how many days before a subscription's next lifecycle date a change onto it warns. */
const ENDS_SOON_DAYS = 30;
const DAY_MS = 86_400_000;

/**
 * The subscriptions behind T (docs/graph-and-entra.md, "Subscriptions"): members moved onto a trial,
 * or onto one that moves to its next state within 30 days unless renewed, lose it when it ends.
 */
export function subscriptionTermCheck(name: string, skuId: string, read: SubscriptionsRead | undefined): CheckResult {
  const id = "subscription-term";
  if (!read?.list) {
    return {
      id,
      status: "info",
      title: `Not checked: whether ${name} is a trial or ends soon`,
      detail: read
        ? "Reading subscriptions needs the Organization.Read.All application permission, which this app was not granted. Grant it (with admin consent) to have trials and ending subscriptions flagged here."
        : "The tenant's subscriptions were not read for this preview.",
    };
  }
  const own = read.list.filter((s) => s.skuId.toLowerCase() === skuId.toLowerCase() && s.status !== "Deleted");
  if (own.length === 0) {
    return {
      id,
      status: "info",
      title: `No subscription of ${name} is listed`,
      detail: "Graph lists no subscription for this product, so whether it is a trial and when it renews are unknown.",
    };
  }
  const day = (iso: string): string => iso.slice(0, 10);
  const daysLeft = (iso: string): number => Math.ceil((Date.parse(iso) - read.readAt.getTime()) / DAY_MS);
  const problems = own.flatMap((s) => {
    const next = s.nextLifecycleDateTime;
    if (s.isTrial) return [`a trial of ${plural(s.totalLicenses, "license")}${next ? ` until ${day(next)}` : ""}`];
    if (next && daysLeft(next) <= ENDS_SOON_DAYS)
      return [
        `${plural(s.totalLicenses, "license")} (${s.status}) that move to their next state on ${day(next)} unless renewed, ${daysLeft(next) >= 0 ? `in ${plural(daysLeft(next), "day")}` : "a date already past"}`,
      ];
    return [];
  });
  if (problems.length > 0) {
    return {
      id,
      status: "warn",
      title: own.some((s) => s.isTrial) ? `${name} is a trial subscription` : `${name}'s subscription ends soon`,
      detail: `${name}: ${problems.join("; ")}. Members moved onto it lose it when it ends: buy or renew it before approving, or choose another product.`,
    };
  }
  const next = own
    .map((s) => s.nextLifecycleDateTime)
    .filter((d): d is string => d !== null)
    .sort()[0];
  return {
    id,
    status: "pass",
    title: `${name}: ${plural(own.length, "paid subscription")}${next ? `, next renewal ${day(next)}` : ""}`,
    detail: `No trial, and nothing ends in the next ${ENDS_SOON_DAYS} days.`,
  };
}

/**
 * T: users who do not hold it from any source and will get it need one. S: users who hold it only
 * from the changed assignment free one, once it goes.
 *
 * A group's products reach a member all together or not at all (docs/graph-and-entra.md, "All or
 * nothing per user"): a member who keeps a conflicting plan gets nothing from the group, so takes
 * no seat of T, and still frees S; a member whose other license would lose a prerequisite keeps
 * what the group gave (the removal fails with DependencyViolation), so takes no seat and frees none.
 * A user's own call is refused whole in both cases, and those checks block it. A change that does
 * not take effect (ChangeContext.takesEffect) counts nothing.
 */
export function countSeats(ctx: ChangeContext, facts: readonly UserFacts[]): SeatFigures {
  let needed = 0;
  let freed = 0;
  let holders = 0;
  let getNothing = 0;
  for (const f of ctx.takesEffect ? facts : []) {
    const refused = ctx.kind === "group" && f.lostDependencies.length > 0;
    const failsTarget = ctx.kind === "group" && (refused || f.conflicts.length > 0);
    if (f.holdsTarget) holders++;
    else if (failsTarget) getNothing++;
    else needed++;
    if (f.holdsChanged && f.otherSourceStates.length === 0 && !refused) freed++;
  }
  const seats: Record<string, SeatCount> = {};
  const s = ctx.source;
  if (s)
    seats[s.skuPartNumber] = {
      enabled: s.enabledUnits,
      consumed: s.consumedUnits,
      available: availableSeats(s),
      freed,
    };
  const t = ctx.target;
  let target: SeatCount | undefined;
  if (t) {
    const available = availableSeats(t);
    target = {
      enabled: t.enabledUnits,
      consumed: t.consumedUnits,
      available,
      needed,
      shortfall: Math.max(0, needed - available),
    };
    seats[t.skuPartNumber] = target; // written last: if S and T were one product, T's figures are the ones that matter
  }
  return { needed, freed, holders, getNothing, seats, target };
}

/**
 * Needed against available seats of T. `note` ends the detail: by default what the change frees of
 * S; a migration, which frees nothing, says why its movers cost nothing.
 */
export function seatsCheck(ctx: ChangeContext, figures: SeatFigures, note?: string): CheckResult {
  const id = "seats";
  const t = figures.target;
  if (!t) return notChecked(id, ctx.index.name(ctx.targetSkuId));
  const tName = ctx.index.name(ctx.targetSkuId);
  const needed = t.needed ?? 0;
  const shortfall = t.shortfall ?? 0;
  const { holders, getNothing } = figures;
  const numbers = `${tName}: ${plural(needed, "seat")} needed, ${fmt(t.available)} available`;
  const freed = note ?? `The change frees ${plural(figures.freed, "seat")} of ${ctx.index.name(ctx.sourceSkuId)}.`;
  if (shortfall > 0) {
    const without =
      ctx.kind === "group"
        ? `members without a seat get nothing from ${ctx.subjectName} (CountViolation)`
        : "Graph refuses the assignment";
    return {
      id,
      status: "block",
      title: `${numbers}, ${fmt(shortfall)} short`,
      detail: `${fmt(t.enabled)} enabled, ${fmt(t.consumed)} consumed; ${without}. Buy at least ${fmt(shortfall)} more ${tName} licenses or free ${fmt(shortfall)} seats, then preview again. ${freed}`,
    };
  }
  const nothing =
    getNothing > 0
      ? ` ${plural(getNothing, "member")} cannot take ${tName} (see the conflicts and dependencies checks): all or nothing, they get nothing from ${ctx.subjectName} and need no seat.`
      : "";
  const already =
    ctx.kind === "group"
      ? `${plural(holders, "member")} already hold${holders === 1 ? "s" : ""} ${tName} and need${holders === 1 ? "s" : ""} no new seat.${nothing}`
      : holders > 0
        ? `${ctx.subjectName} already holds ${tName}.`
        : "";
  return {
    id,
    status: "pass",
    title: numbers,
    detail: `${fmt(t.enabled)} enabled, ${fmt(t.consumed)} consumed. ${already} ${freed}`.replace(/\s+/g, " ").trim(),
  };
}

/** Users who keep a license whose enabled plans exclude a plan T will enable. */
export function conflictsCheck(ctx: ChangeContext, facts: readonly UserFacts[]): CheckResult {
  const id = "conflicts";
  if (!ctx.targetEnabled) return notChecked(id, ctx.index.name(ctx.targetSkuId));
  const tName = ctx.index.name(ctx.targetSkuId);
  const hit = facts.filter((f) => f.conflicts.length > 0);
  const users = hit.map((f) =>
    userRef(
      f.user,
      f.conflicts
        .map((c) => `${planName(c.plan)} conflicts with ${planName(c.conflictsWith)} (${c.heldBy})`)
        .join("; "),
    ),
  );
  if (hit.length === 0) {
    const title =
      ctx.kind === "group"
        ? `${fmt(0)} of ${plural(ctx.users.length, "member")} keep a license that conflicts with ${tName}`
        : `${ctx.subjectName} keeps no license that conflicts with ${tName}`;
    return userCheck(
      id,
      "pass",
      title,
      `No license that stays after the change enables a plan that excludes one of ${tName}'s.`,
      users,
    );
  }
  const pairs = [
    ...new Set(hit.flatMap((f) => f.conflicts.map((c) => `${planName(c.plan)} with ${planName(c.conflictsWith)}`))),
  ];
  const title =
    ctx.kind === "group"
      ? `${fmt(hit.length)} of ${plural(ctx.users.length, "member")} keep a license that conflicts with ${tName}`
      : `${ctx.subjectName} keeps a license that conflicts with ${tName}`;
  // For a group, Entra fails those members only; a user's own call is refused whole by Graph.
  const effect =
    ctx.kind === "group"
      ? `Entra puts them in MutuallyExclusiveViolation and they get nothing from ${ctx.subjectName}.`
      : `Graph refuses the whole call (MutuallyExclusiveViolation), so nothing would change.`;
  return userCheck(
    id,
    ctx.kind === "group" ? "warn" : "block",
    title,
    `Mutually exclusive plans: ${pairs.join(", ")}. ${effect} Remove the conflicting license (direct, or from the other group) or disable its conflicting plan before the change.`,
    users,
  );
}

/** Users whose add-on plans have a prerequisite now and would have none after the change. */
export function dependenciesCheck(ctx: ChangeContext, facts: readonly UserFacts[]): CheckResult {
  const id = "dependencies";
  if (!ctx.targetEnabled) return notChecked(id, ctx.index.name(ctx.targetSkuId));
  const sName = ctx.index.name(ctx.sourceSkuId);
  const tName = ctx.index.name(ctx.targetSkuId);
  const needs = (d: { plan: string; requiresAnyOf: readonly string[] }): string =>
    `${planName(d.plan)} needs ${d.requiresAnyOf.map(planName).join(" or ")}`;
  const hit = facts.filter((f) => f.lostDependencies.length > 0);
  const users = hit.map((f) => userRef(f.user, f.lostDependencies.map(needs).join("; ")));
  if (hit.length === 0) {
    const title =
      ctx.kind === "group"
        ? `${fmt(0)} of ${plural(ctx.users.length, "member")} would lose a prerequisite of another license`
        : `${ctx.subjectName} would lose no prerequisite of another license`;
    return userCheck(
      id,
      "pass",
      title,
      `Every add-on plan that has its prerequisite now keeps it with ${tName}.`,
      users,
    );
  }
  const rules = [...new Set(hit.flatMap((f) => f.lostDependencies.map(needs)))];
  const title =
    ctx.kind === "group"
      ? `${fmt(hit.length)} of ${plural(ctx.users.length, "member")} would lose a prerequisite of another license`
      : `${ctx.subjectName} would lose a prerequisite of another license`;
  return userCheck(
    id,
    // As for conflicts: a user's own call is refused whole.
    ctx.kind === "group" ? "warn" : "block",
    title,
    `${rules.join("; ")}: ${sName} provides it now and ${tName} as assigned will not (DependencyViolation). Give them the prerequisite from another source, or choose a target that includes it, before the change.`,
    users,
  );
}

/**
 * Every service S gives on the changed assignment is kept by T, by workload
 * (docs/service-continuity.md). A lost workload blocks; a plan no workload places warns "not
 * confirmed" and never blocks on its own. When the change undoes request `undoOf` (T restored as
 * it was before it), what S gives came with that request: taking it back is the undo's purpose,
 * so it warns with every plan lost instead of blocking.
 */
export function serviceContinuityCheck(ctx: ChangeContext, undoOf?: number): CheckResult {
  const id = "service-continuity";
  const s = ctx.source;
  const t = ctx.target;
  if (!s) return notChecked(id, ctx.index.name(ctx.sourceSkuId));
  if (!t) return notChecked(id, ctx.index.name(ctx.targetSkuId));
  const sName = ctx.index.name(ctx.sourceSkuId);
  const tName = ctx.index.name(ctx.targetSkuId);
  const sourceOff = new Set(ctx.sourceDisabled);
  const targetOff = new Set(ctx.targetDisabled);
  // Company-level plans serve the tenant, not the user: nobody loses them with a user's license.
  const enabled = s.servicePlans.filter((p) => p.appliesTo === "User" && !sourceOff.has(p.id));
  const targetOn = t.servicePlans.filter((p) => !targetOff.has(p.id));
  const now = compareWith(enabled, targetOn);
  const on = ctx.kind === "group" ? `on ${ctx.subjectName}` : `for ${ctx.subjectName}`;
  const restored =
    undoOf === undefined
      ? ""
      : ` ${restoredAs(
          tName,
          undoOf,
          t.servicePlans.filter((p) => targetOff.has(p.id)).map((p) => planName(planLabel(p))),
        )}`;
  const background =
    now.background.length === 0
      ? ""
      : ` Not a service of their own, so nothing is lost without them: ${now.background.map(backgroundLabel).join("; ")}.`;
  const lostPlans = [...now.lost.map((l) => l.plan), ...now.unplaced];
  if (lostPlans.length === 0) {
    const carried = enabled.length - now.background.length;
    return {
      id,
      status: "pass",
      title:
        now.background.length === 0
          ? `${tName} carries all ${plural(enabled.length, "plan")} ${sName} enables ${on}`
          : `${tName} carries ${fmt(carried)} of the ${plural(enabled.length, "plan")} ${sName} enables ${on}; ${now.background.length === 1 ? "the other is not a service of its own" : `the other ${fmt(now.background.length)} are not services of their own`}`,
      detail: `Nobody loses a service: ${listNames(now.keptWorkloads, 8)} ${now.keptWorkloads.length === 1 ? "is" : "are"} kept, each plan by itself or by a plan of the same or a higher tier.${background}${restored}`,
    };
  }
  if (undoOf !== undefined) {
    const losers = ctx.kind === "group" ? `Members of ${ctx.subjectName} lose` : `${ctx.subjectName} loses`;
    return {
      id,
      status: "warn",
      title: `Undoing request #${undoOf} takes back ${plural(lostPlans.length, "plan")} that came with ${sName}: ${listNames(lostPlans.map(planName))}`,
      detail: `${losers} the services of ${lostPlans.map(planName).join(", ")}: they go back to ${tName} as it was before request #${undoOf}.${restored}`,
    };
  }
  const unconfirmed =
    now.unplaced.length === 0
      ? ""
      : ` Not confirmed: License Desk cannot place ${listNames(now.unplaced.map(planName), 8)} in a workload, so it cannot tell whether ${tName} provides ${now.unplaced.length === 1 ? "its service" : "their services"}; compare the two products in Microsoft's service plan list before approving.`;
  if (now.lost.length === 0) {
    return {
      id,
      status: "warn",
      title: `Not confirmed: ${tName} may not carry ${plural(now.unplaced.length, "plan")} ${sName} enables ${on}`,
      detail: `Every workload License Desk knows is kept (${listNames(now.keptWorkloads, 8)}).${unconfirmed}${background}`,
    };
  }
  // What T has but will leave disabled can be switched on; what T lacks needs another target.
  const withAll = compareWith(enabled, t.servicePlans);
  const missing = withAll.lost;
  const switchable = now.lost.filter((l) => !missing.some((m) => m.plan === l.plan));
  const todo: string[] = [];
  if (missing.length > 0) {
    const them = missing.length === 1 ? "it" : "them";
    todo.push(
      `${tName} has nothing that carries ${listNames(
        missing.map((l) => planName(l.plan)),
        8,
      )}: choose a target that includes ${them}, or, if losing ${them} is intended, disable ${them} on the ${sName} assignment first.`,
    );
  }
  if (switchable.length > 0)
    todo.push(
      `Enable the plans of ${tName} that carry ${listNames(
        switchable.map((l) => planName(l.plan)),
        8,
      )}.`,
    );
  return {
    id,
    status: "block",
    title: `${ctx.subjectName} would lose ${listNames(now.lostWorkloads)} with ${tName}`,
    detail: `${todo.join(" ")}${unconfirmed}`,
  };
}

/** Plans compared by name; a plan Graph sent without a name takes the name of the target plan of the same id, or its id. */
function compareWith(source: readonly ServicePlan[], target: readonly ServicePlan[]): Continuity {
  const byId = new Map(target.map((p) => [p.id, planLabel(p)]));
  return continuity(
    source.map((p) => p.name || (byId.get(p.id) ?? p.id)),
    target.map(planLabel),
  );
}

function planLabel(p: Pick<ServicePlan, "id" | "name">): string {
  return p.name || p.id;
}

/** "Microsoft Search: Microsoft Search, which every work account has". */
function backgroundLabel(plan: string): string {
  return `${planName(plan)}: ${backgroundReason(plan) ?? "not a service of its own"}`;
}

/** How an undo restores T: with the plans that were off before the undone request, or all on when it recorded none. */
function restoredAs(tName: string, undoOf: number, disabled: readonly string[]): string {
  if (disabled.length > 0)
    return `${tName} is restored with ${plural(disabled.length, "plan")} disabled, as before: ${disabled.join(", ")}.`;
  return (
    `${tName} is restored with every plan enabled: request #${undoOf} recorded no disabled plans of it ` +
    `(none were off, or the request was made before License Desk recorded them). If some were off, disable them on the ${tName} assignment after the undo.`
  );
}
