/**
 * Graph's error answers: the error the simulated tenant throws when Graph would refuse a request,
 * and the {"error":{"code","message","innerError"}} body it becomes on the wire.
 */
import { jsonResponse, type SimResponse } from "./graphResponses";
import { ODataError } from "./odata/odataError";

/** An answer Graph would give as {"error":{"code","message"}}, thrown by the tenant and the routes. */
export class GraphErrorAnswer extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "GraphErrorAnswer";
  }
}

/** The 400 Graph gives a request the directory refuses (Request_BadRequest). */
export function directoryBadRequest(message: string): GraphErrorAnswer {
  return new GraphErrorAnswer(400, "Request_BadRequest", message);
}

export function resourceNotFound(id: string): GraphErrorAnswer {
  return new GraphErrorAnswer(
    404,
    "Request_ResourceNotFound",
    `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
  );
}

export function errorResponse(status: number, code: string, message: string): SimResponse {
  // innerError's ids are filled in by stampRequestIds(), which knows them.
  return jsonResponse(status, { error: { code, message, innerError: {} } });
}

/** What a handler's failure looks like on the wire: Graph's error, or a 500 for a simulator fault. */
export function toErrorResponse(e: unknown): SimResponse {
  if (e instanceof GraphErrorAnswer) return errorResponse(e.status, e.code, e.message);
  if (e instanceof ODataError) return errorResponse(e.status, e.code, e.message);
  // Never a stack trace on the wire; the message is enough to debug the simulator locally.
  const message = e instanceof Error ? e.message : String(e);
  return errorResponse(500, "InternalServerError", `The simulator failed: ${message}`);
}
