/**
 * The application permissions License Desk asks an admin to grant, what each one makes work, and
 * which the app holds: read from the `roles` claim of the access token Entra gives it for Graph
 * (for an app-only token, the application permissions granted with admin consent). The claim only
 * says what to report; Graph's 403 on the call itself stays the authority.
 * Sources: [Microsoft identity platform access tokens](https://learn.microsoft.com/entra/identity-platform/access-token-claims-reference),
 * docs/graph-contract.md for each permission's calls.
 */
import { decodeJwt } from "jose";
import { UserFacingError } from "../errors";
import { accessTokenFor, type GraphGateway, type GraphTarget, type NamedEntity } from "./graphGateway";

export interface AppPermission {
  readonly name: string;
  /** What needs it, as an approver reads it: "Reprocess users in error". */
  readonly feature: string;
  /** Broader permissions that allow the same calls (Microsoft's pages list them as "higher privileged"). */
  readonly orBroader: readonly string[];
  /** Without it, everything else works. */
  readonly optional: boolean;
}

export const APP_PERMISSIONS: readonly AppPermission[] = [
  {
    name: "LicenseAssignment.Read.All",
    feature: "reading the products and seats (every preview, seats, approval)",
    orBroader: ["Organization.Read.All", "Directory.Read.All", "Organization.ReadWrite.All", "Directory.ReadWrite.All"],
    optional: false,
  },
  {
    name: "LicenseAssignment.ReadWrite.All",
    feature: "applying an approved change (assignLicense on users and groups)",
    orBroader: ["Directory.ReadWrite.All"],
    optional: false,
  },
  {
    name: "User.Read.All",
    feature: "reading users and their licenses",
    orBroader: ["User.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"],
    optional: false,
  },
  {
    name: "GroupMember.Read.All",
    feature: "reading groups and their members, and who is a requester or an approver",
    orBroader: [
      "Group.Read.All",
      "GroupMember.ReadWrite.All",
      "Group.ReadWrite.All",
      "Directory.Read.All",
      "Directory.ReadWrite.All",
    ],
    optional: false,
  },
  {
    name: "Organization.Read.All",
    feature: "the readiness probe and the subscription-term check (trials, end dates)",
    orBroader: ["Directory.Read.All", "Organization.ReadWrite.All", "Directory.ReadWrite.All"],
    optional: false,
  },
  {
    name: "User.ReadWrite.All",
    feature: "Reprocess users in error",
    orBroader: ["Directory.ReadWrite.All"],
    optional: true,
  },
];

/** What the app holds, as far as its token tells. */
export interface GrantedPermissions {
  /** The token's roles; undefined when no token could be read (then nothing is said to be missing). */
  readonly roles: readonly string[] | undefined;
  /** Why the roles are unknown, when they are. */
  readonly unknownBecause?: string;
  /** Each permission of APP_PERMISSIONS that neither it nor a broader one was granted. */
  readonly missing: readonly AppPermission[];
}

/**
 * The roles of an access token: none when it has no `roles` claim (Entra leaves it out when no
 * application permission is granted); undefined when the token cannot be read.
 */
export function rolesInToken(accessToken: string): string[] | undefined {
  try {
    const roles = decodeJwt(accessToken).roles ?? [];
    return Array.isArray(roles) && roles.every((r) => typeof r === "string") ? roles : undefined;
  } catch {
    return undefined;
  }
}

/** Gets a token as the app does and reads its roles; a failure to sign in leaves them unknown, saying why. */
export async function readGrantedPermissions(target: GraphTarget, timeoutMs?: number): Promise<GrantedPermissions> {
  let token: string;
  try {
    token = await accessTokenFor(target, timeoutMs);
  } catch (error) {
    return unknownGrants(`signing in failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  const roles = rolesInToken(token);
  return roles ? grantedFrom(roles) : unknownGrants("the access token is not one whose roles can be read");
}

export function grantedFrom(roles: readonly string[]): GrantedPermissions {
  const held = new Set(roles.map((r) => r.toLowerCase()));
  const has = (name: string) => held.has(name.toLowerCase());
  return { roles, missing: APP_PERMISSIONS.filter((p) => !has(p.name) && !p.orBroader.some(has)) };
}

export function unknownGrants(reason: string): GrantedPermissions {
  return { roles: undefined, unknownBecause: reason, missing: [] };
}

/**
 * One line per missing permission, as people read it: "Reprocess users in error is off: it needs
 * User.ReadWrite.All, which this app was not granted."
 */
export function missingPermissionLines(granted: GrantedPermissions): string[] {
  return granted.missing.map(
    (p) =>
      `${capitalised(p.feature)} ${p.optional ? "is off" : "will fail"}: it needs the ${p.name} application permission, which this app was not granted. Ask the Teams administrator to grant it (with admin consent).`,
  );
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** One read of one kind, as `license-desk check` tries it. */
export interface ReadProbe {
  readonly what: string;
  readonly ok: boolean;
  /** What the read found, or the error as a person reads it. */
  readonly detail: string;
}

/**
 * Tries one read of each kind the product makes (writes cannot be tried without changing the
 * tenant: the token's roles speak for them). Each failure says what happened and what to do.
 */
export async function probeReads(
  graph: Pick<
    GraphGateway,
    "listProducts" | "listUserNames" | "listGroupNames" | "listGroupMembers" | "organizationId" | "listSubscriptions"
  >,
): Promise<ReadProbe[]> {
  const probe = async (what: string, read: () => Promise<string>): Promise<ReadProbe> => {
    try {
      return { what, ok: true, detail: await read() };
    } catch (error) {
      const detail =
        error instanceof UserFacingError ? error.userMessage : error instanceof Error ? error.message : String(error);
      return { what, ok: false, detail };
    }
  };
  let firstGroup: NamedEntity | undefined;
  const groups = await probe("groups (GET /groups)", async () => {
    const found = await graph.listGroupNames(1);
    firstGroup = found[0];
    return found.length === 0 ? "the tenant has no groups" : `read ${found[0]!.displayName}`;
  });
  return [
    await probe(
      "products and seats (GET /subscribedSkus)",
      async () => `${(await graph.listProducts()).length} products`,
    ),
    await probe("users (GET /users)", async () => `read ${(await graph.listUserNames(1)).length} user`),
    groups,
    await probe("group members (GET /groups/{id}/members/microsoft.graph.user)", async () => {
      if (!firstGroup) return "no group to read";
      const members = await graph.listGroupMembers(firstGroup.id);
      return `${firstGroup.displayName} has ${members.users.length} user members`;
    }),
    await probe("the organization (GET /organization)", async () => `tenant ${await graph.organizationId()}`),
    await probe("subscriptions (GET /directory/subscriptions)", async () => {
      const subscriptions = await graph.listSubscriptions();
      if (subscriptions === undefined)
        throw new Error("refused: it needs the Organization.Read.All application permission");
      return `${subscriptions.length} subscriptions`;
    }),
  ];
}
