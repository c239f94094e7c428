// The Redis password is worked out once per render: the Secret holds it and the checksum/secret annotations
// of the app Deployment and the Redis StatefulSet are its salted checksum (the salt kept in the same Secret). If they disagreed, the first `helm upgrade`
// with no change (whose lookup finds the stored password) would change the checksums and roll every pod.
import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { renderChart } from '../support/chart.js';
import type { KubeObject } from '../support/kube-object.js';
import { oneOf } from '../support/kube-typed.js';
import { renderValuesFile, shortName, valuesFiles } from './matrix.js';

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 16);

/** What the chart's annotations hold: the first 16 hex digits of the SHA-256 of `<salt>:<password>`. */
function checksum(salt: string, password: string): string {
  return sha256(`${salt}:${password}`);
}

function stored(objects: readonly KubeObject[], key: 'redis-password' | 'checksum-salt'): string {
  const encoded = oneOf(objects, 'Secret', 'page-tracker-redis').data?.[key];
  expect(encoded, `${key} in Secret page-tracker-redis`).to.be.a('string').and.not.equal('');
  return Buffer.from(encoded!, 'base64').toString('utf8');
}

const storedPassword = (objects: readonly KubeObject[]): string => stored(objects, 'redis-password');

function secretChecksums(objects: readonly KubeObject[]): { app?: string; redis?: string } {
  return {
    app: oneOf(objects, 'Deployment', 'page-tracker').spec?.template.metadata?.annotations?.['checksum/secret'],
    redis: oneOf(objects, 'StatefulSet', 'page-tracker-redis').spec?.template.metadata?.annotations?.['checksum/secret'],
  };
}

describe('chart: one Redis password per render', function () {
  // The files where the chart makes the password Secret and runs Redis itself (external-*: a Redis outside the release).
  const generating = valuesFiles.filter((file) => shortName(file) !== 'existing-secret' && !shortName(file).startsWith('external-'));

  for (const file of generating) {
    it(`the Secret and both checksum/secret annotations agree (${shortName(file)}, generated password)`, async function () {
      const objects = await renderValuesFile(file);
      const password = storedPassword(objects);
      const salt = stored(objects, 'checksum-salt');
      expect(password).to.match(/^[A-Za-z0-9]{32}$/);
      expect(salt).to.match(/^[A-Za-z0-9]{32}$/);
      expect(secretChecksums(objects)).to.deep.equal({ app: checksum(salt, password), redis: checksum(salt, password) });
    });
  }

  it('an explicit redis.auth.password is the one stored and checksummed', async function () {
    const objects = await renderChart({ setStrings: { 'redis.auth.password': 'explicit-password-0123' } });
    expect(storedPassword(objects)).to.equal('explicit-password-0123');
    const salted = checksum(stored(objects, 'checksum-salt'), 'explicit-password-0123');
    expect(secretChecksums(objects)).to.deep.equal({ app: salted, redis: salted });
  });

  it('reveals nothing of the password in the annotation: it is not the password\'s own hash, and differs between installs', async function () {
    const [first, second] = await Promise.all(
      [1, 2].map(async () => secretChecksums(await renderChart({ setStrings: { 'redis.auth.password': 'explicit-password-0123' } })).app),
    );
    expect(first).to.match(/^[0-9a-f]{16}$/);
    expect(first).not.to.equal(sha256('explicit-password-0123'));
    expect(second, 'a fresh salt per install').not.to.equal(first);
  });
});
