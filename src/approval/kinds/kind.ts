/**
 * A kind of request (a license change, a direct-to-group migration): everything the workflow does
 * differently for it. The workflow asks the table (kinds/index.ts) for the request's kind instead of
 * branching on it, so a new kind is a new module and an entry in the table, which the compiler
 * requires for every `kind` a plan can have.
 *
 * Methods that take the plan are called with the request's own plan (`request.preview`), through
 * the table, which holds each kind under the plan kinds it serves.
 */
import type { LicenseRequest, RequestPlan, Stage } from "../../requests/licenseRequest";
import type { ChangeQuery } from "../../requests/previewQuery";
import type { StageReport } from "../../requests/stageReport";
import type { WorkflowContext } from "../context";

export interface RequestKind<P extends RequestPlan, R extends StageReport> {
  /** The title of the request's first stage. */
  firstStageTitle(plan: P): string;
  /** What the request changes, as a key: while one request with this key is open, no other is stored. */
  dedupeKey(plan: P, undoOf: number | undefined): string;
  /**
   * The request previewed again against the tenant as it is now, as it was planned (an undo with
   * what it restores, a migration with its settings); undefined when it no longer resolves.
   */
  previewAgain(
    request: LicenseRequest,
    plan: P,
    context: Pick<WorkflowContext, "previews" | "records">,
  ): Promise<P | undefined>;
  /** The re-check at approval: whether the tenant changed what the approver approves. */
  changedSince(approved: P, now: P): boolean;
  /** Why "approve all remaining" does not apply to the request, or undefined when it does. */
  refuseApproveAll(request: LicenseRequest): string | undefined;
  /** Why an approver's "Stop here" does not apply to the request now, or undefined when it does. */
  refuseStop(request: LicenseRequest): string | undefined;
  /** The change that undoes an applied request; throws ActionRefused when the kind cannot be undone so. */
  inverse(request: LicenseRequest, plan: P): ChangeQuery;
  /** Applies the request's current stage, approved; resolves to the request as it then stands. */
  apply(request: LicenseRequest, plan: P, context: WorkflowContext): Promise<LicenseRequest>;
  /** After a restart: finishes a request left approved, applying or processing (in the background). */
  resume(request: LicenseRequest, plan: P, context: WorkflowContext): void;
  /** The stage's report, as this kind writes it (undefined before the stage has finished). */
  report(stage: Stage): R | undefined;
  /** The users a finished request left in error, to reprocess; undefined when there are none to. */
  usersInError(request: LicenseRequest): readonly string[] | undefined;
}
