// Redis and the app as plain containers on a user-defined network, the app hardened the way the issue
// and the chart run it. Ports are published on 127.0.0.1 only, on ports the engine picks.
import { docker, publishedUrl, waitForOk, type DockerResources } from '../support/docker.js';
import { runtimeImage, redisImage } from './images.js';

export async function startRedis(resources: DockerResources, opts: { name: string; network: string; volume?: string }): Promise<string> {
  const args = ['run', '--detach', '--name', resources.container(opts.name), '--network', opts.network];
  if (opts.volume) args.push('--volume', `${opts.volume}:/data`);
  // AOF as compose.yaml runs it.
  await docker(...args, redisImage, 'redis-server', '--appendonly', 'yes', '--appendfsync', 'everysec');
  return opts.name;
}

export interface RunningApp {
  name: string;
  baseUrl: string;
  /** The admin server's base URL, as the smoke suite's METRICS_URL wants it (no /metrics). */
  metricsUrl: string;
}

export async function startHardenedApp(
  resources: DockerResources,
  opts: { name: string; network: string; redis: string; env?: Record<string, string> },
): Promise<RunningApp> {
  const args = [
    'run', '--detach', '--name', resources.container(opts.name), '--network', opts.network,
    '--read-only', '--tmpfs', '/tmp', '--cap-drop', 'ALL', '--security-opt', 'no-new-privileges',
    '--publish', '127.0.0.1::8080', '--publish', '127.0.0.1::9100',
    '--env', `REDIS_URL=redis://${opts.redis}:6379`,
  ];
  for (const [name, value] of Object.entries(opts.env ?? {})) args.push('--env', `${name}=${value}`);
  await docker(...args, runtimeImage);
  const baseUrl = await publishedUrl(opts.name, 8080);
  const metricsUrl = await publishedUrl(opts.name, 9100);
  // Ready means the app answers and its Redis answered a ping: the tests count views right after this.
  await waitForOk(`${baseUrl}/readyz`, 30_000);
  return { name: opts.name, baseUrl, metricsUrl };
}

export interface Views {
  page: string;
  views: number;
}

export async function countView(baseUrl: string, page: string): Promise<Views> {
  const response = await fetch(`${baseUrl}/api/views/${page}`, { method: 'POST' });
  if (response.status !== 200) throw new Error(`POST /api/views/${page}: ${response.status} ${await response.text()}`);
  return (await response.json()) as Views;
}

export async function readViews(baseUrl: string, page: string): Promise<Views> {
  const response = await fetch(`${baseUrl}/api/views/${page}`);
  if (response.status !== 200) throw new Error(`GET /api/views/${page}: ${response.status} ${await response.text()}`);
  return (await response.json()) as Views;
}
