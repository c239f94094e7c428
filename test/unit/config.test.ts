import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { refusal } from '../support/config-refusal.js';
import { redisConnection } from '../../src/store/redis.js';
import { ENV_VARIABLES, loadConfig, redactRedisUrl } from '../../src/config.js';

describe('config', () => {
  it('has documented defaults for an empty environment', () => {
    expect(loadConfig({})).to.deep.equal({
      port: 8080,
      metricsPort: 9100,
      host: '0.0.0.0',
      redisUrl: undefined,
      redisUsername: undefined,
      redisPassword: undefined,
      redisKeyPrefix: 'page-tracker:',
      redisCommandTimeoutMs: 1000,
      redisSentinel: undefined,
      redisClusterNodes: undefined,
      redisMinReplicasAck: 0,
      redisReplicasAckTimeoutMs: 500,
      maxPages: 10000,
      rateLimitViewsPerMinute: 600,
      newPagesPerClientPerHour: 100,
      pagePattern: undefined,
      viewRetentionDays: 400,
      visitorSecret: undefined,
      visitorMode: 'cookie',
      adminToken: undefined,
      trustProxy: false,
      allowedOrigins: [],
      ignoreBots: false,
      respectDnt: false,
      logLevel: 'info',
      logFormat: 'json',
      shutdownDelaySeconds: 0,
      shutdownTimeoutSeconds: 10,
      production: false,
    });
  });

  it('reads every variable it lists', () => {
    const config = loadConfig({
      PORT: '3000',
      METRICS_PORT: '3001',
      HOST: '127.0.0.1',
      REDIS_URL: 'rediss://cache.example:6380/2',
      REDIS_USERNAME: 'page-tracker',
      REDIS_PASSWORD: 's3cret',
      REDIS_KEY_PREFIX: 'pt:',
      REDIS_COMMAND_TIMEOUT_MS: '250',
      REDIS_MIN_REPLICAS_ACK: '1',
      REDIS_REPLICAS_ACK_TIMEOUT_MS: '200',
      MAX_PAGES: '5',
      RATE_LIMIT_VIEWS_PER_MINUTE: '0',
      NEW_PAGES_PER_CLIENT_PER_HOUR: '7',
      PAGE_PATTERN: 'blog/[a-z-]+',
      VIEW_RETENTION_DAYS: '30',
      VISITOR_SECRET: 'v'.repeat(32),
      VISITOR_MODE: 'cookieless',
      ADMIN_TOKEN: 'a'.repeat(32),
      TRUST_PROXY: 'true',
      ALLOWED_ORIGINS: ' https://example.com, http://127.0.0.1:8080 ,',
      IGNORE_BOTS: 'true',
      RESPECT_DNT: 'yes',
      LOG_LEVEL: 'debug',
      LOG_FORMAT: 'pretty',
      SHUTDOWN_DELAY_SECONDS: '5',
      SHUTDOWN_TIMEOUT_SECONDS: '20',
      NODE_ENV: 'production',
    });
    expect(config).to.deep.equal({
      port: 3000,
      metricsPort: 3001,
      host: '127.0.0.1',
      redisUrl: 'rediss://cache.example:6380/2',
      redisUsername: 'page-tracker',
      redisPassword: 's3cret',
      redisKeyPrefix: 'pt:',
      redisCommandTimeoutMs: 250,
      redisSentinel: undefined,
      redisClusterNodes: undefined,
      redisMinReplicasAck: 1,
      redisReplicasAckTimeoutMs: 200,
      maxPages: 5,
      rateLimitViewsPerMinute: 0,
      newPagesPerClientPerHour: 7,
      pagePattern: /^(?:blog\/[a-z-]+)$/u,
      viewRetentionDays: 30,
      visitorSecret: 'v'.repeat(32),
      visitorMode: 'cookieless',
      adminToken: 'a'.repeat(32),
      trustProxy: true,
      allowedOrigins: ['https://example.com', 'http://127.0.0.1:8080'],
      ignoreBots: true,
      respectDnt: true,
      logLevel: 'debug',
      logFormat: 'pretty',
      shutdownDelaySeconds: 5,
      shutdownTimeoutSeconds: 20,
      production: true,
    });
    expect([...ENV_VARIABLES].sort()).to.deep.equal(
      ['PORT', 'METRICS_PORT', 'HOST', 'REDIS_URL', 'REDIS_USERNAME', 'REDIS_PASSWORD', 'REDIS_PASSWORD_FILE', 'REDIS_KEY_PREFIX', 'REDIS_COMMAND_TIMEOUT_MS', 'REDIS_SENTINELS', 'REDIS_SENTINEL_NAME', 'REDIS_SENTINEL_PASSWORD', 'REDIS_CLUSTER_NODES', 'REDIS_MIN_REPLICAS_ACK', 'REDIS_REPLICAS_ACK_TIMEOUT_MS', 'MAX_PAGES', 'RATE_LIMIT_VIEWS_PER_MINUTE', 'NEW_PAGES_PER_CLIENT_PER_HOUR', 'PAGE_PATTERN', 'VIEW_RETENTION_DAYS', 'VISITOR_SECRET', 'VISITOR_SECRET_FILE', 'VISITOR_MODE', 'ADMIN_TOKEN', 'ADMIN_TOKEN_FILE', 'TRUST_PROXY', 'ALLOWED_ORIGINS', 'IGNORE_BOTS', 'RESPECT_DNT', 'LOG_LEVEL', 'LOG_FORMAT', 'SHUTDOWN_DELAY_SECONDS', 'SHUTDOWN_TIMEOUT_SECONDS', 'NODE_ENV'].sort(),
    );
  });

  for (const [variable, value] of [
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['METRICS_PORT', '-1'],
    ['MAX_PAGES', '0'],
    ['MAX_PAGES', '1.5'],
    ['REDIS_COMMAND_TIMEOUT_MS', '0'],
    ['TRUST_PROXY', 'maybe'],
    ['IGNORE_BOTS', 'sometimes'],
    ['RESPECT_DNT', '2'],
    ['LOG_LEVEL', 'loud'],
    ['LOG_FORMAT', 'xml'],
    ['SHUTDOWN_DELAY_SECONDS', '1e3'],
    ['SHUTDOWN_TIMEOUT_SECONDS', 'soon'],
    ['REDIS_URL', 'http://cache:6379'],
    ['REDIS_URL', 'not a url'],
    ['REDIS_KEY_PREFIX', 'has space'],
    ['RATE_LIMIT_VIEWS_PER_MINUTE', '-1'],
    ['RATE_LIMIT_VIEWS_PER_MINUTE', 'off'],
    ['NEW_PAGES_PER_CLIENT_PER_HOUR', '2.5'],
    ['PAGE_PATTERN', 'blog/(unclosed'],
    ['VIEW_RETENTION_DAYS', '0'],
    ['VIEW_RETENTION_DAYS', '3651'],
    ['VISITOR_SECRET', 'short'],
    ['VISITOR_MODE', 'fingerprint'],
    ['REDIS_USERNAME', 'two words'],
    ['REDIS_PASSWORD_FILE', '/nonexistent/redis-password'],
    ['VISITOR_SECRET_FILE', '/nonexistent/visitor-secret'],
    ['ADMIN_TOKEN', 'short'],
    ['ADMIN_TOKEN_FILE', '/nonexistent/admin-token'],
    ['ALLOWED_ORIGINS', 'example.com'],
    ['ALLOWED_ORIGINS', 'https://example.com/'],
    ['ALLOWED_ORIGINS', 'https://a.example,https://b.example/path'],
    ['ALLOWED_ORIGINS', '*'],
  ] as const) {
    it(`refuses ${variable}=${JSON.stringify(value)} naming the variable`, () => {
      const error = refusal({ [variable]: value });
      expect(error.variable).to.equal(variable);
      expect(error.message).to.match(new RegExp(`^${variable}: `));
    });
  }

  it('PAGE_PATTERN must match a whole page name, and an invalid one says what is wrong with it', () => {
    const pattern = loadConfig({ PAGE_PATTERN: 'blog/[a-z]+' }).pagePattern;
    expect(pattern?.test('blog/hello')).to.equal(true);
    expect(pattern?.test('junk/blog/hello'), 'a name merely containing a match').to.equal(false);
    expect(pattern?.test('blog/hello/x')).to.equal(false);
    expect(refusal({ PAGE_PATTERN: 'blog/(unclosed' }).message).to.match(/^PAGE_PATTERN: not a valid regular expression \(.*\): "blog\/\(unclosed"$/);
  });

  it('never echoes an ADMIN_TOKEN it refuses; without one the admin API is off', () => {
    expect(refusal({ ADMIN_TOKEN: 'hunter2' }).message).to.equal('ADMIN_TOKEN: expected at least 32 characters, got 7');
    expect(loadConfig({}).adminToken).to.equal(undefined);
    expect(loadConfig({ ADMIN_TOKEN: 't'.repeat(32) }).adminToken).to.equal('t'.repeat(32));
  });

  it('never echoes a VISITOR_SECRET it refuses', () => {
    expect(refusal({ VISITOR_SECRET: 'hunter2' }).message).to.equal('VISITOR_SECRET: expected at least 32 characters, got 7');
  });

  it('logs JSON unless stdout is a terminal, where it logs for people; LOG_FORMAT decides either way', () => {
    expect(loadConfig({}, { stdoutIsTerminal: false }).logFormat).to.equal('json');
    expect(loadConfig({}, { stdoutIsTerminal: true }).logFormat).to.equal('pretty');
    expect(loadConfig({ LOG_FORMAT: 'json' }, { stdoutIsTerminal: true }).logFormat).to.equal('json');
    expect(loadConfig({ LOG_FORMAT: 'PRETTY' }, { stdoutIsTerminal: false }).logFormat).to.equal('pretty');
  });

  it('refuses PORT equal to METRICS_PORT, naming both; 0 (any free port) for both is fine', () => {
    const error = refusal({ PORT: '9100' });
    expect(error.variable).to.equal('METRICS_PORT');
    expect(error.message).to.equal('METRICS_PORT: must differ from PORT (both are 9100): /metrics is served on its own port');
    expect(loadConfig({ PORT: '0', METRICS_PORT: '0' })).to.deep.include({ port: 0, metricsPort: 0 });
  });

  it('says what an ALLOWED_ORIGINS entry must look like', () => {
    expect(refusal({ ALLOWED_ORIGINS: 'https://a.example,https://b.example/' }).message).to.equal(
      'ALLOWED_ORIGINS: "https://b.example/" is not an origin: an origin is a scheme (http or https), a host and an optional port with nothing after it, e.g. https://example.com or http://127.0.0.1:8080',
    );
    expect(refusal({ ALLOWED_ORIGINS: '*' }).message).to.include("'*' is not supported: list each site");
  });

  it('refuses NODE_ENV=production without REDIS_URL', () => {
    const error = refusal({ NODE_ENV: 'production' });
    expect(error.variable).to.equal('REDIS_URL');
    expect(error.message).to.include('required');
  });

  it('never echoes a password from a malformed REDIS_URL', () => {
    const error = refusal({ REDIS_URL: 'redis://:hunter2@[bad' });
    expect(error.message).to.not.include('hunter2');
  });

  it('redacts credentials from a Redis URL for logs', () => {
    expect(redactRedisUrl('redis://:hunter2@cache:6379/0')).to.equal('redis://:***@cache:6379/0');
    expect(redactRedisUrl('rediss://user:hunter2@cache:6380')).to.equal('rediss://user:***@cache:6380');
    expect(redactRedisUrl('redis://cache:6379')).to.equal('redis://cache:6379');
  });

  describe('secrets from files (REDIS_PASSWORD_FILE, VISITOR_SECRET_FILE)', () => {
    let dir: string;
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'config-secrets-'));
    });
    afterEach(async () => {
      await rm(dir, { recursive: true, force: true });
    });
    async function secretFile(name: string, content: string): Promise<string> {
      const file = join(dir, name);
      await writeFile(file, content);
      return file;
    }

    it('reads each secret from its file, dropping one trailing newline and keeping other whitespace', async () => {
      const config = loadConfig({
        REDIS_PASSWORD_FILE: await secretFile('password', ' pass word \n'),
        VISITOR_SECRET_FILE: await secretFile('visitor', `${'k'.repeat(32)}\r\n`),
      });
      expect(config.redisPassword).to.equal(' pass word ');
      expect(config.visitorSecret).to.equal('k'.repeat(32));
    });

    it('refuses a missing file, naming the variable and the path and saying what it should hold', () => {
      const error = refusal({ REDIS_PASSWORD_FILE: join(dir, 'absent') });
      expect(error.variable).to.equal('REDIS_PASSWORD_FILE');
      expect(error.message).to.equal(`REDIS_PASSWORD_FILE: cannot read the file "${join(dir, 'absent')}" (ENOENT); it should hold the secret, e.g. a mounted Kubernetes Secret`);
    });

    it('refuses an unreadable file and a directory', async function () {
      if (process.getuid?.() === 0) {
        // root reads a mode-000 file anyway, so the unreadable case is a directory here (EISDIR).
        expect(refusal({ VISITOR_SECRET_FILE: dir }).message).to.match(/^VISITOR_SECRET_FILE: cannot read the file ".*" \(EISDIR\)/);
        return;
      }
      const file = await secretFile('locked', 'k'.repeat(32));
      await chmod(file, 0o000);
      expect(refusal({ VISITOR_SECRET_FILE: file }).message).to.match(/^VISITOR_SECRET_FILE: cannot read the file ".*" \(EACCES\)/);
    });

    it('refuses an empty file, and a file together with the variable it stands for', async () => {
      expect(refusal({ REDIS_PASSWORD_FILE: await secretFile('empty', '\n') }).message).to.match(/^REDIS_PASSWORD_FILE: the file ".*" is empty$/);
      const both = refusal({ REDIS_PASSWORD: 'x', REDIS_PASSWORD_FILE: await secretFile('p', 'y') });
      expect(both.message).to.equal('REDIS_PASSWORD_FILE: set together with REDIS_PASSWORD: give the secret one way, not both');
    });

    it('holds a secret from a file to the same rules as the variable, and never echoes it', async () => {
      const error = refusal({ VISITOR_SECRET_FILE: await secretFile('short', 'hunter2') });
      expect(error.message).to.equal('VISITOR_SECRET_FILE: expected at least 32 characters, got 7');
    });
  });

  describe('Redis credentials: the URL\'s, overridden by REDIS_USERNAME and the password variables', () => {
    it('keeps a password given beside a URL that names only the user (ioredis alone dropped it)', () => {
      expect(redisConnection('redis://page-tracker@cache:6379', undefined, 'pw')).to.deep.equal({ url: 'redis://cache:6379', username: 'page-tracker', password: 'pw' });
    });

    it('takes both from the URL when nothing overrides them, decoded', () => {
      expect(redisConnection('rediss://app:p%40ss@cache:6380/2', undefined, undefined)).to.deep.equal({ url: 'rediss://cache:6380/2', username: 'app', password: 'p@ss' });
    });

    it('lets REDIS_USERNAME and the password override the URL\'s, and leaves both out when none is given', () => {
      expect(redisConnection('redis://old:old@cache:6379', 'new-user', 'new-pw')).to.deep.equal({ url: 'redis://cache:6379', username: 'new-user', password: 'new-pw' });
      expect(redisConnection('redis://cache:6379', undefined, undefined)).to.deep.equal({ url: 'redis://cache:6379' });
    });
  });
});
