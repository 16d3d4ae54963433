/** A query that Graph would refuse. The server turns it into a 400 with this code and message. */
export class ODataError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = "ODataError";
  }
}
