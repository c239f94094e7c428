// The only module that reads the environment (and the secret files it names): everything else gets a typed
// Config passed in.
import { readFileSync } from 'node:fs';
import { DEFAULT_RETENTION_DAYS } from './days.js';
import { ORIGIN_RULE, parseOrigin } from './origin-rule.js';

export const ENV_VARIABLES = [
  'PORT',
  'METRICS_PORT',
  'HOST',
  'REDIS_URL',
  'REDIS_USERNAME',
  'REDIS_PASSWORD',
  'REDIS_PASSWORD_FILE',
  'REDIS_KEY_PREFIX',
  'REDIS_COMMAND_TIMEOUT_MS',
  'REDIS_SENTINELS',
  'REDIS_SENTINEL_NAME',
  'REDIS_SENTINEL_PASSWORD',
  'REDIS_CLUSTER_NODES',
  'REDIS_MIN_REPLICAS_ACK',
  'REDIS_REPLICAS_ACK_TIMEOUT_MS',
  'MAX_PAGES',
  'RATE_LIMIT_VIEWS_PER_MINUTE',
  'NEW_PAGES_PER_CLIENT_PER_HOUR',
  'PAGE_PATTERN',
  'VIEW_RETENTION_DAYS',
  'VISITOR_SECRET',
  'VISITOR_MODE',
  'VISITOR_SECRET_FILE',
  'ADMIN_TOKEN',
  'ADMIN_TOKEN_FILE',
  'TRUST_PROXY',
  'ALLOWED_ORIGINS',
  'IGNORE_BOTS',
  'RESPECT_DNT',
  'LOG_LEVEL',
  'LOG_FORMAT',
  'SHUTDOWN_DELAY_SECONDS',
  'SHUTDOWN_TIMEOUT_SECONDS',
  'NODE_ENV',
] as const satisfies readonly string[];

type EnvVariable = (typeof ENV_VARIABLES)[number];

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const LOG_FORMATS = ['json', 'pretty'] as const;

/** How distinct visitors are told apart (docs/api.md, "Visitors without cookies"), or `off`: they are not counted. */
export const VISITOR_MODES = ['cookie', 'cookieless', 'off'] as const;
export type VisitorMode = (typeof VISITOR_MODES)[number];
export type LogFormat = (typeof LOG_FORMATS)[number];

/** What the process knows about where its output goes; not an environment variable, but it decides defaults. */
interface Terminal {
  stdoutIsTerminal: boolean;
}

export interface Config {
  port: number;
  metricsPort: number;
  host: string;
  redisUrl: string | undefined;
  /** The ACL user to log in as (REDIS_USERNAME); undefined: the URL's user name, if any, else `default`. */
  redisUsername: string | undefined;
  /** From REDIS_PASSWORD or the file REDIS_PASSWORD_FILE names; undefined: the URL's password, if any. */
  redisPassword: string | undefined;
  redisKeyPrefix: string;
  redisCommandTimeoutMs: number;
  /** Follow Sentinel to the current primary (REDIS_SENTINELS); undefined unless set. */
  redisSentinel: RedisSentinelConfig | undefined;
  /** Seed nodes of a Redis Cluster (REDIS_CLUSTER_NODES); undefined unless set. */
  redisClusterNodes: readonly HostPort[] | undefined;
  /** Replicas that must hold a batch of views before it is answered (WAIT); 0 answers once the primary has it. */
  redisMinReplicasAck: number;
  /** How long WAIT may wait for those replicas. */
  redisReplicasAckTimeoutMs: number;
  maxPages: number;
  /** Views one client address may have counted per minute; 0 is no limit. */
  rateLimitViewsPerMinute: number;
  /** Pages one client address may create per hour; 0 is no limit. */
  newPagesPerClientPerHour: number;
  /** New pages must match it as a whole; undefined: any valid page name may be created. */
  pagePattern: RegExp | undefined;
  /** How many days after its end a UTC day's counts are kept; Redis deletes them then. */
  viewRetentionDays: number;
  visitorMode: VisitorMode;
  /** The bearer token of the admin API on the metrics port (docs/data.md); undefined: the admin API is off. */
  adminToken: string | undefined;
  /** The key visitor cookies are signed with; undefined: the server makes one for the life of the process. */
  visitorSecret: string | undefined;
  trustProxy: boolean;
  /** Leave out requests whose User-Agent isbot recognises (crawlers, and any client that is not a browser). */
  ignoreBots: boolean;
  /** Leave out requests that carry DNT: 1 or Sec-GPC: 1. */
  respectDnt: boolean;
  /** The sites whose pages may count views from the browser (ALLOWED_ORIGINS); empty means none. */
  allowedOrigins: readonly string[];
  logLevel: LogLevel;
  logFormat: LogFormat;
  shutdownDelaySeconds: number;
  shutdownTimeoutSeconds: number;
  production: boolean;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: EnvVariable,
    problem: string,
  ) {
    super(`${variable}: ${problem}`);
    this.name = 'ConfigError';
  }
}

type Env = NodeJS.ProcessEnv;

// An empty string counts as unset: `FOO=` in a manifest usually means "no value".
function read(env: Env, name: EnvVariable): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function integer(env: Env, name: EnvVariable, fallback: number, min: number, max: number): number {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `expected a whole number from ${min} to ${max}, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `expected a whole number from ${min} to ${max}, got ${raw}`);
  return value;
}

function boolean(env: Env, name: EnvVariable, fallback: boolean): boolean {
  const raw = read(env, name)?.toLowerCase();
  if (raw === undefined) return fallback;
  if (['true', '1', 'yes'].includes(raw)) return true;
  if (['false', '0', 'no'].includes(raw)) return false;
  throw new ConfigError(name, `expected true or false, got "${raw}"`);
}

function redisUrl(env: Env): string | undefined {
  const raw = read(env, 'REDIS_URL');
  if (raw === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    // The raw value may hold a password: never echo it.
    throw new ConfigError('REDIS_URL', 'not a valid URL (expected redis://host:port or rediss://host:port)');
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new ConfigError('REDIS_URL', `expected the redis:// or rediss:// scheme, got "${url.protocol}"`);
  }
  if (url.hostname === '') throw new ConfigError('REDIS_URL', 'has no host name');
  return raw;
}

function allowedOrigins(env: Env): string[] {
  const entries = (read(env, 'ALLOWED_ORIGINS') ?? '').split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
  for (const entry of entries) {
    if (entry === '*') throw new ConfigError('ALLOWED_ORIGINS', "'*' is not supported: list each site that may count, e.g. https://example.com,https://blog.example.com");
    if (parseOrigin(entry) === undefined) throw new ConfigError('ALLOWED_ORIGINS', `"${entry}" is not an origin: ${ORIGIN_RULE}`);
  }
  return entries;
}

function logLevel(env: Env): LogLevel {
  const raw = read(env, 'LOG_LEVEL')?.toLowerCase() ?? 'info';
  const level = LOG_LEVELS.find((known) => known === raw);
  if (level === undefined) throw new ConfigError('LOG_LEVEL', `expected one of ${LOG_LEVELS.join(', ')}, got "${raw}"`);
  return level;
}

/** Someone reading a terminal wants lines for people; anything else (a container runtime, CI, a pipe) wants JSON. */
export function defaultLogFormat(terminal: Terminal): LogFormat {
  return terminal.stdoutIsTerminal ? 'pretty' : 'json';
}

function logFormat(env: Env, terminal: Terminal): LogFormat {
  const raw = read(env, 'LOG_FORMAT')?.toLowerCase();
  if (raw === undefined) return defaultLogFormat(terminal);
  const format = LOG_FORMATS.find((known) => known === raw);
  if (format === undefined) throw new ConfigError('LOG_FORMAT', `expected one of ${LOG_FORMATS.join(', ')}, got "${raw}"`);
  return format;
}

function ports(env: Env): { port: number; metricsPort: number } {
  const port = integer(env, 'PORT', 8080, 0, 65535);
  const metricsPort = integer(env, 'METRICS_PORT', 9100, 0, 65535);
  // Refused here rather than left to fail as EADDRINUSE once the first server holds the port. 0 (any free
  // port) is allowed for both: the system gives each its own.
  if (port === metricsPort && port !== 0) {
    throw new ConfigError('METRICS_PORT', `must differ from PORT (both are ${port}): /metrics is served on its own port`);
  }
  return { port, metricsPort };
}

function keyPrefix(env: Env): string {
  const raw = env.REDIS_KEY_PREFIX ?? 'page-tracker:';
  if (raw.length > 64 || /[\s\p{Cc}]/u.test(raw)) {
    throw new ConfigError('REDIS_KEY_PREFIX', 'expected at most 64 characters without spaces or control characters');
  }
  return raw;
}

/**
 * The defaults are far above what one address sends on a real site, so that no reader is ever refused: 600
 * views a minute is one every 100 ms for a whole minute (a person reads a page for seconds; even a busy
 * office or a carrier NAT behind one address does not keep that up), and a client creates a page only by
 * being its first viewer, which a reader does for a handful of pages an hour. Against the squat they still
 * bite: one address that creates 100 pages an hour needs 100 hours to fill the default 10,000-page cap.
 */
const DEFAULT_RATE_LIMIT_VIEWS_PER_MINUTE = 600;
const DEFAULT_NEW_PAGES_PER_CLIENT_PER_HOUR = 100;
/** HMAC-SHA256 keys shorter than its 32-byte output weaken it; a longer one is hashed down and gains nothing. */
const MIN_VISITOR_SECRET_LENGTH = 32;

function pagePattern(env: Env): RegExp | undefined {
  const raw = read(env, 'PAGE_PATTERN');
  if (raw === undefined) return undefined;
  try {
    // Anchored, so that a pattern like `blog/.*` cannot be met by a name that merely contains it.
    return new RegExp(`^(?:${raw})$`, 'u');
  } catch (error) {
    throw new ConfigError('PAGE_PATTERN', `not a valid regular expression (${error instanceof Error ? error.message : String(error)}): "${raw}"`);
  }
}

/**
 * A secret given either as a variable or as a file (a mounted Kubernetes Secret, where it never shows in the
 * pod's environment or in `kubectl describe`). Both set is refused rather than one silently winning. The
 * file's one trailing newline is dropped, since `echo secret > file` and most editors add it; any other
 * whitespace is part of the secret. The value is never echoed in an error: it is a secret.
 */
function secret(env: Env, name: EnvVariable, fileName: EnvVariable): { value: string; from: EnvVariable } | undefined {
  const direct = env[name];
  const file = read(env, fileName);
  if (file === undefined) return direct === undefined || direct === '' ? undefined : { value: direct, from: name };
  if (direct !== undefined && direct !== '') throw new ConfigError(fileName, `set together with ${name}: give the secret one way, not both`);
  let content: string;
  try {
    content = readFileSync(file, 'utf8');
  } catch (error) {
    const reason = error instanceof Error && 'code' in error ? String(error.code) : String(error);
    throw new ConfigError(fileName, `cannot read the file "${file}" (${reason}); it should hold the secret, e.g. a mounted Kubernetes Secret`);
  }
  const value = content.replace(/\r?\n$/, '');
  if (value === '') throw new ConfigError(fileName, `the file "${file}" is empty`);
  return { value, from: fileName };
}

function redisUsername(env: Env): string | undefined {
  const raw = read(env, 'REDIS_USERNAME');
  if (raw !== undefined && /[\s\p{Cc}]/u.test(raw)) throw new ConfigError('REDIS_USERNAME', 'expected a Redis ACL user name without spaces or control characters');
  return raw;
}

// --- Redis high availability: Sentinel, Cluster, replica acknowledgement -----------------------------------

export interface HostPort {
  host: string;
  port: number;
}

export interface RedisSentinelConfig {
  sentinels: readonly HostPort[];
  /** The name the Sentinels know the primary by (`sentinel monitor <name> ...`). */
  name: string;
  /** For the Sentinels themselves: REDIS_SENTINEL_PASSWORD, else REDIS_PASSWORD (Sentinels guarded like the data nodes). */
  password: string | undefined;
}

const WAYS_TO_REDIS = 'set one way to reach Redis: REDIS_URL (one server), REDIS_SENTINELS (Sentinel) or REDIS_CLUSTER_NODES (Redis Cluster)';

function hostPortList(env: Env, name: EnvVariable, example: string): HostPort[] | undefined {
  const raw = read(env, name);
  if (raw === undefined) return undefined;
  const entries = raw.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
  if (entries.length === 0) throw new ConfigError(name, `expected a comma-separated list of host:port, e.g. ${example}`);
  return entries.map((entry) => {
    // [v6 address]:port, or host:port with no other colon.
    const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^\s:[\]/@]+)):(\d{1,5})$/.exec(entry);
    const port = Number(match?.[3]);
    if (match === null || port < 1 || port > 65535) {
      throw new ConfigError(name, `"${entry}" is not host:port (a port from 1 to 65535; an IPv6 address in brackets), e.g. ${example}`);
    }
    return { host: match[1] ?? match[2] ?? '', port };
  });
}

function redisPassword(env: Env): string | undefined {
  return secret(env, 'REDIS_PASSWORD', 'REDIS_PASSWORD_FILE')?.value;
}

function redisSentinel(env: Env): RedisSentinelConfig | undefined {
  const sentinels = hostPortList(env, 'REDIS_SENTINELS', 'redis-sentinel-0:26379,redis-sentinel-1:26379');
  const name = read(env, 'REDIS_SENTINEL_NAME');
  const password = env.REDIS_SENTINEL_PASSWORD === undefined || env.REDIS_SENTINEL_PASSWORD === '' ? undefined : env.REDIS_SENTINEL_PASSWORD;
  if (sentinels === undefined) {
    // Set but unused is a mistake to point out, not to ignore: the service would silently use another Redis.
    if (name !== undefined) throw new ConfigError('REDIS_SENTINEL_NAME', 'is set without REDIS_SENTINELS (the Sentinels to ask for that primary)');
    if (password !== undefined) throw new ConfigError('REDIS_SENTINEL_PASSWORD', 'is set without REDIS_SENTINELS');
    return undefined;
  }
  if (name === undefined) throw new ConfigError('REDIS_SENTINEL_NAME', 'is required with REDIS_SENTINELS: the name the Sentinels monitor the primary by (e.g. mymaster)');
  return { sentinels, name, password: password ?? redisPassword(env) };
}

interface RedisHa {
  redisSentinel: RedisSentinelConfig | undefined;
  redisClusterNodes: HostPort[] | undefined;
  redisMinReplicasAck: number;
  redisReplicasAckTimeoutMs: number;
}

function redisHa(env: Env, url: string | undefined, keyPrefixValue: string, commandTimeoutMs: number): RedisHa {
  const sentinel = redisSentinel(env);
  const clusterNodes = hostPortList(env, 'REDIS_CLUSTER_NODES', 'redis-0:6379,redis-1:6379,redis-2:6379');
  if (sentinel !== undefined && url !== undefined) throw new ConfigError('REDIS_SENTINELS', `cannot be combined with REDIS_URL: ${WAYS_TO_REDIS}`);
  if (clusterNodes !== undefined && url !== undefined) throw new ConfigError('REDIS_CLUSTER_NODES', `cannot be combined with REDIS_URL: ${WAYS_TO_REDIS}`);
  if (clusterNodes !== undefined && sentinel !== undefined) throw new ConfigError('REDIS_CLUSTER_NODES', `cannot be combined with REDIS_SENTINELS: ${WAYS_TO_REDIS}`);
  // The prefix becomes the hash tag that keeps every key in one slot; an empty tag "{}" is no tag to Redis.
  if (clusterNodes !== undefined && keyPrefixValue === '') throw new ConfigError('REDIS_KEY_PREFIX', 'must not be empty with REDIS_CLUSTER_NODES: it is the hash tag that keeps every key in one slot');
  const minReplicasAck = integer(env, 'REDIS_MIN_REPLICAS_ACK', 0, 0, 100);
  if (minReplicasAck > 0 && url === undefined && sentinel === undefined && clusterNodes === undefined) {
    throw new ConfigError('REDIS_MIN_REPLICAS_ACK', `needs Redis (the in-memory store has no replicas): ${WAYS_TO_REDIS}`);
  }
  const ackTimeoutMs = integer(env, 'REDIS_REPLICAS_ACK_TIMEOUT_MS', DEFAULT_REPLICAS_ACK_TIMEOUT_MS, 1, 60000);
  // WAIT answers after at most its timeout; the answer must still arrive within the command timeout.
  if (minReplicasAck > 0 && ackTimeoutMs >= commandTimeoutMs) {
    throw new ConfigError('REDIS_REPLICAS_ACK_TIMEOUT_MS', `must be below REDIS_COMMAND_TIMEOUT_MS (${commandTimeoutMs}), got ${ackTimeoutMs}`);
  }
  return { redisSentinel: sentinel, redisClusterNodes: clusterNodes, redisMinReplicasAck: minReplicasAck, redisReplicasAckTimeoutMs: ackTimeoutMs };
}

/** Replication on one network keeps up in a few ms; half the default command timeout leaves the rest for the script. */
export const DEFAULT_REPLICAS_ACK_TIMEOUT_MS = 500;

function visitorMode(env: Env): VisitorMode {
  const raw = read(env, 'VISITOR_MODE')?.toLowerCase() ?? 'cookie';
  const mode = VISITOR_MODES.find((known) => known === raw);
  if (mode === undefined) throw new ConfigError('VISITOR_MODE', `expected one of ${VISITOR_MODES.join(', ')}, got "${raw}"`);
  return mode;
}

/** Long enough that guessing is hopeless, as for VISITOR_SECRET: `openssl rand -base64 32` gives 44. */
const MIN_ADMIN_TOKEN_LENGTH = 32;

function adminToken(env: Env): string | undefined {
  const given = secret(env, 'ADMIN_TOKEN', 'ADMIN_TOKEN_FILE');
  if (given === undefined) return undefined;
  if (given.value.length < MIN_ADMIN_TOKEN_LENGTH) throw new ConfigError(given.from, `expected at least ${MIN_ADMIN_TOKEN_LENGTH} characters, got ${given.value.length}`);
  return given.value;
}

function visitorSecret(env: Env): string | undefined {
  const given = secret(env, 'VISITOR_SECRET', 'VISITOR_SECRET_FILE');
  if (given === undefined) return undefined;
  if (given.value.length < MIN_VISITOR_SECRET_LENGTH) {
    throw new ConfigError(given.from, `expected at least ${MIN_VISITOR_SECRET_LENGTH} characters, got ${given.value.length}`);
  }
  return given.value;
}

export function loadConfig(env: Env, terminal: Terminal = { stdoutIsTerminal: false }): Config {
  const production = read(env, 'NODE_ENV') === 'production';
  const url = redisUrl(env);
  const prefix = keyPrefix(env);
  const commandTimeoutMs = integer(env, 'REDIS_COMMAND_TIMEOUT_MS', 1000, 10, 60000);
  const ha = redisHa(env, url, prefix, commandTimeoutMs);
  if (production && url === undefined && ha.redisSentinel === undefined && ha.redisClusterNodes === undefined) {
    throw new ConfigError('REDIS_URL', 'is required when NODE_ENV=production (the in-memory store loses every count on restart), or REDIS_SENTINELS or REDIS_CLUSTER_NODES');
  }
  return {
    ...ports(env),
    host: read(env, 'HOST') ?? '0.0.0.0',
    redisUrl: url,
    redisUsername: redisUsername(env),
    redisPassword: redisPassword(env),
    redisKeyPrefix: prefix,
    redisCommandTimeoutMs: commandTimeoutMs,
    ...ha,
    maxPages: integer(env, 'MAX_PAGES', 10000, 1, 10_000_000),
    rateLimitViewsPerMinute: integer(env, 'RATE_LIMIT_VIEWS_PER_MINUTE', DEFAULT_RATE_LIMIT_VIEWS_PER_MINUTE, 0, 1_000_000_000),
    newPagesPerClientPerHour: integer(env, 'NEW_PAGES_PER_CLIENT_PER_HOUR', DEFAULT_NEW_PAGES_PER_CLIENT_PER_HOUR, 0, 1_000_000_000),
    pagePattern: pagePattern(env),
    // Ten years at most: each day kept costs memory for every page viewed that day (docs/performance.md, Capacity).
    viewRetentionDays: integer(env, 'VIEW_RETENTION_DAYS', DEFAULT_RETENTION_DAYS, 1, 3650),
    visitorSecret: visitorSecret(env),
    visitorMode: visitorMode(env),
    adminToken: adminToken(env),
    trustProxy: boolean(env, 'TRUST_PROXY', false),
    allowedOrigins: allowedOrigins(env),
    // Both off by default; docs/api.md, "Views left out", says why.
    ignoreBots: boolean(env, 'IGNORE_BOTS', false),
    respectDnt: boolean(env, 'RESPECT_DNT', false),
    logLevel: logLevel(env),
    logFormat: logFormat(env, terminal),
    shutdownDelaySeconds: integer(env, 'SHUTDOWN_DELAY_SECONDS', 0, 0, 300),
    shutdownTimeoutSeconds: integer(env, 'SHUTDOWN_TIMEOUT_SECONDS', 10, 0, 600),
    production,
  };
}

// For logs: the URL without its credentials, so a password never reaches a log line.
export function redactRedisUrl(raw: string): string {
  try {
    const url = new URL(raw);
    if (url.password !== '') url.password = '***';
    if (url.username !== '' && url.password === '') url.username = '***';
    return url.toString();
  } catch {
    return '(unparseable URL)';
  }
}
