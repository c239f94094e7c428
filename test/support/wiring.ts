// Reads how objects point at each other (selectors, named ports, Secret keys), for cross-checks that catch
// outages schema validation cannot see: a Service that selects no pod, a probe on a port nobody listens on.
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { KubeObject } from './kube-object.js';
import { podTemplatesOf } from './pod-security.js';

export interface Workload {
  owner: string;
  labels: Record<string, string>;
  containers: IContainer[];
}

interface WithTemplateLabels {
  metadata: { labels?: Record<string, string> };
  spec?: { template?: { metadata?: { labels?: Record<string, string> } } };
}

/** Pods that run long enough to be selected by Services: the templates of Deployments and StatefulSets. */
export function workloadsOf(objects: readonly KubeObject[]): Workload[] {
  const byOwner = new Map(podTemplatesOf(objects).map((t) => [t.owner, t]));
  const workloads: Workload[] = [];
  for (const obj of objects) {
    if (obj.kind !== 'Deployment' && obj.kind !== 'StatefulSet') continue;
    const owner = `${obj.kind}/${obj.metadata.name}`;
    const labels = (obj as unknown as WithTemplateLabels).spec?.template?.metadata?.labels ?? {};
    workloads.push({ owner, labels, containers: byOwner.get(owner)?.spec.containers ?? [] });
  }
  return workloads;
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: unknown[];
}

/** Whether a selector (matchLabels only: the chart uses no expressions) selects the labels. */
export function selects(selector: LabelSelector | Record<string, string> | undefined, labels: Record<string, string>): boolean {
  if (!selector) return false;
  const isLabelSelector = 'matchLabels' in selector || 'matchExpressions' in selector;
  if (isLabelSelector && (selector as LabelSelector).matchExpressions?.length) {
    throw new Error('matchExpressions are not supported by this check: extend test/support/wiring.ts');
  }
  const wanted = (isLabelSelector ? (selector as LabelSelector).matchLabels : selector) as Record<string, string> | undefined;
  const entries = Object.entries(wanted ?? {});
  return entries.length > 0 && entries.every(([key, value]) => labels[key] === value);
}

/** The container port a Service targetPort or a probe port refers to (by name or number), if declared. */
export function declaredPort(containers: readonly IContainer[], port: string | number): { container: string; containerPort: number } | undefined {
  for (const c of containers) {
    for (const p of c.ports ?? []) {
      if (p.name === port || p.containerPort === port) return { container: c.name, containerPort: p.containerPort };
    }
  }
  return undefined;
}
