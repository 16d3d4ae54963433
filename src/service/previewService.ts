/**
 * Turns a preview request into a preview: resolves the products and the group or user against the
 * tenant through Graph, reads what the checks need, and runs the pure licensing checks. Writes
 * nothing. Shared by the chat and the command line, which present its outcome each their own way.
 *
 * Calls for a group of N members, named by its exact name: subscribedSkus, the group (found with
 * its fields), ceil(N/999) member pages and one page of nested groups: ceil(N/999) + 3. A migration
 * preview adds the pages of the product's direct holders (ceil(H/999), H users holding it).
 *
 * Refusals and questions are markdown (the chat shows them so): names and phrases in them, typed
 * or from the tenant, are escaped. Option titles are plain text (buttons render no markdown).
 */
import { rankByName } from "./nameMatching";
import type { GraphGateway, NamedEntity } from "../graph/graphGateway";
import { previewGroupChange, previewUserChange } from "../licensing/changePreview";
import type { SubscriptionsRead } from "../licensing/model";
import { directProductsOf, planMigration, type MigrationPreview } from "../licensing/migrationPlan";
import type { Product, TenantGroup, TenantUser } from "../licensing/model";
import type { Preview } from "../licensing/preview";
import { productName } from "../licensing/productNames";
import { resolveProduct } from "../licensing/productResolver";
import { escapeMarkdown } from "../markdown";
import type { MigrationQuery, ChangeQuery } from "../requests/previewQuery";

/**
 * A choice the user must make before a preview can be computed; each option is a complete request
 * of the kind asked for (a change's ChangeQuery, a migration's MigrationQuery).
 */
export interface Choice<R = ChangeQuery> {
  readonly question: string;
  readonly hint: string;
  readonly options: readonly { readonly title: string; readonly request: R }[];
}

/** A request that cannot be previewed yet: a choice to make, or the reason it cannot be previewed as asked (markdown). */
export type Unresolved<R> =
  | { readonly kind: "choose"; readonly choice: Choice<R> }
  /** `message` says why, and what to ask instead. */
  | { readonly kind: "refused"; readonly message: string };

/** A change's outcome; `request` is the one previewed, resolved to ids (what its buttons carry). */
export type ChangePreviewOutcome =
  { readonly kind: "preview"; readonly preview: Preview; readonly request: ChangeQuery } | Unresolved<ChangeQuery>;

/** A direct-to-group migration's outcome; `request` is resolved to the group's id and the product's skuId. */
export type MigrationPreviewOutcome =
  | {
      readonly kind: "migration-preview";
      readonly preview: MigrationPreview;
      readonly request: MigrationQuery;
    }
  | Unresolved<MigrationQuery>;

export type PreviewOutcome = ChangePreviewOutcome | MigrationPreviewOutcome;

/** A UTF-16 code unit of a surrogate pair without its other half: with the u flag, paired ones are one code point and never match. */
const LONE_SURROGATE = /\p{Cs}/u;
const BROKEN_NAME =
  "The name has a broken character in it (half of an emoji or symbol, as some copy and paste leaves), so I did not look it up and nothing was changed. Type the name again without that character.";

/** Most options a choice offers; more matches ask for a longer name instead. */
const MAX_OPTIONS = 10;
/** Most names read to suggest the closest when nothing matches. */
const SUGGESTION_POOL = 5000;

export interface PreviewProgress {
  /** The group has `members` user members to read; called once the first page says how many. */
  readingMembers(group: string, members: number): void | Promise<void>;
}

export class PreviewService {
  constructor(private readonly graph: GraphGateway) {}

  async preview(request: ChangeQuery, progress?: PreviewProgress): Promise<ChangePreviewOutcome> {
    const [products, subscriptions] = await Promise.all([this.graph.listProducts(), this.subscriptions()]);
    const to = ownedProduct(request.to, products, (skuId) => ({ ...request, to: skuId }));
    if ("outcome" in to) return to.outcome;

    const target = await this.resolveTarget(request.target, (type, id) => ({ ...request, target: { type, id } }));
    if ("outcome" in target) return target.outcome;

    const fromPhrase = request.from ?? defaultSource(target.entity, target.type, products, request);
    if (typeof fromPhrase !== "string") return fromPhrase;
    const from = ownedProduct(fromPhrase, products, (skuId) => ({ ...request, from: skuId }));
    if ("outcome" in from) return from.outcome;
    if (from.product.skuId === to.product.skuId) {
      return refused(
        `${describe(target)} would move from ${productName(from.product.skuPartNumber)} to itself. Name two different products.`,
      );
    }

    const { restore } = request;
    const resolved: ChangeQuery = {
      target: { type: target.type, id: target.entity.id },
      from: from.product.skuId,
      to: to.product.skuId,
      ...(restore ? { restore } : {}),
    };
    if (target.type === "group") {
      const group = target.entity as TenantGroup;
      const members = await this.graph.listGroupMembers(group.id, (n) =>
        progress?.readingMembers(group.displayName, n),
      );
      const preview = previewGroupChange({
        group,
        members,
        products,
        fromSkuId: from.product.skuId,
        toSkuId: to.product.skuId,
        restore,
        subscriptions,
      });
      return { kind: "preview", preview, request: resolved };
    }
    const user = target.entity as TenantUser;
    const groupIds = [...new Set(user.licenseStates.flatMap((s) => (s.assignedByGroup ? [s.assignedByGroup] : [])))];
    const groupNames = groupIds.length > 0 ? await this.graph.groupNames(groupIds) : new Map<string, string>();
    const preview = previewUserChange({
      user,
      groupNames,
      products,
      fromSkuId: from.product.skuId,
      toSkuId: to.product.skuId,
      restore,
      subscriptions,
    });
    return { kind: "preview", preview, request: resolved };
  }

  /** The tenant's subscriptions, when the app may read them, and when they were read. */
  private async subscriptions(): Promise<SubscriptionsRead> {
    return { list: await this.graph.listSubscriptions(), readAt: new Date() };
  }

  /**
   * Moving the members of a group who hold a product directly onto group-based licensing: the group
   * (always a group, found as a change's target is), the product (when the request names none, the
   * one the members hold directly), then the members and every direct holder of the product.
   */
  async previewMigration(request: MigrationQuery, progress?: PreviewProgress): Promise<MigrationPreviewOutcome> {
    const [products, subscriptions] = await Promise.all([this.graph.listProducts(), this.subscriptions()]);
    const named =
      request.product === undefined
        ? undefined
        : ownedProduct(request.product, products, (skuId) => ({ ...request, product: skuId }));
    if (named && "outcome" in named) return named.outcome;

    const { group: by } = request;
    const target = await this.resolveTarget(
      "id" in by ? { type: "group", id: by.id } : { hint: "group", name: by.name },
      (_type, id) => ({ ...request, group: { id } }),
    );
    if ("outcome" in target) return target.outcome;
    // A target asked for as a group is only ever looked for among groups.
    if (target.type !== "group") throw new Error(`a migration resolved to a ${target.type}`);
    const group = target.entity;

    const members = await this.graph.listGroupMembers(group.id, (n) => progress?.readingMembers(group.displayName, n));
    const product =
      named?.product ?? directProduct(group, members.users, products, { ...request, group: { id: group.id } });
    if ("kind" in product) return product;
    const directHolders = await this.graph.listDirectHolders(product.skuId);
    const { pilot, waveSize } = request;
    const settings = {
      ...(pilot ? { pilot: { count: pilot.count, percent: pilot.percent } } : {}),
      ...(waveSize !== undefined ? { waveSize } : {}),
    };
    const preview = planMigration({
      group,
      members,
      directHolders,
      products,
      skuId: product.skuId,
      subscriptions,
      ...settings,
    });
    // The settings go with the resolved request, so that Refresh and Request approval plan the same stages.
    return {
      kind: "migration-preview",
      preview,
      request: { group: { id: group.id }, product: product.skuId, ...settings },
    };
  }

  /**
   * The group or user a request names: by id, or by name (exact, else the one name that starts with
   * it, else a choice, else the closest names). `withTarget` is the request with a choice's pick.
   */
  private async resolveTarget<R>(
    t: ChangeQuery["target"],
    withTarget: (type: "group" | "user", id: string) => R,
  ): Promise<ResolvedTarget | { outcome: Unresolved<R> }> {
    if ("id" in t) {
      return t.type === "group"
        ? { type: "group", entity: await this.graph.getGroup(t.id) }
        : { type: "user", entity: await this.graph.getUser(t.id) };
    }
    // Half of a surrogate pair cannot be sent to Graph (a URL carries UTF-8, which has no encoding for it).
    if (LONE_SURROGATE.test(t.name)) return { outcome: refused(BROKEN_NAME) };
    const groups = t.hint === "user" ? [] : await this.graph.findGroups(t.name);
    const exactGroups = rankByName(t.name, groups, (g) => g.displayName).exact;
    // A group of exactly that name wins without asking users too (one call fewer).
    const users =
      t.hint === "group" || (t.hint === "either" && exactGroups.length === 1) ? [] : await this.graph.findUsers(t.name);
    const candidates: ResolvedTarget[] = [
      ...groups.map((g) => ({ type: "group" as const, entity: g })),
      ...users.map((u) => ({ type: "user" as const, entity: u })),
    ];
    const ranked = rankByName(t.name, candidates, (c) => c.entity.displayName);
    const best = ranked.exact.length > 0 ? ranked.exact : candidates;
    if (best.length === 1) return best[0];
    if (best.length > 1) return { outcome: { kind: "choose", choice: whichTarget(t.name, best, withTarget) } };
    return { outcome: await this.noMatch(t.name, t.hint, withTarget) };
  }

  private async noMatch<R>(
    name: string,
    hint: "group" | "user" | "either",
    withTarget: (type: "group" | "user", id: string) => R,
  ): Promise<Unresolved<R>> {
    const what = hint === "either" ? "group or user" : hint;
    const pool: { type: "group" | "user"; entity: NamedEntity }[] = [
      ...(hint === "user"
        ? []
        : (await this.graph.listGroupNames(SUGGESTION_POOL)).map((g) => ({ type: "group" as const, entity: g }))),
      ...(hint === "group"
        ? []
        : (await this.graph.listUserNames(SUGGESTION_POOL)).map((u) => ({ type: "user" as const, entity: u }))),
    ];
    const similar = rankByName(name, pool, (c) => c.entity.displayName).similar.slice(0, 3);
    if (similar.length === 0)
      return refused(`I found no ${what} named "${escapeMarkdown(name)}". Check the name as it appears in Entra ID.`);
    return {
      kind: "choose",
      choice: {
        question: `I found no ${what} named "${escapeMarkdown(name)}".`,
        hint: "Did you mean one of these?",
        options: similar.map((c) => ({
          title: optionTitle(c.type, c.entity),
          request: withTarget(c.type, c.entity.id),
        })),
      },
    };
  }
}

/**
 * A product phrase resolved against what the tenant owns, or the outcome that explains why not.
 * `withProduct` is the request with the product a choice picks.
 */
function ownedProduct<R>(
  phrase: string,
  owned: readonly Product[],
  withProduct: (skuId: string) => R,
): { product: Product } | { outcome: Unresolved<R> } {
  const resolution = resolveProduct(phrase, owned);
  switch (resolution.kind) {
    case "found":
      return { product: resolution.product };
    case "ambiguous":
      return {
        outcome: {
          kind: "choose",
          choice: {
            question: `Which product do you mean by "${escapeMarkdown(phrase)}"?`,
            hint: "This tenant owns more than one product by that name.",
            options: productOptions(resolution.candidates, withProduct),
          },
        },
      };
    case "not-owned":
      return {
        outcome: refused(
          `This tenant does not own ${resolution.name} (${resolution.skuPartNumber}). Say **seats** to see the products it owns.`,
        ),
      };
    case "unknown": {
      const closest = resolution.suggestions.map(productTitle);
      return {
        outcome: refused(
          `I do not know a product called "${escapeMarkdown(phrase)}".${closest.length > 0 ? ` Did you mean ${orList(closest)}?` : ""} Say **seats** to see the products this tenant owns.`,
        ),
      };
    }
  }
}

type ResolvedTarget =
  { readonly type: "group"; readonly entity: TenantGroup } | { readonly type: "user"; readonly entity: TenantUser };

/**
 * The product to move from when the request does not name one: the one product the group holds,
 * or the one the user holds directly. Otherwise a choice (or a refusal when there is none).
 */
function defaultSource(
  entity: TenantGroup | TenantUser,
  type: "group" | "user",
  products: readonly Product[],
  request: ChangeQuery,
): string | Unresolved<ChangeQuery> {
  const held =
    type === "group"
      ? (entity as TenantGroup).assignedLicenses.map((l) => l.skuId)
      : (entity as TenantUser).licenseStates.filter((s) => s.assignedByGroup === null).map((s) => s.skuId);
  const owned = products.filter((p) => held.includes(p.skuId));
  const name = `${type} ${escapeMarkdown(entity.displayName)}`;
  if (owned.length === 1) return owned[0].skuId;
  if (owned.length === 0) {
    return refused(
      `The ${name} holds no product${type === "user" ? " directly" : ""}, so there is nothing to move from. Say which product to move from, e.g. "move ${name} from E1 to E3".`,
    );
  }
  return {
    kind: "choose",
    choice: {
      question: `The ${name} holds ${owned.length} products. Which one should move?`,
      hint: "Pick the product to replace.",
      options: productOptions(owned, (skuId) => ({ ...request, from: skuId })),
    },
  };
}

/**
 * The product to migrate when the request does not name one: the one product the group's members
 * hold directly. Several ask which, most holders first; none is refused (there is nothing to move).
 */
function directProduct(
  group: TenantGroup,
  members: readonly TenantUser[],
  products: readonly Product[],
  request: MigrationQuery,
): Product | Unresolved<MigrationQuery> {
  const bySku = new Map(products.map((p) => [p.skuId, p]));
  const held = directProductsOf(members).flatMap((sku) => bySku.get(sku) ?? []);
  if (held.length === 1) return held[0];
  if (held.length === 0) {
    const groupName = escapeMarkdown(group.displayName);
    const who =
      members.length === 0 ? `${groupName} has no user members` : `No member of ${groupName} holds a product directly`;
    return refused(
      `${who}, so there is nothing to move onto group licensing. To give its members a product, assign it to the group instead.`,
    );
  }
  return {
    kind: "choose",
    choice: {
      question: `Members of ${escapeMarkdown(group.displayName)} hold ${held.length} products directly. Which one should move onto group licensing?`,
      hint: "Most held first.",
      options: productOptions(held, (skuId) => ({ ...request, product: skuId })),
    },
  };
}

function whichTarget<R>(
  name: string,
  matches: readonly ResolvedTarget[],
  withTarget: (type: "group" | "user", id: string) => R,
): Choice<R> {
  const shown = matches.slice(0, MAX_OPTIONS);
  const more = matches.length - shown.length;
  return {
    question: `${matchCount(matches)} "${escapeMarkdown(name)}". Which one do you mean?`,
    hint: more > 0 ? `Showing the first ${MAX_OPTIONS}; type a longer name to narrow it down.` : "Pick one.",
    options: shown.map((c) => ({ title: optionTitle(c.type, c.entity), request: withTarget(c.type, c.entity.id) })),
  };
}

/** One option per product: the request with that product. */
function productOptions<R>(products: readonly Product[], withProduct: (skuId: string) => R): Choice<R>["options"] {
  return products.map((p) => ({ title: productTitle(p), request: withProduct(p.skuId) }));
}

function productTitle(product: Product): string {
  return `${productName(product.skuPartNumber)} (${product.skuPartNumber})`;
}

/** "2 groups match", "1 group and 3 users match": what was found, named as it is. */
function matchCount(matches: readonly ResolvedTarget[]): string {
  const groups = matches.filter((m) => m.type === "group").length;
  const users = matches.length - groups;
  const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? "" : "s"}`;
  const parts = [...(groups > 0 ? [count(groups, "group")] : []), ...(users > 0 ? [count(users, "user")] : [])];
  return `${parts.join(" and ")} match${matches.length === 1 ? "es" : ""}`;
}

function optionTitle(type: "group" | "user", entity: NamedEntity): string {
  return type === "group"
    ? `Group: ${entity.displayName}`
    : `User: ${entity.displayName}${entity.userPrincipalName ? ` (${entity.userPrincipalName})` : ""}`;
}

function describe(target: ResolvedTarget): string {
  return `The ${target.type} ${escapeMarkdown(target.entity.displayName)}`;
}

function refused(message: string): { kind: "refused"; message: string } {
  return { kind: "refused", message };
}

function orList(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} or ${items[items.length - 1]}`;
}
