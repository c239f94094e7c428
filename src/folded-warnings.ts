import type { Logger } from './logger.js';

/** How often, at most, a warning that keeps recurring is logged again (as a count). */
const FOLD_WINDOW_MS = 5000;

interface Fold {
  message: string;
  fields: Record<string, unknown>;
  suppressed: number;
}

/**
 * During an outage every refused request and every reconnect attempt has the same thing to say; logged
 * one by one that was hundreds of identical lines a second, burying whatever else was logged. The first
 * warning of a kind (same message, same fields) is logged at once; repeats within the next FOLD_WINDOW_MS
 * are only counted, and one line per window reports the count while they go on. A window without repeats
 * ends the fold, so the next occurrence is logged at once again.
 */
export class FoldedWarnings {
  private readonly folds = new Map<string, Fold>();

  constructor(
    private readonly logger: Logger,
    private readonly windowMs = FOLD_WINDOW_MS,
  ) {}

  /** `context` (a request id, say) goes on the line logged at once only: it differs between repeats. */
  warn(message: string, fields: Record<string, unknown>, context: Record<string, unknown> = {}): void {
    const kind = `${message}\u0000${JSON.stringify(fields)}`;
    const fold = this.folds.get(kind);
    if (fold !== undefined) {
      fold.suppressed += 1;
      return;
    }
    this.logger.warn({ ...fields, ...context }, message);
    this.open(kind, { message, fields, suppressed: 0 });
  }

  private open(kind: string, fold: Fold): void {
    this.folds.set(kind, fold);
    setTimeout(() => this.close(kind), this.windowMs).unref();
  }

  private close(kind: string): void {
    const fold = this.folds.get(kind);
    this.folds.delete(kind);
    if (fold === undefined || fold.suppressed === 0) return;
    const seconds = this.windowMs / 1000;
    this.logger.warn({ ...fold.fields, suppressed: fold.suppressed, windowSeconds: seconds }, `${fold.message} (${fold.suppressed} more like it in the last ${seconds} s)`);
    this.open(kind, { ...fold, suppressed: 0 });
  }
}
