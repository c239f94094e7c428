import { expect } from 'chai';
import { InvalidPageError, PAGE_RULE } from '../../src/errors.js';
import { parsePageName } from '../../src/page.js';

describe('page names', () => {
  for (const good of ['/', 'home', 'blog/2024/post-1', 'a.b_c-d', 'A9', 'x'.repeat(200), 'file.html', '.well-known/a', 'a./b', '-/_']) {
    it(`accepts ${JSON.stringify(good.length > 20 ? `${good.slice(0, 10)}... (${good.length})` : good)}`, () => {
      expect(parsePageName(good)).to.equal(good);
    });
  }

  for (const bad of ['', 'trailing/', '/leading', 'a//b', '//', 'a/./b', './a', 'a/.', '.', 'x'.repeat(201), 'a/../b', '..', 'a..b', 'a%2Fb', 'a%2fb', '%2e%2e', 'a%00b', 'a\u0000b', 'a\nb', 'a b', 'a?b', 'a#b', 'ü', 'a\\b', 'a:b']) {
    it(`refuses ${JSON.stringify(bad.length > 20 ? `${bad.slice(0, 10)}... (${bad.length})` : bad)}`, () => {
      expect(() => parsePageName(bad)).to.throw(InvalidPageError, PAGE_RULE);
    });
  }
});
