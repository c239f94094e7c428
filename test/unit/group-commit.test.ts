// GroupCommit's limit on batches in flight (the Redis store uses 1 while replicas must acknowledge each batch):
// items submitted while a batch is out wait for it and go together in the next one.
import { expect } from 'chai';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { GroupCommit, type ItemOutcome } from '../../src/store/group-commit.js';

interface Call {
  items: number[];
  waitedMs: number;
  finish: () => void;
}

function recorder(): { calls: Call[]; commit: (items: readonly number[], waitedMs: number) => Promise<Array<ItemOutcome<number>>> } {
  const calls: Call[] = [];
  return {
    calls,
    commit: (items: readonly number[], waitedMs: number) =>
      new Promise((resolve) => {
        calls.push({ items: [...items], waitedMs, finish: () => resolve(items.map((item) => ({ ok: true, value: item * 10 }))) });
      }),
  };
}

describe('GroupCommit with maxInFlight', () => {
  it('holds what arrives while a batch is out and sends it as one batch when that one returns', async () => {
    const { calls, commit } = recorder();
    const group = new GroupCommit(256, commit, 1);
    const first = [group.submit(1), group.submit(2)];
    await nextTurn();
    expect(calls.map((call) => call.items)).to.deep.equal([[1, 2]]);
    // Three more turns' worth of items while the first batch is out: none is sent yet.
    const later: Array<Promise<number>> = [];
    for (const item of [3, 4, 5]) {
      later.push(group.submit(item));
      await nextTurn();
    }
    expect(calls).to.have.length(1);
    calls[0]?.finish();
    expect(await Promise.all(first)).to.deep.equal([10, 20]);
    await nextTurn();
    expect(calls.map((call) => call.items)).to.deep.equal([[1, 2], [3, 4, 5]]);
    calls[1]?.finish();
    expect(await Promise.all(later)).to.deep.equal([30, 40, 50]);
  });

  it('tells the commit how long the first item of a batch waited behind the one in flight', async () => {
    const { calls, commit } = recorder();
    const group = new GroupCommit(256, commit, 1);
    const first = group.submit(1);
    await nextTurn();
    const second = group.submit(2);
    await new Promise((resolve) => setTimeout(resolve, 100));
    calls[0]?.finish();
    await first;
    await nextTurn();
    expect(calls[0]?.waitedMs, 'sent in the turn it came').to.be.below(50);
    expect(calls[1]?.waitedMs, 'held while the first batch was out').to.be.at.least(95);
    calls[1]?.finish();
    expect(await second).to.equal(20);
  });

  it('still cuts what waited into batches of at most maxBatch, sent one after another', async () => {
    const { calls, commit } = recorder();
    const group = new GroupCommit(2, commit, 1);
    const all = [1, 2, 3, 4, 5].map((item) => group.submit(item));
    await nextTurn();
    expect(calls.map((call) => call.items)).to.deep.equal([[1, 2]]);
    calls[0]?.finish();
    await nextTurn();
    expect(calls.map((call) => call.items)).to.deep.equal([[1, 2], [3, 4]]);
    calls[1]?.finish();
    await nextTurn();
    calls[2]?.finish();
    expect(await Promise.all(all)).to.deep.equal([10, 20, 30, 40, 50]);
    expect(calls.map((call) => call.items)).to.deep.equal([[1, 2], [3, 4], [5]]);
  });

  it('a failed batch fails its own items and lets the next one go', async () => {
    let calls = 0;
    const group = new GroupCommit<number, number>(
      256,
      (items) => {
        calls += 1;
        if (calls === 1) return Promise.reject(new Error('Redis went away'));
        return Promise.resolve(items.map((item) => ({ ok: true as const, value: item })));
      },
      1,
    );
    const failed = group.submit(1).catch((error: unknown) => error);
    await nextTurn();
    const next = group.submit(2);
    expect(String(await failed)).to.equal('Error: Redis went away');
    expect(await next).to.equal(2);
  });

  it('without the limit, each turn is sent at once, whatever is out', async () => {
    const { calls, commit } = recorder();
    const group = new GroupCommit(256, commit);
    void group.submit(1);
    await nextTurn();
    void group.submit(2);
    await nextTurn();
    expect(calls.map((call) => call.items)).to.deep.equal([[1], [2]]);
  });

  it('refuses a maxInFlight below 1', () => {
    expect(() => new GroupCommit(1, () => Promise.resolve([]), 0)).to.throw('maxInFlight must be at least 1, not 0');
  });
});
