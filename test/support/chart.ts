// Renders a Helm chart into parsed Kubernetes objects: shared by the chart, k8s/ and workflow tests.
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { helm, repoRoot } from './helm.js';
import { isKubeObject, type KubeObject } from './kube-object.js';
import { sharedName } from '../../scripts/lib/shared-names.js';

export const chartDir = path.join(repoRoot, 'charts', 'page-tracker');
export const ciValuesDir = path.join(chartDir, 'ci');
export const releaseName = sharedName('RELEASE_NAME');
export const releaseNamespace = sharedName('RELEASE_NAMESPACE');

export interface RenderOptions {
  /** values files, relative to the repository root or absolute */
  valuesFiles?: readonly string[];
  /** --set pairs, e.g. { 'redis.enabled': 'false' } */
  sets?: Readonly<Record<string, string>>;
  /** --set-string pairs, for values that must stay strings */
  setStrings?: Readonly<Record<string, string>>;
  chart?: string;
}

export function templateArgs(opts: RenderOptions = {}): string[] {
  const args = ['template', releaseName, opts.chart ?? chartDir, '--namespace', releaseNamespace];
  for (const file of opts.valuesFiles ?? []) args.push('--values', path.resolve(repoRoot, file));
  for (const [key, value] of Object.entries(opts.sets ?? {})) args.push('--set', `${key}=${value}`);
  for (const [key, value] of Object.entries(opts.setStrings ?? {})) args.push('--set-string', `${key}=${value}`);
  return args;
}

/** Parses a multi-document YAML stream into objects; a YAML error or a non-object document throws. */
export function parseManifests(text: string, source: string): KubeObject[] {
  const objects: KubeObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new Error(`${source}: invalid YAML: ${doc.errors.map((e) => e.message).join('; ')}`);
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    if (!isKubeObject(value)) throw new Error(`${source}: a document is not a Kubernetes object: ${JSON.stringify(value).slice(0, 200)}`);
    objects.push(value);
  }
  return objects;
}

/** `helm template` then parse; throws with helm's own message when rendering fails. */
export async function renderChart(opts: RenderOptions = {}): Promise<KubeObject[]> {
  const result = await helm(templateArgs(opts));
  if (result.code !== 0) throw new Error(`helm template failed: ${result.stderr.trim()}`);
  return parseManifests(result.stdout, `helm template ${(opts.valuesFiles ?? []).join(' ')}`);
}

/** `helm template` expected to fail: returns helm's error text, throws if it rendered. */
export async function renderChartError(opts: RenderOptions = {}): Promise<string> {
  const result = await helm(templateArgs(opts));
  if (result.code === 0) throw new Error(`helm template succeeded but was expected to fail (${JSON.stringify(opts)})`);
  return result.stderr;
}

/** The NOTES.txt helm prints after an install, from a client-side dry run (no cluster needed). */
export async function renderNotes(opts: RenderOptions = {}): Promise<string> {
  const args = templateArgs(opts);
  args.splice(0, 1, 'install');
  args.push('--dry-run=client');
  const result = await helm(args);
  if (result.code !== 0) throw new Error(`helm install --dry-run=client failed: ${result.stderr.trim()}`);
  const start = result.stdout.indexOf('\nNOTES:\n');
  if (start < 0) throw new Error('helm install --dry-run=client printed no NOTES');
  return result.stdout.slice(start + '\nNOTES:\n'.length);
}
