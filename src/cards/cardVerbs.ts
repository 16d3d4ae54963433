/**
 * The Universal Actions (Action.Execute) the cards carry, as one typed map: each verb with the
 * data its button submits. Buttons are built here from the map, and the chat layer must give
 * every verb one handler (a mapped type over `Verb`), so a button without a handler, or a verb
 * without a button, does not compile. The data is checked against the verb's schema before
 * anything reads it: a click is not trusted.
 */
import { z } from "zod";
import { migrationQuerySchema, changeQuerySchema } from "../requests/previewQuery";

/** A request and the version the card shows; the server trusts neither. */
const requestRef = z.object({ requestId: z.number().int().positive(), version: z.number().int().positive() });

export const CARD_VERBS = {
  /** A change's preview: ask for approval of exactly this request. */
  requestApproval: z.object({ request: changeQuerySchema }),
  /** A migration's preview: ask for approval of exactly this migration. */
  requestMigration: z.object({ request: migrationQuerySchema }),
  approve: requestRef,
  /** A migration: approve this stage and every one after it. */
  approveAll: requestRef,
  /** A migration: stop after the stages done; users not yet moved keep their direct license. */
  stop: requestRef,
  /** The reason comes from the card's input "reason", which Teams adds to the data. */
  reject: requestRef.extend({ reason: z.string().max(2000).default("") }),
  cancel: requestRef,
  reprocess: requestRef,
} as const;

export type Verb = keyof typeof CARD_VERBS;
/** The data a verb's handler gets, checked. */
export type VerbData = { [V in Verb]: z.output<(typeof CARD_VERBS)[V]> };
/** A click, checked: the verb with its data. */
export type VerbAction = { [V in Verb]: { readonly verb: V; readonly data: VerbData[V] } }[Verb];

/** How each verb's button looks; a verb must have one. */
const BUTTONS: Readonly<Record<Verb, { title: string; style?: "positive" | "destructive" }>> = {
  requestApproval: { title: "Request approval", style: "positive" },
  requestMigration: { title: "Request approval", style: "positive" },
  approve: { title: "Approve", style: "positive" },
  approveAll: { title: "Approve all remaining stages" },
  stop: { title: "Stop here", style: "destructive" },
  reject: { title: "Reject", style: "destructive" },
  cancel: { title: "Cancel request" },
  reprocess: { title: "Reprocess users in error" },
};

/** A button for `verb`, submitting `data` of that verb's shape; `title` replaces the verb's usual one. */
export function verbButton<V extends Verb>(verb: V, data: z.input<(typeof CARD_VERBS)[V]>, title?: string): object {
  const { title: usual, style } = BUTTONS[verb];
  return { type: "Action.Execute", title: title ?? usual, verb, data, ...(style ? { style } : {}) };
}

/** The click as sent, checked against its verb's schema; undefined for an unknown verb or data of the wrong shape. */
export function parseVerbAction(verb: unknown, data: unknown): VerbAction | undefined {
  if (typeof verb !== "string" || !Object.hasOwn(CARD_VERBS, verb)) return undefined;
  const parsed = CARD_VERBS[verb as Verb].safeParse(data);
  // The schema is the verb's own, so the pair is one of VerbAction's members.
  return parsed.success ? ({ verb, data: parsed.data } as VerbAction) : undefined;
}

/** Reject asks for the reason the requester will read. */
export function rejectButton(ref: z.input<typeof requestRef>): object {
  return {
    type: "Action.ShowCard",
    title: "Reject",
    card: {
      type: "AdaptiveCard",
      version: "1.5",
      body: [
        {
          type: "Input.Text",
          id: "reason",
          label: "Why? The requester will read this.",
          isMultiline: true,
          isRequired: true,
          errorMessage: "Give a reason.",
          maxLength: 500,
        },
      ],
      actions: [verbButton("reject", ref)],
    },
  };
}
