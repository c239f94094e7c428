import { pino, type Logger } from 'pino';
import type { LogLevel } from './config.js';

export type { Logger };

// JSON lines on stdout, written asynchronously so a log line never blocks a request.
// Credentials are redacted wherever they could appear.
export function createLogger(level: LogLevel, destination = pino.destination({ dest: 1, sync: false })): Logger {
  return pino(
    {
      level,
      base: { service: 'page-tracker' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: ['password', 'redisPassword', 'headers.cookie', 'headers.authorization'], censor: '***' },
    },
    destination,
  );
}
