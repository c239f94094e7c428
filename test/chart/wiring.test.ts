// Cross-checks between rendered objects, for every ci values file (the shared checks:
// test/support/wiring-checks.ts, also run over k8s/), and the chart-only helm test pod.
import { expect } from 'chai';
import { ofKind, oneOf } from '../support/kube-typed.js';
import { wiringChecks } from '../support/wiring-checks.js';
import { selects } from '../support/wiring.js';
import { renderValuesFile, shortName, valuesFiles } from './matrix.js';

const app = 'page-tracker';
const externalSecrets = new Set(['managed-redis', 'page-tracker-redis-auth', 'page-tracker-visitor-key']); // named by ci values files

describe('chart: objects reference each other correctly', function () {
  for (const file of valuesFiles) {
    describe(`with ${shortName(file)}`, function () {
      wiringChecks(() => renderValuesFile(file), externalSecrets);
    });
  }
});

describe('chart: the helm test pod', function () {
  it('is let through a NetworkPolicy that restricts the http port', async function () {
    const objects = await renderValuesFile(valuesFiles.find((f) => shortName(f) === 'networkpolicy')!);
    const testLabels = oneOf(objects, 'Pod', 'page-tracker-test').metadata?.labels ?? {};
    const httpRule = oneOf(objects, 'NetworkPolicy', app).spec?.ingress?.find((r) => r.ports?.some((p) => p.port === 'http'));
    expect(httpRule?.from?.some((peer) => !peer.namespaceSelector && selects(peer.podSelector, testLabels))).to.equal(true);
  });

  it('targets the app Service http port and is not selected by the app Service', async function () {
    const objects = await renderValuesFile(valuesFiles[0]!);
    const pod = oneOf(objects, 'Pod', 'page-tracker-test');
    // Kept after it succeeds, so `helm test --logs` can read its logs with Helm 3 as with Helm 4.
    expect(pod.metadata?.annotations).to.include({ 'helm.sh/hook': 'test', 'helm.sh/hook-delete-policy': 'before-hook-creation' });
    expect(pod.spec?.containers[0]?.env?.find((e) => e.name === 'BASE_URL')?.value).to.equal('http://page-tracker:80');
    for (const svc of ofKind(objects, 'Service')) expect(selects(svc.spec?.selector, pod.metadata?.labels ?? {})).to.equal(false);
  });
});
