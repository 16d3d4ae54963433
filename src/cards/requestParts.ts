/** What every request card shows, whatever its kind: where it stands, and who asked when. */
import { utcMinute } from "../format";
import { escapeMarkdown } from "../markdown";
import type { LicenseRequest, RequestStatus } from "../requests/licenseRequest";

export const REQUEST_STATUS: Readonly<Record<RequestStatus, { text: string; style: string }>> = {
  pending: { text: "Waiting for an approver", style: "emphasis" },
  approved: { text: "Approved: applying", style: "accent" },
  applying: { text: "Approved: applying", style: "accent" },
  processing: { text: "Applied: Entra is processing the members", style: "accent" },
  done: { text: "Done", style: "good" },
  "done-with-errors": { text: "Done, with errors", style: "warning" },
  failed: { text: "Failed: nothing was changed", style: "attention" },
  rejected: { text: "Rejected", style: "attention" },
  expired: { text: "Expired without a decision", style: "default" },
  cancelled: { text: "Cancelled by the requester", style: "default" },
};

/** "Asked by Adele Vance on 2025-06-01 12:00 UTC · expires 2025-06-02 12:00 UTC" (the expiry while pending). */
export function askedLine(request: LicenseRequest): string {
  const expires = request.status === "pending" ? ` · expires ${utcMinute(request.expiresAt)}` : "";
  return `Asked by ${escapeMarkdown(request.requester.name)} on ${utcMinute(request.createdAt)}${expires}`;
}

/** The request and the version a card shows: what its buttons carry. */
export function requestRef(request: LicenseRequest): { requestId: number; version: number } {
  return { requestId: request.id, version: request.version };
}
