/**
 * A request to preview a change, as the chat layer and the CLI hand it to the preview service, and
 * as card buttons carry it. Card data is not trusted: it is parsed with this schema, and ids in it
 * are only ever used to read the tenant, which answers for them.
 */
import { z } from "zod";
import { directoryId, GUID } from "../directoryId";

/** An id from card data, in the one spelling everything inside compares. */
const guid = z.string().regex(GUID).transform(directoryId);
/** A product as typed ("E3", "Office 365 E3", "ENTERPRISEPACK") or a skuId. */
const productPhrase = z.string().trim().min(1).max(100);

export const changeQuerySchema = z.object({
  target: z.union([
    z.object({ type: z.enum(["group", "user"]), id: guid }),
    z.object({ hint: z.enum(["group", "user", "either"]), name: z.string().trim().min(1).max(256) }),
  ]),
  from: productPhrase.optional(),
  to: productPhrase,
  /**
   * Only an undo ("undo request N") sets this: `to` is restored as it was before request `undoOf`,
   * with exactly these disabled plans (ids). Card buttons never need it, and "Request approval"
   * drops it: asking for an inverse change in words is checked like any other change.
   */
  restore: z.object({ undoOf: z.number().int().positive(), disabledPlans: z.array(guid).max(500) }).optional(),
});

export type ChangeQuery = z.infer<typeof changeQuerySchema>;

/**
 * A migration's pilot: the larger of `count` users and `percent` % of the eligible movers. The
 * request parser sets one of them (the other 0); the default, when a request has none, is 5 and 5.
 */
export const pilotSettingSchema = z
  .object({ count: z.number().int().min(0).max(1000), percent: z.number().int().min(0).max(100) })
  .refine((p) => p.count > 0 || p.percent > 0, { message: "a pilot needs at least one user or one percent" });

/**
 * A request to preview moving a group's directly licensed members onto group-based licensing: the
 * group by name (as typed) or by id (as buttons carry it), and the product as typed or a skuId;
 * without a product, the one the members hold directly. `pilot` and `waveSize` are the request's
 * settings, absent for the defaults (MigrationInput in src/licensing/migrationPlan.ts).
 */
export const migrationQuerySchema = z.object({
  group: z.union([z.object({ id: guid }), z.object({ name: z.string().trim().min(1).max(256) })]),
  product: productPhrase.optional(),
  pilot: pilotSettingSchema.optional(),
  waveSize: z.number().int().min(1).max(1000).optional(),
});

export type MigrationQuery = z.infer<typeof migrationQuerySchema>;
