import { MemoryStore } from '../../src/store/memory.js';
import { viewStoreContract } from '../support/view-store-contract.js';

describe('MemoryStore (view store contract)', () => {
  viewStoreContract((maxPages) => Promise.resolve(new MemoryStore(maxPages)));
});
