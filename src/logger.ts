import { pino, type DestinationStream, type Logger } from 'pino';
import { PinoPretty } from 'pino-pretty';
import type { LogFormat, LogLevel } from './config.js';

export type { Logger };

const FLUSH_EVERY_MS = 500;

/**
 * The same ISO 8601 `time` field as pino.stdTimeFunctions.isoTime, formatted once per millisecond instead
 * of once per line: Date#toISOString costs about 0.5 µs, and under load a dozen lines share a millisecond.
 */
function cachedIsoTime(): () => string {
  let lastMs = -1;
  let field = '';
  return () => {
    const now = Date.now();
    if (now !== lastMs) {
      lastMs = now;
      field = `,"time":"${new Date(now).toISOString()}"`;
    }
    return field;
  };
}

/**
 * JSON lines on stdout. Lines are buffered (up to 4 KiB, flushed at least every half second and at exit):
 * one write per request was the largest cost after the response itself. A SIGKILL can lose the last
 * half second of lines; a normal exit and a crash flush them.
 */
function jsonLines(): DestinationStream {
  // Buffer mode: in its default string mode sonic-boom measures the UTF-8 length of the whole pending
  // buffer on every write (Buffer.byteLength of a string up to 16 KiB), about 2 µs per line at our rate;
  // with buffers it adds up lengths it already knows. Converting each line costs about 0.2 µs.
  const destination = pino.destination({ dest: 1, sync: false, minLength: 4096, contentMode: 'buffer' });
  // sonic-boom's typings say write(string) even in buffer mode, where it takes a Buffer. `write` is looked
  // up on every call, not bound once: pino.destination swaps it for a no-op when stdout's reader goes (EPIPE).
  const bufferDestination = destination as unknown as { write(chunk: Buffer): boolean };
  const lines: DestinationStream & { flush(callback: (error?: Error) => void): void } = {
    write: (line: string) => bufferDestination.write(Buffer.from(line)),
    // logger.flush(callback) reaches the file through this; exit-time flushing stays with pino.destination.
    flush: (callback) => destination.flush(callback),
  };
  setInterval(() => {
    // flush() throws while sonic-boom is still opening or already closed; the next tick retries.
    try {
      destination.flush();
    } catch {
      // nothing to flush yet
    }
  }, FLUSH_EVERY_MS).unref();
  return lines;
}

/**
 * For a person at a terminal: one coloured line per entry, `[ISO time] LEVEL: message {fields}`.
 * pino-pretty (maintained with pino, by the same organisation) parses pino's own lines, so the JSON and
 * the pretty output never disagree about a field. Written synchronously: nobody reads 6,000 lines a
 * second in a terminal, and a line written before process.exit must not be lost.
 */
function prettyLines(): DestinationStream {
  return PinoPretty({ destination: 1, sync: true, singleLine: true, ignore: 'service', translateTime: false });
}

export function createLogger(level: LogLevel, format: LogFormat): Logger {
  return pino(
    {
      level,
      base: { service: 'page-tracker' },
      timestamp: cachedIsoTime(),
      formatters: { level: (label) => ({ level: label }) },
      // Defence in depth: the code never logs these, and if it ever did they would be masked.
      redact: { paths: ['password', 'redisPassword', 'headers.cookie', 'headers.authorization'], censor: '***' },
    },
    format === 'pretty' ? prettyLines() : jsonLines(),
  );
}
