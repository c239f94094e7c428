import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError } from './config.js';

/** The variable that chose the port, so that a port that cannot be bound is reported as its setting. */
type PortVariable = 'PORT' | 'METRICS_PORT';

function asConfigError(error: NodeJS.ErrnoException, port: number, host: string, variable: PortVariable): Error {
  switch (error.code) {
    case 'EADDRINUSE':
      return new ConfigError(variable, `port ${port} on ${host} is already in use (EADDRINUSE): stop what holds it or choose another port`);
    case 'EACCES':
      return new ConfigError(variable, `port ${port} on ${host} needs privileges this process lacks (EACCES): choose a port above 1023`);
    case 'EADDRNOTAVAIL':
      return new ConfigError('HOST', `${host} is not an address of this machine (EADDRNOTAVAIL)`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new ConfigError('HOST', `the host name ${host} does not resolve (${error.code})`);
    default:
      return error;
  }
}

/** Resolves the address actually bound: with port 0 the system picks the port. */
export function listen(server: Server, port: number, host: string, variable: PortVariable): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const fail = (error: NodeJS.ErrnoException): void => reject(asConfigError(error, port, host, variable));
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      resolve(server.address() as AddressInfo);
    });
  });
}

/** The URL to open for a bound address: an any-address bind is reached as localhost. */
export function urlOf(address: AddressInfo, path = '/'): string {
  const anyAddress = address.address === '0.0.0.0' || address.address === '::';
  const host = anyAddress ? 'localhost' : address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}${path}`;
}
