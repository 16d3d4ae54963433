/**
 * The Teams activity handler: translates activities into LicenseDesk messages and replies into
 * activities. It holds no logic of its own.
 */
import { CardFactory, MessageFactory, TeamsActivityHandler, type Activity, type TurnContext } from "botbuilder";
import type { Conversation, LicenseDesk, Reply } from "../chat/licenseDesk";

export class LicenseDeskBot extends TeamsActivityHandler {
  constructor(private readonly desk: LicenseDesk) {
    super();
    this.onMessage(async (context, next) => {
      await context.sendActivity({ type: "typing" });
      await this.desk.handle({ text: context.activity.text ?? "", value: context.activity.value }, conversationOf(context));
      await next();
    });
    this.onMembersAdded(async (context, next) => {
      if (context.activity.membersAdded?.some((m) => m.id !== context.activity.recipient.id)) {
        await this.desk.handle({ text: "help" }, conversationOf(context));
      }
      await next();
    });
  }
}

function conversationOf(context: TurnContext): Conversation {
  return {
    send: async (reply) => (await context.sendActivity(toActivity(reply)))?.id,
    update: async (id, reply) => {
      await context.updateActivity({ ...toActivity(reply), id });
    },
  };
}

function toActivity(reply: Reply): Partial<Activity> {
  return reply.kind === "card" ? MessageFactory.attachment(CardFactory.adaptiveCard(reply.card)) : MessageFactory.text(reply.text);
}
