// VISITOR_SECRET and PAGE_PATTERN as the built service reads them at start-up.
import { expect } from 'chai';
import { waitFor } from '../support/processes.js';
import { startService, type RunningService } from '../support/service.js';

const SECRET = 'replica-shared-visitor-secret-0123456789';

describe('VISITOR_SECRET and PAGE_PATTERN at start-up (the built service)', function () {
  this.timeout(30_000);
  const running: RunningService[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((service) => service.stop('SIGKILL')));
  });
  async function start(env: Record<string, string> = {}): Promise<RunningService> {
    const service = await startService({ env });
    running.push(service);
    return service;
  }
  const cookieFrom = async (service: RunningService): Promise<string> =>
    ((await fetch(`${service.baseUrl}/api/views/a`, { method: 'POST' })).headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const setsCookie = async (service: RunningService, cookie: string): Promise<boolean> =>
    (await fetch(`${service.baseUrl}/api/views/a`, { method: 'POST', headers: { cookie } })).headers.get('set-cookie') !== null;
  const warningsAbout = (service: RunningService): string[] => service.logs().filter((line) => line.includes('"level":"warn"') && line.includes('VISITOR_SECRET'));

  it('replicas with one VISITOR_SECRET accept each other\'s visitor cookies, and none warns', async () => {
    const [a, b] = await Promise.all([start({ VISITOR_SECRET: SECRET }), start({ VISITOR_SECRET: SECRET })]);
    const cookie = await cookieFrom(a);
    expect(await setsCookie(b, cookie), 'the other replica issues no new id').to.equal(false);
    // The start-up line comes after the warning would have: once it is in, the warning would be too.
    await waitFor('the start-up lines', () => Promise.resolve([a, b].every((s) => s.logs().some((line) => line.includes('page-tracker listening'))) ? true : undefined), 5000);
    expect([...warningsAbout(a), ...warningsAbout(b)]).to.deep.equal([]);
  });

  it('without VISITOR_SECRET each process signs with its own key and says so once, at start', async () => {
    const [a, b] = await Promise.all([start(), start()]);
    const cookie = await cookieFrom(a);
    expect(await setsCookie(a, cookie), 'the same process knows its cookie').to.equal(false);
    expect(await setsCookie(b, cookie), 'another process does not').to.equal(true);
    // JSON log lines are buffered: wait for the line, then check that it came once.
    await waitFor('the VISITOR_SECRET warning', () => Promise.resolve(warningsAbout(a).length > 0 ? true : undefined), 5000);
    expect(warningsAbout(a)).to.have.length(1);
  });

  it('refuses an invalid PAGE_PATTERN, naming the variable and what is wrong', async () => {
    const failure = await startService({ env: { PAGE_PATTERN: 'blog/(' } }).then(
      () => 'started',
      (error: unknown) => String(error),
    );
    expect(failure).to.include('invalid configuration: PAGE_PATTERN: not a valid regular expression');
  });
});
