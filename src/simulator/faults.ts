/**
 * The faults the simulated Graph can be told to play: latency, throttling, an outage, and writes
 * held, hanging or applied late; with the deterministic throttling schedule and the wait a held or
 * hanging write sits in.
 */

export interface SimulatorFaults {
  /** Added to every HTTP request (once per $batch, not per inner request). */
  latencyMs: number;
  /**
   * 0..1, the share of throttle-eligible requests answered 429, honoured to the millionth.
   * Deterministic: counting from the last setFaults that set it, the first request is throttled and
   * of the first n requests exactly ceil(n × rate) are (0.5: the 1st, 3rd, 5th…; 0.9: 90 of every
   * 100; 1: all).
   */
  throttleRate: number;
  /** Sent as Retry-After on injected 429s and 503s. */
  retryAfterSeconds: number;
  /**
   * Graph down: every request, a batch included, is answered 503 serviceNotAvailable with
   * Retry-After, as Graph answers while "temporarily unavailable for maintenance or overloaded"
   * (Microsoft Graph error responses and resource types). Counted in counters.unavailable.
   */
  outage: boolean;
  /**
   * What happens to a write (assignLicense, reprocessLicenseAssignment) that gets past throttling,
   * to play a process or a network dying around it:
   * - "normal": applied and answered;
   * - "hold": neither applied nor answered while the faults stay so. Once `writes` is set to
   *   something else the held write goes on under that mode; if its client disconnects first it is
   *   dropped, never applied (counters.held, counters.dropped);
   * - "apply-then-504": applied at once, then answered 504 Gateway Timeout, as a gateway answers when
   *   the service behind it finished too late: a client that sends it again writes twice.
   * - "apply-then-hang": applied at once (counted in counters.writes), then never answered; it ends
   *   only when its client disconnects (or the server closes).
   * - "apply-late": applied `lateWriteMs` after it was received (counted in counters.writes then),
   *   whether or not its client is still connected, as Graph finishes a request whose client went
   *   away; answered as usual if the client is still there. The mode is the one the write arrived
   *   under: changing the faults meanwhile does not change what becomes of it.
   * Through handle() without a `signal` there is no client to disconnect: a held write waits for the
   * faults, a hanging one never resolves.
   */
  writes: WriteFault;
  /** How long an "apply-late" write waits before it is applied, in ms (default 1000). */
  lateWriteMs: number;
}

export type WriteFault = "normal" | "hold" | "apply-then-504" | "apply-then-hang" | "apply-late";
const WRITE_FAULTS: readonly WriteFault[] = ["normal", "hold", "apply-then-504", "apply-then-hang", "apply-late"];

export const DEFAULT_FAULTS: Readonly<SimulatorFaults> = {
  latencyMs: 0,
  throttleRate: 0,
  retryAfterSeconds: 1,
  outage: false,
  writes: "normal",
  lateWriteMs: 1000,
};

/** `current` with the given faults changed (undefined values are ignored); a RangeError for an invalid one. */
export function changeFaults(current: SimulatorFaults, f: Partial<SimulatorFaults>): SimulatorFaults {
  const next = { ...current };
  if (f.latencyMs !== undefined) next.latencyMs = f.latencyMs;
  if (f.retryAfterSeconds !== undefined) next.retryAfterSeconds = f.retryAfterSeconds;
  if (f.lateWriteMs !== undefined) next.lateWriteMs = f.lateWriteMs;
  if (f.outage !== undefined) next.outage = f.outage === true;
  if (f.throttleRate !== undefined) {
    if (!(f.throttleRate >= 0 && f.throttleRate <= 1))
      throw new RangeError(`throttleRate must be within 0..1, not ${f.throttleRate}`);
    next.throttleRate = f.throttleRate;
  }
  if (!(next.latencyMs >= 0)) throw new RangeError(`latencyMs must be a non-negative number, not ${next.latencyMs}`);
  if (!(next.retryAfterSeconds >= 0))
    throw new RangeError(`retryAfterSeconds must be a non-negative number, not ${next.retryAfterSeconds}`);
  if (!(next.lateWriteMs >= 0))
    throw new RangeError(`lateWriteMs must be a non-negative number, not ${next.lateWriteMs}`);
  if (f.writes !== undefined) {
    if (!WRITE_FAULTS.includes(f.writes))
      throw new RangeError(`writes must be one of ${WRITE_FAULTS.join(", ")}, not ${String(f.writes)}`);
    next.writes = f.writes;
  }
  return next;
}

/** Which throttle-eligible requests get a 429 at a given rate, counted from the last restart. */
export class ThrottleSchedule {
  /** Throttle-eligible requests seen since the last restart. */
  private seq = 0;

  /** So that a test can count from the moment it sets the rate. */
  restart(): void {
    this.seq = 0;
  }

  /** Whether the next throttle-eligible request is throttled at `rate` (0..1). */
  next(rate: number): boolean {
    // In millionths, so that n × rate is exact integer arithmetic (0.9 × 100 must be 90, not 90.00…01).
    const perMillion = Math.round(rate * 1_000_000);
    if (perMillion === 0) return false;
    const n = this.seq++;
    // Request n+1 is throttled when ceil((n+1) × rate) steps past ceil(n × rate): of the first n
    // requests exactly ceil(n × rate) are, and the first one always is, so a test sees a 429 at once.
    return Math.ceil(((n + 1) * perMillion) / 1_000_000) > Math.ceil((n * perMillion) / 1_000_000);
  }
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The client of a held or hanging write went away: there is nobody to answer. */
export class ClientGone extends Error {
  constructor() {
    super("the client disconnected");
  }
}

/**
 * Resolves when `released` says so (checked each time `wake` is called) and rejects with ClientGone
 * when `signal` aborts first; with neither, it waits for ever.
 */
export function waitUnless(
  signal: AbortSignal | undefined,
  waiters: Set<() => void>,
  released: () => boolean,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = () => {
      waiters.delete(wake);
      signal?.removeEventListener("abort", gone);
    };
    const wake = () => {
      if (!released()) return;
      done();
      resolve();
    };
    const gone = () => {
      done();
      reject(new ClientGone());
    };
    if (signal?.aborted) return reject(new ClientGone());
    waiters.add(wake);
    signal?.addEventListener("abort", gone, { once: true });
  });
}
