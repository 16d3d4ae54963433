/**
 * The Teams activity handler: translates activities into ChatService messages and card actions,
 * and replies into activities. It holds no logic of its own. A message's turn ends once the typing
 * indicator is sent; its answer goes out after it (backgroundTurns.ts).
 */
import {
  CardFactory,
  DeliveryModes,
  MessageFactory,
  TeamsActivityHandler,
  TurnContext,
  type Activity,
  type AdaptiveCardInvokeResponse,
  type AdaptiveCardInvokeValue,
} from "botbuilder";
import type { Actor } from "../approval/approvalService";
import type { AfterClick, Conversation, ChatService, Reply } from "../chat/chatService";
import { directoryId } from "../directoryId";
import type { ConversationRef } from "../requests/licenseRequest";
import { SOMETHING_WENT_WRONG, type BackgroundTurns } from "./backgroundTurns";

export interface AfterTurn {
  readonly turns: BackgroundTurns;
  /** A conversation reached outside any turn (proactive messages). */
  conversationAt(conversation: ConversationRef): Conversation;
}

export class LicenseDeskBot extends TeamsActivityHandler {
  constructor(
    private readonly desk: ChatService,
    private readonly afterTurn: AfterTurn,
  ) {
    super();
    this.onMessage(async (context, next) => {
      await context.sendActivity({ type: "typing" });
      // The text goes as sent: the desk answers a message whose text is not text.
      const message = {
        text: context.activity.text,
        value: context.activity.value,
        from: actorOf(context),
        conversation: referenceOf(context),
      };
      const later = afterTheTurnOf(context, this.afterTurn);
      if (later) later.defer(() => this.desk.handle(message, later.conversation));
      else await this.desk.handle(message, conversationOf(context));
      await next();
    });
    this.onMembersAdded(async (context, next) => {
      if (context.activity.membersAdded?.some((m) => m.id !== context.activity.recipient.id)) {
        await this.desk.handle(
          { text: "help", from: actorOf(context), conversation: referenceOf(context) },
          conversationOf(context),
        );
      }
      await next();
    });
  }

  /** Universal Actions (Action.Execute): the card returned replaces the clicked one. */
  protected override async onAdaptiveCardInvoke(
    context: TurnContext,
    invokeValue: AdaptiveCardInvokeValue,
  ): Promise<AdaptiveCardInvokeResponse> {
    const action = invokeValue?.action;
    const later = afterTheTurnOf(context, this.afterTurn);
    const card = await this.desk.act({
      verb: typeof action?.verb === "string" ? action.verb : "",
      data: action?.data,
      from: actorOf(context),
      conversation: referenceOf(context),
      ...(later ? { later } : {}),
    });
    return { statusCode: 200, type: "application/vnd.microsoft.card.adaptive", value: { ...card } };
  }
}

/**
 * How to answer an activity after its turn: in its conversation, reached outside any turn, the
 * clicked message (Teams' replyToId) updated in place. None when the channel asked for every reply
 * in the turn's own response (deliveryMode expectReplies): nothing can reach it later.
 */
function afterTheTurnOf(context: TurnContext, afterTurn: AfterTurn): AfterClick | undefined {
  if (context.activity.deliveryMode === DeliveryModes.ExpectReplies) return undefined;
  const conversation = afterTurn.conversationAt(referenceOf(context));
  const clicked = context.activity.replyToId;
  return {
    conversation,
    ...(typeof clicked === "string" && clicked !== "" ? { clickedActivityId: clicked } : {}),
    defer: (work) =>
      afterTurn.turns.run(
        work,
        async () => void (await conversation.send({ kind: "text", text: SOMETHING_WENT_WRONG })),
      ),
  };
}

/** The person who sent the activity, with the tenant Teams says it came from; ids in their one spelling (directoryId). */
function actorOf(context: TurnContext): Actor {
  const a = context.activity;
  const channelTenant = (a.channelData as { tenant?: { id?: string } } | undefined)?.tenant?.id;
  // Activities are not trusted to be well formed: an id that is not text is no tenant (refused), or an opaque user id.
  const tenantId: unknown = a.conversation.tenantId ?? channelTenant;
  return {
    id: directoryId(String(a.from.aadObjectId ?? a.from.id)),
    name: typeof a.from.name === "string" ? a.from.name : "someone",
    tenantId: typeof tenantId === "string" ? directoryId(tenantId) : undefined,
  };
}

function referenceOf(context: TurnContext): ConversationRef {
  return TurnContext.getConversationReference(context.activity) as ConversationRef;
}

function conversationOf(context: TurnContext): Conversation {
  return {
    send: async (reply) => (await context.sendActivity(toActivity(reply)))?.id,
    update: async (id, reply) => {
      await context.updateActivity({ ...toActivity(reply), id });
    },
  };
}

export function toActivity(reply: Reply): Partial<Activity> {
  return reply.kind === "card"
    ? MessageFactory.attachment(CardFactory.adaptiveCard(reply.card))
    : MessageFactory.text(reply.text);
}
