// The monitoring wiring: monitors, the rule file and dashboard shipped as objects, annotations, the exporter.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'chai';
import { parse } from 'yaml';
import { chartDir, renderChart } from '../support/chart.js';
import { ofKind, oneOf } from '../support/kube-typed.js';
import { renderValuesFile, shortName, valuesFiles } from './matrix.js';

const monitoringFile = valuesFiles.find((f) => shortName(f) === 'monitoring')!;

describe('chart: monitoring', function () {
  it('makes a ServiceMonitor and a PodMonitor for the app and for Redis with interval, labels and relabelings as given', async function () {
    const objects = await renderValuesFile(monitoringFile);
    expect(ofKind(objects, 'ServiceMonitor').map((m) => m.metadata.name)).to.deep.equal(['page-tracker', 'page-tracker-redis']);
    expect(ofKind(objects, 'PodMonitor').map((m) => m.metadata.name)).to.deep.equal(['page-tracker', 'page-tracker-redis']);
    const sm = oneOf(objects, 'ServiceMonitor', 'page-tracker');
    expect(sm.metadata.labels).to.include({ release: 'kube-prometheus-stack' });
    expect(sm.spec.endpoints?.[0]).to.deep.include({ port: 'metrics', path: '/metrics', interval: '15s', scrapeTimeout: '5s' });
    expect(sm.spec.endpoints?.[0]?.relabelings).to.deep.equal([{ sourceLabels: ['__meta_kubernetes_pod_node_name'], targetLabel: 'node' }]);
    expect(sm.spec.endpoints?.[0]?.metricRelabelings?.[0]).to.include({ action: 'drop', regex: 'nodejs_gc_.*' });
    expect(oneOf(objects, 'PodMonitor', 'page-tracker').spec.podMetricsEndpoints?.[0]).to.include({ port: 'metrics', interval: '30s' });
  });

  it('ships files/prometheus-rules.yaml unchanged as the PrometheusRule spec', async function () {
    const rule = oneOf(await renderValuesFile(monitoringFile), 'PrometheusRule', 'page-tracker');
    const file = parse(await readFile(path.join(chartDir, 'files', 'prometheus-rules.yaml'), 'utf8')) as { groups: unknown[] };
    expect(file.groups).to.have.length.greaterThan(0);
    expect(rule.spec.groups).to.deep.equal(file.groups);
    expect(rule.metadata.labels).to.include({ release: 'kube-prometheus-stack' });
  });

  it('ships files/grafana-dashboard.json unchanged in a ConfigMap labelled for the Grafana sidecar', async function () {
    const cm = oneOf(await renderValuesFile(monitoringFile), 'ConfigMap', 'page-tracker-dashboard');
    const file: unknown = JSON.parse(await readFile(path.join(chartDir, 'files', 'grafana-dashboard.json'), 'utf8'));
    expect(cm.metadata.labels).to.include({ grafana_dashboard: '1' });
    expect(cm.metadata.annotations).to.include({ grafana_folder: 'page-tracker' });
    expect(JSON.parse(cm.data?.['page-tracker.json'] ?? 'null')).to.deep.equal(file);
  });

  it('adds prometheus.io annotations to the app and exporter pods only when asked', async function () {
    const annotations = (objects: Awaited<ReturnType<typeof renderValuesFile>>) => [
      oneOf(objects, 'Deployment', 'page-tracker').spec?.template.metadata?.annotations ?? {},
      oneOf(objects, 'StatefulSet', 'page-tracker-redis').spec?.template.metadata?.annotations ?? {},
    ];
    const [app, redis] = annotations(await renderValuesFile(monitoringFile));
    expect(app).to.include({ 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9100', 'prometheus.io/path': '/metrics' });
    expect(redis).to.include({ 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9121' });
    const [plainApp, plainRedis] = annotations(await renderValuesFile(valuesFiles.find((f) => shortName(f) === 'defaults')!));
    expect(Object.keys(plainApp!).filter((k) => k.startsWith('prometheus.io/'))).to.deep.equal([]);
    expect(Object.keys(plainRedis!).filter((k) => k.startsWith('prometheus.io/'))).to.deep.equal([]);
  });

  it('runs redis_exporter as a pinned sidecar on its own metrics port, as its own ACL user with its password from the users Secret, /scrape off', async function () {
    const objects = await renderValuesFile(monitoringFile);
    const containers = oneOf(objects, 'StatefulSet', 'page-tracker-redis').spec?.template.spec?.containers ?? [];
    const exporter = containers.find((c) => c.name === 'redis-exporter');
    expect(exporter?.image).to.match(/^oliver006\/redis_exporter:v\d+\.\d+\.\d+$/);
    expect(exporter?.ports).to.deep.equal([{ name: 'metrics', containerPort: 9121, protocol: 'TCP' }]);
    expect(exporter?.env?.find((e) => e.name === 'REDIS_ADDR')?.value).to.equal('redis://127.0.0.1:6379');
    expect(exporter?.env?.find((e) => e.name === 'REDIS_USER')?.value).to.equal('exporter');
    // v1.83.0 is the first with REDIS_EXPORTER_DISABLE_SCRAPE_ENDPOINT; an older one would ignore it and serve /scrape.
    const [major, minor] = (/:v(\d+)\.(\d+)\./.exec(exporter?.image ?? '') ?? []).slice(1).map(Number);
    expect(major! > 1 || (major === 1 && minor! >= 83), `${exporter?.image}: v1.83.0 or later`).to.equal(true);
    expect(exporter?.env?.find((e) => e.name === 'REDIS_EXPORTER_DISABLE_SCRAPE_ENDPOINT')?.value).to.equal('true');
    expect(exporter?.env?.find((e) => e.name === 'REDIS_PASSWORD')?.valueFrom?.secretKeyRef).to.deep.equal({ name: 'page-tracker-redis-users', key: 'exporter-password' });
    const clientService = oneOf(objects, 'Service', 'page-tracker-redis');
    expect(clientService.spec?.ports?.map((p) => p.name)).to.deep.equal(['redis', 'metrics']);
  });

  it('makes no Redis monitor without the exporter, and no monitor at all without the CRD switches', async function () {
    const objects = await renderChart({ sets: { 'metrics.serviceMonitor.enabled': 'true', 'metrics.podMonitor.enabled': 'true' } });
    expect(ofKind(objects, 'ServiceMonitor').map((m) => m.metadata.name)).to.deep.equal(['page-tracker']);
    expect(ofKind(objects, 'PodMonitor').map((m) => m.metadata.name)).to.deep.equal(['page-tracker']);
    const none = await renderChart({ sets: { 'redis.exporter.enabled': 'true' } });
    expect(none.filter((o) => o.apiVersion.startsWith('monitoring.coreos.com/'))).to.deep.equal([]);
  });
});
