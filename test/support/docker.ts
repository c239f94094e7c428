// Thin helpers over the docker CLI for the container tests: run a command, track what a test creates so
// it is removed afterwards (also when a step fails), wait for health, find published ports.
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end (with `input` on its stdin); never throws on a non-zero exit (see `mustRun`). */
export function run(command: string, args: readonly string[], opts: { env?: NodeJS.ProcessEnv; input?: string } = {}): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      command,
      args,
      { cwd: repoRoot, env: opts.env ?? process.env, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') {
          reject(new Error(`${command} could not run: ${error.message}`));
          return;
        }
        resolve({ code: typeof error?.code === 'number' ? error.code : 0, stdout, stderr });
      },
    );
    child.stdin?.end(opts.input ?? '');
  });
}

function lastLines(text: string, count = 40): string {
  return text.trimEnd().split('\n').slice(-count).join('\n');
}

/** Runs a command and throws, with its output's tail, unless it exits 0. Returns stdout trimmed. */
export async function mustRun(command: string, args: readonly string[], opts: { env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  const result = await run(command, args, opts);
  if (result.code !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited ${result.code}:\n${lastLines(result.stdout + result.stderr)}`);
  }
  return result.stdout.trim();
}

export function docker(...args: string[]): Promise<string> {
  return mustRun('docker', args);
}

/** Like `run`, but streams output to this process as it comes (long builds show progress). */
export function runVisible(command: string, args: readonly string[], opts: { env?: NodeJS.ProcessEnv } = {}): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: repoRoot, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      process.stdout.write(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      process.stderr.write(chunk);
    });
    child.on('error', (error) => reject(new Error(`${command} could not run: ${error.message}`)));
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

/** Fails with what to do when no engine answers: the tests never skip themselves. */
export async function requireEngine(): Promise<void> {
  const info = await run('docker', ['info', '--format', '{{.ServerVersion}}']).catch((error: Error) => ({
    code: 1,
    stdout: '',
    stderr: error.message,
  }));
  if (info.code !== 0) {
    throw new Error(
      'no Docker engine answers: install docker.io (scripts/install-system-deps.sh) and start one with ' +
        `scripts/ci-machine/dockerd.sh start\n${info.stderr.trim()}`,
    );
  }
}

/** The base images Dockerfile and compose.yaml name: pulled, or built as local stand-ins. */
export async function ensureBaseImages(): Promise<void> {
  const result = await runVisible(path.join(repoRoot, 'scripts/ci-machine/standin-images.sh'), []);
  if (result.code !== 0) throw new Error(`scripts/ci-machine/standin-images.sh failed (exit ${result.code})`);
}

export async function buildImage(opts: { tag: string; target?: string; buildArgs?: Record<string, string> }): Promise<void> {
  // --force-rm: the classic builder otherwise leaves the container of a failed step behind.
  const args = ['build', '--force-rm', '--tag', opts.tag];
  if (opts.target) args.push('--target', opts.target);
  for (const [name, value] of Object.entries(opts.buildArgs ?? {})) args.push('--build-arg', `${name}=${value}`);
  args.push('.');
  const result = await runVisible('docker', args);
  if (result.code !== 0) throw new Error(`docker ${args.join(' ')} failed (exit ${result.code})`);
}

/** A name no other run uses, so parallel runs and leftovers of a killed run never collide. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

/**
 * Everything a test file creates, registered before it is created, removed in `removeAll()`
 * (containers first: networks and volumes in use cannot go).
 */
export class DockerResources {
  private readonly containers: string[] = [];
  private readonly networks: string[] = [];
  private readonly volumes: string[] = [];

  container(name: string): string {
    this.containers.push(name);
    return name;
  }

  network(name: string): string {
    this.networks.push(name);
    return name;
  }

  volume(name: string): string {
    this.volumes.push(name);
    return name;
  }

  async removeAll(): Promise<void> {
    const failures: string[] = [];
    const remove = async (args: string[], names: string[]) => {
      for (const name of names.splice(0).reverse()) {
        const result = await run('docker', [...args, name]);
        if (result.code !== 0 && !/no such|not found/i.test(result.stderr)) failures.push(result.stderr.trim());
      }
    };
    await remove(['rm', '--force', '--volumes'], this.containers);
    await remove(['network', 'rm'], this.networks);
    await remove(['volume', 'rm', '--force'], this.volumes);
    if (failures.length > 0) throw new Error(`could not remove everything:\n${failures.join('\n')}`);
  }
}

export interface ContainerState {
  Status: string;
  ExitCode: number;
  OOMKilled: boolean;
  Health?: { Status: string; Log?: { ExitCode: number; Output: string }[] };
}

export async function containerState(name: string): Promise<ContainerState> {
  return JSON.parse(await docker('inspect', '--format', '{{json .State}}', name)) as ContainerState;
}

export async function waitForHealth(name: string, timeoutMs: number): Promise<ContainerState> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = await containerState(name);
    if (state.Health?.Status === 'healthy') return state;
    if (state.Status !== 'running' || Date.now() > deadline) {
      const logs = await run('docker', ['logs', '--tail', '30', name]);
      throw new Error(
        `${name} did not turn healthy (status ${state.Status}, health ${state.Health?.Status ?? 'none'}):\n` +
          `${JSON.stringify(state.Health?.Log?.slice(-2))}\n${lastLines(logs.stdout + logs.stderr)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** `http://127.0.0.1:PORT` for a container port published with `-p 127.0.0.1::PORT`. */
export async function publishedUrl(name: string, containerPort: number): Promise<string> {
  const mapping = await docker('port', name, `${containerPort}/tcp`);
  const port = /:(\d+)\s*$/m.exec(mapping.split('\n')[0] ?? '')?.[1];
  if (!port) throw new Error(`${name} does not publish ${containerPort}: ${mapping}`);
  return `http://127.0.0.1:${port}`;
}

/** Polls a URL until it answers 200 (the app starts listening a moment after the container starts). */
export async function waitForOk(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (response.ok) return;
      last = `status ${response.status}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms (last: ${last})`);
}

/**
 * The Compose command: the `docker compose` plugin when the client has it, else Compose v1
 * (`docker-compose`, Debian's package). The Docker 28 client preinstalled on the CI machine has no plugin.
 */
export async function composeCommand(): Promise<{ command: string; baseArgs: string[] }> {
  const plugin = await run('docker', ['compose', 'version']).catch(() => ({ code: 1 }));
  if (plugin.code === 0) return { command: 'docker', baseArgs: ['compose'] };
  const onPath = (process.env.PATH ?? '').split(path.delimiter).some((dir) => existsSync(path.join(dir, 'docker-compose')));
  if (onPath) return { command: 'docker-compose', baseArgs: [] };
  throw new Error(
    'neither `docker compose` nor `docker-compose` is available: install the compose plugin or ' +
      "Debian's docker-compose (apt-get install docker-compose; scripts/install-system-deps.sh does it)",
  );
}
