// Prints the manifests of the Prometheus Operator and one Prometheus for the local test cluster: the
// operator, its CRDs and its RBAC from the bundle.yaml that ships in the operator's Go module (moved into
// NAMESPACE), and the Prometheus that kube-prometheus-stack renders from the settings the kind e2e gives it
// (test/e2e/prometheus-values.yaml): every ServiceMonitor, PodMonitor, Probe and PrometheusRule in the
// cluster selected, its intervals, retention and resources. The stack's chart lives in a registry this
// machine cannot reach; the images named in the bundle are built here under those same names.
//   tsx scripts/cluster/prometheus-manifests.ts crds|operator|prometheus BUNDLE NAMESPACE PROMETHEUS_IMAGE PROMETHEUS_VERSION
// prints one part: the CRDs must be established before a Prometheus object can be created.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse, parseAllDocuments, stringify } from 'yaml';

interface PrometheusValues {
  prometheus?: {
    prometheusSpec?: {
      serviceMonitorSelectorNilUsesHelmValues?: boolean;
      podMonitorSelectorNilUsesHelmValues?: boolean;
      ruleSelectorNilUsesHelmValues?: boolean;
      probeSelectorNilUsesHelmValues?: boolean;
      scrapeInterval?: string;
      evaluationInterval?: string;
      retention?: string;
      resources?: object;
    };
  };
}

interface KubeObject {
  kind: string;
  metadata: { name: string; namespace?: string };
  subjects?: { kind: string; name: string; namespace?: string }[];
}

const parts = ['crds', 'operator', 'prometheus'] as const;
const [part, bundleFile, namespace, prometheusImage, prometheusVersion] = process.argv.slice(2);
if (!parts.some((known) => known === part) || bundleFile === undefined || namespace === undefined || prometheusImage === undefined || prometheusVersion === undefined) {
  console.error(`usage: prometheus-manifests.ts ${parts.join('|')} BUNDLE NAMESPACE PROMETHEUS_IMAGE PROMETHEUS_VERSION`);
  process.exit(2);
}
const valuesFile = fileURLToPath(new URL('../../test/e2e/prometheus-values.yaml', import.meta.url));
const spec = (parse(readFileSync(valuesFile, 'utf8')) as PrometheusValues).prometheus?.prometheusSpec ?? {};
for (const key of ['serviceMonitor', 'podMonitor', 'rule', 'probe'] as const) {
  if (spec[`${key}SelectorNilUsesHelmValues`] !== false) {
    throw new Error(`${valuesFile}: the local cluster's Prometheus selects every ${key}; set prometheus.prometheusSpec.${key}SelectorNilUsesHelmValues: false`);
  }
}

const bundle = parseAllDocuments(readFileSync(bundleFile, 'utf8'))
  .map((document) => document.toJS() as KubeObject | null)
  .filter((object): object is KubeObject => object !== null);
if (!bundle.some((object) => object.kind === 'Deployment' && object.metadata.name === 'prometheus-operator')) {
  throw new Error(`${bundleFile} has no prometheus-operator Deployment`);
}
// The bundle installs into `default`; the kind e2e runs the operator in the monitoring namespace.
for (const object of bundle) {
  if (object.metadata.namespace !== undefined) object.metadata.namespace = namespace;
  for (const subject of object.subjects ?? []) {
    if (subject.kind === 'ServiceAccount') subject.namespace = namespace;
  }
}

const name = 'prometheus';
// What kube-prometheus-stack gives its Prometheus's service account: read access to scrape targets.
const prometheusObjects: object[] = [
  { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace } },
  {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: `${namespace}-${name}` },
    rules: [
      { apiGroups: [''], resources: ['nodes', 'nodes/metrics', 'services', 'endpoints', 'pods'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['networking.k8s.io'], resources: ['ingresses'], verbs: ['get', 'list', 'watch'] },
      { nonResourceURLs: ['/metrics', '/metrics/cadvisor'], verbs: ['get'] },
    ],
  },
  {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: `${namespace}-${name}` },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: `${namespace}-${name}` },
    subjects: [{ kind: 'ServiceAccount', name, namespace }],
  },
  {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'Prometheus',
    metadata: { name, namespace },
    spec: {
      image: prometheusImage,
      version: prometheusVersion,
      replicas: 1,
      serviceAccountName: name,
      // {} selects everything, in every namespace (what the stack renders for *NilUsesHelmValues: false).
      serviceMonitorSelector: {},
      serviceMonitorNamespaceSelector: {},
      podMonitorSelector: {},
      podMonitorNamespaceSelector: {},
      probeSelector: {},
      probeNamespaceSelector: {},
      ruleSelector: {},
      ruleNamespaceSelector: {},
      ...(spec.scrapeInterval === undefined ? {} : { scrapeInterval: spec.scrapeInterval }),
      ...(spec.evaluationInterval === undefined ? {} : { evaluationInterval: spec.evaluationInterval }),
      ...(spec.retention === undefined ? {} : { retention: spec.retention }),
      ...(spec.resources === undefined ? {} : { resources: spec.resources }),
      // The stack's defaults for the Prometheus pod.
      securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 2000, fsGroup: 2000, seccompProfile: { type: 'RuntimeDefault' } },
    },
  },
];

const namespaceObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } };
const selected = {
  crds: bundle.filter((object) => object.kind === 'CustomResourceDefinition'),
  operator: [namespaceObject, ...bundle.filter((object) => object.kind !== 'CustomResourceDefinition')],
  prometheus: prometheusObjects,
}[part as (typeof parts)[number]];
process.stdout.write(selected.map((object) => stringify(object)).join('---\n'));
