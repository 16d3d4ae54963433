/**
 * The conversation: a message in, replies out through a Conversation. It knows nothing of Bot
 * Framework or Teams (the teams/ layer implements Conversation), so the day the bot moves to
 * another SDK only that layer changes.
 */
import { randomUUID } from "node:crypto";
import { choiceCard, helpCard, previewCard, progressCard, seatsCard, type AdaptiveCard } from "../cards/cards";
import { UserFacingError } from "../errors";
import type { GraphGateway } from "../graph/graphGateway";
import type { Logger } from "../log";
import { previewRequestSchema, type PreviewRequest } from "../service/previewRequest";
import type { PreviewOutcome, PreviewService } from "../service/previewService";
import { EXAMPLE_REQUESTS, parseCommand, type ChangeRequest } from "./commands";

export interface IncomingMessage {
  text: string;
  /** Data of a card button (Action.Submit), when the message comes from one. Not trusted. */
  value?: unknown;
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

export class LicenseDesk {
  constructor(
    private readonly graph: GraphGateway,
    private readonly previews: PreviewService,
    private readonly log: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {}

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
    const button = buttonRequest(message.value);
    if (button === "invalid") {
      return text(`That button's data was not understood, so I did nothing. Ask again in words, for example "${EXAMPLE_REQUESTS[0]}".`);
    }
    if (button) return this.preview(button, pending);
    const command = parseCommand(typeof message.value === "object" && message.value !== null && "command" in message.value ? String(message.value.command) : message.text);
    switch (command.kind) {
      case "help":
        return { kind: "card", card: helpCard() };
      case "seats":
        return { kind: "card", card: seatsCard(await this.graph.listProducts()) };
      case "change":
        return this.preview(toPreviewRequest(command.request), pending);
      case "unknown":
        return text(`I did not understand that. Try for example:\n\n${EXAMPLE_REQUESTS.map((e) => `- ${e}`).join("\n")}\n\nSay **help** for everything I can do.`);
    }
  }

  private async preview(request: PreviewRequest, pending: PendingReply): Promise<Reply> {
    const outcome = await this.previews.preview(request, {
      readingMembers: async (group, members) => {
        if (members >= PROGRESS_MIN_MEMBERS) {
          await pending.progress({ kind: "card", card: progressCard(`Checking ${members.toLocaleString("en-US")} members of ${group}…`, "This takes a few seconds for a large group. This card will show the result.") });
        }
      },
    });
    return render(outcome, this.now());
  }

  private failure(error: unknown): string {
    if (error instanceof UserFacingError) {
      this.log.warn({ err: error }, "request failed");
      return error.userMessage;
    }
    const reference = randomUUID().slice(0, 8);
    this.log.error({ err: error, reference }, "unexpected failure");
    return `Something went wrong on my side (reference ${reference}). Nothing was changed. Try again; if it keeps happening, give the reference to your Teams administrator.`;
  }
}

/** A reply that may be preceded by a progress card, which it then replaces. */
class PendingReply {
  private progressId: string | undefined;

  constructor(private readonly conversation: Conversation) {}

  async progress(reply: Reply): Promise<void> {
    if (this.progressId) await this.conversation.update(this.progressId, reply);
    else this.progressId = await this.conversation.send(reply);
  }

  async finish(reply: Reply): Promise<void> {
    if (this.progressId) await this.conversation.update(this.progressId, reply);
    else await this.conversation.send(reply);
  }
}

function render(outcome: PreviewOutcome, checkedAt: Date): Reply {
  switch (outcome.kind) {
    case "preview":
      return { kind: "card", card: previewCard(outcome.preview, previewButtonData(outcome.request), checkedAt) };
    case "choose":
      return { kind: "card", card: choiceCard(outcome.choice.question, outcome.choice.hint, outcome.choice.options.map((o) => ({ title: o.title, data: previewButtonData(o.request) }))) };
    case "refused":
      return text(outcome.message);
  }
}

function text(value: string): Reply {
  return { kind: "text", text: value };
}

/** What a preview button submits: the request, complete, so that pressing it needs no more questions. */
function previewButtonData(request: PreviewRequest): object {
  return { command: "preview", request };
}

/** The preview request a button carries; "invalid" for a preview button whose data does not parse. */
function buttonRequest(value: unknown): PreviewRequest | "invalid" | undefined {
  if (typeof value !== "object" || value === null || !("command" in value) || value.command !== "preview") return undefined;
  const parsed = previewRequestSchema.safeParse("request" in value ? value.request : undefined);
  return parsed.success ? parsed.data : "invalid";
}

function toPreviewRequest(request: ChangeRequest): PreviewRequest {
  return { target: { hint: request.target.hint, name: request.target.name }, ...(request.from ? { from: request.from } : {}), to: request.to };
}
