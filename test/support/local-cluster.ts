// The local test cluster of scripts/cluster (`npm run cluster:up`), as the cluster suites see it: its
// names and paths come from scripts/cluster/lib.sh itself, so they are defined once.
import { execFileSync } from 'node:child_process';
import { delimiter, join } from 'node:path';
import { repoRoot, run, runVisible, type CommandResult } from './docker.js';
import { helmPath } from './helm.js';
import { sharedName } from '../../scripts/lib/shared-names.js';

export interface LocalCluster {
  kubeconfig: string;
  context: string;
  kubernetesVersion: string;
  /** Folder of the kubectl, kubelet, ... built for this cluster (its kubectl matches the server). */
  kubernetesBin: string;
  /** Images every node holds from cluster:up on (built there, never pulled). */
  coreDnsImage: string;
  helperImage: string;
  /** The Skaffold built for the cluster's suites (SKAFFOLD_VERSION), and the folder of the Helm 3 it drives. */
  skaffold: string;
  skaffoldHelmBin: string;
}

/** Values of shell expressions after sourcing LIB (a scripts/ library), one per expression, in order. */
function shellValues(lib: string, expressions: readonly string[]): string[] {
  const script = `source ${lib} && printf '%s\\n' ${expressions.map((e) => `"${e}"`).join(' ')}`;
  const values = execFileSync('bash', ['-c', script], { cwd: repoRoot, encoding: 'utf8' }).split('\n').slice(0, expressions.length);
  if (values.length !== expressions.length || values.some((value) => value === '')) {
    throw new Error(`${lib} did not define all of ${expressions.join(', ')}`);
  }
  return values;
}

const [kubeconfig = '', context = '', kubernetesVersion = '', kubernetesBin = '', coreDnsImage = '', helperImage = '', skaffoldBin = '', skaffoldHelmBin = ''] =
  shellValues('scripts/cluster/lib.sh', [
    '$CLUSTER_KUBECONFIG', '$CLUSTER_CONTEXT', '$KUBERNETES_VERSION', '$(kubernetes_bin)', '$COREDNS_IMAGE', '$HELPER_IMAGE', '$(skaffold_bin)',
    '$(skaffold_helm_bin)',
  ]);
export const localCluster: LocalCluster = {
  kubeconfig, context, kubernetesVersion, kubernetesBin, coreDnsImage, helperImage, skaffold: join(skaffoldBin, 'skaffold'), skaffoldHelmBin,
};

/** The environment every cluster step runs in: the local cluster's kubeconfig and its own kubectl first on PATH. */
export function clusterEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    KUBECONFIG: localCluster.kubeconfig,
    PATH: `${localCluster.kubernetesBin}${delimiter}${process.env.PATH ?? ''}`,
    ...extra,
  };
}

/** Runs one scripts/e2e-kind step (the same script the kind e2e runs), streaming its output. */
export function runE2eStep(step: string, extra: Record<string, string> = {}): Promise<CommandResult> {
  return runVisible(join(repoRoot, 'scripts', 'e2e-kind', `${step}.sh`), [], { env: clusterEnv(extra) });
}

/** kubectl (the cluster's own build) against the local cluster; never throws on a non-zero exit. */
export function kube(args: readonly string[], input?: string): Promise<CommandResult> {
  return run(join(localCluster.kubernetesBin, 'kubectl'), args, { env: clusterEnv(), input });
}

/** kubectl that must succeed; returns its stdout. */
export async function mustKube(args: readonly string[], input?: string): Promise<string> {
  const result = await kube(args, input);
  if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (exit ${result.code}): ${result.stderr.trim()}`);
  return result.stdout;
}

/** http://CLUSTER-IP:PORT of a Service's port named `http`, which kube-proxy makes reachable from the host. */
export async function serviceHttpUrl(namespace: string, name: string): Promise<string> {
  const service = JSON.parse(await mustKube(['-n', namespace, 'get', 'service', name, '-o', 'json'])) as {
    spec: { clusterIP: string; ports: { name?: string; port: number }[] };
  };
  const http = service.spec.ports.find((port) => port.name === 'http');
  if (http === undefined) throw new Error(`service ${namespace}/${name} has no port named http`);
  return `http://${service.spec.clusterIP}:${http.port}`;
}

/** Fails with what to do when the local cluster does not answer: the suites never skip themselves. */
export async function requireLocalCluster(): Promise<void> {
  const result = await kube(['--context', localCluster.context, 'get', '--raw', '/readyz']).catch((error: Error) => ({
    code: 1,
    stdout: '',
    stderr: error.message,
  }));
  if (result.code !== 0 || result.stdout.trim() !== 'ok') {
    throw new Error(
      `the local test cluster does not answer (kubeconfig ${localCluster.kubeconfig}, context ${localCluster.context}): ` +
        `start it with \`npm run cluster:up\` (as root; the first run builds Kubernetes from the Go module proxy). ` +
        `kubectl said: ${result.stderr.trim() || result.stdout.trim()}`,
    );
  }
}

export interface E2eNames {
  release: string;
  namespace: string;
  app: string;
  redis: string;
  chart: string;
  /** The chart's values files on the local cluster, in order (kind's, then the local layer). */
  valuesFiles: string[];
}

/** The release's names (names.env) and the chart and values files as scripts/e2e-kind/lib.sh gives them to every e2e step. */
export function readE2eNames(): E2eNames {
  const [chart = '', values = '', localValues = ''] = shellValues('scripts/e2e-kind/lib.sh', ['$E2E_CHART', '$E2E_VALUES', '$E2E_LOCAL_VALUES']);
  return {
    release: sharedName('RELEASE_NAME'),
    namespace: sharedName('RELEASE_NAMESPACE'),
    app: sharedName('APP_OBJECT_NAME'),
    redis: sharedName('REDIS_OBJECT_NAME'),
    chart,
    valuesFiles: [values, localValues],
  };
}

/**
 * Removes the Helm release and its namespace (with whatever else runs there), so that a suite deploying
 * into the release's namespace by other means starts from nothing.
 */
export async function removeReleaseNamespace(names: E2eNames): Promise<void> {
  const helm = await helmPath();
  await run(helm, ['uninstall', names.release, '--namespace', names.namespace, '--wait', '--ignore-not-found'], { env: clusterEnv() });
  await kube(['delete', 'namespace', names.namespace, '--ignore-not-found', '--wait=true', '--timeout=180s']);
}
