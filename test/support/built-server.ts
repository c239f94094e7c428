// The built service, dist/server.js, as every test and benchmark that runs it gets it: refused when it is
// older than the source, since a run after an edit to src/ without `npm run build` would test old code and
// pass. The tiers never build (npm test and .ci/run build once, first), so this is what catches a stale build.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** Every .ts file under dir, as paths relative to dir. */
function typescriptFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((path) => path.endsWith('.ts') && !path.endsWith('.d.ts'));
}

/**
 * Throws unless every src/x.ts has a dist/x.js written after it (tsc rewrites every output on each build).
 * The directories are parameters so that a test can hand it a made-up tree.
 */
export function assertDistFresh(srcDir = join(repoRoot, 'src'), distDir = join(repoRoot, 'dist')): void {
  const shown = (path: string): string => relative(process.cwd(), path) || path;
  for (const file of typescriptFiles(srcDir).sort()) {
    const source = join(srcDir, file);
    const built = join(distDir, file.replace(/\.ts$/, '.js'));
    let builtTime: number;
    try {
      builtTime = statSync(built).mtimeMs;
    } catch {
      throw new Error(`${shown(built)} is missing (built from ${shown(source)}): run npm run build`);
    }
    if (builtTime < statSync(source).mtimeMs) throw new Error(`dist/ is older than ${shown(source)}: run npm run build`);
  }
}

let checked = false;

/** The path of dist/server.js, after checking once per process that dist/ is as new as src/. */
export function builtServer(): string {
  if (!checked) {
    assertDistFresh();
    checked = true;
  }
  return join(repoRoot, 'dist', 'server.js');
}

/**
 * What a spawned service inherits from the test run beyond the env it is given: only where V8 writes
 * coverage (`npm run test:coverage`, c8), so that the code the service runs counts too.
 */
export function coverageEnv(): Record<string, string> {
  const dir = process.env.NODE_V8_COVERAGE;
  return dir === undefined ? {} : { NODE_V8_COVERAGE: dir };
}
