// scripts/release-chart.sh runs only on a tag in GitHub; its refusals are checked here, before anything
// is packaged or pushed.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { repoRoot } from '../../scripts/lib/workflows.js';

const script = join(repoRoot, 'scripts', 'release-chart.sh');
const { version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
// Credentials that cannot log in anywhere: the refusals must come before any registry call.
const env = { ...process.env, REGISTRY_USER: 'nobody', REGISTRY_PASSWORD: 'not-a-token', REGISTRY_OWNER: 'Page-Tracker' };
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
});
