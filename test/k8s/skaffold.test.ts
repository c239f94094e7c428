// skaffold.yaml, checked without Skaffold: valid against Skaffold's own schema, and everything it names
// (Dockerfile stages, sync sources, the chart and its values, kustomize paths, hooks, ports) exists.
import { existsSync, readFileSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { expect } from 'chai';
import { chartDir, renderChart } from '../support/chart.js';
import { repoRoot } from '../support/helm.js';
import { oneOf } from '../support/kube-typed.js';
import { readValuesSchema, schemaFor } from '../support/values-schema.js';
import { kustomized } from './kustomized.js';
import { atPointer, globToRegExp, readSkaffold, sectionsOf, skaffoldSchemaFile, templateSuffix, type SkaffoldConfig } from './skaffold-config.js';

// ajv-formats is CommonJS with its plugin on .default under NodeNext.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

function skaffoldValidator(): (data: unknown) => ErrorObject[] {
  const ajv = new Ajv({ allErrors: true });
  // Annotations Skaffold's generator adds for IDEs; they constrain nothing.
  ajv.addKeyword('x-intellij-html-description');
  ajv.addKeyword('preferredOrder');
  addFormats(ajv);
  const validate = ajv.compile(JSON.parse(readFileSync(skaffoldSchemaFile, 'utf8')) as object);
  return (data) => (validate(data) ? [] : [...(validate.errors ?? [])]);
}

async function filesUnder(dir: string): Promise<string[]> {
  if (!existsSync(path.join(repoRoot, dir))) throw new Error(`${dir} does not exist, so a sync rule under it matches nothing`);
  const entries = await readdir(path.join(repoRoot, dir), { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.relative(repoRoot, path.join(e.parentPath, e.name)));
}

function dockerfileStages(text: string): string[] {
  return [...text.matchAll(/^FROM\s+\S+\s+AS\s+(\S+)\s*$/gim)].map((m) => m[1]!.toLowerCase());
}

/** setValueTemplates with Skaffold's image variables replaced by a sample built image. */
function renderTemplates(templates: Record<string, string>, config: SkaffoldConfig, repo: string, tag: string): Record<string, string> {
  const images = new Set((config.build?.artifacts ?? []).map((a) => templateSuffix(a.image)));
  const out: Record<string, string> = {};
  for (const [key, template] of Object.entries(templates)) {
    out[key] = template.replace(/\{\{\s*\.IMAGE_(REPO|TAG)_(\w+)\s*\}\}/g, (_m, part: string, image: string) => {
      if (!images.has(image)) throw new Error(`${key}: ${template} names no artifact (artifacts: ${[...images].join(', ')})`);
      return part === 'REPO' ? repo : tag;
    });
    if (out[key].includes('{{')) throw new Error(`${key}: ${template} uses a template this test does not know`);
  }
  return out;
}

describe('skaffold.yaml', function () {
  this.timeout(60_000);

  it('is valid against Skaffold\'s v4beta13 JSON schema (schemas/, draft-07)', async function () {
    const { config } = await readSkaffold();
    expect(config.apiVersion).to.equal('skaffold/v4beta13');
    expect(config.kind).to.equal('Config');
    expect(skaffoldValidator()(config)).to.deep.equal([]);
  });

  it('fails that validation for a misspelt field (the validator is live)', async function () {
    const { config } = await readSkaffold();
    const broken = structuredClone(config) as unknown as { portForward: Record<string, unknown>[] };
    broken.portForward[0]!.locallPort = 8080;
    const errors = skaffoldValidator()(broken);
    expect(errors.map((e) => `${e.instancePath} ${e.message}`).join('\n')).to.match(/\/portForward\/0 must NOT have additional properties/);
  });

  it('builds every artifact from an existing context and Dockerfile stage', async function () {
    const { config } = await readSkaffold();
    let artifacts = 0;
    for (const [where, sections] of sectionsOf(config)) {
      for (const a of sections.build?.artifacts ?? []) {
        artifacts++;
        expect(a.image, where).to.equal('page-tracker');
        const context = path.join(repoRoot, a.context ?? '.');
        expect((await stat(context)).isDirectory(), `${where}: context ${a.context}`).to.equal(true);
        const dockerfile = path.join(context, a.docker?.dockerfile ?? 'Dockerfile');
        expect(existsSync(dockerfile), `${where}: ${dockerfile} is missing`).to.equal(true);
        if (a.docker?.target) {
          expect(dockerfileStages(await readFile(dockerfile, 'utf8')), `${where}: stage ${a.docker.target}`).to.include(a.docker.target);
        }
      }
    }
    expect(artifacts).to.be.greaterThan(0);
  });

  it('leaves the runtime image as what a plain docker build makes: the Dockerfile\'s last stage is runtime', async function () {
    const froms = [...(await readFile(path.join(repoRoot, 'Dockerfile'), 'utf8')).matchAll(/^FROM\s+(\S+)/gim)].map((m) => m[1]);
    expect(froms.at(-1)).to.equal('runtime');
  });

  it('syncs sources that exist into /tmp, the writable emptyDir of the read-only app pod, with the dev stage', async function () {
    const { config } = await readSkaffold();
    const synced = sectionsOf(config).flatMap(([where, s]) => (s.build?.artifacts ?? []).filter((a) => a.sync).map((a) => [where, a] as const));
    expect(synced.map(([where]) => where)).to.deep.equal(['profile dev']);
    const tmpMount = oneOf(await renderChart(), 'Deployment', 'page-tracker').spec?.template.spec?.containers[0]?.volumeMounts?.find((m) => m.mountPath === '/tmp');
    expect(tmpMount, 'the chart mounts a writable /tmp').to.not.equal(undefined);
    for (const [where, a] of synced) {
      expect(a.docker?.target, `${where}: only the dev stage restarts on synced files`).to.equal('dev');
      for (const rule of a.sync?.manual ?? []) {
        const staticPrefix = rule.src.split(/[*?]/)[0]!;
        const matches = (await filesUnder(staticPrefix)).filter((f) => globToRegExp(rule.src).test(f));
        expect(matches, `${where}: ${rule.src} matches no file`).to.have.length.greaterThan(0);
        expect(rule.dest === '/tmp' || rule.dest.startsWith('/tmp/'), `${where}: ${rule.dest} must be under /tmp`).to.equal(true);
      }
      const dockerfile = await readFile(path.join(repoRoot, a.docker?.dockerfile ?? 'Dockerfile'), 'utf8');
      const devStage = dockerfile.slice(dockerfile.search(/^FROM\s+\S+\s+AS\s+dev\s*$/im));
      for (const rule of a.sync?.manual ?? []) expect(devStage, `the dev stage runs from ${rule.dest}`).to.include(rule.dest);
    }
  });

  it('deploys the chart, and sets only values its values.schema.json declares', async function () {
    const { config } = await readSkaffold();
    const schema = await readValuesSchema();
    const releases = sectionsOf(config).flatMap(([where, s]) => (s.deploy?.helm?.releases ?? []).map((r) => [where, r] as const));
    expect(releases).to.have.length.greaterThan(0);
    expect(schemaFor(schema, 'image.tagg'), 'the schema lookup is live').to.equal(undefined);
    expect(schemaFor(schema, 'ingress.hosts[0].host')).to.not.equal(undefined);
    for (const [where, r] of releases) {
      expect(path.resolve(repoRoot, r.chartPath ?? ''), `${where}: chartPath`).to.equal(chartDir);
      for (const file of r.valuesFiles ?? []) expect(existsSync(path.join(repoRoot, file)), `${where}: ${file}`).to.equal(true);
      for (const key of [...Object.keys(r.setValues ?? {}), ...Object.keys(r.setValueTemplates ?? {})]) {
        expect(schemaFor(schema, key), `${where}: ${key} is not in charts/page-tracker/values.schema.json`).to.not.equal(undefined);
      }
    }
  });

  it('injects the built image into the chart: helm renders the app with it', async function () {
    const { config } = await readSkaffold();
    const release = config.deploy?.helm?.releases?.[0];
    const templates = renderTemplates(release?.setValueTemplates ?? {}, config, 'page-tracker', 'c0ffee1-dirty');
    expect(Object.keys(templates)).to.include.members(['image.repository', 'image.tag']);
    const sets = Object.fromEntries(Object.entries(release?.setValues ?? {}).map(([k, v]) => [k, String(v)]));
    const objects = await renderChart({ sets, setStrings: templates });
    const deployment = oneOf(objects, 'Deployment', 'page-tracker');
    expect(deployment.spec?.template.spec?.containers[0]?.image).to.equal('page-tracker:c0ffee1-dirty');
    expect(deployment.spec?.replicas).to.equal(1);
  });

  it('deploys k8s/ with kustomize in the raw profile, instead of (not besides) the chart', async function () {
    const { config } = await readSkaffold();
    const raw = config.profiles?.find((p) => p.name === 'raw');
    expect(raw?.manifests?.kustomize?.paths).to.deep.equal(['k8s/overlays/dev']);
    for (const p of raw?.manifests?.kustomize?.paths ?? []) expect(existsSync(path.join(repoRoot, p, 'kustomization.yaml')), p).to.equal(true);
    expect(raw?.deploy?.kubectl).to.deep.equal({});
    expect(raw?.patches).to.deep.include({ op: 'remove', path: '/deploy/helm' });
    // The dev overlay's image is the artifact's name, which is how Skaffold finds where to put its build.
    const image = oneOf((await kustomized()).dev, 'Deployment', 'page-tracker').spec?.template.spec?.containers[0]?.image ?? '';
    expect(image.split(':')[0]).to.equal(config.build?.artifacts?.[0]?.image);
  });

  it('points every patch and hook at something that exists', async function () {
    const { config } = await readSkaffold();
    for (const p of config.profiles ?? []) {
      for (const patch of p.patches ?? []) {
        if (patch.op === 'remove' || patch.op === 'replace') expect(atPointer(config, patch.path), `profile ${p.name}: ${patch.path}`).to.not.equal(undefined);
      }
      for (const hook of [...(p.manifests?.hooks?.before ?? []), ...(p.manifests?.hooks?.after ?? [])]) {
        const command = hook.host?.command[0] ?? '';
        if (command.includes('/')) expect((await stat(path.join(repoRoot, command))).mode & 0o111, `profile ${p.name}: ${command} is executable`).to.not.equal(0);
      }
    }
  });

  it('forwards localhost:8080 and :9100 to the app Service ports that serve visitors and metrics', async function () {
    const { config } = await readSkaffold();
    const forwards = config.portForward ?? [];
    const service = oneOf(await renderChart(), 'Service', 'page-tracker');
    const byName = new Map((service.spec?.ports ?? []).map((p) => [p.name, p.port]));
    expect(forwards.map((f) => [f.resourceType, f.resourceName, f.namespace, f.port, f.localPort])).to.deep.equal([
      ['service', 'page-tracker', 'page-tracker', byName.get('http'), 8080],
      ['service', 'page-tracker', 'page-tracker', byName.get('metrics'), 9100],
    ]);
    const rawService = oneOf((await kustomized()).dev, 'Service', 'page-tracker');
    expect(rawService.spec?.ports?.map((p) => p.port)).to.deep.equal([byName.get('http'), byName.get('metrics')]);
  });
});

describe('schemas/', function () {
  it('says where the Skaffold schema comes from and its license', async function () {
    const readme = await readFile(path.join(repoRoot, 'schemas', 'README.md'), 'utf8');
    expect(readme).to.include('GoogleContainerTools/skaffold').and.include('docs-v2/content/en/schemas/').and.include('Apache-2.0');
    const schema = JSON.parse(await readFile(skaffoldSchemaFile, 'utf8')) as { $schema: string };
    expect(schema.$schema).to.equal('http://json-schema.org/draft-07/schema#');
  });
});
