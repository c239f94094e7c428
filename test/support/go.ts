// The Go toolchain for tests that need it: the strict reverse proxy (test/support/strict-proxy) is built with
// it, and Go modules from the module proxy are how tests get upstream Kubernetes files (CRDs) without GitHub.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { findOnPath } from './find-on-path.js';

const run = promisify(execFile);

/** The go binary; throws saying what to install when there is none. */
export function goBinary(): string {
  return findOnPath('go', 'golang-go (or Go from https://go.dev/dl)');
}

/**
 * The directory of module@version in Go's module cache (outside the repository; downloaded once per
 * machine, through GOPROXY). Throws with go's own message when the module cannot be fetched.
 */
export async function goModuleDir(modulePath: string, version: string): Promise<string> {
  const go = goBinary();
  try {
    // -mod=mod: a GOFLAGS=-mod=vendor in the environment would refuse a download outside a module.
    const { stdout } = await run(go, ['mod', 'download', '-json', `${modulePath}@${version}`], { env: { ...process.env, GOFLAGS: '-mod=mod' }, maxBuffer: 1 << 20 });
    const info = JSON.parse(stdout) as { Dir?: string; Error?: string };
    if (info.Dir === undefined) throw new Error(info.Error ?? 'no Dir in go mod download -json output');
    return info.Dir;
  } catch (error) {
    const detail = (error as { stdout?: string }).stdout ?? (error as Error).message;
    throw new Error(`go mod download ${modulePath}@${version} failed (needs the Go module proxy): ${detail}`, { cause: error });
  }
}
