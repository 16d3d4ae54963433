import { escapeMarkdown } from "./markdown";

/** Whether trying the same call again later may succeed: throttled, Graph's own failure, or no answer. */
export function isTransient(error: unknown): error is TenantRequestError {
  return (
    error instanceof TenantRequestError && (error.status === undefined || error.status === 429 || error.status >= 500)
  );
}

/**
 * Errors the user reads. Each carries `userMessage`: what happened and what to do, in words a
 * helpdesk engineer can act on, and `code`: which failure it is, for logs, tests and code that
 * tells failures apart (the words may change, the code does not). The chat layer shows the message
 * as it is; anything else is logged and answered with a generic apology, never a stack trace.
 */
export abstract class UserFacingError extends Error {
  abstract readonly userMessage: string;
  abstract readonly code: string;
}

/** Microsoft Graph (or the simulated tenant) answered with an error, or could not be reached. */
export class TenantRequestError extends UserFacingError {
  readonly userMessage: string;
  /** Graph's own error code ("Request_ResourceNotFound", "TooManyRequests"), or `noAnswer` when none came. */
  readonly code: string;

  constructor(
    readonly operation: string,
    readonly status: number | undefined,
    graphCode: string | undefined,
    readonly graphMessage: string,
    readonly requestId: string | undefined,
    /** Graph's Retry-After on a 429 or 503, in seconds: how long it asks to be left alone. */
    readonly retryAfterSeconds?: number,
    /** The application permission the call needs (docs/graph-contract.md), named when Graph answers 403. */
    readonly permission?: string,
  ) {
    super(`${operation} failed: ${status ?? "no answer"} ${graphCode ?? ""} ${graphMessage}`.trim());
    this.name = "TenantRequestError";
    this.code = graphCode ?? (status === undefined ? "noAnswer" : `http${status}`);
    this.userMessage = describe(operation, status, graphMessage, requestId, permission);
  }
}

function describe(
  what: string,
  status: number | undefined,
  message: string,
  requestId: string | undefined,
  permission: string | undefined,
): string {
  // The operation may name what the user typed and the message is Graph's: both are shown as text, not markdown.
  const operation = escapeMarkdown(what);
  const ref = requestId ? ` (Graph request-id ${escapeMarkdown(requestId)})` : "";
  // Graph's messages usually end with a period and ours adds one: theirs is dropped, not doubled.
  const graphMessage = escapeMarkdown(message.trim().replace(/\.+$/, ""));
  if (status === undefined)
    return `I could not reach Microsoft Graph to ${operation}: ${graphMessage}. Try again in a minute; if it persists, ask the Teams administrator to check the bot's network.`;
  if (status === 403 && permission)
    return `Microsoft Graph refused to let me ${operation}${ref}: it needs the ${escapeMarkdown(permission)} application permission, which this app was not granted. Ask the Teams administrator to grant it (with admin consent), then try again.`;
  if (status === 401 || status === 403)
    return `Microsoft Graph refused to let me ${operation}${ref}: ${graphMessage}. Ask the Teams administrator to check the app's Graph permissions.`;
  if (status === 429 || status >= 500)
    return `Microsoft Graph is busy and did not let me ${operation}${ref}: ${graphMessage}. Try again in a few minutes.`;
  return `Microsoft Graph would not let me ${operation}${ref}: ${graphMessage}.`;
}

/** A setting that is missing or malformed; `message` is the one line to print. */
export class SettingsError extends Error {
  constructor(
    readonly setting: string,
    problem: string,
  ) {
    super(`Setting ${setting}: ${problem} (see .env.sample)`);
    this.name = "SettingsError";
  }
}
