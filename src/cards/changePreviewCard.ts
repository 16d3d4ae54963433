/**
 * The preview of a change (a group's or a user's product moved to another): what a helpdesk
 * engineer reads before asking for approval. Template: cards/preview.json.
 */
import previewTemplate from "../../cards/preview.json";
import type { Preview } from "../licensing/preview";
import { productName } from "../licensing/productNames";
import { escapeMarkdown } from "../markdown";
import { bind, DETAILS_TOGGLE, type AdaptiveCard } from "./adaptiveCard";
import { verbButton, type VerbData } from "./cardVerbs";
import {
  cardChecks,
  checkedLine,
  checksView,
  membersLabel,
  operationView,
  seatRow,
  seatsFreed,
  seatsTaken,
  type ChecksView,
  type SeatRow,
} from "./previewParts";

/** A preview as people read it: the same content for the card and for the command line's text. */
export interface PreviewView extends ChecksView {
  readonly headline: string;
  readonly subtitle: string;
  readonly seats: readonly SeatRow[];
  readonly operations: readonly { text: string }[];
}

export function previewView(preview: Preview, checkedAt: Date): PreviewView {
  return {
    headline: headline(preview),
    subtitle: checkedLine(subtitleTarget(preview), checkedAt),
    ...checksView(preview.verdict, preview.checks),
    seats: seatRows(preview),
    operations: preview.operations.map(operationView),
  };
}

/**
 * The preview card: the request in one line, the verdict, seats before → after, and every finding
 * with its numbers. `refresh` is what the Refresh button submits; a preview that is not blocked
 * also offers "Request approval", which submits `approval`.
 */
export function previewCard(
  preview: Preview,
  refresh: object,
  approval: VerbData["requestApproval"],
  checkedAt: Date,
): AdaptiveCard {
  const actions = [
    DETAILS_TOGGLE,
    { type: "Action.Submit", title: "Refresh", data: refresh },
    ...(preview.verdict === "blocked" ? [] : [verbButton("requestApproval", approval)]),
  ];
  return previewBody(preview, checkedAt, actions);
}

/** The preview's body with `actions`; `verdictHint` replaces the verdict's usual hint (a request's history). */
export function previewBody(
  preview: Preview,
  checkedAt: Date,
  actions: readonly object[],
  verdictHint?: string,
): AdaptiveCard {
  const view = { ...previewView(preview, checkedAt), ...(verdictHint !== undefined ? { verdictHint } : {}) };
  // Product names and the operations (ids, Graph's field names) are Microsoft's, not people's: bound as they are.
  return bind(previewTemplate, {
    ...view,
    headline: escapeMarkdown(view.headline),
    subtitle: escapeMarkdown(view.subtitle),
    ...cardChecks(view),
    actions,
  });
}

function headline(preview: Preview): string {
  const from = productName(preview.from.skuPartNumber);
  const to = productName(preview.to.skuPartNumber);
  return preview.target.type === "group"
    ? `Move group ${preview.target.displayName} from ${from} to ${to}`
    : `Move user ${preview.target.displayName} from ${from} to ${to}`;
}

function subtitleTarget(preview: Preview): string {
  return preview.target.type === "user" ? preview.target.userPrincipalName : membersLabel(preview.target.memberCount);
}

function seatRows(preview: Preview): SeatRow[] {
  return [
    ...seatRow(preview.to.skuPartNumber, preview.seats[preview.to.skuPartNumber], seatsTaken),
    ...seatRow(preview.from.skuPartNumber, preview.seats[preview.from.skuPartNumber], seatsFreed),
  ];
}
