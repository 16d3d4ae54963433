/**
 * Adaptive Cards the bot sends. Each card is a template in cards/ (schema 1.5) bound to data with
 * adaptivecards-templating; this module only shapes the data each template expects.
 */
import * as ACData from "adaptivecards-templating";
import helpTemplate from "../../cards/help.json";
import seatsTemplate from "../../cards/seats.json";
import type { Product } from "../licensing/model";
import { productName } from "../licensing/productNames";
import { availableSeats } from "../licensing/seats";

/** An Adaptive Card as JSON, ready to attach to a message. */
export interface AdaptiveCard {
  type: "AdaptiveCard";
  version: string;
  body: unknown[];
  actions?: unknown[];
}

function bind(template: object, data: object): AdaptiveCard {
  return new ACData.Template(template).expand({ $root: data }) as AdaptiveCard;
}

/** What the bot can do, with example requests. */
export function helpCard(): AdaptiveCard {
  return bind(helpTemplate, {
    commands: [
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
export function seatsCard(products: readonly Product[]): AdaptiveCard {
  const rows = products
    .filter((p) => p.appliesTo === "User")
    .map((p) => ({ product: p, name: productName(p.skuPartNumber), available: availableSeats(p) }))
    .sort((a, b) => a.name.localeCompare(b.name))
    .map(({ product, name, available }) => ({
      name,
      skuPartNumber: product.skuPartNumber,
      consumed: product.consumedUnits,
      enabled: product.enabledUnits,
      availableText: available < 0 ? `${-available} over` : String(available),
      availableColor: available <= 0 ? "Attention" : "Good",
      status: product.capabilityStatus,
      statusColor: STATUS_COLORS[product.capabilityStatus],
    }));
  const summary =
    rows.length === 0
      ? "This tenant has no products that can be assigned to users."
      : `${rows.length} product${rows.length === 1 ? "" : "s"} that can be assigned to users. Available = paid − used.`;
  return bind(seatsTemplate, { summary, products: rows });
}
