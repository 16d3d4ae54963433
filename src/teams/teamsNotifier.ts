/**
 * Proactive messages: the approval workflow's cards and notices, and the answers to messages sent
 * after their turn, sent into stored conversations and updated in place, through the same
 * CloudAdapter as the replies.
 */
import type { CloudAdapter, ConversationReference } from "botbuilder";
import type { Notifier } from "../approval/approvalService";
import { requestCard } from "../cards/requestCards";
import type { Conversation, Reply } from "../chat/chatService";
import type { CardRef, ConversationRef, LicenseRequest } from "../requests/licenseRequest";
import { toActivity } from "./licenseDeskBot";

export class TeamsNotifier implements Notifier {
  constructor(
    private readonly adapter: CloudAdapter,
    /** The bot's app id; empty in local mode. */
    private readonly appId: string,
  ) {}

  /** A conversation reached outside any turn: each send or update is a turn of its own. */
  conversationAt(conversation: ConversationRef): Conversation {
    const reference = conversation as Partial<ConversationReference>;
    return {
      send: async (reply: Reply) => {
        let id: string | undefined;
        await this.adapter.continueConversationAsync(this.appId, reference, async (context) => {
          id = (await context.sendActivity(toActivity(reply)))?.id;
        });
        return id;
      },
      update: async (activityId: string, reply: Reply) => {
        await this.adapter.continueConversationAsync(this.appId, reference, async (context) => {
          await context.updateActivity({ ...toActivity(reply), id: activityId });
        });
      },
    };
  }

  sendRequestCard(conversation: ConversationRef, request: LicenseRequest): Promise<string | undefined> {
    return this.conversationAt(conversation).send({ kind: "card", card: requestCard(request) });
  }

  updateRequestCard(card: CardRef, request: LicenseRequest): Promise<void> {
    return this.conversationAt(card.conversation).update(card.activityId, { kind: "card", card: requestCard(request) });
  }

  async tell(conversation: ConversationRef, text: string): Promise<void> {
    await this.conversationAt(conversation).send({ kind: "text", text });
  }
}
