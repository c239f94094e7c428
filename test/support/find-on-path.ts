import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * The absolute path of an executable on PATH. Throws "<command> not found on PATH: install it (Debian: apt-get
 * install <package>)" otherwise, so a suite that needs a real binary fails saying what to install instead
 * of skipping itself.
 */
export function findOnPath(command: string, debianPackage: string): string {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory: keep looking
    }
  }
  throw new Error(`${command} not found on PATH: install it (Debian: apt-get install ${debianPackage})`);
}
