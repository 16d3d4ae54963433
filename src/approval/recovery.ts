/**
 * After a restart: requests caught in the middle are finished from what the tenant holds, and the
 * cards a previous run stored but did not send, or did not update, go out.
 */
import { awaitsCheck, proceedWithApproval } from "./approvalCheck";
import type { WorkflowContext } from "./context";
import { kindOf } from "./kinds";

export class Recovery {
  constructor(private readonly context: WorkflowContext) {}

  /**
   * Resumes every approved, applying or processing request, each as its kind does (a change whose
   * write is already in effect is not sent again; a migration's stage recognises what is done), an
   * approval not yet checked against the tenant from that check; then catches up on cards, all in
   * the background.
   */
  reconcile(): void {
    const { records, work, log } = this.context;
    for (const request of records.store.listByStatus(["approved", "applying", "processing"])) {
      log.info({ request: request.id, status: request.status }, "resuming request after restart");
      try {
        if (awaitsCheck(request)) work.run(request.id, () => proceedWithApproval(this.context, request));
        else kindOf(request.preview).resume(request, request.preview, this.context);
      } catch (error) {
        log.error({ err: error, request: request.id }, "could not resume request");
      }
    }
    work.runShared(() => this.catchUpCards(), "could not catch up on cards");
  }

  /** The sweep's and the start's part for cards: undelivered ones sent, stale ones of open requests brought up to date. */
  catchUpCards(): Promise<void> {
    return this.context.notices.catchUp();
  }
}
