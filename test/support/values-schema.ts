// Whether a dotted values key (image.tag, redis.auth.password) is declared by the chart's values.schema.json.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { chartDir } from './chart.js';

interface SchemaNode {
  $ref?: string;
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  definitions?: Record<string, SchemaNode>;
}

export async function readValuesSchema(): Promise<SchemaNode> {
  return JSON.parse(await readFile(path.join(chartDir, 'values.schema.json'), 'utf8')) as SchemaNode;
}

function resolve(root: SchemaNode, node: SchemaNode): SchemaNode {
  let here = node;
  for (let hops = 0; here.$ref !== undefined; hops++) {
    const name = /^#\/definitions\/(.+)$/.exec(here.$ref)?.[1];
    const target = name === undefined ? undefined : root.definitions?.[name];
    if (target === undefined || hops > 20) throw new Error(`values.schema.json: cannot follow $ref ${here.$ref}`);
    here = target;
  }
  return here;
}

/** The key's path through properties (array indexes go through items); undefined when a step is not declared. */
export function schemaFor(root: SchemaNode, dottedKey: string): SchemaNode | undefined {
  let here = resolve(root, root);
  for (const part of dottedKey.split('.')) {
    const index = /^\w+\[(\d+)\]$/.exec(part);
    const name = index ? part.slice(0, part.indexOf('[')) : part;
    const next = here.properties?.[name];
    if (next === undefined) return undefined;
    here = resolve(root, next);
    if (index) {
      if (here.items === undefined) return undefined;
      here = resolve(root, here.items);
    }
  }
  return here;
}
