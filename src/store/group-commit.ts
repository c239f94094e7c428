// Group commit: items submitted in the same event-loop turn are handed to `commit` together, as one
// batch, and each submitter gets its own item's result once that one call has returned. The Redis store
// uses it so that concurrent views cost one RECORD_VIEWS call (VIEW-WRITE.md, step 2).

/** What `commit` answers for each item of a batch, in order: a value, or an error for that item alone. */
export type ItemOutcome<Result> = { ok: true; value: Result } | { ok: false; error: unknown };

interface Waiting<Item, Result> {
  item: Item;
  /** When it was submitted (Date.now()), so that a batch knows how long its first item has waited. */
  since: number;
  resolve: (value: Result) => void;
  reject: (error: unknown) => void;
}

export class GroupCommit<Item, Result> {
  private waiting: Array<Waiting<Item, Result>> = [];
  private flushScheduled = false;
  private inFlight = 0;

  /**
   * @param maxBatch the most items one `commit` call gets; more items in one turn are split into several calls.
   * @param commit  commits a batch and answers one outcome per item, in order. If it throws, every item of the
   *                batch is rejected with that same error. `waitedMs` is how long the batch's first item waited
   *                to be sent (behind a batch in flight), for a commit that bounds each item's total wait.
   * @param maxInFlight the most batches committing at once; items submitted while that many are out wait and go
   *                together in the next batch once one returns. Unlimited by default.
   */
  constructor(
    private readonly maxBatch: number,
    private readonly commit: (items: readonly Item[], waitedMs: number) => Promise<Array<ItemOutcome<Result>>>,
    private readonly maxInFlight = Infinity,
  ) {
    if (!Number.isInteger(maxBatch) || maxBatch < 1) throw new Error(`maxBatch must be a positive integer, not ${maxBatch}`);
    if (!(maxInFlight >= 1)) throw new Error(`maxInFlight must be at least 1, not ${maxInFlight}`);
  }

  submit(item: Item): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      this.waiting.push({ item, since: Date.now(), resolve, reject });
      if (this.waiting.length >= this.maxBatch) {
        this.flush();
      } else if (!this.flushScheduled) {
        this.flushScheduled = true;
        // setImmediate, not process.nextTick: Node reads every socket that is ready in one poll phase and
        // runs setImmediate callbacks after it, so the requests of all connections read in this turn share
        // the batch. A nextTick callback runs after each socket's own callback, which gives batches of one.
        setImmediate(() => {
          this.flushScheduled = false;
          this.flush();
        });
      }
    });
  }

  /**
   * Sends what is waiting, in batches of at most maxBatch, while fewer than maxInFlight are out; the scheduled
   * flush then finds nothing, or what came after. A batch that returns sends what waited for it.
   */
  private flush(): void {
    while (this.waiting.length > 0 && this.inFlight < this.maxInFlight) {
      const batch = this.waiting.splice(0, this.maxBatch);
      this.inFlight += 1;
      void this.commitBatch(batch).finally(() => {
        this.inFlight -= 1;
        this.flush();
      });
    }
  }

  private async commitBatch(batch: Array<Waiting<Item, Result>>): Promise<void> {
    let outcomes: Array<ItemOutcome<Result>>;
    try {
      outcomes = await this.commit(
        batch.map(({ item }) => item),
        Date.now() - (batch[0]?.since ?? Date.now()),
      );
      if (outcomes.length !== batch.length) throw new Error(`a batch of ${batch.length} items got ${outcomes.length} outcomes`);
    } catch (error) {
      for (const { reject } of batch) reject(error);
      return;
    }
    batch.forEach(({ resolve, reject }, i) => {
      const outcome = outcomes[i] as ItemOutcome<Result>;
      if (outcome.ok) resolve(outcome.value);
      else reject(outcome.error);
    });
  }
}
