// The app's environment as the chart sets it, against the service's own config module (src/config.ts).
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { IEnvVar } from 'kubernetes-models/v1/EnvVar';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import type { KubeObject } from '../support/kube-object.js';
import { renderChart, renderChartError } from '../support/chart.js';
import { oneOf } from '../support/kube-typed.js';
import { renderValuesFile, shortName, valuesFiles } from './matrix.js';

interface ConfigModule {
  ENV_VARIABLES: readonly string[];
  loadConfig: (env: NodeJS.ProcessEnv) => unknown;
}

// Loaded at run time from a path in a variable: src/config.ts comes from the service's branch, and the
// chart's branch must still typecheck before that merge. Without it these tests fail (they never skip).
const configModulePath = '../../src/config.js';

async function loadConfigModule(): Promise<ConfigModule> {
  let mod: Partial<ConfigModule>;
  try {
    mod = (await import(configModulePath)) as Partial<ConfigModule>;
  } catch (err) {
    throw new Error(`cannot import src/config.ts (the service's config module, which the chart is checked against): ${(err as Error).message}`, { cause: err });
  }
  if (!Array.isArray(mod.ENV_VARIABLES) || typeof mod.loadConfig !== 'function') {
    throw new Error('src/config.ts must export ENV_VARIABLES (string[]) and loadConfig(env)');
  }
  return mod as ConfigModule;
}

function appPod(objects: readonly KubeObject[]): IPodSpec | undefined {
  return oneOf(objects, 'Deployment', 'page-tracker').spec?.template.spec;
}

function appEnv(objects: readonly KubeObject[]): IEnvVar[] {
  return appPod(objects)?.containers[0]?.env ?? [];
}

/** The stand-in for every secret: as long as the longest minimum a secret has (VISITOR_SECRET's 32 characters). */
const STAND_IN = 'secret-from-kubernetes-of-32-chars';

/**
 * The environment the container would see, with values from Secrets replaced by the stand-in. A `*_FILE`
 * variable must name a file of a Secret the pod mounts (its volume's mount path and item path); it is
 * pointed at a temp file holding the stand-in, so loadConfig reads a real file.
 */
function resolvedEnv(objects: readonly KubeObject[]): NodeJS.ProcessEnv {
  const pod = appPod(objects);
  const container = pod?.containers[0];
  const dir = mkdtempSync(path.join(os.tmpdir(), 'chart-env-'));
  const resolved: NodeJS.ProcessEnv = {};
  for (const e of container?.env ?? []) {
    if (e.valueFrom?.secretKeyRef) {
      resolved[e.name] = STAND_IN;
    } else if (e.name.endsWith('_FILE') && e.value !== undefined) {
      const mount = container?.volumeMounts?.find((m) => path.dirname(e.value!) === m.mountPath);
      const volume = pod?.volumes?.find((v) => v.name === mount?.name);
      const items = [...(volume?.secret?.items ?? []), ...(volume?.projected?.sources ?? []).flatMap((source) => source.secret?.items ?? [])];
      expect(items.map((item) => item.path), `${e.name}=${e.value}: a file of a mounted Secret`).to.include(path.basename(e.value));
      const file = path.join(dir, e.name);
      writeFileSync(file, STAND_IN);
      resolved[e.name] = file;
    } else {
      resolved[e.name] = e.value;
    }
  }
  return resolved;
}

describe('chart: the app environment matches the service configuration', function () {
  let config: ConfigModule;
  before(async function () {
    config = await loadConfigModule();
  });

  for (const file of valuesFiles) {
    describe(`with ${shortName(file)}`, function () {
      it('sets only variables the service reads (ENV_VARIABLES in src/config.ts)', async function () {
        const { ENV_VARIABLES } = config;
        const names = appEnv(await renderValuesFile(file)).map((e) => e.name);
        expect(names.filter((n) => !ENV_VARIABLES.includes(n)), 'variables the service does not read').to.deep.equal([]);
        expect(new Set(names).size, 'a variable set twice').to.equal(names.length);
      });

      it('sets NODE_ENV=production and therefore one way to reach Redis, REDIS_URL without a password in it', async function () {
        const env = resolvedEnv(await renderValuesFile(file));
        expect(env.NODE_ENV).to.equal('production');
        const ways = ['REDIS_URL', 'REDIS_SENTINELS', 'REDIS_CLUSTER_NODES'].filter((name) => env[name] !== undefined);
        expect(ways, 'how the app reaches Redis').to.have.length(1);
        if (ways[0] === 'REDIS_URL') expect(env.REDIS_URL).to.match(/^rediss?:\/\/[a-z0-9.-]+:\d+$/);
      });

      it('gives an environment the service\'s loadConfig accepts', async function () {
        const env = resolvedEnv(await renderValuesFile(file));
        expect(() => config.loadConfig(env)).not.to.throw();
      });
    });
  }
});

describe('chart: the app environment with the e2e values (test/e2e/kind-values.yaml)', function () {
  // Helm reads a YAML number as a float64, which `quote` alone prints as 1e+09: the limits there are 10^9.
  it('writes large whole numbers as digits, in an environment loadConfig accepts', async function () {
    const config = await loadConfigModule();
    const env = resolvedEnv(await renderValuesFile('test/e2e/kind-values.yaml'));
    expect(env.RATE_LIMIT_VIEWS_PER_MINUTE).to.equal('1000000000');
    expect(env.NEW_PAGES_PER_CLIENT_PER_HOUR).to.equal('1000000000');
    expect(() => config.loadConfig(env)).not.to.throw();
  });
});

describe('chart: the app environment defaults', function () {
  let config: ConfigModule;
  before(async function () {
    config = await loadConfigModule();
  });

  it('sets the values the issue asks for by default: behind a proxy, 5 s shutdown delay, grace period above delay + drain', async function () {
    const objects = await renderValuesFile(valuesFiles.find((f) => shortName(f) === 'defaults')!);
    const env = resolvedEnv(objects);
    expect(env).to.include({ TRUST_PROXY: 'true', SHUTDOWN_DELAY_SECONDS: '5', PORT: '8080', METRICS_PORT: '9100', REDIS_URL: 'redis://page-tracker-redis:6379' });
    const grace = oneOf(objects, 'Deployment', 'page-tracker').spec?.template.spec?.terminationGracePeriodSeconds ?? 0;
    expect(grace).to.be.above(Number(env.SHUTDOWN_DELAY_SECONDS) + Number(env.SHUTDOWN_TIMEOUT_SECONDS));
  });

  it('sets no ALLOWED_ORIGINS by default; config.allowedOrigins becomes one comma-separated value the service accepts', async function () {
    expect(resolvedEnv(await renderChart())).to.not.have.property('ALLOWED_ORIGINS');
    const env = resolvedEnv(await renderChart({ sets: { 'config.allowedOrigins': '{https://example.com,http://127.0.0.1:8080}' } }));
    expect(env.ALLOWED_ORIGINS).to.equal('https://example.com,http://127.0.0.1:8080');
    expect((config.loadConfig(env) as { allowedOrigins: string[] }).allowedOrigins).to.deep.equal(['https://example.com', 'http://127.0.0.1:8080']);
  });

  it('refuses an allowedOrigins entry that is not an origin', async function () {
    expect(await renderChartError({ sets: { 'config.allowedOrigins': '{https://example.com/path}' } })).to.match(/allowedOrigins/);
  });
});
