// Checks an answer of the service against src/openapi.ts: the status is documented for the operation, the
// documented headers are there and well-formed, and a JSON body matches its schema. The integration and
// smoke suites send their requests through this, so the document cannot drift from what the service does.
import { Ajv2020 } from 'ajv/dist/2020.js';
import { OPENAPI_DOCUMENT } from '../../src/openapi.js';

type Json = Record<string, unknown>;

const DOCUMENT_ID = 'openapi.json';
const ajv = new Ajv2020({ strict: false, allErrors: true });
ajv.addSchema(OPENAPI_DOCUMENT, DOCUMENT_ID);

/** Answers any path may give, described once in components.responses (see the document's description). */
const ANY_PATH: Record<number, string> = { 404: 'NotFound', 405: 'MethodNotAllowed', 413: 'PayloadTooLarge', 500: 'InternalError' };

const paths = OPENAPI_DOCUMENT.paths as Record<string, Json>;
// Literal paths first: /api/views is not the page "" of /api/views/{page}.
const templates = Object.keys(paths)
  .sort((a, b) => Number(a.includes('{')) - Number(b.includes('{')))
  .map((template) => ({
    template,
    pattern: new RegExp(`^${template.replace(/[.]/g, '\\.').replace(/\{[^}]+\}/g, '(.*)')}$`),
  }));

function pointer(...segments: string[]): string {
  return `${DOCUMENT_ID}#/${segments.map((s) => s.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`;
}

/** Follows a local $ref; returns the object and the JSON pointer it lives at. */
function resolve(value: Json, at: string): { value: Json; at: string } {
  const target = value.$ref;
  if (typeof target !== 'string') return { value, at };
  const segments = target.replace(/^#\//, '').split('/');
  let node: unknown = OPENAPI_DOCUMENT;
  for (const segment of segments) node = (node as Json)[segment];
  return { value: node as Json, at: pointer(...segments) };
}

function schemaProblems(at: string, data: unknown, what: string): string[] {
  const validate = ajv.getSchema(at) ?? ajv.compile({ $ref: at });
  if (validate(data)) return [];
  return (validate.errors ?? []).map((e) => `${what}${e.instancePath} ${e.message ?? 'is invalid'}`);
}

/** What is wrong with this answer according to the document; empty when it conforms. */
export function openApiProblems(method: string, rawPath: string, status: number, headers: Headers, body: string): string[] {
  const path = rawPath.split('?')[0] ?? '';
  const match = templates.find(({ pattern }) => pattern.test(path));
  const verb = method.toLowerCase();
  const operations = match === undefined ? undefined : paths[match.template];
  // Koa's router answers HEAD for every GET route and OPTIONS (200 with Allow) for every route.
  const operation = (operations?.[verb] ?? (verb === 'head' ? operations?.get : undefined)) as Json | undefined;
  const problems: string[] = [];
  if (headers.get('x-request-id') === null) problems.push('no X-Request-Id header');
  let documented: { value: Json; at: string } | undefined;
  const declared = (operation?.responses as Json | undefined)?.[String(status)] as Json | undefined;
  if (declared !== undefined && match !== undefined) {
    documented = resolve(declared, pointer('paths', match.template, operation === operations?.[verb] ? verb : 'get', 'responses', String(status)));
  } else if (verb === 'options' && operations !== undefined && status === 200) {
    documented = { value: { headers: { Allow: { $ref: '#/components/headers/Allow' } } }, at: '' };
  } else if (ANY_PATH[status] !== undefined && (operation === undefined || status !== 404 || match === undefined)) {
    documented = resolve({ $ref: `#/components/responses/${ANY_PATH[status]}` }, '');
  }
  if (documented === undefined) {
    return [...problems, `status ${status} is not documented for ${method} ${match?.template ?? path}`];
  }
  for (const [name, declaredHeader] of Object.entries((documented.value.headers as Json | undefined) ?? {})) {
    const { value: spec, at } = resolve(declaredHeader as Json, '');
    const actual = headers.get(name);
    if (actual === null) {
      if (spec.required === true) problems.push(`no ${name} header`);
    } else {
      problems.push(...schemaProblems(`${at}/schema`, actual, `header ${name}`));
    }
  }
  const content = documented.value.content as Json | undefined;
  if (content === undefined || method === 'HEAD' || status === 204) return problems;
  const mediaType = (headers.get('content-type') ?? '').split(';')[0]?.trim() ?? '';
  if (!(mediaType in content)) return [...problems, `content type "${mediaType}" is not one of ${Object.keys(content).join(', ')}`];
  if (mediaType === 'application/json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return [...problems, 'the body is not JSON'];
    }
    const mediaAt = documented.at === '' ? undefined : `${documented.at}/content/application~1json/schema`;
    const schema = (content['application/json'] as Json).schema as Json;
    problems.push(...schemaProblems(mediaAt ?? resolve(schema, '').at, parsed, 'body'));
  }
  return problems;
}

/** Throws, naming every mismatch, if the answer does not conform to the document. */
export function expectConforms(method: string, path: string, status: number, headers: Headers, body: string): void {
  const problems = openApiProblems(method, path, status, headers, body);
  if (problems.length > 0) throw new Error(`${method} ${path} answered ${status}, which src/openapi.ts does not describe: ${problems.join('; ')}`);
}

/** fetch, and the answer checked against the document (the body stays readable). */
export async function checkedFetch(url: string, init: RequestInit = {}): Promise<Response> {
  const response = await fetch(url, init);
  const { pathname, search } = new URL(url);
  expectConforms(init.method ?? 'GET', `${pathname}${search}`, response.status, response.headers, await response.clone().text());
  return response;
}
