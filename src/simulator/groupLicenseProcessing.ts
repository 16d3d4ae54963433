/**
 * Entra's group-based licensing, as it processes a group after its licenses change (docs/graph-and-entra.md, "Group license processing", "All or nothing per user"): the
 * group goes Queued → InProgress → Complete on timers, and each direct user member then gets the
 * group's products all or nothing, or a state recording why not (CountViolation,
 * MutuallyExclusiveViolation, DependencyViolation), never an error in the assignLicense answer.
 */
import { findPlanConflicts } from "../licensing/servicePlanRules";
import type { AssignLicenseRequest } from "./assignLicenseRequest";
import { isHolding } from "./derivedFields";
import { heldSkuIds, licenseKey, type License } from "./licenseValues";
import type { AssignedLicense, Group, LicenseAssignmentState, LicenseError, User } from "./snapshot";
import type { TenantSkus } from "./tenantSkus";

export type ProcessingStep = "QueuedForProcessing" | "ProcessingInProgress";

/** What processing one group for one user comes to. */
type GroupOutcome =
  | { kind: "assigned" }
  | { kind: "failed"; error: "CountViolation" | "MutuallyExclusiveViolation" }
  | { kind: "dependencyViolation" };

export class GroupLicenseProcessing {
  /** The pending timer of each group whose license processing is queued or running. */
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private idleWaiters: (() => void)[] = [];

  /**
   * `directUserMembers` reads a group's direct user members (live objects, changed in place);
   * `processingDelayMs` is the time spent in each of QueuedForProcessing and ProcessingInProgress.
   */
  constructor(
    private readonly skus: TenantSkus,
    private readonly directUserMembers: (group: Group) => User[],
    private readonly processingDelayMs: number,
    private readonly timestamp: () => string,
  ) {}

  /** Starts (or restarts, with the group's latest licenses) the Queued → InProgress → Complete cycle. */
  schedule(group: Group, step: ProcessingStep): void {
    const existing = this.timers.get(group.id);
    if (existing) clearTimeout(existing);
    group.licenseProcessingState = { state: step };
    const delay = this.processingDelayMs;
    const finish = () => {
      try {
        this.processGroup(group);
      } finally {
        this.timers.delete(group.id);
        this.notifyIfIdle();
      }
    };
    const start = () => {
      group.licenseProcessingState = { state: "ProcessingInProgress" };
      this.timers.set(group.id, setTimeout(finish, delay));
    };
    this.timers.set(group.id, setTimeout(step === "QueuedForProcessing" ? start : finish, delay));
  }

  private processGroup(group: Group): void {
    for (const user of this.directUserMembers(group)) this.processMember(user, group);
    group.licenseProcessingState = { state: "ProcessingComplete" };
  }

  /** Resolves once no group is queued or processing. */
  whenIdle(): Promise<void> {
    if (this.timers.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Clears the timers; groups stay in whatever processing state they were in. */
  stop(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    this.notifyIfIdle();
  }

  private notifyIfIdle(): void {
    if (this.timers.size > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /** Brings one user's states from `group` in line with the group's licenses (docs/graph-and-entra.md, "All or nothing per user"). */
  processMember(user: User, group: Group): void {
    const fromGroup = user.licenseAssignmentStates.filter((s) => s.assignedByGroup === group.id);
    const others = user.licenseAssignmentStates.filter((s) => s.assignedByGroup !== group.id);
    const outcome = this.evaluateGroupForUser(user, group, others);
    const groupStates = groupStatesFor(outcome, group, fromGroup, this.timestamp());
    this.skus.setUserStates(user, [...others, ...groupStates]);
  }

  private evaluateGroupForUser(user: User, group: Group, others: readonly LicenseAssignmentState[]): GroupOutcome {
    const otherHolding = others.filter(isHolding);
    const failure = this.groupProductFailure(user, group, otherHolding);
    // With a product failure the group's old products still go; either way the result must not
    // take away a plan that something else the user holds depends on.
    const after: License[] = failure ? otherHolding : [...otherHolding, ...group.assignedLicenses];
    if (this.skus.newUnmetDependencies(user.licenseAssignmentStates.filter(isHolding), after).length > 0) {
      return { kind: "dependencyViolation" };
    }
    return failure ? { kind: "failed", error: failure } : { kind: "assigned" };
  }

  /** Why the group's products cannot all go to this user: first seats, then conflicts. */
  private groupProductFailure(
    user: User,
    group: Group,
    otherHolding: readonly LicenseAssignmentState[],
  ): "CountViolation" | "MutuallyExclusiveViolation" | undefined {
    const held = heldSkuIds(user.licenseAssignmentStates);
    if (group.assignedLicenses.some((l) => !held.has(l.skuId) && !this.skus.hasFreeSeat(l.skuId)))
      return "CountViolation";
    for (const l of group.assignedLicenses) {
      const rest = [...otherHolding, ...group.assignedLicenses.filter((other) => other !== l)];
      if (findPlanConflicts(this.skus.enabledPlanNames(rest), this.skus.enabledPlanNames([l])).length > 0)
        return "MutuallyExclusiveViolation";
    }
    return undefined;
  }
}

/** A group's licenses after an add (which replaces a held product's disabledPlans) and a remove. */
export function applyGroupChange(
  licenses: readonly AssignedLicense[],
  request: AssignLicenseRequest,
): AssignedLicense[] {
  const kept = licenses.filter((l) => !request.removeLicenses.includes(l.skuId));
  const result = kept.map((l) => request.addLicenses.find((a) => a.skuId === l.skuId) ?? l);
  const added = request.addLicenses.filter((a) => !kept.some((l) => l.skuId === a.skuId));
  return [...result, ...added].map((l) => ({ skuId: l.skuId, disabledPlans: [...l.disabledPlans] }));
}

/** A state with a fresh timestamp, unless it says exactly what the previous one said. */
function stamped(
  next: Omit<LicenseAssignmentState, "lastUpdatedDateTime">,
  previous: LicenseAssignmentState | undefined,
  now: string,
): LicenseAssignmentState {
  const unchanged =
    previous !== undefined &&
    previous.state === next.state &&
    previous.error === next.error &&
    licenseKey(previous) === licenseKey(next);
  return { ...next, lastUpdatedDateTime: unchanged ? previous.lastUpdatedDateTime : now };
}

/** The user's states from `group` for an outcome. */
function groupStatesFor(
  outcome: GroupOutcome,
  group: Group,
  previous: readonly LicenseAssignmentState[],
  now: string,
): LicenseAssignmentState[] {
  const prior = (skuId: string) => previous.find((s) => s.skuId === skuId);
  const fromLicense = (l: AssignedLicense, state: LicenseAssignmentState["state"], error: LicenseError | null) =>
    stamped(
      { skuId: l.skuId, assignedByGroup: group.id, disabledPlans: [...l.disabledPlans], state, error },
      prior(l.skuId),
      now,
    );
  switch (outcome.kind) {
    case "assigned":
      return group.assignedLicenses.map((l) => fromLicense(l, "Active", null));
    case "failed":
      return group.assignedLicenses.map((l) => fromLicense(l, "Error", outcome.error));
    case "dependencyViolation": {
      // The removal fails: what the user held from the group stays (with the error); the rest is refused.
      const kept = previous
        .filter(isHolding)
        .map((s) => stamped({ ...s, state: "ActiveWithError", error: "DependencyViolation" }, s, now));
      const refused = group.assignedLicenses
        .filter((l) => !kept.some((s) => s.skuId === l.skuId))
        .map((l) => fromLicense(l, "Error", "DependencyViolation"));
      return [...kept, ...refused];
    }
  }
}
