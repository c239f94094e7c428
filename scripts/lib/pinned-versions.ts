// versions.env at the root of the repository: every version Dependabot cannot see, pinned once.
import { envFileValue, readEnvFile } from './env-file.js';

export const pinnedVersionsFile = 'versions.env';

/** The KEY=value lines of versions.env, in file order. */
export function pinnedVersions(): Map<string, string> {
  return readEnvFile(pinnedVersionsFile);
}

/** One pin; throws when versions.env does not define it. */
export function pin(name: string): string {
  return envFileValue(pinnedVersionsFile, name);
}
