import assert from "node:assert/strict";
import { TenantRequestError } from "../src/errors";

describe("what the user reads when Graph refuses", () => {
  it("a throttled call: Graph's sentence and ours, one period between them", () => {
    const error = new TenantRequestError(
      "read the tenant's products",
      429,
      "TooManyRequests",
      "Too many requests. Retry after the interval given in the Retry-After header.",
      "req-1",
    );
    assert.equal(
      error.userMessage,
      "Microsoft Graph is busy and did not let me read the tenant's products (Graph request-id req-1): Too many requests. Retry after the interval given in the Retry-After header. Try again in a few minutes.",
    );
  });

  it("a refused permission, a refused change and an unreachable Graph: one period each", () => {
    assert.equal(
      new TenantRequestError(
        "assign licenses to Sales",
        403,
        "Authorization_RequestDenied",
        "Insufficient privileges to complete the operation.",
        undefined,
      ).userMessage,
      "Microsoft Graph refused to let me assign licenses to Sales: Insufficient privileges to complete the operation. Ask the Teams administrator to check the app's Graph permissions.",
    );
    assert.equal(
      new TenantRequestError(
        "assign licenses to Sales",
        400,
        "Request_BadRequest",
        "License assignment failed because service plans are mutually exclusive. ",
        "req-2",
      ).userMessage,
      "Microsoft Graph would not let me assign licenses to Sales (Graph request-id req-2): License assignment failed because service plans are mutually exclusive.",
    );
    assert.equal(
      new TenantRequestError("read group Sales", undefined, undefined, "connect ECONNREFUSED 127.0.0.1:4000", undefined)
        .userMessage,
      "I could not reach Microsoft Graph to read group Sales: connect ECONNREFUSED 127.0.0.1:4000. Try again in a minute; if it persists, ask the Teams administrator to check the bot's network.",
    );
  });

  it("what the user typed and what Graph said are shown as text, not as markdown", () => {
    assert.equal(
      new TenantRequestError(
        "read the user **boss**@contoso.com",
        404,
        "Request_ResourceNotFound",
        "Resource '[x](http://evil)' does not exist.",
        "req-3",
      ).userMessage,
      "Microsoft Graph would not let me read the user \\*\\*boss\\*\\*@contoso.com (Graph request-id req-3): Resource '\\[x\\](http://evil)' does not exist.",
    );
  });
});
