// `kubectl kustomize k8s/` (and the dev overlay) builds, and what it builds passes the same schema
// validation and cross-checks as the chart's output.
import { execFile } from 'node:child_process';
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { repoRoot } from '../support/helm.js';
import { unpinnedReason } from '../support/image-ref.js';
import { describe as name, type KubeObject } from '../support/kube-object.js';
import { validateKubeObject } from '../support/kube-schema.js';
import { ofKind, oneOf } from '../support/kube-typed.js';
import { kubectl } from '../support/kubectl.js';
import { podTemplatesOf, restrictedViolations } from '../support/pod-security.js';
import { wiringChecks } from '../support/wiring-checks.js';
import { copyK8s, k8sDir, kustomized, secretEnvRelative } from './kustomized.js';

const run = promisify(execFile);
const secretEnvScript = path.join(repoRoot, 'scripts', 'k8s-secret-env.sh');

const expectedObjects = [
  'ConfigMap/page-tracker-redis', 'Deployment/page-tracker', 'Namespace/page-tracker', 'NetworkPolicy/page-tracker', 'NetworkPolicy/page-tracker-redis', 'PodDisruptionBudget/page-tracker',
  'Secret/page-tracker-redis', 'Secret/page-tracker-redis-users', 'Secret/page-tracker-visitor', 'Service/page-tracker', 'Service/page-tracker-redis', 'Service/page-tracker-redis-headless',
  'ServiceAccount/page-tracker', 'StatefulSet/page-tracker-redis',
];

for (const [label, pick] of [['k8s/', 'root'], ['k8s/overlays/dev', 'dev']] as const) {
  describe(`${label}: kubectl kustomize output`, function () {
    this.timeout(60_000);
    const load = async (): Promise<KubeObject[]> => (await kustomized())[pick];

    it('builds the app, Redis, their Services and NetworkPolicies, the namespace, the password Secrets and the visitor cookie key Secret', async function () {
      expect((await load()).map(name).sort()).to.deep.equal(expectedObjects);
    });

    it('validates every object against the API schemas', async function () {
      for (const obj of await load()) await validateKubeObject(obj);
    });

    it('puts every object in the page-tracker namespace, labelled managed-by kustomize and never by Helm', async function () {
      for (const obj of await load()) {
        if (obj.kind !== 'Namespace') expect(obj.metadata.namespace, name(obj)).to.equal('page-tracker');
        expect(obj.metadata.labels?.['app.kubernetes.io/managed-by'], name(obj)).to.equal('kustomize');
        expect(JSON.stringify(obj), name(obj)).not.to.include('helm.sh/');
      }
    });

    it('passes Pod Security "restricted" in every pod, and the namespace enforces it', async function () {
      const objects = await load();
      expect(objects.find((o) => o.kind === 'Namespace')?.metadata.labels).to.include({ 'pod-security.kubernetes.io/enforce': 'restricted' });
      const templates = podTemplatesOf(objects);
      expect(templates.map((t) => t.owner).sort()).to.deep.equal(['Deployment/page-tracker', 'StatefulSet/page-tracker-redis']);
      expect(templates.flatMap(restrictedViolations)).to.deep.equal([]);
    });

    it('runs containers read-only with requests and limits, no API token, and pinned images', async function () {
      for (const t of podTemplatesOf(await load())) {
        expect(t.spec.automountServiceAccountToken, t.owner).to.equal(false);
        for (const c of t.spec.containers) {
          expect(c.securityContext?.readOnlyRootFilesystem, `${t.owner} ${c.name}`).to.equal(true);
          expect(c.resources?.requests, `${t.owner} ${c.name}`).to.have.all.keys('cpu', 'memory', 'ephemeral-storage');
          expect(c.resources?.limits, `${t.owner} ${c.name}`).to.include.keys('memory', 'ephemeral-storage');
          expect(unpinnedReason(c.image ?? ''), `${t.owner} ${c.name}`).to.equal(undefined);
        }
      }
    });

    it('keeps the password from the env file in the Secret only, read by secretKeyRef (Redis) and as a file (the app)', async function () {
      const { password } = await kustomized();
      const objects = await load();
      expect(password).to.match(/^[A-Za-z0-9_-]{32}$/);
      const secret = oneOf(objects, 'Secret', 'page-tracker-redis');
      expect(Buffer.from(secret.data?.['redis-password'] ?? '', 'base64').toString()).to.equal(password);
      for (const obj of objects.filter((o) => o.kind !== 'Secret')) {
        expect(JSON.stringify(obj), name(obj)).not.to.include(password).and.not.to.include(Buffer.from(password).toString('base64'));
      }
      const refs = podTemplatesOf(objects)
        .flatMap((t) => t.spec.containers.flatMap((c) => c.env ?? []))
        .filter((e) => e.valueFrom?.secretKeyRef && (e.name.includes('PASSWORD') || e.name.endsWith('_AUTH')))
        .map((e) => `${e.name}<-${e.valueFrom?.secretKeyRef?.name}/${e.valueFrom?.secretKeyRef?.key}`);
      expect(refs).to.deep.equal([
        'REDIS_PASSWORD<-page-tracker-redis/redis-password',
        'REDIS_PROBE_PASSWORD<-page-tracker-redis-users/probe-password',
        'REDISCLI_AUTH<-page-tracker-redis-users/probe-password',
      ]);
      const app = oneOf(objects, 'Deployment', 'page-tracker').spec?.template.spec;
      expect(app?.volumes?.find((v) => v.name === 'secrets')?.projected?.sources?.[0]?.secret).to.deep.equal({ name: 'page-tracker-redis', items: [{ key: 'redis-password', path: 'redis-password' }] });
      const users = oneOf(objects, 'Secret', 'page-tracker-redis-users');
      expect(Object.keys(users.data ?? {}).sort()).to.deep.equal(['exporter-password', 'probe-password']);
    });

    describe('cross-checks shared with the chart tests', function () {
      wiringChecks(load);
    });
  });
}

describe('k8s/overlays/dev', function () {
  this.timeout(60_000);

  it('runs one app pod from the local image page-tracker:dev, and otherwise changes nothing', async function () {
    const { root, dev } = await kustomized();
    const image = (objects: KubeObject[]): string | undefined => oneOf(objects, 'Deployment', 'page-tracker').spec?.template.spec?.containers[0]?.image;
    expect(oneOf(dev, 'Deployment', 'page-tracker').spec?.replicas).to.equal(1);
    expect(oneOf(root, 'Deployment', 'page-tracker').spec?.replicas).to.equal(2);
    expect(image(dev)).to.equal('page-tracker:dev');
    expect(image(root)).to.match(/^ghcr\.io\/page-tracker\/page-tracker:\d+\.\d+\.\d+$/);
    const withoutDeployment = (objects: KubeObject[]): KubeObject[] => objects.filter((o) => o.kind !== 'Deployment');
    expect(withoutDeployment(dev)).to.deep.equal(withoutDeployment(root));
    expect(ofKind(dev, 'StatefulSet')[0]?.spec?.replicas).to.equal(1);
  });
});

describe('k8s/: the Redis password file', function () {
  this.timeout(60_000);

  it('is gitignored, while its documented example is committed with the key the Secret needs', async function () {
    const ignored = await run('git', ['check-ignore', '--no-index', path.join('k8s', secretEnvRelative)], { cwd: repoRoot });
    expect(ignored.stdout.trim()).to.equal(path.join('k8s', secretEnvRelative));
    const example = await readFile(path.join(k8sDir, `${secretEnvRelative}.example`), 'utf8');
    expect(example).to.match(/^redis-password=.+$/m);
    const tracked = await run('git', ['ls-files', '--error-unmatch', path.join('k8s', `${secretEnvRelative}.example`)], { cwd: repoRoot });
    expect(tracked.stdout.trim()).to.equal(path.join('k8s', `${secretEnvRelative}.example`));
  });

  it('is required: without it kubectl kustomize fails and names the file', async function () {
    const dir = await copyK8s();
    try {
      const result = await kubectl(['kustomize', dir]);
      expect(result.code).to.not.equal(0);
      expect(result.stderr).to.include('redis.secret.env');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('is written by scripts/k8s-secret-env.sh owner-only with a fresh password, and never overwritten', async function () {
    const dir = await copyK8s();
    try {
      const file = path.join(dir, secretEnvRelative);
      await run(secretEnvScript, [file]);
      const first = await readFile(file, 'utf8');
      expect(first).to.match(/^redis-password=[A-Za-z0-9_-]{32}\n$/);
      expect(await readFile(path.join(path.dirname(file), 'visitor.secret.env'), 'utf8'), 'the visitor cookie key beside it').to.match(/^visitor-secret=[A-Za-z0-9_-]{32}\n$/);
      const users = path.join(path.dirname(file), 'redis-users.secret.env');
      expect(await readFile(users, 'utf8'), 'the probe and exporter users\' passwords beside it').to.match(/^probe-password=[A-Za-z0-9_-]{32}\nexporter-password=[A-Za-z0-9_-]{32}\n$/);
      expect((await stat(users)).mode & 0o777).to.equal(0o600);
      expect((await stat(file)).mode & 0o777).to.equal(0o600);
      await writeFile(file, 'redis-password=chosen-by-hand\n');
      const again = await run(secretEnvScript, [file]);
      expect(again.stdout).to.match(/exists: keeping its password/);
      expect(await readFile(file, 'utf8')).to.equal('redis-password=chosen-by-hand\n');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
