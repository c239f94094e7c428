import { spawn } from 'node:child_process';
import { findOnPath } from './find-on-path.js';

export interface PromtoolResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs Debian's promtool (package `prometheus`) with the given arguments, optionally feeding stdin. */
export function runPromtool(args: string[], stdin?: string): Promise<PromtoolResult> {
  const promtool = findOnPath('promtool', 'prometheus');
  return new Promise((resolve, reject) => {
    const child = spawn(promtool, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin ?? '');
  });
}
