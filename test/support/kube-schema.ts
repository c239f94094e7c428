// Validates any Kubernetes object against the API's OpenAPI schema, through the kubernetes-models packages.
// The model is found from apiVersion/kind, so a new kind in a chart or manifest needs no change here, only
// its package when it is a CRD.
import type { KubeObject } from './kube-object.js';

interface Model {
  validate(): void;
}
type ModelClass = new (data: unknown) => Model;

// API groups served by CRD packages rather than kubernetes-models itself.
const crdPackages: Readonly<Record<string, string>> = {
  'monitoring.coreos.com': '@kubernetes-models/prometheus-operator',
  'gateway.networking.k8s.io': '@kubernetes-models/gateway-api',
};

function modulePath(apiVersion: string, kind: string): string {
  const slash = apiVersion.indexOf('/');
  if (slash < 0) return `kubernetes-models/${apiVersion}/${kind}`;
  const group = apiVersion.slice(0, slash);
  const pkg = crdPackages[group] ?? 'kubernetes-models';
  return `${pkg}/${apiVersion}/${kind}`;
}

const cache = new Map<string, Promise<ModelClass>>();

async function loadModel(apiVersion: string, kind: string): Promise<ModelClass> {
  const specifier = modulePath(apiVersion, kind);
  let model = cache.get(specifier);
  if (!model) {
    model = import(specifier).then(
      (mod: Record<string, unknown>) => {
        const cls = mod[kind];
        if (typeof cls !== 'function') throw new Error(`${specifier} exports no ${kind} model`);
        return cls as ModelClass;
      },
      () => {
        throw new Error(`no schema for ${apiVersion} ${kind} (looked for ${specifier}): add its kubernetes-models package`);
      },
    );
    cache.set(specifier, model);
  }
  return model;
}

/** Throws with the object's kind/name and the schema's complaint when it does not validate. */
export async function validateKubeObject(obj: KubeObject): Promise<void> {
  const Model = await loadModel(obj.apiVersion, obj.kind);
  try {
    new Model(obj).validate();
  } catch (err) {
    throw new Error(`${obj.kind}/${obj.metadata.name} (${obj.apiVersion}) does not match its schema: ${(err as Error).message}`, { cause: err });
  }
}
