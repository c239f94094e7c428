// The PSS "restricted" checker itself: each rule it enforces must catch a pod that breaks it.
import { expect } from 'chai';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import { podTemplatesOf, restrictedViolations, type PodTemplate } from '../support/pod-security.js';
import { renderValuesFile, valuesFiles } from './matrix.js';

async function compliantApp(): Promise<PodTemplate> {
  const templates = podTemplatesOf(await renderValuesFile(valuesFiles.find((f) => f.endsWith('defaults-values.yaml'))!));
  const app = templates.find((t) => t.owner === 'Deployment/page-tracker');
  if (!app) throw new Error('the chart renders no Deployment/page-tracker');
  return structuredClone(app);
}

const breaches: [string, (spec: IPodSpec) => void, RegExp][] = [
  ['hostNetwork', (s) => { s.hostNetwork = true; }, /hostNetwork must not be true/],
  ['a hostPath volume', (s) => { s.volumes = [{ name: 'host', hostPath: { path: '/' } }]; }, /volume host: type hostPath is not allowed/],
  ['a privileged container', (s) => { s.containers[0]!.securityContext!.privileged = true; }, /privileged must not be true/],
  ['privilege escalation', (s) => { delete s.containers[0]!.securityContext!.allowPrivilegeEscalation; }, /allowPrivilegeEscalation must be false/],
  ['root', (s) => { s.securityContext!.runAsUser = 0; }, /pod: runAsUser must not be 0/],
  ['no runAsNonRoot', (s) => { delete s.securityContext!.runAsNonRoot; delete s.containers[0]!.securityContext!.runAsNonRoot; }, /runAsNonRoot must be true/],
  ['an Unconfined seccomp profile', (s) => { s.containers[0]!.securityContext!.seccompProfile = { type: 'Unconfined' }; }, /seccompProfile.type Unconfined is not allowed/],
  ['no seccomp profile', (s) => { delete s.securityContext!.seccompProfile; delete s.containers[0]!.securityContext!.seccompProfile; }, /seccompProfile.type must be RuntimeDefault or Localhost/],
  ['capabilities not dropped', (s) => { s.containers[0]!.securityContext!.capabilities = { drop: ['NET_RAW'] }; }, /capabilities.drop must include ALL/],
  ['an added capability', (s) => { s.containers[0]!.securityContext!.capabilities = { drop: ['ALL'], add: ['SYS_ADMIN'] }; }, /capability SYS_ADMIN may not be added/],
  ['a hostPort', (s) => { s.containers[0]!.ports![0]!.hostPort = 8080; }, /hostPort 8080 is not allowed/],
  ['an unsafe sysctl', (s) => { s.securityContext!.sysctls = [{ name: 'kernel.msgmax', value: '1' }]; }, /sysctl kernel.msgmax is not in the safe set/],
];

describe('test support: the PSS "restricted" checker', function () {
  it('passes the chart\'s app pod as rendered', async function () {
    expect(restrictedViolations(await compliantApp())).to.deep.equal([]);
  });

  for (const [name, breach, expected] of breaches) {
    it(`reports ${name}`, async function () {
      const pod = await compliantApp();
      breach(pod.spec);
      const violations = restrictedViolations(pod);
      expect(violations.join('\n')).to.match(expected);
    });
  }
});
