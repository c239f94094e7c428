import { spawn, type ChildProcess } from 'node:child_process';
import { findOnPath } from './find-on-path.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';
import { makeTestCertificates } from './tls-certs.js';
import { stopChild, track } from './processes.js';

export interface RedisServerOptions {
  appendfsync?: 'always' | 'everysec' | 'no';
  password?: string;
  dir?: string;
  /** Serve TLS only (rediss://), with a throwaway CA whose certificate is `caFile`. */
  tls?: boolean;
  /** More command-line settings, e.g. `--replicaof 127.0.0.1 <port>` or `--cluster-enabled yes` (redis-ha.ts). */
  extraArgs?: readonly string[];
}

export interface RedisServer {
  /** redis://127.0.0.1:PORT (rediss://localhost:PORT with tls), without the password (pass `password` separately, as the chart does). */
  readonly url: string;
  /** With tls: the CA certificate a client must trust (e.g. NODE_EXTRA_CA_CERTS). */
  readonly caFile: string | undefined;
  readonly port: number;
  readonly dir: string;
  readonly password: string | undefined;
  /** pid of the current redis-server process (changes after start()). */
  readonly pid: number;
  /** Graceful: SIGTERM, Redis flushes its AOF, resolves when the process has exited. */
  stop(): Promise<void>;
  /** Abrupt: SIGKILL, as if the machine died. */
  kill(): Promise<void>;
  /** Starts again on the same port and dir (after stop() or kill()). */
  start(): Promise<void>;
  /** Stops it if running and deletes the temp dir the harness made. */
  cleanup(): Promise<void>;
}

const READY_LINE = 'Ready to accept connections';

function redisServerPath(): string {
  return findOnPath('redis-server', 'redis-server');
}

/** Spawns `binary` and resolves once its output shows `readyLine`; the process is tracked, so never left behind. */
export function launch(binary: string, args: string[], readyLine = READY_LINE): Promise<ChildProcess> {
  const name = binary.split('/').pop() ?? binary;
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    track(child);
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} did not become ready within 10 s:\n${output}`));
    }, 10_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.includes(readyLine)) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        // Keep draining so a chatty Redis never blocks on a full pipe.
        child.stdout?.resume();
        resolve(child);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (code ${code}, signal ${signal}) before it was ready:\n${output}`));
    });
  });
}

/** Starts a private redis-server on a free 127.0.0.1 port with its data in a temp dir (or `dir`). */
export async function startRedis(options: RedisServerOptions = {}): Promise<RedisServer> {
  const binary = redisServerPath();
  const ownDir = options.dir === undefined;
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'page-tracker-redis-')));
  const certificates = options.tls === true ? await makeTestCertificates(dir) : undefined;
  const listenArgs = (port: number): string[] =>
    certificates === undefined
      ? ['--port', String(port)]
      : ['--port', '0', '--tls-port', String(port), '--tls-cert-file', certificates.certFile, '--tls-key-file', certificates.keyFile,
         '--tls-ca-cert-file', certificates.caFile, '--tls-auth-clients', 'no'];
  const argsFor = (port: number): string[] => [
    ...listenArgs(port),
    '--bind', '127.0.0.1',
    '--dir', dir,
    '--save', '',
    '--appendonly', 'yes',
    '--appendfsync', options.appendfsync ?? 'everysec',
    '--daemonize', 'no',
    '--logfile', '',
    ...(options.password === undefined ? [] : ['--requirepass', options.password, '--masterauth', options.password]),
    ...(options.extraArgs ?? []),
  ];
  // A port freePort() found can be taken by someone else's client socket before Redis binds it.
  let port = 0;
  let args: string[] = [];
  let first: ChildProcess | undefined;
  for (let attempt = 1; first === undefined; attempt += 1) {
    port = await freePort();
    args = argsFor(port);
    try {
      first = await launch(binary, args);
    } catch (error) {
      if (attempt >= 3 || !String(error).includes('Address already in use')) throw error;
    }
  }
  let child: ChildProcess = first;

  const stopWith = (signal: NodeJS.Signals): Promise<void> => stopChild(child, signal);

  return {
    url: certificates === undefined ? `redis://127.0.0.1:${port}` : `rediss://localhost:${port}`,
    caFile: certificates?.caFile,
    port,
    dir,
    password: options.password,
    get pid() {
      return child.pid ?? -1;
    },
    stop: () => stopWith('SIGTERM'),
    kill: () => stopWith('SIGKILL'),
    async start() {
      if (child.exitCode === null && child.signalCode === null) throw new Error('redis-server is still running: stop() or kill() it first');
      child = await launch(binary, args);
    },
    async cleanup() {
      await stopWith('SIGTERM');
      if (ownDir) await rm(dir, { recursive: true, force: true });
    },
  };
}
