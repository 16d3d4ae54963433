/**
 * The approval-time re-check: the tenant may have moved between the preview and the approver's
 * click. What counts is what the approver approves — the verdict, the exact Graph call, who is
 * affected and how, and whether the seats still suffice — not every number on the card: other
 * approvals on the same product move its seat counts all the time, and a count that moved but
 * still fits changes nothing the approver decided (it is said on the card and to the requester).
 */
import { fmt } from "../format";
import { productName } from "../licensing/productNames";
import type { RequestPlan } from "../requests/licenseRequest";

/**
 * Whether the tenant changed what an approver approved, so that they must look again: what every
 * kind of request compares (a kind may compare more, as a migration its counts).
 */
export function changedSince(approved: RequestPlan, now: RequestPlan): boolean {
  if (now.verdict === "blocked") return true;
  if (json(approved.operations) !== json(now.operations)) return true;
  if (
    approved.target.type === "group" &&
    now.target.type === "group" &&
    approved.target.memberCount !== now.target.memberCount
  )
    return true;
  return json(affected(approved)) !== json(affected(now)) || json(seatNeeds(approved)) !== json(seatNeeds(now));
}

/**
 * What moved in the seat counts without changing the decision, in words ("Office 365 E3: 70 seats
 * available when previewed, 50 now; 20 needed, still enough."), or undefined when nothing moved.
 */
export function seatsMoved(approved: RequestPlan, now: RequestPlan): string | undefined {
  const lines = Object.entries(now.seats).flatMap(([sku, seats]) => {
    const before = approved.seats[sku];
    if (!before || before.available === seats.available) return [];
    const needed = seats.needed !== undefined && seats.needed > 0 ? `; ${fmt(seats.needed)} needed, still enough` : "";
    return [
      `${productName(sku)}: ${fmt(before.available)} seats available when previewed, ${fmt(seats.available)} now${needed}.`,
    ];
  });
  return lines.length > 0 ? lines.join(" ") : undefined;
}

/** Each check's verdict and the users it names (with what applies to each); the seats check by its verdict only. */
function affected(plan: RequestPlan): unknown[] {
  return plan.checks.map((c) =>
    c.id === "seats"
      ? [c.id, c.status]
      : [c.id, c.status, c.count ?? null, (c.users ?? []).map((u) => [u.id, u.note ?? null])],
  );
}

/** Who takes a new seat and whose seat is freed, per product: the part of the seat figures this request itself makes. */
function seatNeeds(plan: RequestPlan): unknown[] {
  return Object.entries(plan.seats).map(([sku, s]) => [sku, s.needed ?? null, s.shortfall ?? null, s.freed ?? null]);
}

export function json(value: unknown): string {
  return JSON.stringify(value);
}
