// versions.env at the root of the repository: every version Dependabot cannot see, pinned once.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './workflows.js';

export const pinnedVersionsFile = 'versions.env';

/** The KEY=value lines of versions.env, in file order (the same lines scripts/pinned-versions.sh prints). */
export function pinnedVersions(): Map<string, string> {
  const pins = new Map<string, string>();
  for (const line of readFileSync(join(repoRoot, pinnedVersionsFile), 'utf8').split('\n')) {
    const match = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (match?.[1] !== undefined && match[2] !== undefined) pins.set(match[1], match[2]);
  }
  return pins;
}

/** One pin; throws when versions.env does not define it. */
export function pin(name: string): string {
  const value = pinnedVersions().get(name);
  if (value === undefined) throw new Error(`${pinnedVersionsFile} does not define ${name}`);
  return value;
}
