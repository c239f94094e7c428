import { expect } from 'chai';
import { PAGE_RULE } from '../../src/errors.js';
import { BADGE_CACHE_CONTROL, badgeSvg } from '../../src/routes/badge.js';
import { startApp, type AppHarness } from '../support/app-harness.js';
import { getUnnormalised } from '../support/unnormalised-get.js';

describe('GET /badge/{page}.svg (in-memory store)', () => {
  let app: AppHarness;
  beforeEach(async () => {
    app = await startApp();
  });
  afterEach(async () => {
    await app.close();
  });

  const badge = (path: string): Promise<Response> => fetch(`${app.baseUrl}/badge/${path}`);
  const views = async (page: string): Promise<number> => ((await (await fetch(`${app.baseUrl}/api/views/${page}`)).json()) as { views: number }).views;

  it('answers an uncacheable SVG with the views, counting nothing without ?count=true', async () => {
    await fetch(`${app.baseUrl}/api/views/docs/intro`, { method: 'POST' });
    const response = await badge('docs/intro.svg');
    expect(response.status).to.equal(200);
    expect(response.headers.get('content-type')).to.equal('image/svg+xml; charset=utf-8');
    expect(response.headers.get('cache-control')).to.equal(BADGE_CACHE_CONTROL);
    const svg = await response.text();
    expect(svg).to.match(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(svg).to.include('<title>docs/intro: 1 view</title>').and.to.include('>1</text>');
    expect(await views('docs/intro')).to.equal(1);
    expect((await badge('docs/intro.svg?count=false')).status).to.equal(200);
    expect(await views('docs/intro')).to.equal(1);
  });

  it('counts one view per load with ?count=true, and shows the count including it', async () => {
    expect(await (await badge('docs/intro.svg?count=true')).text()).to.include('>1</text>');
    expect(await (await badge('docs/intro.svg?count=true')).text()).to.include('>2</text>');
    expect(await views('docs/intro')).to.equal(2);
  });

  it('reaches the home page as /badge//.svg, like the API', async () => {
    await fetch(`${app.baseUrl}/`);
    expect(await (await badge('/.svg')).text()).to.include('<title>/: 1 view</title>');
  });

  for (const path of ['.svg', 'a%2Fb.svg', 'a//b.svg', 'a/../b.svg', 'a/./b.svg', `${'x'.repeat(201)}.svg`]) {
    it(`refuses /badge/${path.length > 30 ? `x... (${path.length})` : path} with 400 invalid_page and the API's rule, counting nothing`, async () => {
      const response = await getUnnormalised(app.baseUrl, `/badge/${path}?count=true`);
      expect(response.status).to.equal(400);
      expect(JSON.parse(response.body)).to.deep.equal({ error: 'invalid_page', message: PAGE_RULE });
      expect(((await (await fetch(`${app.baseUrl}/api/views`)).json()) as { total: number }).total).to.equal(0);
    });
  }

  it('refuses ?count= other than true or false with 400 invalid_query', async () => {
    for (const query of ['count=yes', 'count=true&count=true']) {
      const response = await badge(`a.svg?${query}`);
      expect(response.status, query).to.equal(400);
      expect(await response.json()).to.deep.include({ error: 'invalid_query' });
    }
  });

  it('is a 404 without the .svg suffix', async () => {
    expect((await badge('docs/intro')).status).to.equal(404);
  });

  it('escapes the page name (names counted before the page-name rules can hold anything)', () => {
    const svg = badgeSvg('<a href="x">&', 3);
    expect(svg).to.include('<title>&#60;a href=&#34;x&#34;&#62;&#38;: 3 views</title>');
    expect(svg).to.not.include('<a ');
  });
});
