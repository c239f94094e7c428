// k8s/generated/ is the chart rendered by `npm run k8s:generate`: never stale, and changed only in the
// documented ways (no helm test pod, no chart-made Secret, no helm-only labels).
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { generate, splitByKind } from '../../scripts/k8s-generate.js';
import { parseManifests, renderChart } from '../support/chart.js';
import { describe as name, type KubeObject } from '../support/kube-object.js';
import { k8sDir } from './kustomized.js';

const generatedDir = path.join(k8sDir, 'generated');

/** A copy with helm.sh/chart and managed-by removed from every labels map, as the generator does. */
function withoutHelmLabels(obj: KubeObject): KubeObject {
  return JSON.parse(JSON.stringify(obj), (key, value: unknown) => {
    if (key !== 'labels' || typeof value !== 'object' || value === null) return value;
    return Object.fromEntries(Object.entries(value).filter(([label]) => label !== 'helm.sh/chart' && label !== 'app.kubernetes.io/managed-by'));
  }) as KubeObject;
}

async function readDir(dir: string): Promise<Map<string, string>> {
  const files = (await readdir(dir)).sort();
  return new Map(await Promise.all(files.map(async (f): Promise<[string, string]> => [f, await readFile(path.join(dir, f), 'utf8')])));
}

describe('k8s/generated: rendered from the chart', function () {
  this.timeout(60_000);

  it('is what `npm run k8s:generate` makes from the current chart and k8s/values.yaml (not stale)', async function () {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'k8s-generated-'));
    try {
      await generate(dir);
      const [fresh, committed] = await Promise.all([readDir(dir), readDir(generatedDir)]);
      expect([...committed.keys()], 'k8s/generated/ files: run npm run k8s:generate').to.deep.equal([...fresh.keys()]);
      for (const [file, text] of fresh) {
        expect(committed.get(file), `k8s/generated/${file} is stale: run npm run k8s:generate`).to.equal(text);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('holds every object the chart renders with k8s/values.yaml, changed only by the removed labels; no test pod, no Secret', async function () {
    const chart = await renderChart({ valuesFiles: ['k8s/values.yaml'] });
    expect(chart.map(name)).to.include('Pod/page-tracker-test');
    const expected = chart.filter((o) => o.metadata.annotations?.['helm.sh/hook'] === undefined).map(withoutHelmLabels);
    const committed = await readDir(generatedDir);
    const generated = [...committed].filter(([f]) => f !== 'kustomization.yaml').flatMap(([f, text]) => parseManifests(text, f));
    const byName = (a: KubeObject, b: KubeObject): number => name(a).localeCompare(name(b));
    expect(generated.sort(byName)).to.deep.equal(expected.sort(byName));
    expect(generated.filter((o) => o.kind === 'Secret'), 'the password must not be committed').to.deep.equal([]);
  });

  it('drops the helm-only labels and keeps the chart\'s selector labels', async function () {
    const committed = await readDir(generatedDir);
    for (const [file, text] of committed) {
      expect(text, file).not.to.match(/helm\.sh\/chart|managed-by: Helm/);
    }
    const deployment = parseManifests(committed.get('deployment.yaml') ?? '', 'deployment.yaml')[0];
    expect(deployment?.metadata.labels).to.include({
      'app.kubernetes.io/name': 'page-tracker', 'app.kubernetes.io/instance': 'page-tracker', 'app.kubernetes.io/component': 'app',
    });
  });

  it('lists exactly its object files in its kustomization.yaml', async function () {
    const committed = await readDir(generatedDir);
    const listed = /resources:\n((?: {2}- .+\n)+)/.exec(committed.get('kustomization.yaml') ?? '')?.[1]?.trim().split('\n').map((l) => l.replace(/^\s*- /, ''));
    expect(listed).to.deep.equal([...committed.keys()].filter((f) => f !== 'kustomization.yaml'));
  });

  it('refuses an object with a helm.sh/ annotation rather than shipping a hook kubectl would run plainly', function () {
    const hook = 'apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: migrate\n  annotations:\n    helm.sh/hook: pre-upgrade\n';
    expect(() => splitByKind(hook)).to.throw(/Job\/migrate carries helm-only annotations \(helm\.sh\/hook\)/);
  });
});
