// The Kubernetes Pod Security Standard "restricted" profile (baseline included), as a checker over pod specs.
// Written from https://kubernetes.io/docs/concepts/security/pod-security-standards/ (policy version latest),
// so the chart and the plain k8s/ manifests are held to the same rules as a namespace that enforces them.
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { ICronJob } from 'kubernetes-models/batch/v1/CronJob';
import type { IPod } from 'kubernetes-models/v1/Pod';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { ISecurityContext } from 'kubernetes-models/v1/SecurityContext';
import type { IPodSecurityContext } from 'kubernetes-models/v1/PodSecurityContext';
import type { KubeObject } from './kube-object.js';

const restrictedVolumeTypes = new Set([
  'configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret',
]);
const safeSysctls = new Set([
  'kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range', 'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
]);
const allowedSeLinuxTypes = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t']);
const allowedSeccomp = new Set(['RuntimeDefault', 'Localhost']);

export interface PodTemplate {
  /** e.g. "Deployment/page-tracker" */
  owner: string;
  metadata: { annotations?: Record<string, string> };
  spec: IPodSpec;
}

// Deployment, StatefulSet, DaemonSet, ReplicaSet and Job all keep their pod under spec.template.
type WithPodTemplate = Pick<IDeployment, 'spec'>;

/** The pod specs inside workload objects (a Pod, or the template of a Deployment, StatefulSet, Job, ...). */
export function podTemplatesOf(objects: readonly KubeObject[]): PodTemplate[] {
  const templates: PodTemplate[] = [];
  for (const obj of objects) {
    const owner = `${obj.kind}/${obj.metadata.name}`;
    switch (obj.kind) {
      case 'Pod': {
        const pod = obj as unknown as IPod;
        templates.push({ owner, metadata: { annotations: pod.metadata?.annotations }, spec: pod.spec ?? { containers: [] } });
        break;
      }
      case 'Deployment':
      case 'StatefulSet':
      case 'DaemonSet':
      case 'ReplicaSet':
      case 'Job': {
        const template = (obj as unknown as WithPodTemplate).spec?.template;
        templates.push({ owner, metadata: { annotations: template?.metadata?.annotations }, spec: template?.spec ?? { containers: [] } });
        break;
      }
      case 'CronJob': {
        const template = (obj as unknown as ICronJob).spec?.jobTemplate.spec?.template;
        templates.push({ owner, metadata: { annotations: template?.metadata?.annotations }, spec: template?.spec ?? { containers: [] } });
        break;
      }
      default:
        break;
    }
  }
  return templates;
}

type AnyContainer = Pick<IContainer, 'name' | 'ports' | 'securityContext'>;

function containersOf(spec: IPodSpec): AnyContainer[] {
  return [...(spec.initContainers ?? []), ...spec.containers, ...(spec.ephemeralContainers ?? [])];
}

/** Every way the pod breaks the "restricted" profile, as readable sentences; empty when it passes. */
export function restrictedViolations(pod: PodTemplate): string[] {
  const spec = pod.spec;
  const podSc: IPodSecurityContext = spec.securityContext ?? {};
  const out: string[] = [];
  const say = (where: string, what: string): void => {
    out.push(`${pod.owner} ${where}: ${what}`);
  };

  // --- baseline ---
  for (const field of ['hostNetwork', 'hostPID', 'hostIPC'] as const) {
    if (spec[field] === true) say('pod', `${field} must not be true`);
  }
  if (podSc.windowsOptions?.hostProcess === true) say('pod', 'windowsOptions.hostProcess must not be true');
  for (const [name, value] of Object.entries(pod.metadata.annotations ?? {})) {
    if (name.startsWith('container.apparmor.security.beta.kubernetes.io/') && value !== 'runtime/default' && !value.startsWith('localhost/')) {
      say('pod', `AppArmor annotation ${name}=${value} is not allowed`);
    }
  }
  const checkAppArmor = (where: string, sc: ISecurityContext | IPodSecurityContext): void => {
    const type = sc.appArmorProfile?.type;
    if (type !== undefined && type !== 'RuntimeDefault' && type !== 'Localhost') say(where, `appArmorProfile.type ${type} is not allowed`);
  };
  const checkSeLinux = (where: string, sc: ISecurityContext | IPodSecurityContext): void => {
    const opts = sc.seLinuxOptions;
    if (!opts) return;
    if (!allowedSeLinuxTypes.has(opts.type ?? '')) say(where, `seLinuxOptions.type ${opts.type ?? ''} is not allowed`);
    if (opts.user !== undefined || opts.role !== undefined) say(where, 'seLinuxOptions.user and role must be unset');
  };
  checkAppArmor('pod', podSc);
  checkSeLinux('pod', podSc);
  for (const sysctl of podSc.sysctls ?? []) {
    if (!safeSysctls.has(sysctl.name)) say('pod', `sysctl ${sysctl.name} is not in the safe set`);
  }
  for (const volume of spec.volumes ?? []) {
    const type = Object.keys(volume).find((k) => k !== 'name') ?? '(none)';
    if (!restrictedVolumeTypes.has(type)) say(`volume ${volume.name}`, `type ${type} is not allowed`);
  }

  // --- restricted, pod level ---
  if (podSc.runAsNonRoot === false) say('pod', 'runAsNonRoot must not be false');
  if (podSc.runAsUser === 0) say('pod', 'runAsUser must not be 0');
  const podSeccomp = podSc.seccompProfile?.type;
  if (podSeccomp !== undefined && !allowedSeccomp.has(podSeccomp)) say('pod', `seccompProfile.type ${podSeccomp} is not allowed`);

  for (const c of containersOf(spec)) {
    const where = `container ${c.name}`;
    const sc: ISecurityContext = c.securityContext ?? {};
    if (sc.windowsOptions?.hostProcess === true) say(where, 'windowsOptions.hostProcess must not be true');
    if (sc.privileged === true) say(where, 'privileged must not be true');
    if (sc.procMount !== undefined && sc.procMount !== 'Default') say(where, `procMount ${sc.procMount} is not allowed`);
    checkAppArmor(where, sc);
    checkSeLinux(where, sc);
    for (const port of c.ports ?? []) {
      if (port.hostPort !== undefined && port.hostPort !== 0) say(where, `hostPort ${port.hostPort} is not allowed`);
    }
    if (sc.allowPrivilegeEscalation !== false) say(where, 'allowPrivilegeEscalation must be false');
    if (sc.runAsNonRoot === false) say(where, 'runAsNonRoot must not be false');
    if (sc.runAsNonRoot !== true && podSc.runAsNonRoot !== true) say(where, 'runAsNonRoot must be true (here or on the pod)');
    if (sc.runAsUser === 0) say(where, 'runAsUser must not be 0');
    const seccomp = sc.seccompProfile?.type ?? podSeccomp;
    if (seccomp === undefined) say(where, 'seccompProfile.type must be RuntimeDefault or Localhost (here or on the pod)');
    else if (!allowedSeccomp.has(seccomp)) say(where, `seccompProfile.type ${seccomp} is not allowed`);
    const drop = sc.capabilities?.drop ?? [];
    if (!drop.includes('ALL')) say(where, 'capabilities.drop must include ALL');
    for (const cap of sc.capabilities?.add ?? []) {
      if (cap !== 'NET_BIND_SERVICE') say(where, `capability ${cap} may not be added`);
    }
  }
  return out;
}
