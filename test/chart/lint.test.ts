// helm lint --strict over every values file, and the chart's own metadata and README.
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { parse } from 'yaml';
import { chartDir } from '../support/chart.js';
import { helm, repoRoot } from '../support/helm.js';
import { shortName, valuesFiles } from './matrix.js';

const run = promisify(execFile);

describe('chart: lint and metadata', function () {
  it('has a values file for every case the issue names', function () {
    expect(valuesFiles.map(shortName)).to.include.members([
      'defaults', 'ingress-tls', 'httproute', 'networkpolicy', 'hpa', 'persistence-off', 'external-redis',
      'existing-secret', 'monitoring',
    ]);
  });

  for (const file of valuesFiles) {
    it(`helm lint --strict passes with ${shortName(file)}`, async function () {
      const result = await helm(['lint', '--strict', chartDir, '--values', path.join(repoRoot, file)]);
      expect(result.code, `${result.stdout}\n${result.stderr}`).to.equal(0);
      expect(result.stdout).to.match(/1 chart\(s\) linted, 0 chart\(s\) failed/);
      expect(result.stdout, 'lint warnings').not.to.match(/\[(WARNING|ERROR)\]/);
    });
  }

  it('has appVersion equal to package.json version, so the default image tag is the released app', async function () {
    const chart = parse(await readFile(path.join(chartDir, 'Chart.yaml'), 'utf8')) as { appVersion: unknown; apiVersion: unknown; kubeVersion: unknown };
    const pkg = JSON.parse(await readFile(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string };
    expect(chart.apiVersion).to.equal('v2');
    expect(chart.appVersion).to.equal(pkg.version);
    expect(chart.kubeVersion).to.be.a('string').and.match(/^>=1\.\d+/);
  });

  it('has a README whose values table is generated from the current values.yaml (npm run chart:readme)', async function () {
    this.timeout(60_000);
    const dir = await mkdtemp(path.join(os.tmpdir(), 'chart-readme-'));
    try {
      const copy = path.join(dir, 'README.md');
      await copyFile(path.join(chartDir, 'README.md'), copy);
      // The generator also fails when a value lacks its @param line: its own message says which.
      await run('npm', ['run', '--silent', 'chart:readme'], { cwd: repoRoot, env: { ...process.env, CHART_README: copy } }).catch(
        (err: Error & { stdout?: string; stderr?: string }) => {
          const output = `${err.stdout ?? ''}${err.stderr ?? ''}`.split('\n').filter((l) => !l.startsWith('Skipping check'));
          throw new Error(`npm run chart:readme failed:\n${output.join('\n')}`, { cause: err });
        },
      );
      const [committed, regenerated] = await Promise.all([readFile(path.join(chartDir, 'README.md'), 'utf8'), readFile(copy, 'utf8')]);
      expect(regenerated, 'charts/page-tracker/README.md is stale: run npm run chart:readme').to.equal(committed);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
