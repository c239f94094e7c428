import { readFileSync } from 'node:fs';

/** What GET /version answers: which build this process runs. */
export interface BuildInfo {
  version: string;
  /** The git commit the image was built from, or 'unknown' outside an image built with REVISION. */
  commit: string;
  /** When the image was built (ISO 8601), or 'unknown' outside an image built with BUILD_DATE. */
  buildDate: string;
  node: string;
}

const UNKNOWN = 'unknown';

function readJson(url: URL): Record<string, unknown> | undefined {
  let raw: string;
  try {
    raw = readFileSync(url, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    return JSON.parse(raw) as Record<string, unknown>;
  } catch (error) {
    throw new Error(`${url.pathname} is not valid JSON`, { cause: error });
  }
}

function text(value: unknown): string {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : UNKNOWN;
}

/**
 * package.json sits one level above both src/ (tests) and dist/ (the build), so one directory serves both.
 * build-info.json beside it is written by the Dockerfile from its REVISION and BUILD_DATE build arguments:
 * a file baked into the image rather than environment variables, which a pod spec could override and which
 * only config.ts reads.
 */
export function readBuildInfo(root = new URL('..', import.meta.url)): BuildInfo {
  const manifest = readJson(new URL('package.json', root));
  if (manifest === undefined) throw new Error(`${new URL('package.json', root).pathname} is missing: the version comes from it`);
  const built = readJson(new URL('build-info.json', root)) ?? {};
  return { version: text(manifest.version), commit: text(built.commit), buildDate: text(built.buildDate), node: process.version };
}
