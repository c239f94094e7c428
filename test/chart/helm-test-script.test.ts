// The script the helm test pod runs (node -e in the app image): valid JavaScript, and a failure when the app
// cannot be reached, so `helm test` can never pass without having counted a view.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { renderChart } from '../support/chart.js';
import { oneOf } from '../support/kube-typed.js';

const run = promisify(execFile);

async function testScript(): Promise<{ command: string[]; script: string }> {
  const container = oneOf(await renderChart(), 'Pod', 'page-tracker-test').spec?.containers[0];
  return { command: container?.command ?? [], script: container?.args?.[0] ?? '' };
}

describe('chart: the helm test script', function () {
  let dir: string;
  before(async function () {
    dir = await mkdtemp(path.join(os.tmpdir(), 'chart-helm-test-'));
  });
  after(async function () {
    await rm(dir, { recursive: true, force: true });
  });

  it('is valid JavaScript for node --input-type=module -e', async function () {
    const { command, script } = await testScript();
    expect(command).to.deep.equal(['node', '--input-type=module', '-e']);
    const file = path.join(dir, 'helm-test.mjs');
    await writeFile(file, script);
    await run(process.execPath, ['--check', file]);
  });

  it('exits non-zero, naming the request, when the app cannot be reached', async function () {
    const { command, script } = await testScript();
    const base = 'http://127.0.0.1:0'; // port 0 never accepts a connection
    const failure = await run(process.execPath, [...command.slice(1), script], { env: { ...process.env, BASE_URL: base } }).then(
      () => undefined,
      (err: Error & { code?: number; stderr?: string }) => err,
    );
    expect(failure?.code).to.equal(1);
    expect(failure?.stderr).to.match(/fetch failed|ECONNREFUSED/);
  });
});
