/**
 * Microsoft Graph's application permissions, as the simulated tenant enforces them
 * (docs/graph-contract.md): each route names the permissions that let an app make the call, and a
 * call the granted ones do not cover is answered 403 Authorization_RequestDenied, as Graph answers.
 */

/**
 * What lets an app make a call: any one of the alternatives, each a set of permissions that must
 * all be granted (checkMemberGroups needs User.Read.All together with GroupMember.Read.All).
 */
export type PermissionRule = readonly (readonly string[])[];

/** One alternative per permission: any of them suffices. */
export function anyOf(...permissions: string[]): PermissionRule {
  return permissions.map((p) => [p]);
}

/**
 * What the README tells an administrator to grant, and so what the simulated tenant grants unless
 * told otherwise (SIMULATOR_PERMISSIONS).
 */
export const README_PERMISSIONS: readonly string[] = [
  "LicenseAssignment.ReadWrite.All",
  "LicenseAssignment.Read.All",
  "User.Read.All",
  "GroupMember.Read.All",
  "Organization.Read.All",
  "User.ReadWrite.All",
];

/** Whether `granted` covers `rule`. */
export function permits(rule: PermissionRule, granted: ReadonlySet<string>): boolean {
  return rule.some((all) => all.every((p) => granted.has(p)));
}

/** "LicenseAssignment.Read.All (or Organization.Read.All, …)": the rule in words, least privileged first. */
export function describeRule(rule: PermissionRule): string {
  const [first, ...rest] = rule.map((all) => all.join(" and "));
  return rest.length > 0 ? `${first} (or ${rest.join(", ")})` : (first ?? "");
}
