/**
 * The outcome of an applied license change, read back from the tenant: who
 * now holds the target product T, who still holds the source S, who failed and why with what to do,
 * and the seats of both products as they stand. Pure: the caller reads the group, its members, the
 * user and the products after Entra has processed the change, and this only counts.
 */
import type { GroupMembers, LicenseState, Product, TenantGroup, TenantUser } from "./model";
import type { UserRef } from "./preview";
import { errorOf, isHolding, ProductIndex, userRef } from "./checks/context";
import { whatToDoFor } from "./licenseErrors";
import { availableSeats } from "./seats";

export interface OutcomeError {
  /** Entra's error code (CountViolation, MutuallyExclusiveViolation…); "Other" for an error state without a code. */
  readonly error: string;
  readonly count: number;
  /** What to do about it, as a phrase to follow the code (licenseErrors.ts). */
  readonly whatToDo: string;
  readonly users: readonly UserRef[];
}

export interface OutcomeReport {
  /** Users the change applies to: the group's first-level user members, or 1. */
  readonly members: number;
  /** Members holding T now (Active or ActiveWithError), from any source. */
  readonly holdTarget: number;
  /** Members still holding S now, from any source. */
  readonly holdSource: number;
  /** Members whose T from the changed assignment is in error; equal to the sum of the errors' counts. */
  readonly failed: number;
  /** The failures by error code, the most frequent first. */
  readonly errors: readonly OutcomeError[];
  /** Keyed by skuPartNumber, like Preview.seats: T's and S's seats as read after the change. */
  readonly seats: Readonly<Record<string, { enabled: number; consumed: number; available: number }>>;
}

interface ChangeInput {
  readonly products: readonly Product[];
  readonly fromSkuId: string;
  readonly toSkuId: string;
}

/** After a group change: counts over the group's first-level user members (nested groups get nothing). */
export function groupOutcome(input: ChangeInput & { group: TenantGroup; members: GroupMembers }): OutcomeReport {
  return outcome(input, input.members.users, (s) => s.assignedByGroup === input.group.id, "another group");
}

/** After a user change: the same from the user's own states; the change is their direct assignment. */
export function userOutcome(input: ChangeInput & { user: TenantUser }): OutcomeReport {
  return outcome(input, [input.user], (s) => s.assignedByGroup === null, "a group");
}

/** `groupLabel` names a group source other than the change's in notes. */
function outcome(
  input: ChangeInput,
  users: readonly TenantUser[],
  fromChange: (s: LicenseState) => boolean,
  groupLabel: string,
): OutcomeReport {
  const index = new ProductIndex(input.products);
  const { fromSkuId: source, toSkuId: target } = input;
  let holdTarget = 0;
  let holdSource = 0;
  const byError = new Map<string, UserRef[]>();
  for (const user of users) {
    const holding = user.licenseStates.filter(isHolding);
    if (holding.some((s) => s.skuId === target)) holdTarget++;
    if (holding.some((s) => s.skuId === source)) holdSource++;
    const failure = user.licenseStates.find((s) => s.skuId === target && fromChange(s) && isFailure(s));
    if (!failure) continue;
    // An error state without a code is still a failure: Other is what Entra calls the unexplained.
    const code = errorOf(failure) ?? "Other";
    const list = byError.get(code) ?? [];
    list.push(userRef(user, note(index, holding, fromChange, groupLabel)));
    byError.set(code, list);
  }
  const errors = [...byError]
    .map(([error, list]) => ({ error, count: list.length, whatToDo: whatToDoFor(error), users: list }))
    .sort((a, b) => b.count - a.count || a.error.localeCompare(b.error));
  const seats: Record<string, { enabled: number; consumed: number; available: number }> = {};
  for (const skuId of [target, source]) {
    const p = index.get(skuId);
    if (p)
      seats[p.skuPartNumber] = { enabled: p.enabledUnits, consumed: p.consumedUnits, available: availableSeats(p) };
  }
  return {
    members: users.length,
    holdTarget,
    holdSource,
    failed: errors.reduce((n, e) => n + e.count, 0),
    errors,
    seats,
  };
}

/** Error and ActiveWithError are failures, and so is any state with an error code (Graph's "None" is none). */
function isFailure(s: LicenseState): boolean {
  return s.state === "Error" || s.state === "ActiveWithError" || errorOf(s) !== null;
}

/**
 * What else a failed user holds ("also holds Office 365 E1 (direct)"): usually the reason of a
 * conflict, and what "remove it" in the advice refers to. Undefined when they hold nothing else.
 */
function note(
  index: ProductIndex,
  holding: readonly LicenseState[],
  fromChange: (s: LicenseState) => boolean,
  groupLabel: string,
): string | undefined {
  const others = holding
    .filter((s) => !fromChange(s))
    .map((s) => `${index.name(s.skuId)} (${s.assignedByGroup === null ? "direct" : groupLabel})`);
  return others.length > 0 ? `also holds ${[...new Set(others)].join(", ")}` : undefined;
}
