// k8s/ copied to a temp dir, given a password file the documented way (scripts/k8s-secret-env.sh), then built
// with `kubectl kustomize`: the objects `kubectl apply -k` would send, shared by the k8s/ test files.
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseManifests } from '../support/chart.js';
import { repoRoot } from '../support/helm.js';
import type { KubeObject } from '../support/kube-object.js';
import { kubectl } from '../support/kubectl.js';

const run = promisify(execFile);
export const k8sDir = path.join(repoRoot, 'k8s');
export const secretEnvRelative = path.join('base', 'redis.secret.env');

export interface Kustomized {
  /** objects of k8s/ (the base) */
  root: KubeObject[];
  /** objects of k8s/overlays/dev */
  dev: KubeObject[];
  /** the password the secret env file holds */
  password: string;
}

/** A copy of k8s/ without any local password file, in a fresh temp dir; the caller removes it. */
export async function copyK8s(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'k8s-'));
  await cp(k8sDir, dir, { recursive: true, filter: (src) => !src.endsWith('.secret.env') });
  return dir;
}

export async function kustomize(dir: string): Promise<KubeObject[]> {
  const result = await kubectl(['kustomize', dir]);
  if (result.code !== 0) throw new Error(`kubectl kustomize ${dir} failed: ${result.stderr.trim()}`);
  return parseManifests(result.stdout, `kubectl kustomize ${dir}`);
}

async function build(): Promise<Kustomized> {
  const dir = await copyK8s();
  try {
    const envFile = path.join(dir, secretEnvRelative);
    await run(path.join(repoRoot, 'scripts', 'k8s-secret-env.sh'), [envFile]);
    const password = /^redis-password=(.+)$/m.exec(await readFile(envFile, 'utf8'))?.[1] ?? '';
    const [root, dev] = await Promise.all([kustomize(dir), kustomize(path.join(dir, 'overlays', 'dev'))]);
    return { root, dev, password };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

let built: Promise<Kustomized> | undefined;

/** Built once per test run. */
export function kustomized(): Promise<Kustomized> {
  built ??= build();
  return built;
}
