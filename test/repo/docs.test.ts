// The README is a front door into docs/: a moved section or a renamed heading must not leave a link that
// lands on GitHub's 404 page or at the top of a long page. Links and headings are read with marked's lexer
// (so text in code blocks is not taken for either) and anchors are made with github-slugger, the slugs
// GitHub itself gives headings, duplicates included.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { expect } from 'chai';
import GithubSlugger from 'github-slugger';
import { marked, type Token } from 'marked';
import { repoRoot } from '../../scripts/lib/workflows.js';

const pages = ['README.md', ...readdirSync(join(repoRoot, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

interface Parsed {
  hrefs: string[];
  anchors: Set<string>;
}

const parse = (markdown: string): Parsed => {
  const hrefs: string[] = [];
  const anchors = new Set<string>();
  const slugger = new GithubSlugger();
  // walkTokens returns what the callback returns, here nothing to wait for.
  void marked.walkTokens(marked.lexer(markdown), (token: Token) => {
    if (token.type === 'link' || token.type === 'image') hrefs.push((token as { href: string }).href);
    if (token.type === 'heading') anchors.add(slugger.slug((token as { text: string }).text));
    // An explicit anchor in front of a paragraph: <a id="idempotency-keys"></a>.
    if (token.type === 'html' || token.type === 'paragraph' || token.type === 'text') {
      for (const [, id] of token.raw.matchAll(/<a id="([^"]+)"><\/a>/g)) anchors.add(id ?? '');
    }
  });
  return { hrefs, anchors };
};

const parsedFiles = new Map<string, Parsed>();
const parsedFile = (path: string): Parsed => {
  let parsed = parsedFiles.get(path);
  if (parsed === undefined) {
    parsed = parse(readFileSync(join(repoRoot, path), 'utf8'));
    parsedFiles.set(path, parsed);
  }
  return parsed;
};

/** Every relative link of a page that does not resolve, as "href: why". */
const brokenLinks = (page: string, parsed: Parsed): string[] => {
  const broken: string[] = [];
  for (const href of parsed.hrefs) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(href) || href.startsWith('//')) continue; // https:, mailto: and the like
    const [pathPart = '', anchor] = href.split('#', 2);
    const target = pathPart === '' ? page : relative(repoRoot, join(repoRoot, dirname(page), decodeURI(pathPart)));
    if (pathPart !== '' && (target.startsWith('..') || !existsSync(join(repoRoot, target)))) {
      broken.push(`${href}: no file ${target}`);
      continue;
    }
    if (anchor === undefined || anchor === '') continue;
    if (!target.endsWith('.md')) {
      broken.push(`${href}: an anchor into ${target}, which is not a Markdown page`);
      continue;
    }
    const anchors = target === page ? parsed.anchors : parsedFile(target).anchors;
    if (!anchors.has(anchor)) broken.push(`${href}: ${target} has no heading or <a id> "${anchor}"`);
  }
  return broken;
};

describe('links in README.md and docs/', function () {
  for (const page of pages) {
    it(`${page}: every relative link names an existing file and, after #, an existing heading`, function () {
      const parsed = parsedFile(page);
      expect(parsed.hrefs, `${page} has links`).to.have.length.greaterThan(0);
      expect(brokenLinks(page, parsed)).to.deep.equal([]);
    });
  }

  it('README.md links to every page in docs/', function () {
    const linked = new Set(parsedFile('README.md').hrefs.map((href) => href.split('#')[0]));
    expect(pages.filter((page) => page !== 'README.md' && !linked.has(page))).to.deep.equal([]);
  });

  it('the check itself finds a missing file, a missing heading and a link leaving the repository', function () {
    const sample = parse(
      [
        '# Top',
        '## A `code` heading',
        '## A `code` heading',
        '```',
        '## not a heading',
        '```',
        '[ok](#a-code-heading-1) [ok](../README.md#quick-start) [web](https://example.com/x#y)',
        '[bad](#not-a-heading) [bad](no-such-file.md) [bad](../README.md#no-such-heading) [bad](../../outside.md)',
      ].join('\n'),
    );
    expect(brokenLinks('docs/sample.md', sample)).to.deep.equal([
      '#not-a-heading: docs/sample.md has no heading or <a id> "not-a-heading"',
      'no-such-file.md: no file docs/no-such-file.md',
      '../README.md#no-such-heading: README.md has no heading or <a id> "no-such-heading"',
      '../../outside.md: no file ../outside.md',
    ]);
  });
});
