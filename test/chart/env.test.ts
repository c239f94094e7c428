// The app's environment as the chart sets it, against the service's own config module (src/config.ts).
import { expect } from 'chai';
import type { IEnvVar } from 'kubernetes-models/v1/EnvVar';
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

function appEnv(objects: readonly KubeObject[]): IEnvVar[] {
  return oneOf(objects, 'Deployment', 'page-tracker').spec?.template.spec?.containers[0]?.env ?? [];
}

/**
 * The environment the container would see, with values from Secrets replaced by a stand-in (as long as the
 * longest minimum a secret has: VISITOR_SECRET's 32 characters).
 */
function resolvedEnv(env: readonly IEnvVar[]): NodeJS.ProcessEnv {
  return Object.fromEntries(env.map((e) => [e.name, e.value ?? (e.valueFrom?.secretKeyRef ? 'secret-from-kubernetes-of-32-chars' : undefined)]));
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
        const env = resolvedEnv(appEnv(await renderValuesFile(file)));
        expect(env.NODE_ENV).to.equal('production');
        const ways = ['REDIS_URL', 'REDIS_SENTINELS', 'REDIS_CLUSTER_NODES'].filter((name) => env[name] !== undefined);
        expect(ways, 'how the app reaches Redis').to.have.length(1);
        if (ways[0] === 'REDIS_URL') expect(env.REDIS_URL).to.match(/^rediss?:\/\/[a-z0-9.-]+:\d+$/);
      });

      it('gives an environment the service\'s loadConfig accepts', async function () {
        const env = resolvedEnv(appEnv(await renderValuesFile(file)));
        expect(() => config.loadConfig(env)).not.to.throw();
      });
    });
  }
});

describe('chart: the app environment with the e2e values (test/e2e/kind-values.yaml)', function () {
  // Helm reads a YAML number as a float64, which `quote` alone prints as 1e+09: the limits there are 10^9.
  it('writes large whole numbers as digits, in an environment loadConfig accepts', async function () {
    const config = await loadConfigModule();
    const env = resolvedEnv(appEnv(await renderValuesFile('test/e2e/kind-values.yaml')));
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
    const env = resolvedEnv(appEnv(objects));
    expect(env).to.include({ TRUST_PROXY: 'true', SHUTDOWN_DELAY_SECONDS: '5', PORT: '8080', METRICS_PORT: '9100', REDIS_URL: 'redis://page-tracker-redis:6379' });
    const grace = oneOf(objects, 'Deployment', 'page-tracker').spec?.template.spec?.terminationGracePeriodSeconds ?? 0;
    expect(grace).to.be.above(Number(env.SHUTDOWN_DELAY_SECONDS) + Number(env.SHUTDOWN_TIMEOUT_SECONDS));
  });

  it('sets no ALLOWED_ORIGINS by default; config.allowedOrigins becomes one comma-separated value the service accepts', async function () {
    expect(resolvedEnv(appEnv(await renderChart()))).to.not.have.property('ALLOWED_ORIGINS');
    const env = resolvedEnv(appEnv(await renderChart({ sets: { 'config.allowedOrigins': '{https://example.com,http://127.0.0.1:8080}' } })));
    expect(env.ALLOWED_ORIGINS).to.equal('https://example.com,http://127.0.0.1:8080');
    expect((config.loadConfig(env) as { allowedOrigins: string[] }).allowedOrigins).to.deep.equal(['https://example.com', 'http://127.0.0.1:8080']);
  });

  it('refuses an allowedOrigins entry that is not an origin', async function () {
    expect(await renderChartError({ sets: { 'config.allowedOrigins': '{https://example.com/path}' } })).to.match(/allowedOrigins/);
  });
});
