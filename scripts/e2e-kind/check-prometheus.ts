// Asks a running Prometheus (the kind e2e's, through a port-forward) whether it scrapes the app and has
// loaded the chart's rules. Polls, because the operator reloads Prometheus a few seconds after the chart's
// ServiceMonitor and PrometheusRule appear. Used by scripts/e2e-kind/prometheus.sh.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { parse } from 'yaml';

interface Target {
  labels: Record<string, string>;
  scrapePool: string;
  health: 'up' | 'down' | 'unknown';
  lastError: string;
}
interface RuleGroup {
  name: string;
  file: string;
  rules: { name: string; health: string; lastError?: string }[];
}
interface RuleFile {
  groups: { name: string; rules: unknown[] }[];
}

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    namespace: { type: 'string' },
    service: { type: 'string' },
    targets: { type: 'string' },
    rules: { type: 'string' },
    'timeout-seconds': { type: 'string', default: '180' },
  },
});
const required = (name: keyof typeof values): string => {
  const value = values[name];
  if (typeof value !== 'string' || value === '') throw new Error(`--${name} is required`);
  return value;
};

const prometheusUrl = required('url');
const namespace = required('namespace');
const service = required('service');
const expectedTargets = Number(required('targets'));
const ruleFile = parse(await readFile(required('rules'), 'utf8')) as RuleFile;
const deadline = Date.now() + Number(values['timeout-seconds']) * 1000;

async function api<T>(path: string): Promise<T> {
  const response = await fetch(new URL(path, prometheusUrl));
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  const body = (await response.json()) as { status: string; data: T };
  if (body.status !== 'success') throw new Error(`${path}: status ${body.status}`);
  return body.data;
}

// Returns why the targets are not as wanted yet, or undefined when they are.
async function targetProblem(): Promise<string | undefined> {
  const { activeTargets } = await api<{ activeTargets: Target[] }>('/api/v1/targets?state=active');
  const ours = activeTargets.filter((t) => t.labels.namespace === namespace && t.labels.service === service);
  const up = ours.filter((t) => t.health === 'up');
  if (up.length >= expectedTargets) {
    console.log(`targets: ${up.length} of ${ours.length} up (${ours.map((t) => t.scrapePool).join(', ')})`);
    return undefined;
  }
  const errors = ours.map((t) => `${t.labels.instance ?? '?'} ${t.health} ${t.lastError}`).join('; ');
  return `${up.length} of ${expectedTargets} targets of service ${namespace}/${service} up [${errors}]`;
}

// Every group of the chart's rule file is loaded from a PrometheusRule of our namespace, with all of
// its rules, and every rule has been evaluated without error.
async function ruleProblem(): Promise<string | undefined> {
  const { groups } = await api<{ groups: RuleGroup[] }>('/api/v1/rules');
  const ours = groups.filter((g) => g.file.includes(`${namespace}-`));
  for (const wanted of ruleFile.groups) {
    const loaded = ours.find((g) => g.name === wanted.name);
    if (loaded === undefined) return `rule group ${wanted.name} not loaded (loaded: ${ours.map((g) => g.name).join(', ') || 'none'})`;
    if (loaded.rules.length !== wanted.rules.length) {
      return `rule group ${wanted.name} has ${loaded.rules.length} rules loaded, the file has ${wanted.rules.length}`;
    }
    const unhealthy = loaded.rules.filter((r) => r.health !== 'ok');
    if (unhealthy.length > 0) {
      return `rules not evaluated cleanly: ${unhealthy.map((r) => `${r.name} ${r.health} ${r.lastError ?? ''}`).join('; ')}`;
    }
  }
  console.log(`rules: ${ruleFile.groups.length} groups loaded and evaluated`);
  return undefined;
}

if (ruleFile.groups.length === 0) throw new Error('the rule file has no groups: nothing to check');
for (const check of [targetProblem, ruleProblem]) {
  for (;;) {
    const problem = await check().catch((error: unknown) => String(error));
    if (problem === undefined) break;
    if (Date.now() > deadline) {
      console.error(`FAIL: ${problem}`);
      process.exit(1);
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}
console.log('Prometheus OK');
