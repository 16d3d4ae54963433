/** Reading a request's JSON body as Graph does, with Graph's answers to an empty or malformed one. */
import { GraphErrorAnswer } from "../graphErrors";
import type { RouteContext } from "../routing";

export function readJsonBody(ctx: RouteContext, required: boolean): unknown {
  if (ctx.body === undefined || ctx.body.trim() === "") {
    if (required) throw new GraphErrorAnswer(400, "BadRequest", "Empty Payload. JSON content expected.");
    return undefined;
  }
  try {
    return JSON.parse(ctx.body) as unknown;
  } catch {
    throw new GraphErrorAnswer(
      400,
      "BadRequest",
      "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.",
    );
  }
}
