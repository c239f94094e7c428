// Default-deny networking as rendered: the NetworkPolicies are on by default, and each says what may go out
// as well as in. The local cluster enforces them (test/cluster/network-policy-enforcement.test.ts).
import { expect } from 'chai';
import type { KubeObject } from '../support/kube-object.js';
import { renderChart } from '../support/chart.js';
import { oneOf } from '../support/kube-typed.js';
import { selects } from '../support/wiring.js';

function policy(objects: readonly KubeObject[], name: string): ReturnType<typeof oneOf<'NetworkPolicy'>> {
  return oneOf(objects, 'NetworkPolicy', name);
}

/** Each egress rule as `ports -> peers`, peers `any` when the rule names none. */
function egress(objects: readonly KubeObject[], name: string): string[] {
  return (policy(objects, name).spec?.egress ?? []).map((rule) => {
    const ports = (rule.ports ?? []).map((p) => `${p.protocol}/${p.port}`).join(',');
    return `${ports} -> ${rule.to === undefined ? 'any' : JSON.stringify(rule.to)}`;
  });
}

describe('chart: NetworkPolicies (on by default, ingress and egress)', function () {
  it('lets the app out only to DNS and to the Redis pods on 6379, and Redis and its exporter nowhere', async function () {
    const objects = await renderChart();
    const app = policy(objects, 'page-tracker');
    expect(app.spec?.policyTypes).to.deep.equal(['Ingress', 'Egress']);
    const redisPods = oneOf(objects, 'StatefulSet', 'page-tracker-redis').spec?.template.metadata?.labels ?? {};
    const rules = app.spec?.egress ?? [];
    expect(egress(objects, 'page-tracker')).to.have.length(2);
    expect(egress(objects, 'page-tracker')[0]).to.equal('UDP/53,TCP/53 -> any');
    expect(rules[1]?.ports).to.deep.equal([{ port: 6379, protocol: 'TCP' }]);
    expect(rules[1]?.to).to.have.length(1);
    expect(selects(rules[1]?.to?.[0]?.podSelector, redisPods), 'the Redis pod').to.equal(true);
    expect(rules[1]?.to?.[0]?.namespaceSelector, 'in this namespace only').to.equal(undefined);
    const redis = policy(objects, 'page-tracker-redis');
    expect(redis.spec?.policyTypes).to.deep.equal(['Ingress', 'Egress']);
    expect(redis.spec?.egress, 'nothing out').to.deep.equal([]);
    expect(selects(redis.spec?.podSelector, redisPods)).to.equal(true);
  });

  it('takes the DNS peers from networkPolicy.dns.to', async function () {
    const objects = await renderChart({ sets: { 'networkPolicy.dns.to[0].namespaceSelector.matchLabels.kubernetes\\.io/metadata\\.name': 'kube-system' } });
    expect(egress(objects, 'page-tracker')[0]).to.equal('UDP/53,TCP/53 -> [{"namespaceSelector":{"matchLabels":{"kubernetes.io/metadata.name":"kube-system"}}}]');
  });

  it('with an external Redis, lets the app out to its port (peers from networkPolicy.externalRedis.to), and makes no Redis policy', async function () {
    const base = { 'redis.enabled': 'false', 'externalRedis.host': 'redis.example.com', 'externalRedis.port': '6380' };
    const open = await renderChart({ sets: base });
    expect(egress(open, 'page-tracker')).to.deep.equal(['UDP/53,TCP/53 -> any', 'TCP/6380 -> any']);
    expect(open.filter((o) => o.kind === 'NetworkPolicy').map((o) => o.metadata.name)).to.deep.equal(['page-tracker']);
    const narrowed = await renderChart({ sets: { ...base, 'networkPolicy.externalRedis.to[0].ipBlock.cidr': '10.20.0.0/16' } });
    expect(egress(narrowed, 'page-tracker')[1]).to.equal('TCP/6380 -> [{"ipBlock":{"cidr":"10.20.0.0/16"}}]');
  });

  it('makes none with networkPolicy.enabled=false', async function () {
    expect((await renderChart({ sets: { 'networkPolicy.enabled': 'false' } })).filter((o) => o.kind === 'NetworkPolicy')).to.deep.equal([]);
  });
});
