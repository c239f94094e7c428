// `npm run test:cluster-ha`: the chart's Redis replication (primary, replicas, Sentinels) losing its primary's pod
// under load on the local cluster (npm run cluster:up). Apart from the cluster tier, and not yet in .ci/run: its
// first runs are not yet repeatable (a Sentinel vote split delayed one promotion to 68 s, and one run had 20
// answers 404 among 24,000 that are not explained yet), and a gate that fails by chance stops every change.
const cluster = require('./cluster.cjs');

module.exports = {
  ...cluster,
  spec: ['test/cluster-ha/redis-replication.test.ts'],
};
