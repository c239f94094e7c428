// `npm run test:cluster`: the chart, its upgrades, k8s/ and Skaffold on the local cluster (npm run cluster:up).
// Its files are listed, not globbed: they run in this order (the control plane first, Skaffold last) and the
// first failure stops the run, since every later file needs what an earlier one checked.
const base = require('../../.mocharc.cjs');

module.exports = {
  ...base,
  spec: [
    'test/cluster/control-plane.test.ts',
    'test/cluster/network-policy-enforcement.test.ts',
    'test/cluster/chart.test.ts',
    'test/cluster/redis-replication.test.ts',
    'test/cluster/manifests.test.ts',
    'test/cluster/skaffold.test.ts',
  ],
  require: ['test/cluster/hooks.ts'],
  timeout: 600000,
  slow: 60000,
  bail: true,
};
