/**
 * The preview of a license change: what the bot shows before anything changes, and what
 * `license-desk plan --json` prints. This is a public contract (docs/plan-json.md): later features
 * extend it, never rename a field.
 */

export type ChangeKind = "group-change" | "user-change";

export type CheckId =
  | "source-assigned"
  | "group-type"
  | "target-subscribed"
  | "subscription-term"
  | "seats"
  | "direct-source"
  | "conflicts"
  | "dependencies"
  | "all-or-nothing"
  | "group-products"
  | "service-continuity"
  | "nested-groups"
  | "on-premises-sync"
  | "dynamic-membership"
  | "usage-location"
  | "existing-errors"
  | "processing-state"
  | "group-size"
  | "entra-id-p1"
  | "guests"
  // direct-to-group migration (src/licensing/migrationPlan.ts)
  | "group-assignment"
  | "outside-members"
  | "plan-mismatch"
  | "plan-gain";

/** pass: nothing to say; info: worth knowing; warn: some users will not get what was asked; block: nothing may be applied. */
export type CheckStatus = "pass" | "info" | "warn" | "block";

export type Verdict = "ready" | "warnings" | "blocked";

export interface UserRef {
  readonly id: string;
  readonly displayName: string;
  readonly userPrincipalName: string;
  /** What applies to this user in particular (e.g. the conflicting plans), when the check says more than its title. */
  readonly note?: string;
}

export interface CheckResult {
  readonly id: CheckId;
  readonly status: CheckStatus;
  /** One line a person reads first, with its numbers ("12 of 60 members also hold E1 directly"). */
  readonly title: string;
  /** Why it matters and, for warn and block, what to do about it. */
  readonly detail: string;
  /** How many users (or groups, for nested-groups) the check names; absent when it names none. */
  readonly count?: number;
  /** Every user the check names (the card shows the first few, the JSON all). */
  readonly users?: readonly UserRef[];
}

export interface ProductRef {
  readonly skuId: string;
  readonly skuPartNumber: string;
}

/** The product a change removes, and what was off on the assignment it removes (what an undo restores). */
export interface SourceRef extends ProductRef {
  /**
   * disabledPlans (plan ids) of S on the assignment the change removes: the group's S for a group
   * change, the user's direct S for a user change. Absent when none is disabled, when the subject
   * does not hold S there, and on previews made before it was recorded.
   */
  readonly disabledPlans?: readonly string[];
}

export interface SeatCount {
  readonly enabled: number;
  readonly consumed: number;
  readonly available: number;
  /** Target product: users who will take a new seat. */
  readonly needed?: number;
  /** Target product: max(0, needed − available). */
  readonly shortfall?: number;
  /** Source product: users whose seat is released (they hold it only from what is being changed). */
  readonly freed?: number;
}

export type PreviewTarget =
  | { readonly type: "group"; readonly id: string; readonly displayName: string; readonly memberCount: number }
  | { readonly type: "user"; readonly id: string; readonly displayName: string; readonly userPrincipalName: string };

/** One Graph call the change will make, exactly as it will be sent. */
export interface Operation {
  readonly method: "POST";
  /** Relative to Graph's version root, e.g. /groups/{id}/assignLicense. */
  readonly path: string;
  readonly body: {
    readonly addLicenses: readonly { readonly skuId: string; readonly disabledPlans: readonly string[] }[];
    readonly removeLicenses: readonly string[];
  };
}

export interface Preview {
  readonly kind: ChangeKind;
  readonly target: PreviewTarget;
  readonly from: SourceRef;
  readonly to: ProductRef;
  readonly verdict: Verdict;
  readonly checks: readonly CheckResult[];
  /** Keyed by skuPartNumber: the target's and the source's seats, before the change. */
  readonly seats: Readonly<Record<string, SeatCount>>;
  readonly operations: readonly Operation[];
}

/** blocked if any check blocks, else warnings if any warns, else ready. */
export function verdictOf(checks: readonly CheckResult[]): Verdict {
  if (checks.some((c) => c.status === "block")) return "blocked";
  if (checks.some((c) => c.status === "warn")) return "warnings";
  return "ready";
}
