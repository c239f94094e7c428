// The values files kept in charts/page-tracker/ci/, each rendered once and shared by every chart test file.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { ciValuesDir, renderChart } from '../support/chart.js';
import type { KubeObject } from '../support/kube-object.js';

export const valuesFiles: readonly string[] = readdirSync(ciValuesDir)
  .filter((name) => name.endsWith('-values.yaml'))
  .sort()
  .map((name) => path.join('charts', 'page-tracker', 'ci', name));

const rendered = new Map<string, Promise<KubeObject[]>>();

/** The objects `helm template` makes from one ci values file (rendered on first use). */
export function renderValuesFile(file: string): Promise<KubeObject[]> {
  let objects = rendered.get(file);
  if (!objects) {
    objects = renderChart({ valuesFiles: [file] });
    rendered.set(file, objects);
  }
  return objects;
}

export function shortName(file: string): string {
  return path.basename(file, '-values.yaml');
}
