// `npm run bench` compares the service with three other page counters; these tests check that the Node ones
// count what they claim, and that a machine without the Flask tracker's packages is told exactly what to
// install instead of getting a stack trace half-way through a run.
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { Redis } from 'ioredis';
import { FLASK_MODULES, GUNICORN_PACKAGE, checkFlaskTracker, startNodeBaseline, type Target } from '../../scripts/bench/measure.js';
import { repoRoot } from '../../scripts/lib/workflows.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';

describe('npm run bench', () => {
  describe('the Node baselines', () => {
    let redis: RedisServer;
    let client: Redis;
    before(async () => {
      redis = await startRedis();
      client = new Redis(redis.url);
    });
    after(async () => {
      client.disconnect();
      await redis.cleanup();
    });

    for (const [script, prefix] of [['bare.mjs', 'baseline:'], ['koa-minimal.mjs', 'koa-minimal:']] as const) {
      describe(script, () => {
        let target: Target;
        before(async () => {
          target = await startNodeBaseline(script, redis.url);
        });
        after(async () => target.stop());

        it('counts GET / in Redis and answers the count in the page', async () => {
          const before = Number(await client.get(`${prefix}/`));
          const page = await (await fetch(`${target.baseUrl}/`)).text();
          expect(page).to.equal(`<h1>This page has been seen ${before + 1} times.</h1>`);
          expect(Number(await client.get(`${prefix}/`))).to.equal(before + 1);
        });

        it('counts POST /api/views/{page} in Redis and answers the count as JSON', async () => {
          const answers = [];
          for (let i = 0; i < 2; i += 1) answers.push(await (await fetch(`${target.baseUrl}/api/views/home`, { method: 'POST' })).json());
          expect(answers.map((answer) => (answer as { views: number }).views)).to.deep.equal([1, 2]);
        });
      });
    }
  });

  describe("the Flask tracker's packages", () => {
    let dir: string;
    const savedPath = process.env.PATH;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'page-tracker-bench-'));
    });
    afterEach(() => {
      process.env.PATH = savedPath;
      rmSync(dir, { recursive: true, force: true });
    });

    it('names gunicorn when it is not on PATH', () => {
      process.env.PATH = dir;
      expect(() => checkFlaskTracker()).to.throw(/apt-get install -y gunicorn\b/);
    });

    it("names python3-flask and python3-redis when gunicorn's Python cannot import them", () => {
      // A Python that imports nothing, named by the first line of a gunicorn on PATH, as Debian's names /usr/bin/python3.
      const python = join(dir, 'python-without-modules');
      writeFileSync(python, '#!/bin/sh\nexit 1\n');
      writeFileSync(join(dir, 'gunicorn'), `#!${python}\n`);
      chmodSync(python, 0o755);
      chmodSync(join(dir, 'gunicorn'), 0o755);
      process.env.PATH = `${dir}:/usr/bin:/bin`;
      expect(() => checkFlaskTracker()).to.throw(`run by gunicorn with ${python}) cannot start: apt-get install -y python3-flask python3-redis (`);
    });

    it('are the ones scripts/install-system-deps.sh installs', () => {
      const script = readFileSync(join(repoRoot, 'scripts/install-system-deps.sh'), 'utf8');
      expect(script).to.match(new RegExp(`^\\s*"gunicorn ${GUNICORN_PACKAGE}"$`, 'm'));
      for (const [module, debianPackage] of Object.entries(FLASK_MODULES)) {
        expect(script).to.match(new RegExp(`^\\s*"${module} ${debianPackage}"$`, 'm'));
      }
    });
  });
});
