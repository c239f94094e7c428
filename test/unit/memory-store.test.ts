import { expect } from 'chai';
import { MemoryStore } from '../../src/store/memory.js';
import { IDEMPOTENCY_WINDOW_MS } from '../../src/store/view-store.js';
import { viewStoreContract } from '../support/view-store-contract.js';

describe('MemoryStore (view store contract)', () => {
  viewStoreContract((options) => Promise.resolve(new MemoryStore(options)));
});

describe('MemoryStore idempotency window, by its clock', () => {
  it('remembers a key for 24 hours to the millisecond, then counts it again', async () => {
    let now = Date.parse('2025-03-30T00:30:00Z');
    const store = new MemoryStore({ maxPages: 10, now: () => now });
    await store.recordView({ page: 'a', visitorId: 'v', idempotencyKey: 'key-1' });
    now += IDEMPOTENCY_WINDOW_MS - 1;
    expect((await store.recordView({ page: 'a', visitorId: 'v', idempotencyKey: 'key-1' })).replayed).to.equal(true);
    now += 1;
    expect(await store.recordView({ page: 'a', visitorId: 'v', idempotencyKey: 'key-1' })).to.deep.equal({
      stats: { page: 'a', views: 2, visitors: 1 },
      replayed: false,
    });
  });
});
