// Every test folder, the tier it runs in and what it needs beyond the base (.mocharc.cjs); the one place
// that says so. A tier's config (fast.cjs, service.cjs, heavy.cjs) is its folders' globs, so a file added
// to a folder runs without an edit here. test/tiers/cluster.cjs lists its files on its own: they run in order.
const base = require('../../.mocharc.cjs');

/** @type {Record<string, { timeout?: number, slow?: number, require?: string[] }>} */
const suites = {
  unit: {},
  chart: {},
  k8s: {},
  repo: {},
  integration: {},
  prometheus: { timeout: 60000 },
  resilience: { timeout: 120000 },
  clients: { timeout: 60000 },
  // The image is built once for every container file, by root hooks that need a Docker engine.
  container: { timeout: 120000, slow: 20000, require: ['test/container/hooks.ts'] },
  // Not in a tier itself: it runs against any deployment (`npm run smoke`); the service tier runs it against
  // the built service from test/integration/smoke.test.ts.
  smoke: { timeout: 10000 },
};

const tiers = {
  fast: ['unit', 'chart', 'k8s', 'repo'],
  service: ['integration', 'prometheus'],
  heavy: ['resilience', 'clients', 'container'],
};

/**
 * A mocha config running the named suites: their folders, the longest timeout among them and their hooks. No
 * forced exit: every suite ends by itself.
 */
function config(names) {
  const unknown = names.filter((name) => suites[name] === undefined);
  if (names.length === 0 || unknown.length > 0) {
    throw new Error(`unknown test suite ${JSON.stringify(unknown.join(','))}: one of ${Object.keys(suites).join(', ')}`);
  }
  const picked = names.map((name) => suites[name]);
  const slow = Math.max(0, ...picked.map((s) => s.slow ?? 0));
  const hooks = picked.flatMap((s) => s.require ?? []);
  return {
    ...base,
    spec: names.map((name) => `test/${name}/**/*.test.ts`),
    timeout: Math.max(base.timeout, ...picked.map((s) => s.timeout ?? 0)),
    ...(slow > 0 ? { slow } : {}),
    // Left out rather than empty: mocha resolves an empty list as a module of its own.
    ...(hooks.length > 0 ? { require: hooks } : {}),
  };
}

module.exports = { suites, tiers, config, tier: (name) => config(tiers[name]) };
