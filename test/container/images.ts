// The images the container tests use, read from the files that name them (nothing restated here).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot, uniqueName } from '../support/docker.js';

/** The `image:` of a top-level service in compose.yaml (two-space indented services). */
function composeServiceImage(service: string): string {
  const compose = readFileSync(path.join(repoRoot, 'compose.yaml'), 'utf8');
  const block = new RegExp(`^ {2}${service}:\\n((?:(?: {4}.*)?\\n)*)`, 'm').exec(compose)?.[1] ?? '';
  const image = /^ {4}image:\s*"?([^"\s]+)"?\s*$/m.exec(block)?.[1];
  if (!image) throw new Error(`compose.yaml: service ${service} names no image`);
  return image;
}

export const redisImage = composeServiceImage('redis');

/**
 * The image the plain-docker tests run, built from the Dockerfile by the root hook under a tag of this
 * run only: compose's `up --build` retags compose.yaml's page-tracker:dev (without build args) meanwhile.
 */
export const runtimeImage = uniqueName(composeServiceImage('app').replace(/:.*$/, ':ct'));

const packageJson = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string };
export const buildArgs = {
  VERSION: packageJson.version,
  REVISION: 'container-test',
  BUILD_DATE: '2026-12-01T10:00:00Z',
  SOURCE: 'https://example.test/page-tracker',
};
