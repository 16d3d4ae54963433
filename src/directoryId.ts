/**
 * Directory ids (Entra object ids of users and groups, tenant ids, skuIds) are GUIDs, and GUIDs
 * compare case-insensitively: Graph and Teams may spell the same one in upper or lower case. Every
 * id is put in one spelling where it enters (activity, card data, settings, Graph's answers), so
 * that everything inside compares ids with `===`.
 */

/** A GUID in any letter case, e.g. 6a2d8f3b-5c1e-4b7a-9e4d-0b3c7f1a8e62. */
export const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isGuid(value: string): boolean {
  return GUID.test(value);
}

/**
 * The one spelling of a directory id: a GUID in lower case. Anything else (a channel's own user id,
 * such as Teams' "29:…" when there is no Entra object id) is kept as given: it is opaque, and only
 * equal to itself.
 */
export function directoryId(id: string): string {
  const trimmed = id.trim();
  return GUID.test(trimmed) ? trimmed.toLowerCase() : id;
}
