// Stand-in executables for running shell scripts without a cluster or a registry: each records its call
// ("tool arg arg ...") in one log, after an optional bash snippet that may answer or exit first.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface StandIns {
  /** The directory to put first on PATH. */
  bin: string;
  /** The calls' log, for a stand-in that records more than its arguments (the environment it was given). */
  log: string;
  /** Adds (or replaces) one stand-in: `answer` runs before the call is recorded. */
  add(tool: string, answer?: string): void;
  /** Runs a program with the stand-ins first on PATH (also when `env` brings a PATH) and the log emptied; answers the calls recorded. */
  run(program: string, args: string[], env?: Record<string, string | undefined>): SpawnSyncReturns<string> & { calls: string[] };
  cleanup(): void;
}

export function standInTools(tools: Record<string, string>): StandIns {
  const bin = mkdtempSync(join(tmpdir(), 'stand-ins-'));
  const log = join(bin, 'calls.log');
  const add = (tool: string, answer = ''): void => {
    // "$(basename "$0")": a stand-in may be copied under another name (a script's step) and still say which it is.
    writeFileSync(join(bin, tool), `#!/usr/bin/env bash\n${answer}\necho "$(basename "$0") $*" >> "${log}"\n`);
    chmodSync(join(bin, tool), 0o755);
  };
  for (const [tool, answer] of Object.entries(tools)) add(tool, answer);
  return {
    bin,
    log,
    add,
    run(program, args, env = {}) {
      rmSync(log, { force: true });
      const result = spawnSync(program, args, { encoding: 'utf8', timeout: 20_000, env: { ...process.env, ...env, PATH: `${bin}:${env.PATH ?? process.env.PATH ?? ''}` } });
      let recorded = '';
      try {
        recorded = readFileSync(log, 'utf8');
      } catch {
        // Nothing was called.
      }
      return { ...result, calls: recorded.split('\n').filter((line) => line !== '') };
    },
    cleanup() {
      rmSync(bin, { recursive: true, force: true });
    },
  };
}
