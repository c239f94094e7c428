import { expect } from 'chai';
import { send, uniquePage } from './target.js';

interface PageStats {
  page: string;
  views: number;
  visitors: number;
}

async function post(page: string, cookie?: string): Promise<Response> {
  return send(`/api/views/${page}`, { method: 'POST', headers: cookie === undefined ? {} : { cookie } });
}

describe('smoke: counting views', () => {
  it('POST /api/views/{page} counts one view and answers the figures', async () => {
    const page = uniquePage('count');
    const first = await post(page);
    expect(first.status).to.equal(200);
    expect(await first.json()).to.deep.equal({ page, views: 1, visitors: 1 });
    const second = await post(page);
    expect(((await second.json()) as PageStats).views).to.equal(2);
  });

  it('GET /api/views/{page} reads without counting; an unknown page is 0', async () => {
    const page = uniquePage('read');
    expect(await (await send(`/api/views/${page}`)).json()).to.deep.equal({ page, views: 0, visitors: 0 });
    await post(page);
    await send(`/api/views/${page}`);
    expect(await (await send(`/api/views/${page}`)).json()).to.deep.equal({ page, views: 1, visitors: 1 });
  });

  it('sets an anonymous visitor cookie (HttpOnly, SameSite=Lax) and counts a returning visitor once', async () => {
    const page = uniquePage('visitor');
    const first = await post(page);
    const setCookie = first.headers.get('set-cookie') ?? '';
    // The id, a '.', and its HMAC-SHA256 (base64url).
    expect(setCookie).to.match(/^pt_visitor=[0-9a-f-]{36}\.[\w-]{43};/);
    expect(setCookie.toLowerCase()).to.include('httponly').and.to.include('samesite=lax');
    const cookie = setCookie.split(';')[0] ?? '';
    const again = await post(page, cookie);
    expect(again.headers.get('set-cookie'), 'a known visitor gets no new cookie').to.equal(null);
    expect(await again.json()).to.deep.equal({ page, views: 2, visitors: 1 });
    const stranger = await post(page);
    expect(((await stranger.json()) as PageStats).visitors).to.equal(2);
  });

  it('GET / shows the classic counter page and counts the home page', async () => {
    const response = await send(`/`);
    expect(response.status).to.equal(200);
    expect(response.headers.get('content-type')).to.match(/^text\/html/);
    const body = await response.text();
    const seen = /This page has been seen (\d+) times?\./.exec(body);
    expect(seen, body).to.not.equal(null);
    const json = await send(`/`, { headers: { accept: 'application/json' } });
    const stats = (await json.json()) as PageStats;
    expect(stats.page).to.equal('/');
    expect(stats.views).to.be.greaterThan(Number(seen?.[1]));
  });

  it('GET /api/views lists the top pages and the total', async () => {
    const page = uniquePage('top');
    for (let i = 0; i < 3; i += 1) await post(page);
    const before = (await (await send(`/api/views?limit=100`)).json()) as { pages: Array<{ page: string; views: number }>; total: number };
    expect(before.pages.length).to.be.within(1, 100);
    const views = before.pages.map((entry) => entry.views);
    expect(views).to.deep.equal([...views].sort((a, b) => b - a));
    await post(page);
    const after = (await (await send(`/api/views?limit=1`)).json()) as { pages: unknown[]; total: number };
    expect(after.pages).to.have.length(1);
    expect(after.total).to.be.at.least(before.total + 1);
  });
});

describe('smoke: per-day counts', () => {
  // Yesterday to tomorrow by this machine's clock, so that a service clock a little off still has its today inside.
  const dayAt = (offsetDays: number): string => new Date(Date.now() + offsetDays * 24 * 3600 * 1000).toISOString().slice(0, 10);
  const range = `from=${dayAt(-1)}&to=${dayAt(1)}`;

  it("GET /api/views/{page}?from=&to= gives the page's days and the range's figures; GET /api/views?from=&to= the range's ranking", async () => {
    const page = uniquePage('days');
    await post(page);
    const answer = (await (await send(`/api/views/${page}?${range}`)).json()) as PageStats & { days: Array<{ day: string; views: number }> };
    expect(answer).to.deep.include({ page, from: dayAt(-1), to: dayAt(1), views: 1, visitors: 1 });
    expect(answer.days.map(({ day }) => day)).to.deep.equal([dayAt(-1), dayAt(0), dayAt(1)]);
    const ranking = await send(`/api/views?${range}&limit=100`);
    expect(ranking.status).to.equal(200);
    expect(((await ranking.json()) as { total: number }).total).to.be.at.least(1);
  });

  it('a day that does not exist is a 400 naming the parameter', async () => {
    const refused = await send('/api/views?from=2026-02-30');
    expect(refused.status).to.equal(400);
    expect(await refused.json()).to.deep.include({ error: 'invalid_query', parameter: 'from' });
  });
});
