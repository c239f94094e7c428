// Prints the manifests of Traefik for the local test cluster, from the same settings file the kind e2e
// gives Traefik's Helm chart (test/e2e/traefik-values.yaml): its NodePorts, IngressClass, providers, access
// log and extra arguments. The chart itself lives in a chart repository this machine cannot reach, so
// here the binary built from Traefik's Go module runs under manifests of our own that mirror what the
// chart renders for those values (ports 8000/8443 in the pod, /ping on the `traefik` entry point, and with
// the Gateway provider on, its GatewayClass and Gateway).
//   tsx scripts/cluster/traefik-manifests.ts IMAGE NAMESPACE
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { stringify, parse } from 'yaml';

interface TraefikValues {
  service?: { spec?: { type?: string } };
  ports?: Record<string, { nodePort?: number }>;
  ingressClass?: { enabled?: boolean; isDefaultClass?: boolean; name?: string };
  providers?: { kubernetesIngress?: { enabled?: boolean }; kubernetesCRD?: { enabled?: boolean }; kubernetesGateway?: { enabled?: boolean } };
  gatewayClass?: { enabled?: boolean; name?: string };
  gateway?: {
    enabled?: boolean;
    name?: string;
    listeners?: Record<string, { port?: number; protocol?: string; hostname?: string; namespacePolicy?: object | null }>;
  };
  logs?: { access?: { enabled?: boolean } };
  additionalArguments?: string[];
}

const [image, namespace] = process.argv.slice(2);
if (image === undefined || namespace === undefined) {
  console.error('usage: traefik-manifests.ts IMAGE NAMESPACE');
  process.exit(2);
}
const valuesFile = fileURLToPath(new URL('../../test/e2e/traefik-values.yaml', import.meta.url));
const values = parse(readFileSync(valuesFile, 'utf8')) as TraefikValues;

// The chart's container ports for its entry points.
const entryPoints = { web: 8000, websecure: 8443, traefik: 8080 } as const;
const ingressClass = values.ingressClass?.name ?? 'traefik';
if (values.providers?.kubernetesCRD?.enabled === true) {
  throw new Error(`${valuesFile} turns on Traefik's CRD provider: the local cluster deploys the Ingress and Gateway providers only`);
}
const gatewayProvider = values.providers?.kubernetesGateway?.enabled === true;
// The chart's defaults: a GatewayClass `traefik` and a Gateway `traefik-gateway` in Traefik's namespace,
// each only when the Gateway provider is on.
const gatewayClassName = values.gatewayClass?.name ?? 'traefik';
const gatewayListeners = Object.entries(values.gateway?.listeners ?? {});
if (gatewayProvider && values.gateway?.enabled !== false && gatewayListeners.length === 0) {
  throw new Error(`${valuesFile}: gateway must have at least one listener or should be disabled`);
}
for (const [name, listener] of gatewayListeners) {
  if (!Object.values(entryPoints).includes(listener.port as never)) {
    throw new Error(`${valuesFile}: gateway listener ${name} has port ${String(listener.port)}, not an entry point's port (${Object.values(entryPoints).join(', ')})`);
  }
}
if (values.providers?.kubernetesIngress?.enabled !== true) {
  throw new Error(`${valuesFile} must enable providers.kubernetesIngress`);
}

const labels = { 'app.kubernetes.io/name': 'traefik', 'app.kubernetes.io/instance': 'traefik' };
const args = [
  `--entryPoints.web.address=:${entryPoints.web}/tcp`,
  `--entryPoints.websecure.address=:${entryPoints.websecure}/tcp`,
  `--entryPoints.traefik.address=:${entryPoints.traefik}/tcp`,
  '--api.dashboard=false',
  '--ping=true',
  '--providers.kubernetesingress',
  `--providers.kubernetesingress.ingressclass=${ingressClass}`,
  // As the chart does: the Gateway's status addresses are copied from Traefik's own Service.
  ...(gatewayProvider
    ? ['--providers.kubernetesgateway', '--providers.kubernetesgateway.statusaddress.service.name=traefik', `--providers.kubernetesgateway.statusaddress.service.namespace=${namespace}`]
    : []),
  ...(values.logs?.access?.enabled === true ? ['--accesslog=true'] : []),
  ...(values.additionalArguments ?? []),
];

// What the chart's ClusterRole grants the Gateway provider (tcproutes and tlsroutes are experimental-channel
// resources this cluster does not install; the grant is harmless and keeps the role the chart's).
const gatewayResources = ['backendtlspolicies', 'gatewayclasses', 'gateways', 'grpcroutes', 'httproutes', 'referencegrants', 'tcproutes', 'tlsroutes'];

const objects: object[] = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } },
  { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'traefik', namespace, labels } },
  {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: 'traefik', labels },
    rules: [
      // As the chart's ClusterRole: the Gateway provider also watches ConfigMaps (CA certificates of backend
      // TLS policies) and reads pods, and without that it never reports the Gateway's status.
      { apiGroups: [''], resources: ['configmaps', 'services', 'secrets', 'nodes', 'endpoints'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['get'] },
      { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'watch'] },
      { apiGroups: ['extensions', 'networking.k8s.io'], resources: ['ingresses', 'ingressclasses'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['extensions', 'networking.k8s.io'], resources: ['ingresses/status'], verbs: ['update'] },
      ...(gatewayProvider
        ? [
            { apiGroups: [''], resources: ['namespaces'], verbs: ['list', 'watch'] },
            { apiGroups: ['gateway.networking.k8s.io'], resources: gatewayResources, verbs: ['get', 'list', 'watch'] },
            { apiGroups: ['gateway.networking.k8s.io'], resources: gatewayResources.map((r) => `${r}/status`), verbs: ['update'] },
          ]
        : []),
    ],
  },
  {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: 'traefik', labels },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'traefik' },
    subjects: [{ kind: 'ServiceAccount', name: 'traefik', namespace }],
  },
  ...(values.ingressClass?.enabled === true
    ? [{
        apiVersion: 'networking.k8s.io/v1',
        kind: 'IngressClass',
        metadata: {
          name: ingressClass,
          labels,
          annotations: { 'ingressclass.kubernetes.io/is-default-class': String(values.ingressClass.isDefaultClass === true) },
        },
        spec: { controller: 'traefik.io/ingress-controller' },
      }]
    : []),
  {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'traefik', namespace, labels },
    spec: {
      replicas: 1,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          serviceAccountName: 'traefik',
          securityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [{
            name: 'traefik',
            image,
            imagePullPolicy: 'Never',
            args,
            ports: Object.entries(entryPoints).map(([name, containerPort]) => ({ name, containerPort, protocol: 'TCP' })),
            readinessProbe: { httpGet: { path: '/ping', port: entryPoints.traefik }, periodSeconds: 2 },
            livenessProbe: { httpGet: { path: '/ping', port: entryPoints.traefik } },
            securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
            volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
          }],
          volumes: [{ name: 'tmp', emptyDir: {} }],
        },
      },
    },
  },
  {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'traefik', namespace, labels },
    spec: {
      type: values.service?.spec?.type ?? 'LoadBalancer',
      selector: labels,
      ports: (['web', 'websecure'] as const).map((name) => ({
        name,
        port: name === 'web' ? 80 : 443,
        targetPort: name,
        protocol: 'TCP',
        ...(values.ports?.[name]?.nodePort !== undefined ? { nodePort: values.ports[name].nodePort } : {}),
      })),
    },
  },
  ...(gatewayProvider && values.gatewayClass?.enabled !== false
    ? [{
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'GatewayClass',
        metadata: { name: gatewayClassName, labels },
        spec: { controllerName: 'traefik.io/gateway-controller' },
      }]
    : []),
  ...(gatewayProvider && values.gateway?.enabled !== false
    ? [{
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'Gateway',
        metadata: { name: values.gateway?.name ?? 'traefik-gateway', namespace, labels },
        spec: {
          gatewayClassName,
          listeners: gatewayListeners.map(([name, listener]) => ({
            name,
            port: listener.port,
            protocol: listener.protocol,
            ...(listener.hostname ? { hostname: listener.hostname } : {}),
            ...(listener.namespacePolicy ? { allowedRoutes: { namespaces: listener.namespacePolicy } } : {}),
          })),
        },
      }]
    : []),
];

process.stdout.write(objects.map((object) => stringify(object)).join('---\n'));
