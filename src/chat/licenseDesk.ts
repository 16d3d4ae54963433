/**
 * The conversation: a message in, replies out. It knows nothing of Bot Framework or Teams (the
 * teams/ layer translates), so the day the bot moves to another SDK only that layer changes.
 */
import { randomUUID } from "node:crypto";
import { helpCard, seatsCard, type AdaptiveCard } from "../cards/cards";
import { UserFacingError } from "../errors";
import type { GraphGateway } from "../graph/graphGateway";
import type { Logger } from "../log";
import { parseCommand, type Command } from "./commands";

export interface IncomingMessage {
  text: string;
  /** Data of a card button (Action.Submit), when the message comes from one. */
  value?: unknown;
}

export type Reply = { kind: "text"; text: string } | { kind: "card"; card: AdaptiveCard };

export class LicenseDesk {
  constructor(
    private readonly graph: GraphGateway,
    private readonly log: Logger,
  ) {}

  /** Answers one message. Never throws: a failure becomes a reply that says what happened and what to do. */
  async reply(message: IncomingMessage): Promise<Reply[]> {
    const command = parseCommand(commandText(message));
    try {
      return await this.run(command);
    } catch (error) {
      if (error instanceof UserFacingError) {
        this.log.warn({ err: error, command: command.kind }, "request failed");
        return [{ kind: "text", text: error.userMessage }];
      }
      const reference = randomUUID().slice(0, 8);
      this.log.error({ err: error, command: command.kind, reference }, "unexpected failure");
      return [{ kind: "text", text: `Something went wrong on my side (reference ${reference}). Nothing was changed. Try again; if it keeps happening, give the reference to your Teams administrator.` }];
    }
  }

  private async run(command: Command): Promise<Reply[]> {
    switch (command.kind) {
      case "help":
        return [{ kind: "card", card: helpCard() }];
      case "seats":
        return [{ kind: "card", card: seatsCard(await this.graph.listProducts()) }];
      case "unknown":
        return [{ kind: "text", text: `I did not understand "${command.text}". Say **help** to see what I can do.` }];
    }
  }
}

/** A card button carries its command in `value.command`; a typed message in `text`. */
function commandText(message: IncomingMessage): string {
  const value = message.value;
  if (typeof value === "object" && value !== null && "command" in value && typeof value.command === "string") return value.command;
  return message.text;
}
