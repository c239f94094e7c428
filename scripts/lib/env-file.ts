// The KEY=value files at the root of the repository (versions.env, names.env): one reader for both, the same
// lines scripts/shared-env.sh prints and bash reads when it sources them (no quoting, no expansion).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './workflows.js';

/** The KEY=value lines of FILE (relative to the repository root), in file order. */
export function readEnvFile(file: string): Map<string, string> {
  const entries = new Map<string, string>();
  for (const line of readFileSync(join(repoRoot, file), 'utf8').split('\n')) {
    const match = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (match?.[1] !== undefined && match[2] !== undefined) entries.set(match[1], match[2]);
  }
  return entries;
}

/** One entry of FILE; throws when FILE does not define it. */
export function envFileValue(file: string, name: string): string {
  const value = readEnvFile(file).get(name);
  if (value === undefined) throw new Error(`${file} does not define ${name}`);
  return value;
}
