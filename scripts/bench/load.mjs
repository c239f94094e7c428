// The load generator of `npm run bench` and `npm run bench:scale`, run as its own process so that its CPU
// is measured apart from the servers' and no TypeScript loader slows it. autocannon's API rather than its CLI
// because the scale figures spread the views over many pages (setupRequest picks each request's page).
// Usage: load.mjs JSON, with { url, method, seconds, connections, headers, pages?, pagePrefix? }: with
// `pages`, request i goes to `${pagePrefix}${i % pages}` on url's origin. Prints autocannon's result as JSON.
import autocannon from 'autocannon';
import process from 'node:process';

const { url, method, seconds, connections, headers, pages, pagePrefix } = JSON.parse(process.argv[2] ?? '{}');
let sent = 0;
const requests =
  pages === undefined
    ? undefined
    : [{ setupRequest: (request) => ({ ...request, path: `${pagePrefix}${sent++ % pages}` }) }];
const result = await autocannon({ url, method, duration: seconds, connections, headers, requests });
process.stdout.write(JSON.stringify(result));
