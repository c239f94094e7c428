// skaffold.yaml read as data: its artifacts, helm releases and kustomize paths across the main config and
// every profile, so the tests can check each of them without Skaffold (which the CI machine cannot run).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { repoRoot } from '../support/helm.js';

export const skaffoldFile = path.join(repoRoot, 'skaffold.yaml');
export const skaffoldSchemaFile = path.join(repoRoot, 'schemas', 'skaffold-v4beta13.json');

export interface Artifact {
  image: string;
  context?: string;
  docker?: { dockerfile?: string; target?: string };
  sync?: { manual?: { src: string; dest: string; strip?: string }[] };
}

export interface HelmRelease {
  name: string;
  chartPath?: string;
  namespace?: string;
  valuesFiles?: string[];
  setValues?: Record<string, unknown>;
  setValueTemplates?: Record<string, string>;
}

export interface PortForward {
  resourceType: string;
  resourceName: string;
  namespace?: string;
  port: number | string;
  localPort?: number;
}

interface Sections {
  build?: { artifacts?: Artifact[] };
  deploy?: { helm?: { releases?: HelmRelease[] }; kubectl?: object };
  manifests?: { kustomize?: { paths?: string[] }; rawYaml?: string[]; hooks?: { before?: { host?: { command: string[] } }[]; after?: { host?: { command: string[] } }[] } };
  portForward?: PortForward[];
}

export interface Profile extends Sections {
  name: string;
  activation?: { command?: string }[];
  patches?: { op: string; path: string; value?: unknown }[];
}

export interface SkaffoldConfig extends Sections {
  apiVersion: string;
  kind: string;
  profiles?: Profile[];
}

export async function readSkaffold(): Promise<{ text: string; config: SkaffoldConfig }> {
  const text = await readFile(skaffoldFile, 'utf8');
  return { text, config: parse(text) as SkaffoldConfig };
}

/** The main config and each profile, named, for checks that apply to every one of them. */
export function sectionsOf(config: SkaffoldConfig): [string, Sections][] {
  return [['main config', config], ...(config.profiles ?? []).map((p): [string, Sections] => [`profile ${p.name}`, p])];
}

/** Skaffold's template variable suffix for an image: IMAGE_REPO_<this> (non-alphanumerics become _). */
export function templateSuffix(image: string): string {
  return image.replace(/[^A-Za-z0-9]/g, '_');
}

/** A path glob (`*`, `**`) as a regular expression over repository-relative paths. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (glob.startsWith('**/', i)) {
      re += '(?:.*/)?';
      i += 2;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** Follows a JSON pointer (/a/b/0) through plain data; undefined when any step is missing. */
export function atPointer(data: unknown, pointer: string): unknown {
  let here = data;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (typeof here !== 'object' || here === null) return undefined;
    here = (here as Record<string, unknown>)[key];
  }
  return here;
}
