// The kind e2e steps must never act on a cluster that is not a kind cluster. No cluster runs here, so the
// steps run with stand-in kubectl/helm/kind/docker/npm/curl on PATH that only record their calls: a step
// pointed at a non-kind context must stop before calling anything but `kubectl config current-context`.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { repoRoot } from '../../scripts/lib/workflows.js';
import { standInTools, type StandIns } from '../support/stand-in-tools.js';

const e2eDir = join(repoRoot, 'scripts', 'e2e-kind');
// create-cluster makes its own kind context; run.sh only chains the others.
const steps = readdirSync(e2eDir)
  .filter((name) => name.endsWith('.sh') && !['lib.sh', 'run.sh', 'create-cluster.sh'].includes(name))
  .sort();

describe('kind e2e steps refuse a kube context that is not a kind cluster', function () {
  let tools: StandIns;

  before(function () {
    const context = 'if [ "$*" = "config current-context" ]; then echo "$FAKE_CONTEXT"; exit 0; fi';
    tools = standInTools({ kubectl: context, helm: '', kind: '', docker: '', npm: '', curl: '' });
  });

  after(function () {
    tools.cleanup();
  });

  function runStep(step: string, env: Record<string, string>) {
    const result = tools.run(join(e2eDir, step), [], { E2E_ARTIFACTS: join(tools.bin, 'artifacts'), ...env });
    return { ...result, recorded: result.calls.join('\n') };
  }

  it('has the steps to check', function () {
    expect(steps).to.include.members(['install-chart.sh', 'smoke.sh', 'zero-downtime.sh', 'network-policy.sh', 'delete-cluster.sh']);
  });

  for (const step of steps) {
    it(`${step} stops on context "production-eu" without touching the cluster`, function () {
      const result = runStep(step, { FAKE_CONTEXT: 'production-eu', E2E_ALLOW_ANY_CONTEXT: '' });
      expect(result.status, result.stderr).to.equal(1);
      expect(result.stderr).to.contain("current kube context 'production-eu' is not a kind cluster");
      expect(result.recorded, 'tools called despite the refusal').to.equal('');
    });
  }

  it('goes on with E2E_ALLOW_ANY_CONTEXT=1, saying so', function () {
    const result = runStep('create-namespace.sh', { FAKE_CONTEXT: 'production-eu', E2E_ALLOW_ANY_CONTEXT: '1' });
    expect(result.status, result.stderr).to.equal(0);
    expect(result.stderr).to.contain('going on because E2E_ALLOW_ANY_CONTEXT=1');
    expect(result.recorded).to.contain('kubectl apply --filename -');
  });

  it('goes on for a kind context', function () {
    const result = runStep('create-namespace.sh', { FAKE_CONTEXT: 'kind-page-tracker-e2e' });
    expect(result.status, result.stderr).to.equal(0);
    expect(result.recorded).to.contain('kubectl apply --filename -');
  });
});
