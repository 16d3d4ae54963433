/**
 * Proactive messages: the approval workflow's cards and notices, sent into stored conversations
 * and updated in place, through the same CloudAdapter as the replies.
 */
import type { CloudAdapter, ConversationReference } from "botbuilder";
import type { Notifier } from "../approval/approvalService";
import { requestCard } from "../cards/requestCards";
import type { CardRef, ConversationRef, LicenseRequest } from "../requests/licenseRequest";
import { toActivity } from "./licenseDeskBot";

export class TeamsNotifier implements Notifier {
  constructor(
    private readonly adapter: CloudAdapter,
    /** The bot's app id; empty in local mode. */
    private readonly appId: string,
  ) {}

  async sendRequestCard(conversation: ConversationRef, request: LicenseRequest): Promise<string | undefined> {
    let id: string | undefined;
    await this.adapter.continueConversationAsync(
      this.appId,
      conversation as Partial<ConversationReference>,
      async (context) => {
        id = (await context.sendActivity(toActivity({ kind: "card", card: requestCard(request) })))?.id;
      },
    );
    return id;
  }

  async updateRequestCard(card: CardRef, request: LicenseRequest): Promise<void> {
    await this.adapter.continueConversationAsync(
      this.appId,
      card.conversation as Partial<ConversationReference>,
      async (context) => {
        await context.updateActivity({
          ...toActivity({ kind: "card", card: requestCard(request) }),
          id: card.activityId,
        });
      },
    );
  }

  async tell(conversation: ConversationRef, text: string): Promise<void> {
    await this.adapter.continueConversationAsync(
      this.appId,
      conversation as Partial<ConversationReference>,
      async (context) => {
        await context.sendActivity(toActivity({ kind: "text", text }));
      },
    );
  }
}
