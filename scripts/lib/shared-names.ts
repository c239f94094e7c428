// names.env at the root of the repository: the release, object, image and host names several tools share.
import { envFileValue, readEnvFile } from './env-file.js';

export const sharedNamesFile = 'names.env';

/** The KEY=value lines of names.env, in file order. */
export function sharedNames(): Map<string, string> {
  return readEnvFile(sharedNamesFile);
}

/** One name; throws when names.env does not define it. */
export function sharedName(name: string): string {
  return envFileValue(sharedNamesFile, name);
}

/** The image the e2e builds and loads, as scripts/e2e-kind/lib.sh's E2E_IMAGE composes it. */
export function e2eImage(): string {
  return `${sharedName('IMAGE_NAME')}:${sharedName('E2E_IMAGE_TAG')}`;
}
