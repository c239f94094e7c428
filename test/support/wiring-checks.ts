// Cross-checks between rendered objects: each reference points at something that exists and listens.
// Shared by the chart tests (every ci values file) and the k8s/ tests (kustomize's output), so both are held
// to the same checks. Call inside a describe(): it registers one it() per check.
import { expect } from 'chai';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IProbe } from 'kubernetes-models/v1/Probe';
import type { KubeObject } from './kube-object.js';
import { ofKind, oneOf } from './kube-typed.js';
import { podTemplatesOf } from './pod-security.js';
import { declaredPort, selects, workloadsOf } from './wiring.js';

const app = 'page-tracker';

function probesOf(c: IContainer): [string, IProbe][] {
  const all: [string, IProbe | undefined][] = [['startupProbe', c.startupProbe], ['livenessProbe', c.livenessProbe], ['readinessProbe', c.readinessProbe]];
  return all.filter((entry): entry is [string, IProbe] => entry[1] !== undefined);
}

/**
 * @param load the objects to check (rendered once by the caller and cached)
 * @param externalSecrets Secrets pods may read that are not among the objects (named by values files)
 */
export function wiringChecks(load: () => Promise<KubeObject[]>, externalSecrets: ReadonlySet<string> = new Set()): void {
  it('gives every Deployment and StatefulSet a selector that matches its own pod labels', async function () {
    const objects = await load();
    for (const w of [...ofKind(objects, 'Deployment'), ...ofKind(objects, 'StatefulSet')]) {
      const labels = w.spec?.template.metadata?.labels ?? {};
      expect(selects(w.spec?.selector, labels), `${w.metadata.name} selector`).to.equal(true);
    }
  });

  it('makes every Service select pods that declare each of its target ports, by name', async function () {
    const objects = await load();
    const workloads = workloadsOf(objects);
    for (const svc of ofKind(objects, 'Service')) {
      const selected = workloads.filter((w) => selects(svc.spec?.selector, w.labels));
      expect(selected, `Service/${svc.metadata.name} selects no pods`).to.have.length.greaterThan(0);
      for (const port of svc.spec?.ports ?? []) {
        // By name, so a container port renumbered in one place cannot silently break the Service.
        expect(port.targetPort, `Service/${svc.metadata.name} port ${port.name ?? port.port} targetPort`).to.be.a('string');
        for (const w of selected) {
          expect(declaredPort(w.containers, port.targetPort ?? port.port), `Service/${svc.metadata.name} port ${port.name ?? port.port} in ${w.owner}`).to.not.equal(undefined);
        }
      }
    }
  });

  it('probes only declared ports by name, and the app on /healthz (startup, liveness) and /readyz (readiness)', async function () {
    const objects = await load();
    for (const t of podTemplatesOf(objects)) {
      for (const c of t.spec.containers) {
        for (const [kind, probe] of probesOf(c)) {
          if (probe.httpGet) {
            expect(probe.httpGet.port, `${t.owner} ${c.name} ${kind} port`).to.be.a('string');
            expect(declaredPort(t.spec.containers, probe.httpGet.port), `${t.owner} ${c.name} ${kind} port`).to.not.equal(undefined);
          }
        }
      }
    }
    const container = oneOf(objects, 'Deployment', app).spec?.template.spec?.containers[0];
    expect(container?.startupProbe?.httpGet).to.include({ path: '/healthz', port: 'http' });
    expect(container?.livenessProbe?.httpGet).to.include({ path: '/healthz', port: 'http' });
    expect(container?.readinessProbe?.httpGet).to.include({ path: '/readyz', port: 'http' });
    expect(declaredPort([container!], 'http')?.containerPort).to.equal(8080);
    expect(declaredPort([container!], 'metrics')?.containerPort).to.equal(9100);
  });

  it('points each PodDisruptionBudget at one workload (the app; with replication, Redis too) and the HPA at the app', async function () {
    const objects = await load();
    const workloads = workloadsOf(objects);
    const budgets = ofKind(objects, 'PodDisruptionBudget').map((pdb) => {
      const selected = workloads.filter((w) => selects(pdb.spec?.selector, w.labels));
      expect(selected, `PodDisruptionBudget/${pdb.metadata.name}`).to.have.length(1);
      return `${pdb.metadata.name} -> ${selected[0]!.owner}`;
    });
    const redisBudget = `${app}-redis -> StatefulSet/${app}-redis`;
    for (const budget of budgets) expect([`${app} -> Deployment/${app}`, redisBudget]).to.include(budget);
    for (const hpa of ofKind(objects, 'HorizontalPodAutoscaler')) {
      expect(hpa.spec?.scaleTargetRef).to.deep.equal({ apiVersion: 'apps/v1', kind: 'Deployment', name: app });
    }
  });

  it('routes the Ingress and HTTPRoute only to the http port, never metrics', async function () {
    const objects = await load();
    const service = oneOf(objects, 'Service', app);
    const httpPort = service.spec?.ports?.find((p) => p.name === 'http')?.port;
    for (const ingress of ofKind(objects, 'Ingress')) {
      for (const rule of ingress.spec?.rules ?? []) {
        for (const p of rule.http?.paths ?? []) {
          expect(p.backend.service?.name).to.equal(app);
          expect(p.backend.service?.port?.name ?? p.backend.service?.port?.number).to.be.oneOf(['http', httpPort]);
        }
      }
    }
    for (const route of ofKind(objects, 'HTTPRoute')) {
      for (const rule of route.spec.rules ?? []) {
        for (const ref of rule.backendRefs ?? []) {
          expect(ref).to.include({ name: app, port: httpPort });
        }
      }
    }
  });

  it('makes the StatefulSet name a headless Service that selects its pod', async function () {
    const objects = await load();
    for (const sts of ofKind(objects, 'StatefulSet')) {
      const headless = oneOf(objects, 'Service', sts.spec?.serviceName ?? '');
      expect(headless.spec?.clusterIP).to.equal('None');
      expect(selects(headless.spec?.selector, sts.spec?.template.metadata?.labels ?? {})).to.equal(true);
    }
  });

  it('mounts only ConfigMaps among the objects, and reads Secrets (as variables or files) among them or named as external', async function () {
    const objects = await load();
    const configMaps = new Set(ofKind(objects, 'ConfigMap').map((c) => c.metadata.name));
    const secrets = new Map(ofKind(objects, 'Secret').map((s) => [s.metadata.name, s]));
    for (const t of podTemplatesOf(objects)) {
      for (const v of t.spec.volumes ?? []) {
        if (v.configMap) expect(configMaps.has(v.configMap.name ?? ''), `${t.owner} volume ${v.name}`).to.equal(true);
        // A Secret mounted as files (whole, or one source of a projected volume): each item's key must be in it.
        for (const mounted of [v.secret ? { name: v.secret.secretName, items: v.secret.items } : undefined, ...(v.projected?.sources ?? []).map((s) => s.secret)]) {
          if (!mounted) continue;
          const secret = secrets.get(mounted.name ?? '');
          if (!secret) {
            expect(externalSecrets.has(mounted.name ?? ''), `${t.owner} volume ${v.name} mounts unknown Secret ${mounted.name}`).to.equal(true);
            continue;
          }
          for (const item of mounted.items ?? []) expect(Object.keys(secret.data ?? {}), `${t.owner} volume ${v.name}`).to.include(item.key);
        }
      }
      for (const c of t.spec.containers) {
        for (const e of c.env ?? []) {
          const ref = e.valueFrom?.secretKeyRef;
          if (!ref) continue;
          const secret = secrets.get(ref.name ?? '');
          if (secret) expect(Object.keys(secret.data ?? {}), `${t.owner} env ${e.name}`).to.include(ref.key);
          else expect(externalSecrets.has(ref.name ?? ''), `${t.owner} env ${e.name} reads unknown Secret ${ref.name}`).to.equal(true);
        }
      }
    }
  });

  it('lets NetworkPolicies select real pods on declared ports, and Redis accept only the app (and, with replication, the other Redis pods)', async function () {
    const objects = await load();
    const workloads = workloadsOf(objects);
    for (const np of ofKind(objects, 'NetworkPolicy')) {
      const selected = workloads.filter((w) => selects(np.spec?.podSelector, w.labels));
      expect(selected, `NetworkPolicy/${np.metadata.name}`).to.have.length(1);
      for (const rule of np.spec?.ingress ?? []) {
        for (const port of rule.ports ?? []) {
          expect(declaredPort(selected[0]!.containers, port.port ?? ''), `NetworkPolicy/${np.metadata.name} port ${port.port}`).to.not.equal(undefined);
        }
      }
    }
    const redisPolicy = ofKind(objects, 'NetworkPolicy').find((np) => np.metadata.name === `${app}-redis`);
    if (redisPolicy) {
      const redisRule = redisPolicy.spec?.ingress?.find((r) => r.ports?.some((p) => p.port === 'redis'));
      const appLabels = oneOf(objects, 'Deployment', app).spec?.template.metadata?.labels ?? {};
      const redisSet = oneOf(objects, 'StatefulSet', `${app}-redis`);
      const redisLabels = redisSet.spec?.template.metadata?.labels ?? {};
      const peers = (redisSet.spec?.replicas ?? 1) > 1 ? [appLabels, redisLabels] : [appLabels];
      expect(redisRule?.from).to.have.length(peers.length);
      peers.forEach((labels, i) => {
        expect(redisRule?.from?.[i]?.namespaceSelector).to.equal(undefined);
        expect(selects(redisRule?.from?.[i]?.podSelector, labels)).to.equal(true);
      });
    }
  });

  it('points ServiceMonitors and PodMonitors at a metrics port, never at http', async function () {
    const objects = await load();
    const workloads = workloadsOf(objects);
    for (const sm of ofKind(objects, 'ServiceMonitor')) {
      // The operator scrapes each selected Service that has the endpoint's port: exactly one must have it.
      const selected = ofKind(objects, 'Service').filter((s) => selects(sm.spec.selector, s.metadata.labels ?? {}));
      for (const ep of sm.spec.endpoints ?? []) {
        expect(ep.port).to.equal('metrics');
        const scraped = selected.filter((s) => s.spec?.ports?.some((p) => p.name === ep.port));
        expect(scraped, `ServiceMonitor/${sm.metadata.name} port ${ep.port}`).to.have.length(1);
      }
    }
    for (const pm of ofKind(objects, 'PodMonitor')) {
      const pods = workloads.filter((w) => selects(pm.spec.selector, w.labels));
      expect(pods, `PodMonitor/${pm.metadata.name}`).to.have.length(1);
      for (const ep of pm.spec.podMetricsEndpoints ?? []) {
        expect(ep.port).to.equal('metrics');
        expect(declaredPort(pods[0]!.containers, 'metrics')).to.not.equal(undefined);
      }
    }
  });
}
