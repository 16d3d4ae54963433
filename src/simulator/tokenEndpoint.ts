/**
 * The simulated tenant's sign-in: Entra's token endpoint for the client credentials flow
 * (`POST /{tenant}/oauth2/v2.0/token`), answering an access token whose `roles` claim lists the
 * application permissions the tenant grants, as Entra's tokens for Graph do. The token is unsigned:
 * nothing but the app reads it here, and Graph's own routes do not ask for it.
 * Source: [Microsoft identity platform and the OAuth 2.0 client credentials flow](https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow).
 */
import { UnsecuredJWT } from "jose";
import type { SimResponse } from "./graphResponses";

const TOKEN_PATH = /^\/[^/]+\/oauth2\/v2\.0\/token$/;

/** Lifetime of a token, as Entra's usually are. */
const TOKEN_SECONDS = 3599;

export function isTokenRequest(method: string, path: string): boolean {
  return method.toUpperCase() === "POST" && TOKEN_PATH.test(path);
}

/** Entra's answer to a client credentials request: a bearer token for Graph with `roles`. */
export function tokenResponse(tenantId: string, roles: readonly string[], graphRoot: string): SimResponse {
  const accessToken = new UnsecuredJWT({ roles: [...roles], tid: tenantId, aud: graphRoot })
    .setIssuer(`https://sts.windows.net/${tenantId}/`)
    .setIssuedAt()
    .setExpirationTime(`${TOKEN_SECONDS}s`)
    .encode();
  return {
    status: 200,
    headers: { "content-type": "application/json; charset=utf-8" },
    body: { token_type: "Bearer", expires_in: TOKEN_SECONDS, ext_expires_in: TOKEN_SECONDS, access_token: accessToken },
  };
}
