/**
 * What Graph shows for a while after a change (docs/graph-contract.md, "Consistency"):
 * - reads through the directory's index (`ConsistencyLevel: eventual`: member casts, advanced
 *   queries) see each user's license fields as they were `indexLagMs` ago;
 * - a group's licenseProcessingState keeps the value it had before an accepted assignLicense for
 *   `processingStateLagMs` (nothing in Graph's documentation says it changes at once).
 *
 * License fields are replaced on every change, never changed in place (TenantSkus.setUserStates),
 * so earlier versions are kept by reference, without copies.
 */
import type { Group, User } from "./snapshot";

/**
 * Graph documents neither figure, only that such reads "might not be up-to-date with recent
 * changes": a second is long enough that a product reading its own write through the index sees
 * the old value in every test, and short enough for a demo.
 */
export const DEFAULT_INDEX_LAG_MS = 1000;
export const DEFAULT_PROCESSING_STATE_LAG_MS = 1000;

export interface ReadLagOptions {
  readonly indexLagMs: number;
  readonly processingStateLagMs: number;
}

/** The license fields of a user, as one version of them. */
export type LicenseFields = Pick<User, "licenseAssignmentStates" | "assignedLicenses">;

interface Version {
  readonly at: number;
  readonly fields: LicenseFields;
}

export class ReadLag {
  /** Per user (id in lower case): the version the index shows, then the later ones, oldest first. */
  private readonly userVersions = new Map<string, Version[]>();
  /** Per group (id in lower case): the state reads report until `until`. */
  private readonly reportedProcessing = new Map<string, { state: Group["licenseProcessingState"]; until: number }>();

  constructor(
    private readonly options: ReadLagOptions,
    private readonly now: () => number,
  ) {
    for (const [name, value] of Object.entries(options)) {
      if (!Number.isFinite(value) || value < 0)
        throw new RangeError(`${name} must be a non-negative number, not ${value}`);
    }
  }

  /** After a user's license fields were replaced; `before` are the ones replaced. */
  userChanged(user: User, before: LicenseFields): void {
    if (this.options.indexLagMs === 0) return;
    const key = user.id.toLowerCase();
    const versions = this.userVersions.get(key) ?? [{ at: Number.NEGATIVE_INFINITY, fields: before }];
    versions.push({ at: this.now(), fields: fieldsOf(user) });
    this.userVersions.set(key, this.settled(versions));
  }

  /** The user as the index shows it now: its license fields as they were `indexLagMs` ago. */
  indexed(user: User): User {
    const key = user.id.toLowerCase();
    const versions = this.userVersions.get(key);
    if (!versions) return user;
    const current = this.settled(versions);
    if (current.length === 1) {
      this.userVersions.delete(key);
      return user;
    }
    this.userVersions.set(key, current);
    return { ...user, ...current[0]!.fields };
  }

  /** Before a group's assignLicense is accepted: reads go on reporting its processing state as it is now. */
  groupAssigning(group: Group): void {
    if (this.options.processingStateLagMs === 0) return;
    const key = group.id.toLowerCase();
    const earlier = this.reportedProcessing.get(key);
    const now = this.now();
    const state = earlier && now < earlier.until ? earlier.state : group.licenseProcessingState;
    this.reportedProcessing.set(key, { state, until: now + this.options.processingStateLagMs });
  }

  /** The group as a read reports it now. */
  reported(group: Group): Group {
    const key = group.id.toLowerCase();
    const shown = this.reportedProcessing.get(key);
    if (!shown) return group;
    if (this.now() >= shown.until) {
      this.reportedProcessing.delete(key);
      return group;
    }
    return { ...group, licenseProcessingState: shown.state };
  }

  /** The versions from the one the index shows now (the newest at least `indexLagMs` old) on. */
  private settled(versions: Version[]): Version[] {
    const cutoff = this.now() - this.options.indexLagMs;
    let shown = 0;
    while (shown + 1 < versions.length && versions[shown + 1]!.at <= cutoff) shown++;
    return shown === 0 ? versions : versions.slice(shown);
  }
}

function fieldsOf(user: User): LicenseFields {
  return { licenseAssignmentStates: user.licenseAssignmentStates, assignedLicenses: user.assignedLicenses };
}
