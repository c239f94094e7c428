// The Redis password is worked out once per render: the Secret holds it and the checksum/secret annotations
// of the app Deployment and the Redis StatefulSet are its checksum. If they disagreed, the first `helm upgrade`
// with no change (whose lookup finds the stored password) would change the checksums and roll every pod.
import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { renderChart } from '../support/chart.js';
import type { KubeObject } from '../support/kube-object.js';
import { oneOf } from '../support/kube-typed.js';
import { renderValuesFile, shortName, valuesFiles } from './matrix.js';

/** What the chart's annotations hold: the first 16 hex digits of the password's SHA-256. */
function checksum(password: string): string {
  return createHash('sha256').update(password).digest('hex').slice(0, 16);
}

function storedPassword(objects: readonly KubeObject[]): string {
  const encoded = oneOf(objects, 'Secret', 'page-tracker-redis').data?.['redis-password'];
  expect(encoded, 'redis-password in Secret page-tracker-redis').to.be.a('string').and.not.equal('');
  return Buffer.from(encoded!, 'base64').toString('utf8');
}

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
      expect(password).to.match(/^[A-Za-z0-9]{32}$/);
      expect(secretChecksums(objects)).to.deep.equal({ app: checksum(password), redis: checksum(password) });
    });
  }

  it('an explicit redis.auth.password is the one stored and checksummed', async function () {
    const objects = await renderChart({ setStrings: { 'redis.auth.password': 'explicit-password-0123' } });
    expect(storedPassword(objects)).to.equal('explicit-password-0123');
    expect(secretChecksums(objects)).to.deep.equal({ app: checksum('explicit-password-0123'), redis: checksum('explicit-password-0123') });
  });
});
