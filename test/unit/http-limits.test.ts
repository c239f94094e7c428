import { expect } from 'chai';
import { connect } from 'node:net';
import { SERVER_LIMITS } from '../../src/http-server.js';
import { MAX_BODY_BYTES } from '../../src/middleware/refuse-large-bodies.js';
import { startApp, type AppHarness } from '../support/app-harness.js';

/** Sends bytes as written (no client-side limits) and resolves the whole answer, up to the server's close. */
function rawAnswer(baseUrl: string, request: string): Promise<string> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.end(request));
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
  });
}

async function rawStatusLine(baseUrl: string, request: string): Promise<string> {
  return (await rawAnswer(baseUrl, request)).split('\r\n')[0] ?? '';
}

describe('HTTP server limits', () => {
  let app: AppHarness;
  before(async () => {
    app = await startApp();
  });
  after(async () => {
    await app.close();
  });

  it('refuses headers larger than maxHeaderSize with 431', async () => {
    const status = await rawStatusLine(app.baseUrl, `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(SERVER_LIMITS.maxHeaderSize)}\r\nConnection: close\r\n\r\n`);
    expect(status).to.equal('HTTP/1.1 431 Request Header Fields Too Large');
  });

  it('refuses an oversized URL with 431', async () => {
    const status = await rawStatusLine(app.baseUrl, `GET /api/views/${'a'.repeat(SERVER_LIMITS.maxHeaderSize)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    expect(status).to.equal('HTTP/1.1 431 Request Header Fields Too Large');
  });

  it('refuses a body announced larger than MAX_BODY_BYTES with 413 before it is sent, and closes the connection', async () => {
    // Only the headers are sent: the answer must not wait for (or read) the gigabyte announced.
    const status = await rawStatusLine(app.baseUrl, `POST /api/views/big HTTP/1.1\r\nHost: x\r\nContent-Length: ${2 ** 30}\r\n\r\n`);
    expect(status).to.equal('HTTP/1.1 413 Payload Too Large');
    const stats = (await (await fetch(`${app.baseUrl}/api/views/big`)).json()) as { views: number };
    expect(stats.views, 'a refused request counts no view').to.equal(0);
  });

  it('says why in the 413: JSON for a program, a page for a browser outside the API, as every error', async () => {
    const json = await rawAnswer(app.baseUrl, `POST /api/views/big HTTP/1.1\r\nHost: x\r\nContent-Length: ${2 ** 30}\r\n\r\n`);
    expect(json).to.match(/\r\nconnection: close\r\n/i);
    expect(JSON.parse(json.slice(json.indexOf('\r\n\r\n') + 4))).to.deep.equal({
      error: 'payload_too_large',
      message: `request bodies are limited to ${MAX_BODY_BYTES} bytes with a Content-Length; this API reads none`,
      maxBytes: MAX_BODY_BYTES,
    });
    const page = await rawAnswer(app.baseUrl, `POST /big HTTP/1.1\r\nHost: x\r\nAccept: text/html\r\nContent-Length: ${2 ** 30}\r\n\r\n`);
    expect(page.split('\r\n')[0]).to.equal('HTTP/1.1 413 Payload Too Large');
    expect(page).to.match(/\r\ncontent-type: text\/html/i).and.to.include('<h1>413 Payload Too Large</h1>').and.to.include('<code>payload_too_large</code>');
  });

  it('refuses a chunked body (length unknown) with 413 the same way', async () => {
    const status = await rawStatusLine(app.baseUrl, 'POST /api/views/chunked HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n');
    expect(status).to.equal('HTTP/1.1 413 Payload Too Large');
  });

  it('accepts a small body on a counting route (it is ignored)', async () => {
    const body = 'x'.repeat(MAX_BODY_BYTES);
    const status = await rawStatusLine(app.baseUrl, `POST /api/views/small HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`);
    expect(status).to.equal('HTTP/1.1 200 OK');
  });

  it('answers CONNECT with 405 instead of dropping the connection', async () => {
    const status = await rawStatusLine(app.baseUrl, 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n');
    expect(status).to.equal('HTTP/1.1 405 Method Not Allowed');
  });

  it('answers a method no route knows (TRACE, PROPFIND) with 405 and Allow, not 501', async () => {
    for (const method of ['TRACE', 'PROPFIND']) {
      const status = await rawStatusLine(app.baseUrl, `${method} /api/views/x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      expect(status, method).to.equal('HTTP/1.1 405 Method Not Allowed');
    }
  });

  it('still serves a normal request on the same server', async () => {
    const status = await rawStatusLine(app.baseUrl, 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(status).to.equal('HTTP/1.1 200 OK');
  });
});
