// The Node.js version a newcomer is told to install must be one that CI runs and that every locked package
// declares it supports: a README asking for an older Node than the dependencies need yields EBADENGINE
// warnings on `npm ci` and tools that may not run.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import semver from 'semver';
import { loadWorkflows, repoRoot } from '../../scripts/lib/workflows.js';

const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { engines: { node: string } };
const lock = JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { engines?: { node?: string } | string[] }>;
};

const statedMatch = /Node\.js (\d+(?:\.\d+)*) or later/.exec(readme);
const stated = semver.coerce(statedMatch?.[1]);

const ciNodeVersions = loadWorkflows()
  .flatMap((workflow) => Object.values(workflow.jobs))
  .flatMap((job) => {
    const matrixNode = job.strategy?.matrix?.node;
    return Array.isArray(matrixNode) ? matrixNode.map(String) : [];
  });

describe('the Node.js version the README states', () => {
  it('is written as "Node.js N or later" in the README', () => {
    expect(stated, 'README.md says "Node.js <version> or later"').to.not.equal(null);
  });

  it('is the lowest version package.json `engines` allows', () => {
    expect(semver.minVersion(manifest.engines.node)?.version).to.equal(stated?.version);
  });

  it('is the lowest Node version the CI test matrix runs', () => {
    expect(ciNodeVersions, 'a `node:` matrix in .github/workflows').to.have.length.above(0);
    const lowest = ciNodeVersions.map((version) => semver.coerce(version)?.version ?? version).sort(semver.compare)[0];
    expect(lowest).to.equal(stated?.version);
  });

  it('satisfies the `engines.node` range of every package in package-lock.json, as does every CI version', () => {
    const versions = [stated?.version ?? '', ...ciNodeVersions.map((version) => semver.coerce(version)?.version ?? version)];
    const refusals: string[] = [];
    for (const [path, entry] of Object.entries(lock.packages)) {
      // Old lock entries may hold engines as an array of strings, which npm ignores.
      const range = Array.isArray(entry.engines) ? undefined : entry.engines?.node;
      if (path === '' || range === undefined) continue;
      for (const version of versions) {
        if (!semver.satisfies(version, range)) refusals.push(`${path} wants node ${range}, not ${version}`);
      }
    }
    expect(refusals).to.deep.equal([]);
  });
});
