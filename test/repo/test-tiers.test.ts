// The test tiers are defined once (test/tiers/suites.cjs) and run the same way everywhere: these checks keep
// a new test folder from being left out of every tier, and .ci/run and ci.yml from drifting apart again.
import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { parse } from 'yaml';
import { allSteps, loadWorkflow, npmRunsIn, repoRoot, type Step } from '../../scripts/lib/workflows.js';

interface MochaConfig { spec: string[]; require?: string[]; timeout: number; exit?: boolean }
interface Suites {
  suites: Record<string, { timeout?: number; require?: string[] }>;
  tiers: Record<string, string[]>;
  config: (names: string[]) => MochaConfig;
}
const require = createRequire(import.meta.url);
const { suites, tiers, config } = require('../tiers/suites.cjs') as Suites;
const tierConfig = (name: string): MochaConfig => require(`../tiers/${name}.cjs`) as MochaConfig;
const read = (path: string): string => readFileSync(join(repoRoot, path), 'utf8');
const packageScripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;

/** Folders of test/ holding at least one *.test.ts. */
const testFolders = readdirSync(join(repoRoot, 'test'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && readdirSync(join(repoRoot, 'test', entry.name), { recursive: true, encoding: 'utf8' }).some((f) => f.endsWith('.test.ts')))
  .map((entry) => entry.name);

describe('test tiers', function () {
  it('give every test folder a suite, and every suite but smoke and cluster exactly one tier', function () {
    expect(testFolders).to.include.members(['unit', 'integration', 'smoke', 'cluster']);
    expect([...Object.keys(suites), 'cluster']).to.have.members(testFolders);
    const inTiers = Object.values(tiers).flat();
    expect(inTiers, 'a suite in two tiers').to.have.length(new Set(inTiers).size);
    expect(inTiers).to.have.members(Object.keys(suites).filter((name) => name !== 'smoke'));
  });

  it('run the smoke suite in the service tier, from test/integration/smoke.test.ts', function () {
    expect(tiers.service).to.include('integration');
    expect(read('test/integration/smoke.test.ts')).to.include("SUITE: 'smoke'").and.include("'test/tiers/suite.cjs'");
  });

  it('are globs of whole folders (a new file runs without an edit), with the longest timeout and every hook of their suites', function () {
    for (const [name, members] of Object.entries(tiers)) {
      const tier = tierConfig(name);
      expect(tier.spec, name).to.deep.equal(members.map((suite) => `test/${suite}/**/*.test.ts`));
      expect(tier.timeout, name).to.equal(Math.max(20000, ...members.map((suite) => suites[suite]?.timeout ?? 0)));
      expect(tier.require ?? [], name).to.deep.equal(members.flatMap((suite) => suites[suite]?.require ?? []));
    }
    expect(tierConfig('heavy').require).to.deep.equal(['test/container/hooks.ts']);
    // No tier or suite has mocha force the exit: a run that does not end by itself has left something open.
    for (const name of Object.keys(tiers)) expect(tierConfig(name).exit, name).to.equal(undefined);
    for (const name of Object.keys(suites)) expect(config([name]).exit, name).to.equal(undefined);
    expect(tierConfig('cluster').exit, 'cluster').to.equal(undefined);
  });

  it('list every cluster file in test/tiers/cluster.cjs (ordered, so not a glob)', function () {
    const listed = tierConfig('cluster').spec;
    const present = readdirSync(join(repoRoot, 'test', 'cluster')).filter((f) => f.endsWith('.test.ts')).map((f) => `test/cluster/${f}`);
    expect(listed).to.have.members(present);
  });

  it('refuse an unknown suite name with the list of known ones', function () {
    expect(() => config(['unit', 'nope'])).to.throw(/unknown test suite "nope": one of unit, /);
    expect(() => config([])).to.throw(/unknown test suite/);
  });

  it('each have an npm script; npm test builds once, then runs the fast and service tiers', function () {
    for (const name of [...Object.keys(tiers), 'cluster']) expect(packageScripts[`test:${name}`], `test:${name}`).to.equal(`mocha --config test/tiers/${name}.cjs`);
    expect(packageScripts.test).to.equal('npm run build && npm run test:fast && npm run test:service');
    const building = Object.entries(packageScripts).filter(([name, command]) => name.startsWith('test:') && command.includes('npm run build'));
    expect(building, 'test scripts that build (dist/ is built once per run, by npm test)').to.deep.equal([]);
  });

  it('are what .ci/run and every ci.yml job run (the cluster tier only locally, the kind e2e only on GitHub)', function () {
    // Commands only: its comments and step titles name commands too.
    const ciRun = npmRunsIn(read('.ci/run').split('\n').filter((line) => !/^\s*(#|step )/.test(line)).join('\n'));
    const ciYml = [...allSteps([loadWorkflow('.github/workflows/ci.yml')])].flatMap(({ step }) => npmRunsIn(step.run ?? ''));
    const tierRuns = (runs: string[]): string[] => [...new Set(runs.filter((run) => run === 'test' || run.startsWith('test:')))].sort();
    expect(tierRuns(ciRun)).to.deep.equal(['test:cluster', 'test:coverage', 'test:heavy']);
    expect(tierRuns(ciYml)).to.deep.equal(['test:coverage', 'test:heavy']);
    for (const check of ['lint', 'typecheck', 'lint:ci']) {
      expect(ciRun, `.ci/run: npm run ${check}`).to.include(check);
      expect(ciYml, `ci.yml: npm run ${check}`).to.include(check);
    }
    // .ci/run keeps its cost order: the cheap tiers first, dockerd and the cluster last.
    expect(ciRun.filter((run) => tierRuns([run]).length > 0)).to.deep.equal(['test:coverage', 'test:heavy', 'test:cluster']);
    expect(packageScripts['test:coverage']).to.equal('c8 npm test');
  });

  it('start every ci.yml job with the shared setup action, which calls only files that exist', function () {
    const ci = loadWorkflow('.github/workflows/ci.yml');
    for (const [jobId, job] of Object.entries(ci.jobs)) {
      expect(job.steps?.[1]?.uses, `job ${jobId}: second step`).to.equal('./.github/actions/setup');
    }
    const action = parse(read('.github/actions/setup/action.yml')) as { runs: { using: string; steps: Step[] } };
    expect(action.runs.using).to.equal('composite');
    const runs = action.runs.steps.map((step) => step.run ?? '').join('\n');
    expect(runs).to.include('scripts/install-system-deps.sh').and.include('npm ci');
    for (const [path] of runs.matchAll(/scripts\/[\w./-]+/g)) expect(existsSync(join(repoRoot, path)), path).to.equal(true);
  });
});
