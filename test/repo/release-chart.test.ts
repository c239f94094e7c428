// scripts/release-chart.sh runs only on a tag in GitHub; its refusals are checked here, before anything
// is packaged or pushed, what it packages (--package-only: no login, no push), and what it asks the
// registry for (a stand-in helm that answers `registry login` and `push` and hands the rest to the real one).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { parse } from 'yaml';
import { repoRoot } from '../../scripts/lib/workflows.js';
import { helm, helmPath } from '../support/helm.js';
import { standInTools } from '../support/stand-in-tools.js';

const script = join(repoRoot, 'scripts', 'release-chart.sh');
const { version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
// Credentials that cannot log in anywhere: the refusals must come before any registry call.
const digest = `sha256:${'ab'.repeat(32)}`;
const env = { ...process.env, REGISTRY_USER: 'nobody', REGISTRY_PASSWORD: 'not-a-token', REGISTRY_OWNER: 'Page-Tracker', IMAGE_DIGEST: digest };
const release = (tag: string, extraEnv: Record<string, string | undefined> = {}) =>
  spawnSync(script, [tag, join(tmpdir(), 'release-chart-test')], { encoding: 'utf8', env: { ...env, ...extraEnv }, timeout: 20000 });

describe('scripts/release-chart.sh', function () {
  it('refuses a tag that is not a semantic version', function () {
    const result = release('release-1');
    expect(result.status).to.equal(1);
    expect(result.stderr).to.contain("tag 'release-1' is not a semantic version");
  });

  it("refuses a tag that disagrees with package.json's version", function () {
    const result = release('v999.0.0');
    expect(result.status).to.equal(1);
    expect(result.stderr).to.contain(`does not match package.json version ${version}`);
  });

  it('refuses to run without registry credentials', function () {
    const result = release(`v${version}`, { REGISTRY_PASSWORD: undefined });
    expect(result.status).to.not.equal(0);
    expect(result.stderr).to.contain('REGISTRY_PASSWORD is required');
  });

  it('refuses to publish a chart that does not pin the image by digest, or with a malformed digest', function () {
    const missing = release(`v${version}`, { IMAGE_DIGEST: undefined });
    expect(missing.status).to.not.equal(0);
    expect(missing.stderr).to.contain('IMAGE_DIGEST is required');
    const malformed = release(`v${version}`, { IMAGE_DIGEST: 'sha256:1234' });
    expect(malformed.status).to.equal(1);
    expect(malformed.stderr).to.contain("IMAGE_DIGEST 'sha256:1234' is not a digest");
  });

  it("packages the chart with this release's version and the image it pushes (ghcr.io/<owner, lower case>/page-tracker), pinned by digest", async function () {
    this.timeout(60_000);
    const out = mkdtempSync(join(tmpdir(), 'release-chart-package-'));
    try {
      const result = spawnSync(script, ['--package-only', `v${version}`, out], { encoding: 'utf8', env: { ...process.env, REGISTRY_OWNER: 'Some-Fork', IMAGE_DIGEST: digest }, timeout: 50_000 });
      expect(result.status, result.stderr).to.equal(0);
      const tgz = join(out, `page-tracker-${version}.tgz`);
      const values = parse((await helm(['show', 'values', tgz])).stdout) as { image: { repository: string; digest: string } };
      expect(values.image.repository).to.equal('ghcr.io/some-fork/page-tracker');
      expect(values.image.digest).to.equal(digest);
      const rendered = (await helm(['template', 'r', tgz])).stdout;
      expect(rendered).to.include(`image: ghcr.io/some-fork/page-tracker:${version}@${digest}`);
      const chart = parse((await helm(['show', 'chart', tgz])).stdout) as { version: string; appVersion: string };
      expect(chart).to.include({ version, appVersion: version });
      // The chart in the repository keeps its own default.
      expect(readFileSync(join(repoRoot, 'charts', 'page-tracker', 'values.yaml'), 'utf8')).to.include('repository: ghcr.io/page-tracker/page-tracker');
      expect(readFileSync(join(repoRoot, 'charts', 'page-tracker', 'values.yaml'), 'utf8')).to.match(/^ {2}digest: ""$/m);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('logs in to ghcr.io, pushes the packaged chart to oci://ghcr.io/<owner, lower case>/charts and hands on its digest', async function () {
    this.timeout(60_000);
    const out = mkdtempSync(join(tmpdir(), 'release-chart-push-'));
    const realHelm = await helmPath();
    const chartDigest = `sha256:${'cd'.repeat(32)}`;
    const tools = standInTools({
      helm: [
        'case "$1" in',
        '  registry) cat >/dev/null ;;',
        `  push) echo "Pushed: ghcr.io/some-fork/charts/page-tracker:${version}"; echo "Digest: ${chartDigest}" ;;`,
        `  *) exec ${realHelm} "$@" ;;`,
        'esac',
      ].join('\n'),
    });
    try {
      const output = join(out, 'github-output');
      const result = tools.run(script, [`v${version}`, out], { ...env, REGISTRY_OWNER: 'Some-Fork', GITHUB_OUTPUT: output });
      expect(result.status, result.stderr).to.equal(0);
      expect(result.calls).to.deep.equal([
        'helm registry login ghcr.io --username nobody --password-stdin',
        `helm push ${out}/page-tracker-${version}.tgz oci://ghcr.io/some-fork/charts`,
      ]);
      expect(result.stdout.trim().split('\n').at(-1)).to.equal(`digest=${chartDigest}`);
      expect(readFileSync(output, 'utf8')).to.equal(`digest=${chartDigest}\n`);
    } finally {
      tools.cleanup();
      rmSync(out, { recursive: true, force: true });
    }
  });
});
