// skaffold.yaml driven by Skaffold itself (SKAFFOLD_VERSION, built from its Go module) on the local cluster,
// where its local-cluster profile hands each built image to the node: `skaffold run` deploys the chart and
// `skaffold delete` removes it; `skaffold dev` serves an edited .ts file from the running pod without a new
// image. Skaffold deploys into the release's namespace, so what ran there before is removed first.
import { spawn, type ChildProcess } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { expect } from 'chai';
import { repoRoot, run, runVisible } from '../support/docker.js';
import { helmPath } from '../support/helm.js';
import { clusterEnv, kube, localCluster, mustKube, readE2eNames, removeReleaseNamespace, serviceHttpUrl } from '../support/local-cluster.js';

const names = readE2eNames();
// The file `skaffold dev` is shown an edit of, and the edit: /healthz answers with one more field.
const editedFile = join('src', 'routes', 'health.ts');
const healthBody = "ctx.body = { status: 'ok' };";

function skaffoldEnv(): NodeJS.ProcessEnv {
  // Skaffold runs helm, kubectl and docker from PATH: its helm is the Helm 3 built with it (SKAFFOLD_HELM_VERSION).
  const env = clusterEnv();
  return { ...env, PATH: `${localCluster.skaffoldHelmBin}${delimiter}${env.PATH ?? ''}`, SKAFFOLD_UPDATE_CHECK: 'false', SKAFFOLD_INTERACTIVE: 'false' };
}

// Skaffold's artifact cache (~/.skaffold/cache) outlives the cluster: on a hit Skaffold builds nothing, so the
// build hook that hands the image to the node never runs, and a cluster made anew by `cluster:up` has no
// such image ("can't be pulled"). On this cluster every build and dev run therefore skips the cache.
const noCache = '--cache-artifacts=false';

async function skaffold(args: string[], cwd = repoRoot): Promise<void> {
  const started = Date.now();
  const result = await runVisible('bash', ['-c', 'cd "$1" && shift && exec "$@"', 'skaffold', cwd, localCluster.skaffold, ...args], {
    env: skaffoldEnv(),
  });
  expect(result.code, `skaffold ${args.join(' ')} failed`).to.equal(0);
  console.log(`      skaffold ${args[0]}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

async function helmReleases(): Promise<string[]> {
  const helm = await helmPath();
  const list = await run(helm, ['list', '--namespace', names.namespace, '--short'], { env: clusterEnv() });
  expect(list.code, list.stderr).to.equal(0);
  return list.stdout.split('\n').filter((line) => line !== '');
}

/** Polls URL until its body contains TEXT; returns how long that took. */
async function waitForBody(url: string, text: string, timeoutMs: number): Promise<number> {
  const started = Date.now();
  let last = '';
  while (Date.now() - started < timeoutMs) {
    try {
      const answer = await fetch(url, { signal: AbortSignal.timeout(2000) });
      last = `${answer.status} ${await answer.text()}`;
      if (answer.status === 200 && last.includes(text)) return Date.now() - started;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not answer with ${JSON.stringify(text)} within ${timeoutMs} ms (last: ${last})`);
}

describe(`Skaffold ${localCluster.skaffold.split('/').at(-2) ?? ''} on the local cluster (skaffold.yaml, profile local-cluster)`, function () {
  before(async function () {
    await removeReleaseNamespace(names);
    // Skaffold hands over the image it builds; the chart's other images (Redis) the node cannot pull.
    const rendered = await run(await helmPath(), ['template', names.release, 'charts/page-tracker', '--namespace', names.namespace], { env: clusterEnv() });
    expect(rendered.code, rendered.stderr).to.equal(0);
    const load = await runVisible('bash', ['-c', 'scripts/cluster/load-rendered-images.sh - <<<"$RENDERED"'], {
      env: clusterEnv({ RENDERED: rendered.stdout }),
    });
    expect(load.code, 'loading the images the chart names failed').to.equal(0);
  });

  after(async function () {
    await removeReleaseNamespace(names);
  });

  it('deploys the chart with `skaffold run`: the release serves the counter page', async function () {
    await skaffold(['run', '--kube-context', localCluster.context, '--tag', 'skaffold-run', '--status-check=true', noCache]);
    expect(await helmReleases()).to.deep.equal([names.release]);
    const baseUrl = await serviceHttpUrl(names.namespace, names.app);
    const home = await fetch(baseUrl, { headers: { accept: 'text/html' } });
    expect(home.status).to.equal(200);
    expect(await home.text()).to.contain('This page has been seen');
  });

  it('removes the release with `skaffold delete`', async function () {
    await skaffold(['delete', '--kube-context', localCluster.context]);
    expect(await helmReleases()).to.deep.equal([]);
    // Pods may still be terminating for their grace period; none is left afterwards.
    const deadline = Date.now() + 120_000;
    let pods: string;
    do {
      pods = (await mustKube(['-n', names.namespace, 'get', 'pods', '-l', `app.kubernetes.io/instance=${names.release}`, '-o', 'name'])).trim();
      if (pods === '') break;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    } while (Date.now() < deadline);
    expect(pods, 'pods left after skaffold delete').to.equal('');
  });

  it('serves an edited .ts file from the running pod within seconds under `skaffold dev`, with no new image or pod', async function () {
    // A copy of the working tree: the edit must not touch the repository the suite runs from.
    const workDir = await mkdtemp(join(tmpdir(), 'pt-skaffold-dev-'));
    let dev: ChildProcess | undefined;
    let output = '';
    try {
      await cp(repoRoot, workDir, {
        recursive: true,
        filter: (source) => !/[/\\](node_modules|dist|\.git|test-results|\.tools)([/\\]|$)/.test(source.slice(repoRoot.length)),
      });
      dev = spawn(localCluster.skaffold, ['dev', '--kube-context', localCluster.context, '--tag', 'skaffold-dev', '--port-forward=false', '--cleanup=true', noCache], {
        cwd: workDir,
        env: skaffoldEnv(),
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
      const collect = (chunk: Buffer) => { output += chunk.toString(); };
      dev.stdout?.on('data', collect);
      dev.stderr?.on('data', collect);
      const exited = new Promise<number | null>((resolve) => dev?.on('exit', resolve));

      const deployed = Date.now();
      const ready = Promise.race([
        (async () => {
          for (;;) {
            const rollout = await kube(['-n', names.namespace, 'rollout', 'status', `deployment/${names.app}`, '--timeout=10s']);
            if (rollout.code === 0) return;
            await new Promise((resolve) => setTimeout(resolve, 2000));
          }
        })(),
        exited.then((code) => { throw new Error(`skaffold dev exited (${code}) before the app was up:\n${output.slice(-3000)}`); }),
      ]);
      await Promise.race([ready, new Promise((_, reject) => setTimeout(() => reject(new Error(`skaffold dev did not deploy within 8 min:\n${output.slice(-3000)}`)), 480_000))]);
      console.log(`      skaffold dev: build and deploy ${((Date.now() - deployed) / 1000).toFixed(1)} s`);

      const baseUrl = await serviceHttpUrl(names.namespace, names.app);
      await waitForBody(`${baseUrl}/healthz`, '"status":"ok"', 60_000);
      // Skaffold takes its baseline of the files when it starts watching, after the deploy: an edit saved
      // before that is part of the baseline and never synced.
      const watchDeadline = Date.now() + 120_000;
      while (!output.includes('Watching for changes')) {
        if (Date.now() > watchDeadline) throw new Error(`skaffold dev never said it was watching:\n${output.slice(-3000)}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      const podsBefore = await mustKube(['-n', names.namespace, 'get', 'pods', '-l', 'app.kubernetes.io/component=app', '-o', 'jsonpath={.items[*].metadata.uid}']);
      const imageBefore = await mustKube(['-n', names.namespace, 'get', 'deployment', names.app, '-o', 'jsonpath={.spec.template.spec.containers[0].image}']);

      const marker = `synced-${Date.now()}`;
      const source = await readFile(join(workDir, editedFile), 'utf8');
      expect(source, `${editedFile} no longer holds the line this test edits`).to.contain(healthBody);
      await writeFile(join(workDir, editedFile), source.replace(healthBody, `ctx.body = { status: 'ok', edit: '${marker}' };`));
      const tookMs = await waitForBody(`${baseUrl}/healthz`, marker, 60_000).catch((error: Error) => {
        throw new Error(`${error.message}\nskaffold dev said:\n${output.slice(-4000)}`);
      });
      console.log(`      skaffold dev: the edit to ${editedFile} served ${(tookMs / 1000).toFixed(1)} s after it was saved`);

      expect(await mustKube(['-n', names.namespace, 'get', 'pods', '-l', 'app.kubernetes.io/component=app', '-o', 'jsonpath={.items[*].metadata.uid}'])).to.equal(podsBefore);
      expect(await mustKube(['-n', names.namespace, 'get', 'deployment', names.app, '-o', 'jsonpath={.spec.template.spec.containers[0].image}'])).to.equal(imageBefore);
      expect(output, 'Skaffold reports the sync').to.match(/Syncing 1 files? for/);
    } finally {
      if (dev?.pid !== undefined && dev.exitCode === null) {
        // Ctrl-C: Skaffold's own cleanup (--cleanup=true) deletes what it deployed.
        process.kill(-dev.pid, 'SIGINT');
        await new Promise((resolve) => { dev?.on('exit', resolve); setTimeout(resolve, 120_000); });
      }
      await rm(workDir, { recursive: true, force: true });
    }
    expect(await helmReleases(), 'skaffold dev cleans up on Ctrl-C').to.deep.equal([]);
  });
});
