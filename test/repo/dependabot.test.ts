// Dependabot's configuration cannot be tried here (it runs on GitHub only), so this holds it to the
// published schema of dependabot.yml and to the files it is meant to watch.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { expect } from 'chai';
import { parse } from 'yaml';
import { repoRoot } from '../../scripts/lib/workflows.js';

interface Update {
  'package-ecosystem': string;
  directory: string;
  groups?: object;
  'multi-ecosystem-group'?: string;
  ignore?: { 'dependency-name': string; 'update-types'?: string[] }[];
}
interface DependabotConfig { updates: Update[]; 'multi-ecosystem-groups'?: Record<string, object> }

const read = (path: string): string => readFileSync(join(repoRoot, path), 'utf8');
const config = parse(read('.github/dependabot.yml')) as DependabotConfig;
const update = (ecosystem: string): Update => {
  const found = config.updates.find((u) => u['package-ecosystem'] === ecosystem);
  if (found === undefined) throw new Error(`.github/dependabot.yml has no ${ecosystem} update`);
  return found;
};

describe('Dependabot (.github/dependabot.yml)', function () {
  it('matches the dependabot.yml schema (schemas/dependabot-2.0.json), which rejects a misspelt ecosystem', function () {
    const ajv = new Ajv({ allErrors: true, strict: false });
    const validate = ajv.compile(JSON.parse(read('schemas/dependabot-2.0.json')) as object);
    expect(validate(config), ajv.errorsText(validate.errors)).to.equal(true);
    const misspelt = structuredClone(config);
    if (misspelt.updates[0] !== undefined) misspelt.updates[0]['package-ecosystem'] = 'nmp';
    expect(validate(misspelt)).to.equal(false);
  });

  it('watches npm, the Dockerfile, compose.yaml, the chart and the actions, each in a folder that holds them', function () {
    const watched: Record<string, string> = {
      npm: 'package.json',
      docker: 'Dockerfile',
      'docker-compose': 'compose.yaml',
      helm: 'values.yaml',
      'github-actions': '.github/workflows/ci.yml',
    };
    for (const [ecosystem, file] of Object.entries(watched)) {
      const { directory } = update(ecosystem);
      expect(existsSync(join(repoRoot, directory, file)), `${ecosystem}: ${directory} holds ${file}`).to.equal(true);
    }
    expect(update('helm').directory).to.equal('/charts/page-tracker');
  });

  it('batches every update: a group of its own ecosystem or a multi-ecosystem group the file defines', function () {
    const multiGroups = Object.keys(config['multi-ecosystem-groups'] ?? {});
    for (const u of config.updates) {
      const multi = u['multi-ecosystem-group'];
      if (multi !== undefined) expect(multiGroups, `${u['package-ecosystem']}: multi-ecosystem group ${multi}`).to.include(multi);
      else expect(u.groups, `${u['package-ecosystem']} is grouped`).to.be.an('object');
    }
  });

  it('bumps the Redis image of compose.yaml and of the chart in one pull request, and they are the same image', function () {
    const compose = parse(read('compose.yaml')) as { services: Record<string, { image?: string }> };
    const values = parse(read('charts/page-tracker/values.yaml')) as { redis: { image: { registry: string; repository: string; tag: string } } };
    const chartImage = values.redis.image;
    expect(chartImage.registry).to.equal('');
    expect(compose.services.redis?.image).to.equal(`${chartImage.repository}:${chartImage.tag}`);
    const composeGroup = update('docker-compose')['multi-ecosystem-group'];
    expect(composeGroup).to.be.a('string');
    expect(update('helm')['multi-ecosystem-group']).to.equal(composeGroup);
  });

  it('keeps Node on its major (the next LTS major is a hand-bump with engines, the CI matrix and the README)', function () {
    const nodeIgnores = (update('docker').ignore ?? []).filter((i) => i['dependency-name'] === 'node');
    expect(nodeIgnores.flatMap((i) => i['update-types'] ?? [])).to.include('version-update:semver-major');
    expect(read('Dockerfile')).to.match(/^FROM node:\d+\.\d+\.\d+-/m);
  });
});
