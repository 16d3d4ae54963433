/** What the server has served. Inner $batch requests count like top-level ones. */
export class RequestCounters {
  total = 0;
  /** HTTP requests, a $batch once whatever it holds: the round trips a client made. */
  roundTrips = 0;
  /**
   * Writes (assignLicense, reprocessLicenseAssignment) the tenant executed: a refused one counts
   * (Graph processed it), a throttled one or a held one that was dropped does not; a late one counts
   * when it is applied.
   */
  writes = 0;
  /** Write requests held by the "hold" fault (whatever became of them). */
  held = 0;
  /** Held writes whose client disconnected before they were released: never applied. */
  dropped = 0;
  /** Requests answered with an injected 429. */
  throttled = 0;
  /** Requests answered 503 by the "outage" fault. */
  unavailable = 0;
  /** Requests answered 403: the app was not granted a permission the call needs. */
  denied = 0;
  /** Keyed by route template, e.g. "GET /groups/{id}/members"; unmatched paths as "GET (unmatched)". */
  byRoute: Record<string, number> = {};

  reset(): void {
    this.total = 0;
    this.roundTrips = 0;
    this.writes = 0;
    this.held = 0;
    this.dropped = 0;
    this.throttled = 0;
    this.unavailable = 0;
    this.denied = 0;
    this.byRoute = {};
  }
}
