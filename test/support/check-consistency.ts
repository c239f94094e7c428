// `npm run check:consistency` run as an operator runs it, for the tests that check the counts' invariants.
import { execFile } from 'node:child_process';

/** Runs `npm run check:consistency -- <url>` with `env` besides PATH and HOME; resolves its exit code and output. */
export function checkConsistencyRun(url: string, env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('npm', ['run', '--silent', 'check:consistency', '--', url], { env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env } }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr });
    });
  });
}

