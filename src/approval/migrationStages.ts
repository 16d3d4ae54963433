/**
 * The stages of a direct-to-group migration (docs/graph-and-entra.md, "Migrating from direct to group licensing"), each run after its own approval:
 *
 * - stage 1, assign and verify: give the group the product (skipped when it holds it), wait for
 *   Entra to process it, then verify every user to migrate shows the product both directly and
 *   inherited, the inherited one Active and enabling the same plans;
 * - the pilot, then waves: remove the direct assignment of verified users only, through $batch,
 *   each user's call removing that product and nothing else. First the group is read again: if its
 *   products, the product's disabled plans or its processing state changed since the plan, the
 *   migration stops, removing nothing. Right before, each user is read again
 *   and skipped if the inherited assignment is not Active at that moment; right after, each is read
 *   again and must still hold the product. Anyone without it stops the migration.
 *
 * Every stage can be run again after a restart: what is already done is recognised, not redone.
 */
import type { Product, TenantGroup, TenantUser } from "../licensing/model";
import { errorOf, isHolding, ProductIndex, userRef } from "../licensing/checks/context";
import { whatToDoFor } from "../licensing/licenseErrors";
import { fmt, listNames, plural } from "../format";
import {
  classifyMigration,
  directRemovalOperation,
  safeToRemoveDirect,
  sortedKey,
  splitIntoWaves,
  verifyMigration,
  type MigrationPreview,
} from "../licensing/migrationPlan";
import type { Operation, UserRef } from "../licensing/preview";
import { productName } from "../licensing/productNames";
import type { Logger } from "../log";
import type { LicenseRequest } from "../requests/licenseRequest";
import { isMigrationStageReport, type MigrationStageReport } from "../requests/stageReport";
import type { ProcessedGroup } from "./followUp";
import type { WorkflowGraph } from "./types";

export interface StageOutcome {
  readonly report: MigrationStageReport;
  /** The next stage to propose for approval, if any. */
  readonly next?: { readonly title: string; readonly operations: readonly Operation[] };
  /** Set when the migration must stop here. */
  readonly stop?: string;
}

export class MigrationStages {
  constructor(
    private readonly graph: Pick<
      WorkflowGraph,
      "getGroup" | "listProducts" | "getUsers" | "assignLicense" | "assignLicenses"
    >,
    /** Waits for Entra's processing of the group; `since` (the stage's approval) starts its deadline. */
    private readonly waitForProcessing: (
      groupId: string,
      skuId: string,
      since: string | undefined,
    ) => Promise<ProcessedGroup>,
    private readonly log: Logger,
  ) {}

  /** Runs the request's current (last) stage of `plan`, the request's own. */
  async run(request: LicenseRequest, plan: MigrationPreview): Promise<StageOutcome> {
    const index = request.stages.length - 1;
    return index === 0
      ? this.assignAndVerify(request.id, plan, request.stages[0].approvedAt)
      : this.removeDirect(request, plan, index);
  }

  private async assignAndVerify(
    requestId: number,
    plan: MigrationPreview,
    approvedAt: string | undefined,
  ): Promise<StageOutcome> {
    const groupId = plan.target.id;
    const skuId = plan.product.skuId;
    const group = await this.graph.getGroup(groupId);
    // A restart after the call: the group already holds the product, so it is not sent again.
    const assign = plan.operations[0];
    if (assign && !group.assignedLicenses.some((l) => l.skuId === skuId)) {
      this.log.info({ request: requestId, stage: 0, path: assign.path }, "sending the group's license to Graph");
      await this.graph.assignLicense(assign);
    }
    // The members as they are now, read one by one: the listing's index may not show the group's product yet.
    const { group: current, members } = await this.waitForProcessing(groupId, skuId, approvedAt);
    const products = await this.graph.listProducts();
    const onGroup = current.assignedLicenses.find((l) => l.skuId === skuId);
    const users = classifyMigration({ group: current, members, directHolders: [], skuId });
    // Every mover, plan mismatch included: those fail verification with the plans they would lose, so they are reported, not dropped.
    const check = verifyMigration(users.migrating, groupId, skuId, onGroup?.disabledPlans ?? [], products);
    const verified = check.verified.map((u) => u.id);
    // Members who do not move get the product from the group too: their errors are the group's to fix.
    const movers = new Set(users.migrating.map((u) => u.id));
    const memberErrors = members.users.flatMap((user) => {
      if (movers.has(user.id)) return [];
      const state = user.licenseStates.find((s) => s.skuId === skuId && s.assignedByGroup === groupId);
      const error = state ? errorOf(state) : null;
      return error === null ? [] : [{ ...userRef(user), reason: `${error}: ${whatToDoFor(error)}` }];
    });
    const report: MigrationStageReport = {
      kind: "assign",
      verified,
      notVerified: check.failed,
      memberErrors,
      groupProducts: current.assignedLicenses.map((l) => l.skuId).sort(),
    };
    const pilot = verified.slice(0, plan.counts.pilot > 0 ? Math.min(plan.counts.pilot, verified.length) : 0);
    if (pilot.length === 0) return { report };
    return {
      report,
      next: removalStage(
        `Pilot: remove the direct ${productName(plan.product.skuPartNumber)} of ${pilot.length} verified users`,
        pilot,
        skuId,
      ),
    };
  }

  /** Reads the group again; the products only to name them, when the group's have changed. */
  private async groupChanges(plan: MigrationPreview, assigned: unknown, pName: string): Promise<string[]> {
    const group = await this.graph.getGroup(plan.target.id);
    const verifiedWith = isMigrationStageReport(assigned) ? assigned.groupProducts : undefined;
    const productsChanged =
      verifiedWith !== undefined && sortedKey(verifiedWith) !== sortedKey(group.assignedLicenses.map((l) => l.skuId));
    const products = productsChanged ? await this.graph.listProducts() : [];
    return groupChanges(group, plan, verifiedWith, pName, products);
  }

  private async removeDirect(request: LicenseRequest, plan: MigrationPreview, index: number): Promise<StageOutcome> {
    const groupId = plan.target.id;
    const skuId = plan.product.skuId;
    const ids = request.stages[index].operations.map(userOf);
    const removed: UserRef[] = [];
    const skipped: (UserRef & { reason: string })[] = [];
    const lost: UserRef[] = [];
    const pName = productName(plan.product.skuPartNumber);
    const changed = await this.groupChanges(plan, request.stages[0].report, pName);
    if (changed.length > 0) {
      return {
        report: { kind: "removal", removed, skipped, lost },
        stop: `${plan.target.displayName} changed since the migration was planned: ${changed.join("; ")}. Nobody's direct license was removed in this stage. Check the group, then ask for the migration again.`,
      };
    }
    for (const chunk of splitIntoWaves(ids, 20)) {
      const before = await this.graph.getUsers(chunk);
      const toRemove: TenantUser[] = [];
      for (const user of before) {
        if (!hasDirect(user, skuId))
          removed.push(userRef(user)); // done before a restart
        else if (safeToRemoveDirect(user, groupId, skuId)) toRemove.push(user);
        else
          skipped.push({
            ...userRef(user),
            reason: `${pName} from the group is not Active without error right now, or no longer enables every plan the direct one does, so the direct one stays.`,
          });
      }
      if (toRemove.length > 0)
        this.log.info(
          { request: request.id, stage: index, users: toRemove.length },
          "sending direct license removals to Graph",
        );
      const answers = await this.graph.assignLicenses(toRemove.map((u) => directRemovalOperation(u.id, skuId)));
      toRemove.forEach((user, n) => {
        const answer = answers[n];
        if (answer.status < 300) removed.push(userRef(user));
        else
          skipped.push({
            ...userRef(user),
            reason: `Graph refused the removal (${answer.status}): ${answer.message ?? ""}`,
          });
      });
      // The rule of the migration: nobody is left without the product, even for a moment.
      for (const user of await this.graph.getUsers(chunk)) {
        if (!user.licenseStates.some((s) => s.skuId === skuId && isHolding(s))) lost.push(userRef(user));
      }
      if (lost.length > 0) break;
    }
    const report: MigrationStageReport = { kind: "removal", removed, skipped, lost };
    if (lost.length > 0) {
      return {
        report,
        stop: `${lost.length} user${lost.length === 1 ? "" : "s"} no longer hold ${pName}: the migration stopped. Give them ${pName} back (directly or through the group), then look at why.`,
      };
    }
    const assigned = request.stages[0].report;
    const verified = (isMigrationStageReport(assigned) ? assigned.verified : undefined) ?? [];
    const rest = notYetProposed(verified, request.stages.slice(1));
    if (rest.length === 0) return { report };
    const wave = rest.slice(0, plan.counts.waveSize);
    const waveNumber = index; // stage 1 is the pilot, stage 2 wave 1, …
    const waves = waveNumber - 1 + Math.ceil(rest.length / plan.counts.waveSize);
    return {
      report,
      next: removalStage(
        `Wave ${waveNumber} of ${waves}: remove the direct ${pName} of ${wave.length} verified users`,
        wave,
        skuId,
      ),
    };
  }
}

/**
 * What differs between the group now and the plan, in words: P gone or its disabled plans changed,
 * other products added or removed since its members were verified (`verifiedWith`), or a license
 * change still processing.
 */
function groupChanges(
  group: TenantGroup,
  plan: MigrationPreview,
  verifiedWith: readonly string[] | undefined,
  pName: string,
  products: readonly Product[],
): string[] {
  const changes: string[] = [];
  const onGroup = group.assignedLicenses.find((l) => l.skuId === plan.product.skuId);
  if (!onGroup) changes.push(`it no longer holds ${pName}`);
  else if (sortedKey(onGroup.disabledPlans) !== sortedKey(plan.groupAssignment.disabledPlans))
    changes.push(
      `${pName} on it now has ${plural(onGroup.disabledPlans.length, "plan")} disabled where the plan had ${fmt(plan.groupAssignment.disabledPlans.length)}`,
    );
  const now = group.assignedLicenses.map((l) => l.skuId);
  if (verifiedWith && sortedKey(verifiedWith) !== sortedKey(now)) {
    const index = new ProductIndex(products);
    const names = (ids: readonly string[]) => listNames(ids.map((id) => index.name(id)));
    changes.push(
      `it held ${names(verifiedWith)} when its members were verified, and now holds ${names(now) || "nothing"}`,
    );
  }
  if (group.licenseProcessingState !== "ProcessingComplete")
    changes.push(`its license processing is ${group.licenseProcessingState ?? "not reported"}, not complete`);
  return changes;
}

function removalStage(
  title: string,
  userIds: readonly string[],
  skuId: string,
): { title: string; operations: Operation[] } {
  return { title, operations: userIds.map((id) => directRemovalOperation(id, skuId)) };
}

/**
 * The verified users no removal stage has taken yet. Each stage takes the next users of `verified`
 * in order, so those taken are a prefix of it: counting them costs nothing, where collecting every
 * stage's users made each wave of a 100,000-user migration slower than the one before. Should the
 * last stage not be the slice the prefix says, every stage's users are collected instead.
 */
function notYetProposed(
  verified: readonly string[],
  removals: readonly { operations: readonly Operation[] }[],
): string[] {
  const taken = removals.reduce((n, stage) => n + stage.operations.length, 0);
  const last = removals.at(-1)?.operations.map(userOf) ?? [];
  if (sortedKey(last) === sortedKey(verified.slice(taken - last.length, taken))) return verified.slice(taken);
  const done = new Set(removals.flatMap((s) => s.operations.map(userOf)));
  return verified.filter((id) => !done.has(id));
}

/** The user a removal operation is for: /users/{id}/assignLicense. */
function userOf(operation: Operation): string {
  return decodeURIComponent(operation.path.split("/")[2] ?? "");
}

function hasDirect(user: TenantUser, skuId: string): boolean {
  return user.licenseStates.some((s) => s.skuId === skuId && s.assignedByGroup === null);
}
