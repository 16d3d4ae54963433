/**
 * What to do about each license error Entra records on a user (licenseAssignmentState.error,
 * docs/graph-and-entra.md, "License errors"). The one place these texts live: the preview's
 * existing-errors check and the outcome report after a change both quote them.
 */

/** Each text is a phrase to follow "CountViolation: " (lower case, no final period). */
const WHAT_TO_DO: Readonly<Record<string, string>> = {
  CountViolation: "not enough seats; buy or free seats, then reprocess the users",
  MutuallyExclusiveViolation: "they hold a conflicting product from another source; remove it, then reprocess",
  DependencyViolation: "a plan lacks its prerequisite; enable the prerequisite, then reprocess",
  ProhibitedInUsageLocationViolation:
    "the product is not sold in their usage location; change the location or take them out of the group",
  UniquenessViolation: "an email address is used twice in Exchange; fix the duplicate, then reprocess",
  Other: "look at their licenses in the Entra admin center, then reprocess",
};

/**
 * What to do about a license error code. Codes Microsoft may add later, and "Others" (older docs'
 * spelling of Other), get Other's text.
 */
export function whatToDoFor(error: string): string {
  return Object.prototype.hasOwnProperty.call(WHAT_TO_DO, error) ? WHAT_TO_DO[error] : WHAT_TO_DO.Other;
}
