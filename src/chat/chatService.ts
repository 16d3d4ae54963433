/**
 * The conversation: a message in, replies out through a Conversation. It knows nothing of Bot
 * Framework or Teams (the teams/ layer implements Conversation), so the day the bot moves to
 * another SDK only that layer changes.
 */
import { randomUUID } from "node:crypto";
import { ActionRefused, type Actor, type ApprovalService } from "../approval/approvalService";
import { stacked, type AdaptiveCard } from "../cards/adaptiveCard";
import { parseVerbAction, verbButton, type VerbAction } from "../cards/cardVerbs";
import { askingCard, choiceCard, helpCard, noticeCard, progressCard, seatsCard } from "../cards/cards";
import { previewCard } from "../cards/changePreviewCard";
import { migrationPreviewCard } from "../cards/migrationPreviewCard";
import { requestCard } from "../cards/requestCards";
import { TenantRequestError, UserFacingError } from "../errors";
import { fmt, utcMinute } from "../format";
import type { GraphGateway } from "../graph/graphGateway";
import { productName } from "../licensing/productNames";
import type { Logger } from "../log";
import { escapeMarkdown } from "../markdown";
import {
  migrationQuerySchema,
  changeQuerySchema,
  type MigrationQuery,
  type ChangeQuery,
} from "../requests/previewQuery";
import { isMigration, type ConversationRef, type LicenseRequest, type RequestPlan } from "../requests/licenseRequest";
import type {
  ChangePreviewOutcome,
  MigrationPreviewOutcome,
  PreviewProgress,
  PreviewService,
  Unresolved,
} from "../service/previewService";
import { EXAMPLE_REQUESTS, parseCommand, type ParsedChange, type ParsedMigration } from "./commands";
import { runVerb, verbHandlers, type VerbHandlers } from "./verbHandlers";

export interface IncomingMessage {
  /** What was typed, as the channel sent it: text, or nothing for a card button. Not trusted. */
  text: unknown;
  /** Data of a card button (Action.Submit), when the message comes from one. Not trusted. */
  value?: unknown;
  /** Who wrote, as the channel says (checked against the tenant before it matters). */
  from: Actor;
  /** Where to answer later (decisions, outcomes). */
  conversation: ConversationRef;
}

/** A Universal Action (Action.Execute) from a card: verb and data are not trusted. */
export interface CardAction {
  verb: string;
  data: unknown;
  from: Actor;
  conversation: ConversationRef;
  /** Where work that outlasts the click answers, when the channel can take an answer after the turn. */
  later?: AfterClick;
}

/** Answering a click after its turn (docs/teams-limits.md). */
export interface AfterClick {
  /** The conversation of the click, reached outside the turn. */
  readonly conversation: Conversation;
  /** The id of the message whose card was clicked, when the channel says (it is then updated in place). */
  readonly clickedActivityId?: string;
  /** Runs `work` after the turn. */
  defer(work: () => Promise<void>): void;
}

export type Reply = { kind: "text"; text: string } | { kind: "card"; card: AdaptiveCard };

/** Where replies go: the chat the message came from. */
export interface Conversation {
  /** Sends a reply; resolves to an id that `update` can replace, when the channel gives one. */
  send(reply: Reply): Promise<string | undefined>;
  update(id: string, reply: Reply): Promise<void>;
}

/** Groups from this size up get a "checking N members…" card while their members are read. */
export const PROGRESS_MIN_MEMBERS = 2000;

export class ChatService {
  private readonly verbs: VerbHandlers;

  constructor(
    private readonly graph: GraphGateway,
    private readonly previews: PreviewService,
    private readonly approvals: ApprovalService,
    private readonly log: Logger,
    /** Features off for lack of a Graph permission, in words (shown on help and seats). */
    private readonly permissionNotes: readonly string[] = [],
    private readonly now: () => Date = () => new Date(),
  ) {
    this.verbs = verbHandlers(approvals);
  }

  /**
   * A card button (Action.Execute): answers with the card to show in its place. Forged or stale
   * data, and anyone not allowed, get the reason on a card and change nothing.
   */
  async act(action: CardAction): Promise<AdaptiveCard> {
    const click = parseVerbAction(action.verb, action.data);
    if (!click)
      return noticeCard(
        "Nothing was changed",
        "That button's data was not understood. Ask for the preview or the status again.",
      );
    const later = action.later;
    if (later && (click.verb === "requestApproval" || click.verb === "requestMigration")) {
      // Asking previews again (the whole group, through Graph): the click is answered first, once
      // the tenant says the clicker may request; the request card follows.
      try {
        await this.approvals.require(action.from, "requester");
      } catch (error) {
        return this.refusalCard(error);
      }
      later.defer(async () => {
        const card = await this.cardFor(click, action);
        const reply: Reply = { kind: "card", card };
        if (later.clickedActivityId) await later.conversation.update(later.clickedActivityId, reply);
        else await later.conversation.send(reply);
      });
      const again =
        click.verb === "requestApproval"
          ? verbButton("requestApproval", click.data)
          : verbButton("requestMigration", click.data);
      return askingCard(again);
    }
    return this.cardFor(click, action);
  }

  /** The card a click's verb answers, or the refusal that says why not. */
  private async cardFor(click: VerbAction, action: CardAction): Promise<AdaptiveCard> {
    try {
      return await runVerb(this.verbs, click.verb, click.data, action);
    } catch (error) {
      return this.refusalCard(error);
    }
  }

  /** "Nothing was changed" and why, for a click refused or failed. */
  private refusalCard(error: unknown): AdaptiveCard {
    const notice = noticeCard("Nothing was changed", this.failure(error));
    // The request stays in view under the notice only when the service says this person may see
    // it: anyone else learns nothing about it, not even whether it exists.
    const current = error instanceof ActionRefused ? error.request : undefined;
    return current ? stacked(notice, requestCard(current)) : notice;
  }

  /** Answers one message. Never throws: a failure becomes a reply that says what happened and what to do. */
  async handle(message: IncomingMessage, conversation: Conversation): Promise<void> {
    const pending = new PendingReply(conversation);
    try {
      await pending.finish(await this.answer(message, pending));
    } catch (error) {
      await pending.finish({ kind: "text", text: this.failure(error) });
    }
  }

  private async answer(message: IncomingMessage, pending: PendingReply): Promise<Reply> {
    // Nothing of this tenant is shown to anyone from another one.
    this.approvals.checkTenant(message.from);
    const button = buttonRequest(message.value);
    if (button === "invalid") {
      return text(
        `That button's data was not understood, so I did nothing. Ask again in words, for example "${EXAMPLE_REQUESTS[0]}".`,
      );
    }
    if (button?.kind === "change") return this.preview(message.from, button.request, pending);
    if (button?.kind === "migration") return this.previewMigration(message.from, button.request, pending);
    const words = button?.kind === "command" ? button.command : (message.text ?? "");
    if (typeof words !== "string") {
      return text(
        `I could not read that message: it had no text in it, so I did nothing. Type your request in words, for example "${EXAMPLE_REQUESTS[0]}".`,
      );
    }
    const command = parseCommand(words);
    switch (command.kind) {
      case "help":
        return { kind: "card", card: helpCard(this.permissionNotes) };
      case "seats":
        // The tenant's products and seats are for the people who use License Desk.
        await this.approvals.requireMember(message.from);
        return { kind: "card", card: seatsCard(await this.graph.listProducts(), this.permissionNotes) };
      case "change":
        return this.preview(message.from, toChangeQuery(command.request), pending);
      case "status":
        if (command.requestId !== undefined)
          return { kind: "card", card: requestCard(await this.approvals.view(message.from, command.requestId)) };
        return text(statusList(this.approvals.listMine(message.from)));
      case "my-requests":
        return text(statusList(this.approvals.listMine(message.from)));
      case "undo": {
        const undo = await this.approvals.undo(message.from, command.requestId, message.conversation);
        return text(
          `Request #${undo.id} undoes request #${command.requestId}; it waits for an approver like any other.`,
        );
      }
      case "approvals-channel":
        await this.approvals.useApprovalsChannel(message.from, message.conversation);
        return text("From now on I send approval cards to this conversation.");
      case "migrate":
        return this.previewMigration(message.from, toMigrationQuery(command.request), pending);
      case "unknown":
        return text(
          `I did not understand that. Try for example:\n\n${EXAMPLE_REQUESTS.map((e) => `- ${e}`).join("\n")}\n\nSay **help** for everything I can do.`,
        );
    }
  }

  /** A preview names members and their licenses: only for those who may request changes. */
  private async preview(from: Actor, request: ChangeQuery, pending: PendingReply): Promise<Reply> {
    await this.approvals.require(from, "requester");
    return renderChange(await this.previews.preview(request, progressOf(pending)), this.now());
  }

  /** A migration's preview names the group's members and their licenses: requesters only, as a change's. */
  private async previewMigration(from: Actor, request: MigrationQuery, pending: PendingReply): Promise<Reply> {
    await this.approvals.require(from, "requester");
    return renderMigration(await this.previews.previewMigration(request, progressOf(pending)), this.now());
  }

  private failure(error: unknown): string {
    if (error instanceof TenantRequestError) {
      this.log.warn({ err: error }, "Graph request failed");
      return error.userMessage;
    }
    // A refusal is the bot working as meant: what was said is enough, a stack trace is noise.
    if (error instanceof UserFacingError) {
      this.log.info(
        { refusal: error.name, code: error.code, message: error.message, userMessage: error.userMessage },
        "request refused",
      );
      return error.userMessage;
    }
    const reference = randomUUID().slice(0, 8);
    this.log.error({ err: error, reference }, "unexpected failure");
    return `Something went wrong on my side (reference ${reference}). Nothing was changed. Try again; if it keeps happening, give the reference to your Teams administrator.`;
  }
}

/**
 * A reply that may be preceded by a progress card, which it then replaces. The progress card is
 * sent without holding up the work (the member listing does not wait for it), so `finish` waits
 * for that send to be answered before replacing the card: a slow channel must not turn the
 * result into a second message under a card that says "checking…" forever.
 */
class PendingReply {
  /** The progress card's send: resolves to its id, or undefined if the channel gave none or failed. */
  private progressSent: Promise<string | undefined> | undefined;

  constructor(private readonly conversation: Conversation) {}

  async progress(reply: Reply): Promise<void> {
    const sent = this.progressSent;
    if (sent) {
      const id = await sent;
      if (id) await this.conversation.update(id, reply);
      return;
    }
    // A progress card that cannot be sent only costs the progress card; `finish` sends the result.
    this.progressSent = this.conversation.send(reply).catch(() => undefined);
    await this.progressSent;
  }

  async finish(reply: Reply): Promise<void> {
    const id = this.progressSent ? await this.progressSent : undefined;
    if (id) await this.conversation.update(id, reply);
    else await this.conversation.send(reply);
  }
}

/** A progress card in place of the answer while a large group's members are read. */
function progressOf(pending: PendingReply): PreviewProgress {
  return {
    readingMembers: async (group, members) => {
      if (members >= PROGRESS_MIN_MEMBERS) {
        await pending.progress({
          kind: "card",
          card: progressCard(
            `Checking ${fmt(members)} members of ${escapeMarkdown(group)}…`,
            "This takes a few seconds for a large group. This card will show the result.",
          ),
        });
      }
    },
  };
}

function renderChange(outcome: ChangePreviewOutcome, checkedAt: Date): Reply {
  if (outcome.kind !== "preview") return renderUnresolved(outcome, previewButtonData);
  return {
    kind: "card",
    card: previewCard(outcome.preview, previewButtonData(outcome.request), { request: outcome.request }, checkedAt),
  };
}

function renderMigration(outcome: MigrationPreviewOutcome, checkedAt: Date): Reply {
  if (outcome.kind !== "migration-preview") return renderUnresolved(outcome, migrationButtonData);
  return {
    kind: "card",
    card: migrationPreviewCard(
      outcome.preview,
      migrationButtonData(outcome.request),
      { request: outcome.request },
      checkedAt,
    ),
  };
}

/** A choice (one button per option, each submitting its complete request) or a refusal, as text. */
function renderUnresolved<R>(outcome: Unresolved<R>, buttonData: (request: R) => object): Reply {
  switch (outcome.kind) {
    case "choose":
      return {
        kind: "card",
        card: choiceCard(
          outcome.choice.question,
          outcome.choice.hint,
          outcome.choice.options.map((o) => ({ title: o.title, data: buttonData(o.request) })),
        ),
      };
    case "refused":
      return text(outcome.message);
  }
}

function text(value: string): Reply {
  return { kind: "text", text: value };
}

/** What a preview button submits: the request, complete, so that pressing it needs no more questions. */
function previewButtonData(request: ChangeQuery): object {
  return { command: "preview", request };
}

/** What a migration preview's buttons submit (Refresh, a choice's options): the request, complete. */
function migrationButtonData(request: MigrationQuery): object {
  return { command: "migration-preview", request };
}

type ButtonRequest =
  | { kind: "change"; request: ChangeQuery }
  | { kind: "migration"; request: MigrationQuery }
  | { kind: "command"; command: string };

/**
 * What a button submits: a preview's request, or a command in words ("seats"); "invalid" for a
 * command that is not text, or a preview button whose data does not parse.
 */
function buttonRequest(value: unknown): ButtonRequest | "invalid" | undefined {
  if (typeof value !== "object" || value === null || !("command" in value)) return undefined;
  if (typeof value.command !== "string") return "invalid";
  const request = "request" in value ? value.request : undefined;
  switch (value.command) {
    case "preview": {
      const parsed = changeQuerySchema.safeParse(request);
      return parsed.success ? { kind: "change", request: parsed.data } : "invalid";
    }
    case "migration-preview": {
      const parsed = migrationQuerySchema.safeParse(request);
      return parsed.success ? { kind: "migration", request: parsed.data } : "invalid";
    }
    default:
      return { kind: "command", command: value.command };
  }
}

function toChangeQuery(request: ParsedChange): ChangeQuery {
  return {
    target: { hint: request.target.hint, name: request.target.name },
    ...(request.from ? { from: request.from } : {}),
    to: request.to,
  };
}

function toMigrationQuery(request: ParsedMigration): MigrationQuery {
  return {
    group: { name: request.group },
    ...(request.product !== undefined ? { product: request.product } : {}),
    ...(request.pilot ? { pilot: request.pilot } : {}),
    ...(request.waveSize !== undefined ? { waveSize: request.waveSize } : {}),
  };
}

function statusList(requests: readonly LicenseRequest[]): string {
  if (requests.length === 0)
    return 'You have no requests yet. Ask for a change, e.g. "move group Sales from E1 to E3".';
  const what = (p: RequestPlan) =>
    isMigration(p)
      ? `direct ${productName(p.product.skuPartNumber)} → group licensing`
      : `${productName(p.from.skuPartNumber)} → ${productName(p.to.skuPartNumber)}`;
  const lines = requests.map(
    (r) =>
      `- #${r.id} ${escapeMarkdown(r.preview.target.displayName)}: ${what(r.preview)}, ${r.status} (${utcMinute(r.createdAt)})`,
  );
  return `Your requests:\n\n${lines.join("\n")}\n\nSay **status N** for one of them.`;
}
