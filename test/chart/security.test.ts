// Pod security (PSS "restricted" and the chart's own hardening), pinned images, and where the password may appear.
import { expect } from 'chai';
import { renderChart } from '../support/chart.js';
import { unpinnedReason } from '../support/image-ref.js';
import { ofKind } from '../support/kube-typed.js';
import { podTemplatesOf, restrictedViolations } from '../support/pod-security.js';
import { renderValuesFile, shortName, valuesFiles } from './matrix.js';

describe('chart: security', function () {
  for (const file of valuesFiles) {
    describe(`with ${shortName(file)}`, function () {
      it('passes the Pod Security Standard "restricted" profile in every pod, the helm test pod included', async function () {
        const templates = podTemplatesOf(await renderValuesFile(file));
        expect(templates.map((t) => t.owner)).to.include('Pod/page-tracker-test');
        expect(templates.flatMap(restrictedViolations)).to.deep.equal([]);
      });

      it('runs every container read-only with a numeric non-root uid, requests and limits (ephemeral-storage too, so none can fill its node\'s disk), and no API token', async function () {
        for (const t of podTemplatesOf(await renderValuesFile(file))) {
          expect(t.spec.automountServiceAccountToken, `${t.owner} automountServiceAccountToken`).to.equal(false);
          expect(t.spec.securityContext?.runAsUser, `${t.owner} runAsUser`).to.be.a('number').and.above(0);
          for (const c of t.spec.containers) {
            const where = `${t.owner} container ${c.name}`;
            expect(c.securityContext?.readOnlyRootFilesystem, `${where} readOnlyRootFilesystem`).to.equal(true);
            expect(c.resources?.requests, `${where} requests`).to.have.all.keys('cpu', 'memory', 'ephemeral-storage');
            expect(c.resources?.limits, `${where} limits`).to.include.keys('memory', 'ephemeral-storage');
          }
        }
      });

      it('pins every image by a version tag or digest (no latest, no missing tag)', async function () {
        const images = podTemplatesOf(await renderValuesFile(file)).flatMap((t) => [...(t.spec.initContainers ?? []), ...t.spec.containers].map((c) => c.image ?? ''));
        expect(images.map(unpinnedReason).filter((reason) => reason !== undefined)).to.deep.equal([]);
      });
    });
  }

  it('runs the app as 10001 and Redis as 10002 (outside the range images and hosts use: the official image\'s redis is 999) with fsGroup', async function () {
    const objects = await renderValuesFile(valuesFiles.find((f) => shortName(f) === 'defaults')!);
    const byOwner = new Map(podTemplatesOf(objects).map((t) => [t.owner, t.spec.securityContext]));
    expect(byOwner.get('Deployment/page-tracker')).to.include({ runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001 });
    expect(byOwner.get('StatefulSet/page-tracker-redis')).to.include({ runAsUser: 10002, runAsGroup: 10002, fsGroup: 10002 });
  });

  describe('the Redis password', function () {
    const password = 'Pa55-word-that-must-stay-secret';

    for (const [name, sets, setStrings] of [
      ['in-release Redis', {}, { 'redis.auth.password': password }],
      ['external Redis', { 'redis.enabled': 'false' }, { 'externalRedis.host': 'redis.example.com', 'externalRedis.password': password }],
    ] as const) {
      it(`(${name}) is only in the Secret: never in a ConfigMap, an env value, an annotation or REDIS_URL`, async function () {
        const objects = await renderChart({ sets, setStrings });
        const secret = ofKind(objects, 'Secret').find((s) => s.metadata.name === 'page-tracker-redis');
        expect(Buffer.from(secret?.data?.['redis-password'] ?? '', 'base64').toString()).to.equal(password);
        const base64 = Buffer.from(password).toString('base64');
        for (const obj of objects.filter((o) => o.kind !== 'Secret')) {
          const text = JSON.stringify(obj);
          expect(text, `${obj.kind}/${obj.metadata.name} shows the password`).not.to.include(password);
          expect(text, `${obj.kind}/${obj.metadata.name} shows the base64 password`).not.to.include(base64);
        }
        const templates = podTemplatesOf(objects);
        const env = templates.flatMap((t) => t.spec.containers.flatMap((c) => c.env ?? []));
        for (const e of env.filter((e) => (e.name.includes('PASSWORD') || e.name.endsWith('_AUTH')) && !e.name.endsWith('_FILE'))) {
          expect(e.value, `${e.name} must come from a Secret`).to.equal(undefined);
          expect(['page-tracker-redis', 'page-tracker-redis-users'], `${e.name}'s Secret`).to.include(e.valueFrom?.secretKeyRef?.name);
        }
        // The app reads its password from a file of the Secret, never from a variable.
        const app = templates.find((t) => t.owner === 'Deployment/page-tracker');
        const appEnv = app?.spec.containers[0]?.env ?? [];
        expect(appEnv.filter((e) => e.valueFrom?.secretKeyRef), 'the app takes no secret as a variable').to.deep.equal([]);
        expect(appEnv.find((e) => e.name === 'REDIS_PASSWORD_FILE')?.value).to.equal('/run/secrets/page-tracker/redis-password');
        const sources = app?.spec.volumes?.find((v) => v.name === 'secrets')?.projected?.sources ?? [];
        expect(sources.map((source) => source.secret)).to.deep.include({ name: 'page-tracker-redis', items: [{ key: 'redis-password', path: 'redis-password' }] });
      });
    }

    it('is generated when none is given, 32 characters, and differs between fresh installs', async function () {
      const read = async (): Promise<string> => {
        const objects = await renderChart();
        const secret = ofKind(objects, 'Secret').find((s) => s.metadata.name === 'page-tracker-redis');
        return Buffer.from(secret?.data?.['redis-password'] ?? '', 'base64').toString();
      };
      const [first, second] = await Promise.all([read(), read()]);
      expect(first).to.match(/^[A-Za-z0-9]{32}$/);
      expect(second).to.match(/^[A-Za-z0-9]{32}$/);
      expect(first).not.to.equal(second);
    });
  });
});
