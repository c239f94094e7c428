import { Validator } from '@seriousme/openapi-schema-validator';
import { expect } from 'chai';
import { OPENAPI_DOCUMENT } from '../../src/openapi.js';
import { openApiProblems } from '../support/openapi-check.js';

describe('the OpenAPI document (src/openapi.ts, served at /openapi.json)', () => {
  it('is a valid OpenAPI 3.1 document (@seriousme/openapi-schema-validator, the official JSON schemas)', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(OPENAPI_DOCUMENT));
    expect(result.errors ?? [], JSON.stringify(result.errors, null, 2)).to.deep.equal([]);
    expect(result.valid).to.equal(true);
    expect(validator.version).to.equal('3.1');
  });

  it('has every $ref resolving to a definition', () => {
    const text = JSON.stringify(OPENAPI_DOCUMENT);
    for (const [, section, name] of text.matchAll(/"#\/components\/(\w+)\/(\w+)"/g)) {
      const components = OPENAPI_DOCUMENT.components as Record<string, Record<string, unknown>>;
      expect(components[section ?? '']?.[name ?? ''], `#/components/${section}/${name}`).to.not.equal(undefined);
    }
  });

  describe('the answer checker the integration and smoke suites use (test/support/openapi-check.ts)', () => {
    const headers = (extra: Record<string, string> = {}): Headers => new Headers({ 'x-request-id': 'r', 'content-type': 'application/json', ...extra });

    it('accepts a conforming answer', () => {
      expect(openApiProblems('POST', '/api/views/a/b', 200, headers({ 'cache-control': 'no-store' }), '{"page":"a/b","views":1,"visitors":1}')).to.deep.equal([]);
    });

    it('names a body that breaks its schema', () => {
      expect(openApiProblems('POST', '/api/views/a', 200, headers({ 'cache-control': 'no-store' }), '{"page":"a","views":-1}')).to.deep.equal([
        "body must have required property 'visitors'",
        'body/views must be >= 0',
      ]);
    });

    it('names a status the operation does not document, and a missing required header', () => {
      expect(openApiProblems('GET', '/healthz', 503, headers(), '{}')).to.deep.equal(['status 503 is not documented for GET /healthz']);
      expect(openApiProblems('POST', '/api/views/a', 503, headers(), '{"error":"store_unavailable","message":"m"}')).to.deep.equal(['no Retry-After header']);
      expect(openApiProblems('GET', '/readyz', 200, new Headers({ 'content-type': 'text/plain' }), 'ok')).to.deep.equal([
        'no X-Request-Id header',
        'content type "text/plain" is not one of application/json',
      ]);
    });

    it("documents the abuse budget's refusals on every route that counts a view: 429 with Retry-After, 404 page_not_tracked, as JSON or as the HTML page", () => {
      const rateLimited = '{"error":"rate_limited","message":"m","retryAfterSeconds":15}';
      const notTracked = '{"error":"page_not_tracked","message":"m"}';
      for (const [method, path] of [['POST', '/api/views/a'], ['GET', '/'], ['GET', '/badge/a.svg?count=true']] as const) {
        expect(openApiProblems(method, path, 429, headers({ 'retry-after': '15' }), rateLimited), `${method} ${path} 429`).to.deep.equal([]);
        expect(openApiProblems(method, path, 429, headers(), rateLimited), `${method} ${path} 429 without Retry-After`).to.deep.equal(['no Retry-After header']);
        expect(openApiProblems(method, path, 404, headers(), notTracked), `${method} ${path} 404`).to.deep.equal([]);
      }
      expect(openApiProblems('GET', '/', 429, headers({ 'retry-after': '15', 'content-type': 'text/html; charset=utf-8' }), '<!doctype html>')).to.deep.equal([]);
      expect(openApiProblems('GET', '/api/views/a', 429, headers({ 'retry-after': '15' }), rateLimited), 'a read is never budgeted').to.deep.equal([
        'status 429 is not documented for GET /api/views/{page}',
      ]);
    });

    it('takes 404 only for unknown paths and 405 anywhere', () => {
      const notFound = '{"error":"not_found","message":"m"}';
      expect(openApiProblems('GET', '/no/such', 404, headers(), notFound)).to.deep.equal([]);
      expect(openApiProblems('GET', '/healthz', 404, headers(), notFound)).to.deep.equal(['status 404 is not documented for GET /healthz']);
      expect(openApiProblems('DELETE', '/healthz', 405, headers({ allow: 'GET' }), '{"error":"method_not_allowed","message":"m"}')).to.deep.equal([]);
    });
  });
});
