// test/support/built-server.ts refuses a dist/ built before the source it came from, so that no suite
// spawning dist/server.js can pass on old code. Checked on a made-up src/ and dist/ with set times.
import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertDistFresh } from '../support/built-server.js';

describe('the built-service check (dist/ no older than src/)', function () {
  let root: string;
  let src: string;
  let dist: string;

  /** Writes a file and sets its modification time to `minutesAgo` before now. */
  function write(path: string, minutesAgo: number): void {
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, '');
    const when = new Date(Date.now() - minutesAgo * 60_000);
    utimesSync(path, when, when);
  }

  beforeEach(function () {
    root = mkdtempSync(join(tmpdir(), 'built-server-'));
    src = join(root, 'src');
    dist = join(root, 'dist');
    write(join(src, 'server.ts'), 10);
    write(join(src, 'store', 'redis.ts'), 10);
    write(join(src, 'VIEW-WRITE.md'), 1);
    write(join(dist, 'server.js'), 5);
    write(join(dist, 'store', 'redis.js'), 5);
  });

  afterEach(function () {
    rmSync(root, { recursive: true, force: true });
  });

  it('accepts a dist/ written after every source file (files other than .ts do not count)', function () {
    expect(() => { assertDistFresh(src, dist); }).to.not.throw();
  });

  it('refuses a source file edited after the build, in a subfolder too, naming it and the fix', function () {
    write(join(src, 'store', 'redis.ts'), 1);
    expect(() => { assertDistFresh(src, dist); }).to.throw(/^dist\/ is older than .*src\/store\/redis\.ts: run npm run build$/);
  });

  it('refuses a source file that was never built', function () {
    write(join(src, 'new-module.ts'), 10);
    expect(() => { assertDistFresh(src, dist); }).to.throw(/dist\/new-module\.js is missing \(built from .*src\/new-module\.ts\): run npm run build$/);
  });
});
