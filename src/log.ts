/** The process's logger: pino, JSON lines on stdout (pretty enough for a terminal, parseable by any log shipper). */
import pino from "pino";

export type Logger = pino.Logger;

export function createLogger(level: string): Logger {
  return pino({ level, base: { app: "license-desk" } });
}
