/**
 * Messages answered after their turn. Teams and the Bot Service stop waiting for a turn after
 * about 15 seconds (and retry it, or show an error), so a message's HTTP turn ends as soon as the
 * typing indicator is sent; the answer, which may read a large group through Graph, is sent
 * proactively through the conversation reference (docs/teams-limits.md). A message lost to a
 * restart is only a question: nothing about a request starts before its own turn is answered.
 */
import type { Logger } from "../log";

/** What a person reads when answering them failed inside the bot. */
export const SOMETHING_WENT_WRONG = "Something went wrong on my side. Nothing was changed. Try again in a moment.";

export class BackgroundTurns {
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly log: Logger) {}

  /** Runs `work` after the turn; if it fails, logs why and runs `onFailure` (which should tell the user). */
  run(work: () => Promise<void>, onFailure: () => Promise<void>): void {
    const run = work()
      .catch(async (error: unknown) => {
        this.log.error({ err: error }, "answering a message failed");
        await onFailure().catch((failure: unknown) =>
          this.log.error({ err: failure }, "telling the user that answering failed also failed"),
        );
      })
      .finally(() => this.running.delete(run));
    this.running.add(run);
  }

  /** Resolves when every answer under way has been sent (tests, and shutdown). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }
}
