// The base images as the chart and compose.yaml rely on them, whether pulled or built as stand-ins by
// scripts/ci-machine/standin-images.sh: the official images' users, paths and versions.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DockerResources, docker, repoRoot, run, uniqueName } from '../support/docker.js';
import { redisImage } from './images.js';

const nodeImage = /^FROM\s+(node:\S+)/m.exec(readFileSync(path.join(repoRoot, 'Dockerfile'), 'utf8'))?.[1] ?? '';

describe('container: base images', function () {
  const resources = new DockerResources();

  after(async function () {
    await resources.removeAll();
  });

  it('the Redis image has the official layout: user redis 999:999 owning /data, redis-server and redis-cli on PATH', async function () {
    const layout = await docker('run', '--rm', '--entrypoint', 'sh', redisImage, '-c',
      'id -u redis; id -g redis; stat -c %u:%g /data; pwd; for b in redis-server redis-cli; do command -v $b >/dev/null && echo $b; done');
    expect(layout.split('\n')).to.deep.equal(['999', '999', '999:999', '/data', 'redis-server', 'redis-cli']);
  });

  it('the Redis image runs its default command as uid 999 with protected mode off (other containers connect)', async function () {
    const name = resources.container(uniqueName('pt-ct-redis-default'));
    await docker('run', '--detach', '--name', name, redisImage);
    await waitForRedis(name);
    const status = await docker('exec', name, 'cat', '/proc/1/status');
    expect(status).to.match(/^Uid:\s+999\s+999\s+999\s+999$/m);
    expect(await docker('exec', name, 'redis-cli', 'config', 'get', 'protected-mode')).to.equal('protected-mode\nno');
  });

  it(`the Node image (${nodeImage}) has the node of its tag, npm, and user node 1000:1000`, async function () {
    const version = /^node:(\d+\.\d+\.\d+)-/.exec(nodeImage)?.[1];
    expect(version, 'the Dockerfile pins node:<x.y.z>-...').to.be.a('string');
    const facts = await docker('run', '--rm', nodeImage, 'sh', '-c', 'node --version; npm --version >/dev/null && echo npm; id -u node; id -g node');
    expect(facts.split('\n')).to.deep.equal([`v${version}`, 'npm', '1000', '1000']);
  });
});

async function waitForRedis(name: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if ((await run('docker', ['exec', name, 'redis-cli', 'ping'])).stdout.trim() === 'PONG') return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${name}: redis-cli ping got no PONG within 10 s`);
}
