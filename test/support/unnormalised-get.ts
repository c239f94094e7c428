import { request } from 'node:http';

export interface UnnormalisedAnswer {
  status: number;
  contentType: string;
  body: string;
}

/**
 * A GET with the path and headers exactly as given: fetch and URL parsing resolve `..` segments and
 * re-encode characters before sending, and fetch cannot set Host.
 */
export function getUnnormalised(baseUrl: string, path: string, headers: Record<string, string> = {}): Promise<UnnormalisedAnswer> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    request({ hostname, port, path, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), body }));
    })
      .on('error', reject)
      .end();
  });
}
