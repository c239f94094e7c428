// The app's Redis ACL user (the chart's users.acl) grants exactly the commands the service sends: the ones
// its scripts call (src/store/redis-scripts.ts), plus the few it sends itself. A command added to a script
// without a grant would fail with NOPERM only on a cluster; a grant no script needs is a right the app never uses.
import { expect } from 'chai';
import * as scripts from '../../src/store/redis-scripts.js';
import { renderRedis } from '../support/chart-redis.js';

/** What the service sends outside its scripts: PING (/readyz), INFO (ioredis's ready check), EVALSHA and EVAL (the scripts). */
const SENT_DIRECTLY = ['ping', 'info', 'evalsha', 'eval'];

function calledByScripts(): string[] {
  const called = new Set<string>();
  for (const lua of Object.values(scripts)) {
    for (const match of String(lua).matchAll(/redis\.call\('([A-Za-z]+)'/g)) called.add(match[1]!.toLowerCase());
  }
  return [...called];
}

function grants(acl: string, user: string): { commands: string[]; rules: string[] } {
  const line = acl.split('\n').find((l) => l.startsWith(`user ${user} `));
  if (line === undefined) throw new Error(`no user ${user} in:\n${acl}`);
  const rules = line.split(' ').slice(2);
  return { commands: rules.filter((r) => r.startsWith('+')).map((r) => r.slice(1)), rules };
}

describe('chart: the app\'s Redis ACL user matches what the service sends', function () {
  it('finds the scripts\' commands (the check reads what it should)', function () {
    expect(calledByScripts()).to.include.members(['zincrby', 'pfadd', 'set', 'zrevrange']);
  });

  it('grants the app user exactly the scripts\' commands and PING, INFO, EVALSHA, EVAL, after taking every other away', async function () {
    const { acl } = await renderRedis({});
    const { commands, rules } = grants(acl, 'page-tracker');
    expect([...commands].sort()).to.deep.equal([...new Set([...calledByScripts(), ...SENT_DIRECTLY])].sort());
    expect(rules.slice(0, 2)).to.deep.equal(['reset', 'on']);
    expect(rules).to.include('-@all');
    expect(rules.filter((r) => r.startsWith('~') || r.startsWith('%') || r === 'allkeys')).to.deep.equal(['~page-tracker:*']);
  });

  it('grants WAIT as well when config.redisMinReplicasAck is above 0: the service sends it after each batch', async function () {
    const { acl } = await renderRedis({ config: { redisMinReplicasAck: 1 }, redis: { architecture: 'replication' } });
    const { commands } = grants(acl, 'page-tracker');
    expect([...commands].sort()).to.deep.equal([...new Set([...calledByScripts(), ...SENT_DIRECTLY, 'wait'])].sort());
  });

  it('limits the app user to config.redisKeyPrefix, with glob characters taken literally', async function () {
    const { acl } = await renderRedis({ config: { redisKeyPrefix: 'site[1]*?:' }, redis: { auth: { username: 'tracker-app' } } });
    expect(grants(acl, 'tracker-app').rules.filter((r) => r.startsWith('~'))).to.deep.equal(['~site\\[1\\]\\*\\?:*']);
  });

  it('turns the default user off and gives the probe user PING only; the exporter user exists only with the exporter', async function () {
    const { acl } = await renderRedis({});
    // Off: no one can log in as it. Its rights stay, because Redis replays the AOF as this user (redis-runtime.test.ts).
    expect(acl.split('\n').find((l) => l.startsWith('user default '))).to.equal('user default reset off ~* &* +@all');
    expect(grants(acl, 'probe').rules).to.deep.equal(['reset', 'on', '#@PROBE_PASSWORD_SHA256@', '-@all', '+ping']);
    expect(acl).not.to.match(/^user exporter /m);
    expect((await renderRedis({ redis: { exporter: { enabled: true } } })).acl).to.match(/^user exporter reset on #@EXPORTER_PASSWORD_SHA256@ -@all \+@connection [^~%]*$/m);
  });
});
