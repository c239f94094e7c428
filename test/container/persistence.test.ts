// Views live in Redis's append-only file on a named volume, so they survive removing and re-creating
// both containers: what `docker compose down && up` and a rescheduled pod rely on.
import { expect } from 'chai';
import { DockerResources, docker, uniqueName } from '../support/docker.js';
import { countView, readViews, startHardenedApp, startRedis } from './stack.js';

describe('container: persistence', function () {
  const resources = new DockerResources();

  after(async function () {
    await resources.removeAll();
  });

  it('keeps the count when both containers are removed and re-created on the same volume (AOF on)', async function () {
    const network = resources.network(uniqueName('pt-ct-net'));
    const volume = resources.volume(uniqueName('pt-ct-data'));
    await docker('network', 'create', network);
    await docker('volume', 'create', volume);

    const page = 'persisted';
    let redis = await startRedis(resources, { name: uniqueName('pt-ct-redis'), network, volume });
    let app = await startHardenedApp(resources, { name: uniqueName('pt-ct-app'), network, redis });
    for (let i = 0; i < 3; i += 1) await countView(app.baseUrl, page);
    expect((await readViews(app.baseUrl, page)).views).to.equal(3);
    expect(await docker('exec', redis, 'redis-cli', 'CONFIG', 'GET', 'appendonly')).to.match(/^appendonly\nyes$/);

    // Graceful stop first, as `docker compose down` does; then the containers are gone for good.
    await docker('stop', app.name, redis);
    await docker('rm', app.name, redis);

    redis = await startRedis(resources, { name: uniqueName('pt-ct-redis'), network, volume });
    app = await startHardenedApp(resources, { name: uniqueName('pt-ct-app'), network, redis });
    expect((await readViews(app.baseUrl, page)).views, 'views after re-creating both containers').to.equal(3);
    expect((await countView(app.baseUrl, page)).views).to.equal(4);
    expect(await docker('exec', redis, 'ls', '/data'), 'AOF directory on the volume').to.include('appendonlydir');
  });
});
