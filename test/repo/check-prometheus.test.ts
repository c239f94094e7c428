// scripts/e2e-kind/check-prometheus.ts only runs for real on kind in CI, so this drives it against a real
// Prometheus here: one that scrapes itself under the labels a ServiceMonitor would give the app's targets,
// and loads a rule file named the way the Prometheus Operator names a PrometheusRule's file.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { findOnPath } from '../support/find-on-path.js';
import { repoRoot } from '../../scripts/lib/workflows.js';

const checkScript = join(repoRoot, 'scripts', 'e2e-kind', 'check-prometheus.ts');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => { if (typeof address === 'object' && address !== null) resolve(address.port); else reject(new Error('no port')); });
    });
  });
}

const ruleFile = (groups: string[]): string =>
  `groups:\n${groups.map((name) => `  - name: ${name}\n    rules:\n      - record: job:up:sum\n        expr: sum by (job) (up)\n`).join('')}`;

describe('scripts/e2e-kind/check-prometheus.ts against a real Prometheus', function () {
  this.timeout(60000);
  let dir: string;
  let prometheus: ChildProcess | undefined;
  let url: string;
  const output: string[] = [];

  before(async function () {
    const binary = findOnPath('prometheus', 'prometheus');
    dir = mkdtempSync(join(tmpdir(), 'check-prometheus-'));
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    // The operator writes each PrometheusRule to "<namespace>-<name>-<uid>.yaml".
    writeFileSync(join(dir, 'page-tracker-page-tracker-0000.yaml'), ruleFile(['page-tracker.recording', 'page-tracker.alerts']));
    writeFileSync(join(dir, 'prometheus.yml'), [
      'global: { scrape_interval: 1s, evaluation_interval: 1s }',
      `rule_files: ["${join(dir, 'page-tracker-page-tracker-0000.yaml')}"]`,
      'scrape_configs:',
      '  - job_name: page-tracker',
      '    static_configs:',
      `      - targets: ["127.0.0.1:${port}"]`,
      '        labels: { namespace: page-tracker, service: page-tracker }',
      '',
    ].join('\n'));
    prometheus = spawn(binary, [
      `--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ], { stdio: ['ignore', 'ignore', 'pipe'] });
    prometheus.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    const deadline = Date.now() + 20000;
    for (;;) {
      const ready = await fetch(`${url}/-/ready`).then((r) => r.ok, () => false);
      if (ready) break;
      if (Date.now() > deadline || prometheus.exitCode !== null) throw new Error(`prometheus did not start:\n${output.join('')}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  });

  after(async function () {
    const running = prometheus;
    if (running?.pid !== undefined && running.exitCode === null) {
      const exited = new Promise((resolve) => running.once('exit', resolve));
      process.kill(running.pid, 'SIGTERM');
      await exited;
    }
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  function check(args: Record<string, string>, rules: string[] = ['page-tracker.recording', 'page-tracker.alerts']) {
    const expected = join(dir, `expected-${rules.join('-')}.yaml`);
    writeFileSync(expected, ruleFile(rules));
    const all = { url, namespace: 'page-tracker', service: 'page-tracker', targets: '1', rules: expected, 'timeout-seconds': '20', ...args };
    return spawnSync(process.execPath, ['--import', 'tsx', checkScript, ...Object.entries(all).flatMap(([k, v]) => [`--${k}`, v])], {
      cwd: repoRoot, encoding: 'utf8', timeout: 40000,
    });
  }

  it('passes when the targets are up and every rule group is loaded and evaluated', function () {
    const result = check({});
    expect(result.status, result.stderr + result.stdout).to.equal(0);
    expect(result.stdout).to.match(/targets: 1 of 1 up/).and.match(/rules: 2 groups loaded and evaluated/).and.match(/Prometheus OK/);
  });

  it('fails, saying how many are up, when fewer targets are up than the Deployment has replicas', function () {
    const result = check({ targets: '2', 'timeout-seconds': '1' });
    expect(result.status).to.equal(1);
    expect(result.stderr).to.match(/FAIL: 1 of 2 targets of service page-tracker\/page-tracker up/);
  });

  it('fails when the targets belong to another service', function () {
    const result = check({ service: 'someone-else', 'timeout-seconds': '1' });
    expect(result.status).to.equal(1);
    expect(result.stderr).to.match(/FAIL: 0 of 1 targets of service page-tracker\/someone-else up/);
  });

  it('fails, naming the group, when a rule group of the chart is not loaded', function () {
    const result = check({ 'timeout-seconds': '1' }, ['page-tracker.recording', 'page-tracker.missing']);
    expect(result.status).to.equal(1);
    expect(result.stderr).to.match(/FAIL: rule group page-tracker\.missing not loaded/);
  });
});
