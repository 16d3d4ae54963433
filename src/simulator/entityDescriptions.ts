/** Naming the tenant's users, groups and products (and a snapshot's property paths) in messages. */
import type { Group, SubscribedSku, User } from "./snapshot";

export function describeUser(u: Pick<User, "id" | "userPrincipalName">): string {
  return `user '${u.userPrincipalName}' (id ${u.id})`;
}

export function describeGroup(g: Pick<Group, "id" | "displayName">): string {
  return `group '${g.displayName}' (id ${g.id})`;
}

export function describeSku(s: Pick<SubscribedSku, "skuId" | "skuPartNumber">): string {
  return `sku ${s.skuPartNumber} (skuId ${s.skuId})`;
}

/** A property path as `users[3].licenseAssignmentStates[0].skuId`. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : `${i === 0 ? "" : "."}${String(p)}`)).join("");
}
