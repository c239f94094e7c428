import { pino, type Logger } from 'pino';
import type { LogLevel } from './config.js';

export type { Logger };

const FLUSH_EVERY_MS = 500;

/**
 * JSON lines on stdout. Lines are buffered (up to 4 KiB, flushed at least every half second and at exit):
 * one write per request was the largest cost after the response itself. A SIGKILL can lose the last
 * half second of lines; a normal exit and a crash flush them.
 */
export function createLogger(level: LogLevel): Logger {
  const destination = pino.destination({ dest: 1, sync: false, minLength: 4096 });
  setInterval(() => {
    // flush() throws while sonic-boom is still opening or already closed; the next tick retries.
    try {
      destination.flush();
    } catch {
      // nothing to flush yet
    }
  }, FLUSH_EVERY_MS).unref();
  return pino(
    {
      level,
      base: { service: 'page-tracker' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      // Defence in depth: the code never logs these, and if it ever did they would be masked.
      redact: { paths: ['password', 'redisPassword', 'headers.cookie', 'headers.authorization'], censor: '***' },
    },
    destination,
  );
}
