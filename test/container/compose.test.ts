// compose.yaml driven by whichever Compose exists (the `docker compose` plugin, else Compose v1's
// `docker-compose`): the testing profile's one-line end-to-end check, the app on loopback only, Redis
// unpublished and password-protected, and the count surviving `down` and `up`. A unique project name keeps it apart from anyone's own `docker compose up`.
import { expect } from 'chai';
import { composeCommand, docker, run, uniqueName, waitForOk, type CommandResult } from '../support/docker.js';
import { freePort } from '../support/ports.js';
import { countView, readViews } from './stack.js';

describe('container: compose.yaml', function () {
  const project = uniqueName('ptct');
  let compose: (...args: string[]) => Promise<CommandResult>;
  let baseUrl: string;

  before(async function () {
    const { command, baseArgs } = await composeCommand();
    const hostPort = await freePort();
    const env = { ...process.env, HOST_PORT: String(hostPort), HOST_METRICS_PORT: String(await freePort()) };
    baseUrl = `http://127.0.0.1:${hostPort}`;
    compose = (...args) => run(command, [...baseArgs, '--project-name', project, '--file', 'compose.yaml', ...args], { env });
  });

  after(async function () {
    if (!compose) return;
    const down = await compose('--profile', 'testing', 'down', '--volumes', '--remove-orphans', '--timeout', '10');
    expect(down.code, `compose down failed:\n${down.stderr}`).to.equal(0);
  });

  async function mustCompose(...args: string[]): Promise<CommandResult> {
    const result = await compose(...args);
    const output = `${result.stdout}\n${result.stderr}`.trimEnd().split('\n').slice(-60).join('\n');
    expect(result.code, `compose ${args.join(' ')} exited ${result.code}:\n${output}`).to.equal(0);
    return result;
  }

  it('--profile testing up --build --exit-code-from smoke runs the smoke suite in a container and exits 0', async function () {
    this.timeout(10 * 60 * 1000);
    await mustCompose('--profile', 'testing', 'up', '--build', '--exit-code-from', 'smoke');
  });

  it('publishes the app ports on 127.0.0.1 only, and no Redis port', async function () {
    const bindings = async (service: string) => {
      // By compose's labels: `compose ps` lists stopped containers in v1 but not in v2.
      const id = await docker('ps', '--all', '--quiet', '--filter', `label=com.docker.compose.project=${project}`,
        '--filter', `label=com.docker.compose.service=${service}`);
      expect(id, `container of service ${service}`).to.not.equal('');
      return JSON.parse(await docker('inspect', '--format', '{{json .HostConfig.PortBindings}}', id)) as Record<string, unknown> | null;
    };
    const app = ((await bindings('app')) ?? {}) as Record<string, { HostIp: string }[]>;
    expect(Object.keys(app).sort()).to.deep.equal(['8080/tcp', '9100/tcp']);
    expect(Object.values(app).flat().map((binding) => binding.HostIp)).to.deep.equal(['127.0.0.1', '127.0.0.1']);
    expect(Object.keys((await bindings('redis')) ?? {})).to.deep.equal([]);
  });

  it('keeps the count across `down` and `up` (AOF on the named volume)', async function () {
    await mustCompose('up', '--detach');
    await waitForOk(`${baseUrl}/readyz`, 60_000);
    const page = 'compose-persisted';
    await countView(baseUrl, page);
    const before = await countView(baseUrl, page);
    expect(before.views).to.equal(2);

    await mustCompose('--profile', 'testing', 'down', '--timeout', '10');
    await mustCompose('up', '--detach');
    await waitForOk(`${baseUrl}/readyz`, 60_000);
    expect((await readViews(baseUrl, page)).views, 'views after down && up').to.equal(before.views);
  });

  it("runs Redis with a password the first up made (a client without it is refused), as the redis user with the app's hardening", async function () {
    const id = await docker('ps', '--quiet', '--filter', `label=com.docker.compose.project=${project}`, '--filter', 'label=com.docker.compose.service=redis');
    expect(id, 'a running redis container').to.not.equal('');
    const anonymous = await run('docker', ['exec', id, 'redis-cli', 'ping']);
    expect(`${anonymous.stdout}${anonymous.stderr}`).to.match(/NOAUTH/);
    const authed = await run('docker', ['exec', id, 'sh', '-c', 'REDISCLI_AUTH="$(cat /run/redis-secrets/redis-password)" redis-cli ping']);
    expect(authed.stdout.trim()).to.equal('PONG');
    const password = (await run('docker', ['exec', id, 'cat', '/run/redis-secrets/redis-password'])).stdout.trim();
    expect(password, 'a random password: 32 bytes in hex').to.match(/^[0-9a-f]{64}$/);
    const config = JSON.parse(await docker('inspect', '--format', '{{json .Config.User}} {{json .HostConfig}}', id).then((out) => `[${out.replace(' ', ',')}]`)) as [string, { ReadonlyRootfs: boolean; CapDrop: string[] | null; CapAdd: string[] | null; SecurityOpt: string[] | null }];
    expect(config[0]).to.equal('999:999');
    expect(config[1].ReadonlyRootfs).to.equal(true);
    expect(config[1].CapDrop).to.deep.equal(['ALL']);
    expect(config[1].CapAdd ?? []).to.deep.equal([]);
    expect(config[1].SecurityOpt).to.deep.equal(['no-new-privileges:true']);
  });
});
