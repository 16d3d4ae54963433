/**
 * The Teams activity handler: translates activities into LicenseDesk messages and replies into
 * activities. It holds no logic of its own.
 */
import { CardFactory, MessageFactory, TeamsActivityHandler, type Activity, type TurnContext } from "botbuilder";
import type { LicenseDesk, Reply } from "../chat/licenseDesk";

export class LicenseDeskBot extends TeamsActivityHandler {
  constructor(private readonly desk: LicenseDesk) {
    super();
    this.onMessage(async (context, next) => {
      await context.sendActivity({ type: "typing" });
      const replies = await this.desk.reply({ text: context.activity.text ?? "", value: context.activity.value });
      await context.sendActivities(replies.map(toActivity));
      await next();
    });
    this.onMembersAdded(async (context, next) => {
      if (context.activity.membersAdded?.some((m) => m.id !== context.activity.recipient.id)) {
        await this.greet(context);
      }
      await next();
    });
  }

  private async greet(context: TurnContext): Promise<void> {
    const replies = await this.desk.reply({ text: "help" });
    await context.sendActivities(replies.map(toActivity));
  }
}

function toActivity(reply: Reply): Partial<Activity> {
  return reply.kind === "card" ? MessageFactory.attachment(CardFactory.adaptiveCard(reply.card)) : MessageFactory.text(reply.text);
}
