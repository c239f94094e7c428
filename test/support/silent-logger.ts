import { pino } from 'pino';
import type { Logger } from '../../src/logger.js';

/** A real pino logger that keeps its lines in memory, for tests that read or ignore them. */
export function memoryLogger(): { logger: Logger; lines: () => Array<Record<string, unknown>> } {
  const raw: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => raw.push(line) });
  return { logger, lines: () => raw.map((line) => JSON.parse(line) as Record<string, unknown>) };
}
