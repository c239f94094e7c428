import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { findOnPath } from './find-on-path.js';
import { freePort } from './ports.js';
import { exited, track, waitFor } from './processes.js';

export interface Nginx {
  /** http://127.0.0.1:PORT */
  readonly httpUrl: string;
  /** https://127.0.0.1:PORT, with a self-signed certificate for IP 127.0.0.1 (`ca` trusts it). */
  readonly httpsUrl: string;
  readonly ca: Buffer;
  readonly pid: number;
  stop(): Promise<void>;
}

// The forwarding headers as ingress-nginx sets them by default: the client's address replaces any
// X-Forwarded-For it sent, and the scheme is the one the client used.
function config(dir: string, httpPort: number, httpsPort: number, upstreamPort: number): string {
  return `daemon off;
master_process off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log stderr warn;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  server {
    listen 127.0.0.1:${httpPort};
    listen 127.0.0.1:${httpsPort} ssl;
    ssl_certificate ${dir}/cert.pem;
    ssl_certificate_key ${dir}/key.pem;
    location / {
      proxy_pass http://127.0.0.1:${upstreamPort};
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Forwarded-Host $host;
    }
  }
}
`;
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

/** Debian's nginx in the foreground as a TLS-terminating reverse proxy to 127.0.0.1:upstreamPort. */
export async function startNginx(upstreamPort: number): Promise<Nginx> {
  const nginx = findOnPath('nginx', 'nginx');
  const openssl = findOnPath('openssl', 'openssl');
  const dir = await mkdtemp(join(tmpdir(), 'page-tracker-nginx-'));
  await promisify(execFile)(openssl, [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
  ]);
  const [httpPort, httpsPort] = [await freePort(), await freePort()];
  await writeFile(join(dir, 'nginx.conf'), config(dir, httpPort, httpsPort, upstreamPort));
  const child: ChildProcess = spawn(nginx, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', 'stderr'], { stdio: ['ignore', 'ignore', 'pipe'] });
  track(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const stop = async (): Promise<void> => {
    const done = exited(child);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await done;
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitFor('nginx to listen', async () => {
      if (child.exitCode !== null) throw new Error(`nginx exited with code ${child.exitCode}: ${stderr}`);
      return (await listening(httpPort)) && (await listening(httpsPort)) ? true : undefined;
    }, 10_000);
  } catch (error) {
    await stop();
    throw error;
  }
  const ca = await readFile(join(dir, 'cert.pem'));
  return {
    httpUrl: `http://127.0.0.1:${httpPort}`,
    httpsUrl: `https://127.0.0.1:${httpsPort}`,
    ca,
    pid: child.pid ?? -1,
    stop,
  };
}
