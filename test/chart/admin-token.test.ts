// config.adminToken: the admin API's token from a Secret, mounted as a file like the other secrets.
import { expect } from 'chai';
import { renderChart } from '../support/chart.js';
import { ofKind, oneOf } from '../support/kube-typed.js';
import type { KubeObject } from '../support/kube-object.js';

function appEnv(objects: readonly KubeObject[]): Record<string, string | undefined> {
  const env = oneOf(objects, 'Deployment', 'page-tracker').spec?.template.spec?.containers[0]?.env ?? [];
  return Object.fromEntries(env.map((e) => [e.name, e.value]));
}

/** The projected secret files: path <- secret/key. */
function secretFiles(objects: readonly KubeObject[]): string[] {
  const volume = oneOf(objects, 'Deployment', 'page-tracker').spec?.template.spec?.volumes?.find((v) => v.name === 'secrets');
  return (volume?.projected?.sources ?? []).flatMap((source) => (source.secret?.items ?? []).map((item) => `${item.path}<-${source.secret?.name}/${item.key}`));
}

describe('chart: config.adminToken (the admin API on the metrics port)', function () {
  it('off by default: no ADMIN_TOKEN_FILE, no admin Secret', async function () {
    const objects = await renderChart({});
    expect(appEnv(objects)).not.to.have.property('ADMIN_TOKEN_FILE');
    expect(secretFiles(objects).filter((file) => file.startsWith('admin-token'))).to.deep.equal([]);
    expect(ofKind(objects, 'Secret').map((secret) => secret.metadata.name)).not.to.include('page-tracker-admin');
  });

  it('enabled: the chart makes page-tracker-admin with a random 48-character token, mounted as the file ADMIN_TOKEN_FILE names', async function () {
    const objects = await renderChart({ sets: { 'config.adminToken.enabled': 'true' } });
    expect(appEnv(objects).ADMIN_TOKEN_FILE).to.equal('/run/secrets/page-tracker/admin-token');
    expect(secretFiles(objects)).to.include('admin-token<-page-tracker-admin/admin-token');
    const secret = oneOf(objects, 'Secret', 'page-tracker-admin') as KubeObject & { data?: Record<string, string> };
    expect(Buffer.from(secret.data?.['admin-token'] ?? '', 'base64').toString()).to.match(/^[A-Za-z0-9]{48}$/);
  });

  it('with existingSecret: that Secret and key are mounted, and the chart makes none', async function () {
    const objects = await renderChart({ sets: { 'config.adminToken.enabled': 'true', 'config.adminToken.existingSecret': 'ops-admin', 'config.adminToken.existingSecretKey': 'token' } });
    expect(secretFiles(objects)).to.include('admin-token<-ops-admin/token');
    expect(ofKind(objects, 'Secret').map((secret) => secret.metadata.name)).not.to.include('page-tracker-admin');
  });
});
