/**
 * Work on a request that outlives the click that started it (applying, following Entra's
 * processing): one piece at a time per request, logged when it fails (it resumes at the next start),
 * and awaited by idle() in tests and at shutdown.
 */
import type { Logger } from "../log";

export class BackgroundWork {
  private readonly running = new Map<number, Promise<void>>();
  /** Other work to await (card delivery started by reconcile). */
  private other: Promise<void> = Promise.resolve();
  private stopping = false;

  constructor(private readonly log: Logger) {}

  /** Runs `work` after whatever is already under way for the request. */
  run(requestId: number, work: () => Promise<unknown>): void {
    const previous = this.running.get(requestId) ?? Promise.resolve();
    const run = previous
      .then(work)
      .then(() => undefined)
      .catch((error: unknown) =>
        this.log.error({ err: error, request: requestId }, "request work failed; it resumes at the next start"),
      )
      .finally(() => {
        if (this.running.get(requestId) === run) this.running.delete(requestId);
      });
    this.running.set(requestId, run);
  }

  /** Work for no one request (e.g. cards to catch up on), awaited by idle() too; a failure is logged as `failure`. */
  runShared(work: () => Promise<void>, failure: string): void {
    this.other = this.other.then(work).catch((error: unknown) => this.log.error({ err: error }, failure));
  }

  /** Resolves when all work under way has finished. */
  async idle(): Promise<void> {
    await this.other;
    while (this.running.size > 0) await Promise.all([...this.running.values()]);
  }

  /** Asks long waits to end at their next turn (shutdown): what they follow resumes at the next start. */
  stop(): void {
    this.stopping = true;
  }

  get stopped(): boolean {
    return this.stopping;
  }
}
