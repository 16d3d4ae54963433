/**
 * What follows an approval, after the click has been answered: the first stage is checked against
 * the tenant as it is now (the preview run again), then the stage is applied. The click is answered
 * at once because the re-check reads the whole group through Graph, which at 100,000 members or a
 * slow Graph takes longer than Teams waits for a card's answer (docs/teams-limits.md).
 *
 * If the tenant changed what the approver approved, nothing is applied: the request goes back to
 * pending with the new preview, its cards show it, and the requester is told. The check is durable:
 * an approved first stage without `checkedAt` is checked again after a restart (recovery.ts).
 */
import { UserFacingError } from "../errors";
import { currentStage, type LicenseRequest } from "../requests/licenseRequest";
import type { Transition } from "../store/requestStore";
import type { WorkflowContext } from "./context";
import { kindOf } from "./kinds";
import { told } from "./notifications";
import { seatsMoved } from "./recheck";
import { SYSTEM } from "./types";

/** Whether the approved stage still waits for its check against the tenant. */
export function awaitsCheck(request: LicenseRequest): boolean {
  const stage = currentStage(request);
  return request.status === "approved" && stage.index === 0 && stage.checkedAt === undefined;
}

/** Checks the tenant again if the stage still needs it, then applies the approved stage. */
export async function proceedWithApproval(context: WorkflowContext, request: LicenseRequest): Promise<void> {
  const { records, notices } = context;
  const kind = kindOf(request.preview);
  const stage = currentStage(request);
  const approver = stage.approvedBy?.name ?? "An approver";
  let checked = request;
  let moved: string | undefined;
  if (awaitsCheck(request)) {
    const reopen = async (change: Transition, action: string, details: Record<string, unknown>, text: string) => {
      const reopened = records.transition(
        request,
        { ...change, status: "pending", stage: { index: 0, status: "pending", approvedBy: null, approvedAt: null } },
        SYSTEM,
        action,
        details,
      );
      await notices.announce(reopened, text);
    };
    let fresh;
    try {
      fresh = await kind.previewAgain(request, request.preview, context);
    } catch (error) {
      // Graph would not answer (throttled past the client's retries, down): nothing was applied, so the approval waits again.
      if (!(error instanceof UserFacingError)) throw error;
      await reopen(
        {},
        "check-failed",
        { error: error.userMessage },
        told.checkFailed(approver, request, error.userMessage),
      );
      return;
    }
    if (!fresh || kind.changedSince(request.preview, fresh)) {
      const changed = fresh ?? request.preview;
      await reopen(
        { preview: changed },
        "preview-changed",
        { verdict: changed.verdict },
        told.changedBeforeApplying(approver, request, changed.verdict),
      );
      return;
    }
    moved = seatsMoved(request.preview, fresh);
    // Seat counts that moved but still fit: the card shows them as they are now.
    checked = records.transition(
      request,
      { ...(moved ? { preview: fresh } : {}), stage: { index: 0, checkedAt: records.now().toISOString() } },
      SYSTEM,
      "checked-again",
      moved ? { seatsMoved: moved } : {},
    );
  }
  await notices.announce(checked, told.approved(approver, checked, stage.index, moved));
  await kind.apply(checked, checked.preview, context);
}
