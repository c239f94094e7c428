// versions.env holds every version Dependabot cannot see. A pin is only worth something when it is the
// value actually used, so: docs/ci.md lists every entry (that list is what a person bumps by hand), every
// entry is read by a script or workflow, no other file keeps a copy of a value, and every workflow
// reference to the environment resolves to an entry.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { allSteps, loadWorkflows, repoRoot } from '../../scripts/lib/workflows.js';
import { pinnedVersions, pinnedVersionsFile } from '../../scripts/lib/pinned-versions.js';
import { sharedNames } from '../../scripts/lib/shared-names.js';

const pins = pinnedVersions();
// Where a person reads which pins to bump by hand.
const pinsDoc = 'docs/ci.md';
const read = (path: string): string => readFileSync(join(repoRoot, path), 'utf8');
const trackedFiles = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { cwd: repoRoot, encoding: 'utf8' })
  .split('\n')
  .filter((path) => path !== '' && !/^(schemas\/|package-lock\.json$)/.test(path));
const textOf = (path: string): string => {
  try {
    return read(path);
  } catch {
    return ''; // deleted in the work tree but still in the index
  }
};

// Legitimate occurrences of a pinned value elsewhere, with the reason.
const notCopies: Record<string, string[]> = {
  // The stand-in image builder has a recipe per image name; the pin says which image the cluster uses.
  HELPER_IMAGE: ['scripts/ci-machine/standin-images.sh'],
  // anchore/sbom-action's release comment beside its SHA happens to read the same version as this kind release.
  KIND_OLDEST_VERSION: ['.github/workflows/release.yml'],
};

describe(`pinned versions (${pinnedVersionsFile})`, function () {
  it('has entries, one KEY=value per line', function () {
    expect(pins.size).to.be.greaterThan(10);
    for (const [name, value] of pins) expect(value, name).to.match(/^\S+$/);
  });

  it(`are exactly the names ${pinsDoc}'s list of hand-bumped pins gives`, function () {
    const doc = read(pinsDoc);
    const start = doc.indexOf('\n### Pinned versions\n');
    expect(start, `${pinsDoc} has a "### Pinned versions" section`).to.be.greaterThan(-1);
    const end = doc.indexOf('\n#', start + 1);
    const section = doc.slice(start, end === -1 ? undefined : end);
    const listed = new Set([...section.matchAll(/`([A-Z][A-Z0-9_]*_[A-Z0-9_]+|[A-Z]+_VERSION)`/g)].map((m) => m[1] ?? ''));
    expect([...listed].sort(), `names in ${pinsDoc} "Pinned versions"`).to.deep.equal([...pins.keys()].sort());
  });

  it('are each read by a script, workflow or test support file', function () {
    const readers = trackedFiles.filter((path) => path !== pinnedVersionsFile && path !== pinsDoc && !path.startsWith('test/repo/'));
    const sources = readers.map(textOf);
    const unread = [...pins.keys()].filter((name) => !sources.some((source) => new RegExp(`\\b${name}\\b|\\{0\\}${name.replace(/^KIND_(OLDEST|NEWEST)/, '')}\\b`).test(source)));
    expect(unread, 'entries nothing reads').to.deep.equal([]);
  });

  it('are defined there only: no other file holds a copy of a value', function () {
    const copies: string[] = [];
    for (const path of trackedFiles) {
      if (path === pinnedVersionsFile) continue;
      const text = textOf(path);
      for (const [name, value] of pins) {
        if (text.includes(value) && !(notCopies[name] ?? []).includes(path)) copies.push(`${path} holds ${name}=${value}`);
      }
    }
    expect(copies).to.deep.equal([]);
  });

  it('reach the workflows: each ${{ env.X }} and env[format(...)] names an entry (or a names.env entry), loaded before the step that uses it', function () {
    const workflows = loadWorkflows();
    const shared = sharedNames();
    let references = 0;
    for (const w of workflows) {
      for (const [jobId, job] of Object.entries(w.jobs)) {
        const slots = (job.strategy?.matrix?.include ?? []).map((entry) => String(entry.pins));
        let loaded = false;
        for (const { step } of allSteps([{ ...w, jobs: { [jobId]: job } }])) {
          const where = `${w.file} job ${jobId} step ${step.name ?? step.uses ?? step.run ?? ''}`;
          const text = JSON.stringify(step);
          const names = [...text.matchAll(/\benv\.([A-Z][A-Z0-9_]*)/g)].map((m) => m[1] ?? '');
          for (const [, suffix] of text.matchAll(/env\[format\('\{0\}(\w+)', matrix\.pins\)\]/g)) {
            expect(slots, `${where}: matrix entries name their pins`).to.have.length.greaterThan(0);
            for (const slot of slots) names.push(`${slot}${suffix ?? ''}`);
          }
          for (const name of names) {
            references += 1;
            expect(pins.has(name) || shared.has(name), `${where}: ${name} is in ${pinnedVersionsFile} or names.env`).to.equal(true);
            expect(loaded, `${where}: scripts/shared-env.sh runs earlier in the job`).to.equal(true);
          }
          if (step.run?.includes('scripts/shared-env.sh >> "$GITHUB_ENV"')) loaded = true;
        }
      }
    }
    expect(references).to.be.greaterThan(4);
    const setupHelm = [...allSteps(workflows)].filter(({ step }) => step.uses?.startsWith('azure/setup-helm@'));
    expect(setupHelm).to.have.length.greaterThan(0);
    for (const { step } of setupHelm) expect(step.with?.version).to.equal('${{ env.HELM_VERSION }}');
  });

  it('print as scripts/shared-env.sh gives them to $GITHUB_ENV, with names.env after them: the same KEY=value lines, nothing else', function () {
    const printed = execFileSync(join(repoRoot, 'scripts', 'shared-env.sh'), { encoding: 'utf8' }).trimEnd().split('\n');
    expect(printed).to.deep.equal([...pins, ...sharedNames()].map(([name, value]) => `${name}=${value}`));
  });
});
