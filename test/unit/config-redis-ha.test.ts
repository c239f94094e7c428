// Sentinel, Cluster and the replica acknowledgement: the ways to reach Redis exclude each other, and each
// mistake is refused at start naming the variable to change.
import { expect } from 'chai';
import { refusal } from '../support/config-refusal.js';
import { loadConfig } from '../../src/config.js';

describe('config: Redis Sentinel, Redis Cluster and REDIS_MIN_REPLICAS_ACK', () => {
  it('reads the Sentinels (IPv6 in brackets), the primary name, and uses REDIS_PASSWORD for Sentinel when it has none of its own', () => {
    const config = loadConfig({ REDIS_SENTINELS: 'sentinel-0:26379, [::1]:26380,10.0.0.7:5000', REDIS_SENTINEL_NAME: 'mymaster', REDIS_PASSWORD: 'data-pw' });
    expect(config.redisSentinel).to.deep.equal({
      sentinels: [{ host: 'sentinel-0', port: 26379 }, { host: '::1', port: 26380 }, { host: '10.0.0.7', port: 5000 }],
      name: 'mymaster',
      password: 'data-pw',
    });
    expect(config.redisUrl).to.equal(undefined);
    expect(config.redisClusterNodes).to.equal(undefined);
  });

  it('REDIS_SENTINEL_PASSWORD, when set, is the Sentinels\' password instead', () => {
    const config = loadConfig({ REDIS_SENTINELS: 's:26379', REDIS_SENTINEL_NAME: 'm', REDIS_PASSWORD: 'data-pw', REDIS_SENTINEL_PASSWORD: 'sentinel-pw' });
    expect(config.redisSentinel?.password).to.equal('sentinel-pw');
    expect(config.redisPassword).to.equal('data-pw');
  });

  it('reads the cluster seed nodes', () => {
    expect(loadConfig({ REDIS_CLUSTER_NODES: 'redis-0:6379,redis-1:6379' }).redisClusterNodes).to.deep.equal([
      { host: 'redis-0', port: 6379 },
      { host: 'redis-1', port: 6379 },
    ]);
  });

  it('a production service may reach Redis through Sentinel or a cluster instead of REDIS_URL', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', REDIS_SENTINELS: 's:26379', REDIS_SENTINEL_NAME: 'm' })).not.to.throw();
    expect(() => loadConfig({ NODE_ENV: 'production', REDIS_CLUSTER_NODES: 'r:6379' })).not.to.throw();
    expect(refusal({ NODE_ENV: 'production' }).message).to.match(/^REDIS_URL: is required when NODE_ENV=production .*REDIS_SENTINELS or REDIS_CLUSTER_NODES$/);
  });

  const refused: Array<[string, NodeJS.ProcessEnv, string, RegExp]> = [
    ['Sentinel and a cluster at once', { REDIS_SENTINELS: 's:26379', REDIS_SENTINEL_NAME: 'm', REDIS_CLUSTER_NODES: 'r:6379' }, 'REDIS_CLUSTER_NODES', /cannot be combined with REDIS_SENTINELS: set one way to reach Redis/],
    ['Sentinel with REDIS_URL', { REDIS_URL: 'redis://r:6379', REDIS_SENTINELS: 's:26379', REDIS_SENTINEL_NAME: 'm' }, 'REDIS_SENTINELS', /cannot be combined with REDIS_URL/],
    ['a cluster with REDIS_URL', { REDIS_URL: 'redis://r:6379', REDIS_CLUSTER_NODES: 'r:6379' }, 'REDIS_CLUSTER_NODES', /cannot be combined with REDIS_URL/],
    ['Sentinels without the primary\'s name', { REDIS_SENTINELS: 's:26379' }, 'REDIS_SENTINEL_NAME', /is required with REDIS_SENTINELS/],
    ['a primary\'s name without Sentinels', { REDIS_SENTINEL_NAME: 'm' }, 'REDIS_SENTINEL_NAME', /is set without REDIS_SENTINELS/],
    ['a Sentinel password without Sentinels', { REDIS_SENTINEL_PASSWORD: 'pw' }, 'REDIS_SENTINEL_PASSWORD', /is set without REDIS_SENTINELS/],
    ['a Sentinel without a port', { REDIS_SENTINELS: 'sentinel-0', REDIS_SENTINEL_NAME: 'm' }, 'REDIS_SENTINELS', /"sentinel-0" is not host:port/],
    ['a port out of range', { REDIS_SENTINELS: 's:26379,s:70000', REDIS_SENTINEL_NAME: 'm' }, 'REDIS_SENTINELS', /"s:70000" is not host:port/],
    ['an IPv6 address without brackets', { REDIS_CLUSTER_NODES: '::1:6379' }, 'REDIS_CLUSTER_NODES', /"::1:6379" is not host:port/],
    ['a URL where host:port belongs', { REDIS_CLUSTER_NODES: 'redis://r:6379' }, 'REDIS_CLUSTER_NODES', /"redis:\/\/r:6379" is not host:port/],
    ['a list of only commas', { REDIS_CLUSTER_NODES: ' , ,' }, 'REDIS_CLUSTER_NODES', /expected a comma-separated list of host:port/],
    ['an empty key prefix in a cluster (no hash tag)', { REDIS_CLUSTER_NODES: 'r:6379', REDIS_KEY_PREFIX: '' }, 'REDIS_KEY_PREFIX', /must not be empty with REDIS_CLUSTER_NODES/],
    ['replica acks without Redis', { REDIS_MIN_REPLICAS_ACK: '1' }, 'REDIS_MIN_REPLICAS_ACK', /needs Redis/],
    ['a replica count that is not a number', { REDIS_URL: 'redis://r:6379', REDIS_MIN_REPLICAS_ACK: 'one' }, 'REDIS_MIN_REPLICAS_ACK', /expected a whole number from 0 to 100/],
    ['an ack timeout no shorter than the command timeout', { REDIS_URL: 'redis://r:6379', REDIS_MIN_REPLICAS_ACK: '1', REDIS_COMMAND_TIMEOUT_MS: '300', REDIS_REPLICAS_ACK_TIMEOUT_MS: '300' }, 'REDIS_REPLICAS_ACK_TIMEOUT_MS', /must be below REDIS_COMMAND_TIMEOUT_MS \(300\), got 300/],
    ['an ack timeout of 0', { REDIS_URL: 'redis://r:6379', REDIS_REPLICAS_ACK_TIMEOUT_MS: '0' }, 'REDIS_REPLICAS_ACK_TIMEOUT_MS', /expected a whole number from 1 to 60000/],
  ];
  for (const [what, env, variable, message] of refused) {
    it(`refuses ${what}, naming ${variable}`, () => {
      const error = refusal(env);
      expect(error.variable).to.equal(variable);
      expect(error.message).to.match(new RegExp(`^${variable}: `));
      expect(error.message).to.match(message);
    });
  }

  it('never echoes a password, even one in a list it refuses', () => {
    expect(refusal({ REDIS_SENTINELS: 's:26379', REDIS_SENTINEL_PASSWORD: 'hunter2' }).message).not.to.include('hunter2');
  });
});
