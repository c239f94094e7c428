// One or more suites of test/tiers/suites.cjs alone, named by SUITE (comma-separated): the per-folder npm
// scripts (`npm run test:chart`, `npm run smoke`, ...). A config, because mocha adds files named on the
// command line to a config's own instead of narrowing them.
const { config } = require('./suites.cjs');

const names = (process.env.SUITE ?? '').split(',').filter((name) => name !== '');
module.exports = config(names);
