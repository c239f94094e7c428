import { StoreUnavailableError } from './errors.js';
import type { Metrics } from './metrics.js';
import type { ViewStore } from './store/view-store.js';

interface ReadinessState {
  ready: boolean;
  reason?: string;
}

// Readiness comes from a periodic PING, not from each probe: probes stay cheap and answer at once,
// and the answer is never older than about a second.
export class Readiness {
  private lastPingOk = 0;
  private lastPingError = 'no ping answered yet';
  private shuttingDownSince: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private pinging = false;

  constructor(
    private readonly store: ViewStore,
    private readonly metrics: Metrics,
    private readonly intervalMs = 250,
    private readonly maxAgeMs = 1000,
  ) {}

  start(): void {
    void this.pingOnce();
    this.timer = setInterval(() => void this.pingOnce(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  get shuttingDown(): boolean {
    return this.shuttingDownSince !== undefined;
  }

  beginShutdown(): void {
    this.shuttingDownSince = Date.now();
    this.metrics.ready.set(0);
  }

  private async pingOnce(): Promise<void> {
    // A slow Redis must not pile up pings: one at a time, the next tick tries again.
    if (this.pinging) return;
    this.pinging = true;
    try {
      await this.store.ping();
      this.lastPingOk = Date.now();
      this.metrics.storeUp.set(1);
    } catch (error) {
      this.lastPingError = error instanceof StoreUnavailableError ? error.reason : String(error);
      this.metrics.storeUp.set(0);
    } finally {
      this.pinging = false;
    }
    this.metrics.ready.set(this.state().ready ? 1 : 0);
  }

  state(): ReadinessState {
    if (this.shuttingDown) return { ready: false, reason: 'shutting down' };
    const age = Date.now() - this.lastPingOk;
    if (age > this.maxAgeMs) return { ready: false, reason: `store did not answer a ping: ${this.lastPingError}` };
    return { ready: true };
  }
}
