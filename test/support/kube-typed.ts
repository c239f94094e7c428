// Typed views of parsed objects, for tests that read their specs (the types come from kubernetes-models).
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IStatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IPod } from 'kubernetes-models/v1/Pod';
import type { ISecret } from 'kubernetes-models/v1/Secret';
import type { IService } from 'kubernetes-models/v1/Service';
import type { IIngress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import type { IHTTPRoute } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute';
import type { IServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import type { IPodMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor';
import type { IPrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import type { KubeObject } from './kube-object.js';

export interface KindTypes {
  Deployment: IDeployment;
  StatefulSet: IStatefulSet;
  ConfigMap: IConfigMap;
  Pod: IPod;
  Secret: ISecret;
  Service: IService;
  Ingress: IIngress;
  NetworkPolicy: INetworkPolicy;
  PodDisruptionBudget: IPodDisruptionBudget;
  HorizontalPodAutoscaler: IHorizontalPodAutoscaler;
  HTTPRoute: IHTTPRoute;
  ServiceMonitor: IServiceMonitor;
  PodMonitor: IPodMonitor;
  PrometheusRule: IPrometheusRule;
}

type Named<T> = T & { metadata: { name: string } };

/** All objects of one kind, typed. */
export function ofKind<K extends keyof KindTypes>(objects: readonly KubeObject[], kind: K): Named<KindTypes[K]>[] {
  return objects.filter((o) => o.kind === kind) as unknown as Named<KindTypes[K]>[];
}

/** Exactly one object of that kind and name, typed; throws naming what was found otherwise. */
export function oneOf<K extends keyof KindTypes>(objects: readonly KubeObject[], kind: K, name: string): Named<KindTypes[K]> {
  const found = ofKind(objects, kind).filter((o) => o.metadata.name === name);
  if (found.length !== 1) {
    const names = ofKind(objects, kind).map((o) => o.metadata.name).join(', ') || 'none';
    throw new Error(`expected one ${kind}/${name}, found ${found.length} (${kind} objects: ${names})`);
  }
  return found[0]!;
}
