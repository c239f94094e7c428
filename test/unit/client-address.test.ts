import { expect } from 'chai';
import { budgetClientOf } from '../../src/client-address.js';

describe('the client the abuse budget counts (budgetClientOf)', () => {
  for (const [address, client] of [
    ['192.0.2.7', '192.0.2.7'],
    ['::ffff:192.0.2.7', '192.0.2.7'],
    ['2001:db8:1:2:aaaa:bbbb:cccc:dddd', '2001:db8:1:2::/64'],
    ['2001:0db8:0001:0002::1', '2001:db8:1:2::/64'],
    ['fe80::1%eth0', 'fe80::/64'],
    ['::1', '::/64'],
  ] as const) {
    it(`${address} is the client ${client}`, () => {
      expect(budgetClientOf(address)).to.equal(client);
    });
  }

  for (const address of ['', 'not-an-address', '192.0.2']) {
    it(`${JSON.stringify(address)} is no client: the view is not budgeted`, () => {
      expect(budgetClientOf(address)).to.equal(undefined);
    });
  }
});
