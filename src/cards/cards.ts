/**
 * The bot's message cards: help, seats, a question with choices, progress, a notice. Each card is
 * a template in cards/ (schema 1.5) bound to data; this module only shapes the data each template
 * expects. TextBlocks render markdown, so every text that carries the names of the tenant's people
 * and groups, or words people typed, is escaped (src/markdown.ts); texts given as markdown
 * (notices, questions) are bound as they are.
 */
import choiceTemplate from "../../cards/choice.json";
import helpTemplate from "../../cards/help.json";
import noticeTemplate from "../../cards/notice.json";
import progressTemplate from "../../cards/progress.json";
import seatsTemplate from "../../cards/seats.json";
import { fmt, plural } from "../format";
import type { Product } from "../licensing/model";
import { productName } from "../licensing/productNames";
import { availableSeats } from "../licensing/seats";
import { bind, type AdaptiveCard } from "./adaptiveCard";

/** What the bot can do, with example requests. */
/**
 * What a person can say. `permissionNotes` (appPermissions.ts, missingPermissionLines) says which
 * features are off because the app lacks a Graph permission.
 */
export function helpCard(permissionNotes: readonly string[] = []): AdaptiveCard {
  return bind(helpTemplate, {
    ...permissionNotesData(permissionNotes),
    commands: [
      {
        example: "move group Sales from E1 to E3",
        description: "Preview moving a group's members to another product: every check, the seats, who is affected.",
      },
      { example: "move user megan@contoso.com from E1 to E3", description: "The same for one user's direct license." },
      { example: "upgrade Sales to E3", description: "The product a group holds now is the one it moves from." },
      {
        example: "migrate Operations to group licensing for E3",
        description:
          "Move users who hold a product directly onto the group's license, in verified waves: nobody is without it, even for a moment.",
      },
      { example: "status, status 12, my requests", description: "Where requests stand." },
      { example: "seats", description: "The tenant's products: seats used, paid for and available." },
      { example: "help", description: "This list." },
    ],
  });
}

const STATUS_COLORS: Readonly<Record<Product["capabilityStatus"], string>> = {
  Enabled: "Default",
  Warning: "Warning",
  Suspended: "Attention",
  LockedOut: "Attention",
  Deleted: "Attention",
};

/** The tenant's products that can be assigned to users, by name, with their seats. */
/** The tenant's products with their seats; `permissionNotes` as on the help card. */
export function seatsCard(products: readonly Product[], permissionNotes: readonly string[] = []): AdaptiveCard {
  const rows = products
    .filter((p) => p.appliesTo === "User")
    .map((p) => ({ product: p, name: productName(p.skuPartNumber), available: availableSeats(p) }))
    .sort((a, b) => a.name.localeCompare(b.name))
    .map(({ product, name, available }) => ({
      name,
      skuPartNumber: product.skuPartNumber,
      consumed: product.consumedUnits,
      enabled: product.enabledUnits,
      ...availability(product, available),
      status: product.capabilityStatus,
      statusColor: STATUS_COLORS[product.capabilityStatus],
    }));
  const summary =
    rows.length === 0
      ? "This tenant has no products that can be assigned to users."
      : `${plural(rows.length, "product")} that can be assigned to users. Available = paid − used.` +
        (products.some((p) => p.appliesTo === "User" && (p.warningUnits ?? 0) > 0)
          ? " In grace: seats of an expired subscription that still work until it is renewed or suspended."
          : "");
  return bind(seatsTemplate, { summary, products: rows, ...permissionNotesData(permissionNotes) });
}

function permissionNotesData(notes: readonly string[]): { hasPermissionNotes: boolean; permissionNotes: string[] } {
  return { hasPermissionNotes: notes.length > 0, permissionNotes: [...notes] };
}

/**
 * The Available column. Seats in grace (prepaidUnits.warning) still work, so a product using them is
 * "5 used of 10 in grace (renew)", not "5 over"; only use beyond paid and grace seats is over.
 */
function availability(product: Product, available: number): { availableText: string; availableColor: string } {
  const grace = product.warningUnits ?? 0;
  const inGrace = Math.max(0, product.consumedUnits - product.enabledUnits);
  if (grace > 0 && inGrace <= grace) {
    const text =
      inGrace > 0
        ? `${fmt(inGrace)} used of ${fmt(grace)} in grace (renew)`
        : `${fmt(available)}, and ${fmt(grace)} in grace (renew)`;
    return { availableText: text, availableColor: "Warning" };
  }
  if (available < 0) return { availableText: `${fmt(inGrace - grace)} over`, availableColor: "Attention" };
  return { availableText: fmt(available), availableColor: available === 0 ? "Attention" : "Good" };
}

/** A question with one button per answer; each button submits its `data`. `question` and `hint` are markdown; button titles are not rendered as markdown. */
export function choiceCard(
  question: string,
  hint: string,
  options: readonly { title: string; data: object }[],
): AdaptiveCard {
  return bind(choiceTemplate, { question, hint, options });
}

/** A card that says what is being worked on (markdown); replaced by the result when it is ready. */
export function progressCard(headline: string, status: string): AdaptiveCard {
  return bind(progressTemplate, { headline, status });
}

/** A one-off message card: an action refused, an error. `title` and `text` are markdown. */
export function noticeCard(title: string, text: string, tone: "good" | "attention" = "attention"): AdaptiveCard {
  return bind(noticeTemplate, { title, text, color: tone === "good" ? "Good" : "Attention" });
}

/**
 * In place of a clicked "Request approval" while the preview runs again: what happens, and the same
 * button, so that a click lost (a restart before the request is stored) can be made again; asking
 * twice for one change makes one request.
 */
export function askingCard(requestAgain: object): AdaptiveCard {
  const card = progressCard(
    "Asking for approval…",
    "I am checking the tenant again before the request is made. This card shows the request once it is; if it has not changed within a minute, click again.",
  );
  return { ...card, actions: [requestAgain] };
}
