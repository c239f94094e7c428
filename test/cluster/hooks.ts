// Every cluster suite talks to the local test cluster, through its own kubectl (first on PATH for the
// e2e step scripts and for test/support's kubectl and helm runners).
import { clusterEnv, requireLocalCluster } from '../support/local-cluster.js';

export const mochaHooks = {
  async beforeAll(this: Mocha.Context) {
    this.timeout(30000);
    await requireLocalCluster();
    Object.assign(process.env, clusterEnv());
  },
};
