import { expect } from 'chai';
import { runInNewContext } from 'node:vm';
import { InvalidPageError, PAGE_RULE } from '../../src/errors.js';
import { pageNameOfPath, parsePageName } from '../../src/page.js';

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

  describe('from a browser path (the embed script)', () => {
    for (const [path, name] of [
      ['/', '/'],
      ['', '/'],
      ['/docs/intro', 'docs/intro'],
      ['/docs/intro/', 'docs/intro'],
      ['//a///b//', 'a/b'],
      ['/a/./b/.', 'a/b'],
      ['/a/../b', 'a/b'],
      ['/caf%C3%A9/menu', 'caf-C3-A9/menu'],
      ['/a b?c', 'a-b-c'],
      ['/x...y', 'x.y'],
      ['/.well-known/a', '.well-known/a'],
      [`/${'x'.repeat(300)}`, 'x'.repeat(199)],
    ] as const) {
      it(`${JSON.stringify(path.length > 30 ? `${path.slice(0, 10)}... (${path.length})` : path)} is ${JSON.stringify(name.length > 30 ? `(${name.length} characters)` : name)}`, () => {
        expect(pageNameOfPath(path)).to.equal(name);
      });
    }

    it('always gives a name the page rule accepts, for any path', () => {
      const alphabet = 'aZ9/._-%~ ü:';
      for (let i = 0; i < 2000; i += 1) {
        const length = Math.floor(Math.random() * 260);
        const path = Array.from({ length }, () => alphabet[Math.floor(Math.random() * alphabet.length)]).join('');
        expect(() => parsePageName(pageNameOfPath(path)), JSON.stringify(path)).to.not.throw();
      }
    });

    it('is self-contained, since the embed script runs its source text', () => {
      // A fresh context has none of this module's names: only what the source itself defines.
      const standalone = runInNewContext(`(${pageNameOfPath.toString()})`) as (path: string) => string;
      expect(standalone('/docs/intro/')).to.equal('docs/intro');
    });
  });
});
