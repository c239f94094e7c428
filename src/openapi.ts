// The API as an OpenAPI 3.1 document, served at /openapi.json. test/repo/openapi.test.ts validates it against
// the OpenAPI schema, and the integration and smoke suites check every answer they get against it.
import { DEFAULT_RANGE_DAYS, MAX_RANGE_DAYS, MAX_TOP_RANGE_DAYS } from './days.js';
import { PAGE_RULE } from './errors.js';
import { IDEMPOTENCY_KEY_HEADER, REPLAYED_HEADER } from './idempotency-key.js';
import { CROSS_ORIGIN_METHODS } from './origin.js';
import { BADGE_CACHE_CONTROL } from './routes/badge.js';
import { MAX_LIMIT } from './routes/views.js';
import { SAFE_TOKEN_RULE } from './safe-token.js';

type Json = Record<string, unknown>;

/** One wording for every visitors figure, which is null in one mode. */
const NOT_COUNTED = 'null where visitors are not counted (VISITOR_MODE=off)';

const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: string): Json => ({ 'application/json': { schema: ref(schema) } });
const header = (name: string): Json => ({ $ref: `#/components/headers/${name}` });
const response = (name: string): Json => ({ $ref: `#/components/responses/${name}` });
// Outside /api/, a client that prefers text/html gets the same answer as a page for people.
const errorContent = { ...json('Error'), 'text/html': { schema: { type: 'string' } } };

const page = {
  name: 'page',
  in: 'path',
  required: true,
  // OpenAPI path parameters cannot contain '/', page names can: the route takes the rest of the path.
  description: `${PAGE_RULE}. Slashes are part of the name (the rest of the path is the page); the home page is \`/\` (\`/api/views//\`).`,
  schema: { type: 'string' },
};

const day = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' };
const rangeNote = (maxDays: number): string => `UTC days, both ends included, at most ${maxDays} days (else 400 invalid_query naming the parameter).`;
/** from and to: with either, the answer is the range's figures; with neither, the all-time ones. */
const range = (maxDays: number): Json[] => [
  { name: 'from', in: 'query', required: false, description: `The first day. Default: ${DEFAULT_RANGE_DAYS} days up to \`to\`. ${rangeNote(maxDays)}`, schema: day },
  { name: 'to', in: 'query', required: false, description: `The last day. Default: today (UTC). ${rangeNote(maxDays)}`, schema: day },
];

const counted = {
  description: 'Counted (or, for a repeated Idempotency-Key, the first answer replayed)',
  headers: { [REPLAYED_HEADER]: header('Replayed'), 'Cache-Control': header('NoStore') },
  content: json('PageStats'),
};

/** What counting a view may answer besides 200; origin answers only under /api/views. */
const countFailures = {
  '400': response('BadRequest'),
  '404': response('PageNotTracked'),
  '409': response('PageLimitReached'),
  '422': response('IdempotencyKeyReused'),
  '429': response('RateLimited'),
  '503': response('StoreUnavailable'),
};
const originFailures = { '400': response('BadRequest'), '403': response('OriginNotAllowed') };

const idempotencyKey = {
  name: IDEMPOTENCY_KEY_HEADER,
  in: 'header',
  required: false,
  description: `Counts the view at most once per key within 24 hours: ${SAFE_TOKEN_RULE}`,
  schema: { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,128}$' },
};

export const OPENAPI_DOCUMENT = {
  openapi: '3.1.0',
  info: {
    title: 'page-tracker',
    version: '1',
    description:
      'Counts page views in Redis. Every answer carries X-Request-Id. Any path may also answer 404 (no route), 405 (wrong method, with Allow), 413 (a request body) and 500, as the NotFound, MethodNotAllowed, PayloadTooLarge and InternalError responses describe. Outside /api/, a client preferring text/html gets errors as an HTML page with the same status and headers.',
  },
  paths: {
    '/': {
      get: {
        summary: 'The home page: counts one view of page "/"',
        parameters: [idempotencyKey],
        responses: {
          '200': {
            description: 'An HTML page ("This page has been seen N times."), or the figures with Accept: application/json',
            headers: { 'Cache-Control': header('NoStore') },
            content: { 'text/html': { schema: { type: 'string' } }, ...json('PageStats') },
          },
          ...countFailures,
        },
      },
      head: {
        summary: 'The home page without counting a view',
        responses: { '200': { description: 'As GET, without a body' }, '503': response('StoreUnavailable') },
      },
    },
    '/api/views': {
      get: {
        summary: 'The top pages by views and the total over all pages, all time or over a range of days',
        parameters: [{ name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: MAX_LIMIT, default: 10 } }, ...range(MAX_TOP_RANGE_DAYS)],
        responses: {
          '200': {
            description: 'The ranking: all time (TopPages), or with from or to over those days (TopPagesRange)',
            headers: { 'Cache-Control': header('NoStore') },
            content: { 'application/json': { schema: { oneOf: [ref('TopPages'), ref('TopPagesRange')] } } },
          },
          ...originFailures,
          '503': response('StoreUnavailable'),
        },
      },
    },
    '/api/views/{page}': {
      parameters: [page],
      get: {
        summary: "A page's figures, all time or over a range of days, without counting",
        parameters: range(MAX_RANGE_DAYS),
        responses: {
          '200': {
            description: 'The figures (0 for an unknown page): all time (PageStats), or with from or to over those days (PageRange)',
            headers: { 'Cache-Control': header('NoStore') },
            content: { 'application/json': { schema: { oneOf: [ref('PageStats'), ref('PageRange')] } } },
          },
          ...originFailures,
          '503': response('StoreUnavailable'),
        },
      },
      post: {
        summary: 'Counts one view of the page',
        parameters: [idempotencyKey],
        responses: { '200': counted, ...originFailures, ...countFailures },
      },
      options: {
        summary: 'CORS preflight for a page of a site in ALLOWED_ORIGINS',
        responses: {
          '200': { description: 'Not a preflight: the methods of the route', headers: { Allow: header('Allow') } },
          '204': { description: 'The preflight is allowed', headers: { 'Access-Control-Allow-Origin': header('AllowOrigin'), 'Access-Control-Allow-Methods': header('AllowMethods') } },
          ...originFailures,
          '405': response('MethodNotAllowed'),
        },
      },
    },
    '/healthz': {
      get: {
        summary: 'Liveness',
        responses: { '200': { description: 'The process serves', content: { 'application/json': { schema: { type: 'object', required: ['status'], properties: { status: { const: 'ok' } } } } } } },
      },
    },
    '/readyz': {
      get: {
        summary: 'Readiness: the store answered a ping within about a second',
        responses: {
          '200': { description: 'Ready', content: { 'application/json': { schema: { type: 'object', required: ['status'], properties: { status: { const: 'ready' } } } } } },
          '503': {
            description: 'Not ready, and why',
            content: { 'application/json': { schema: { type: 'object', required: ['status', 'reason'], properties: { status: { const: 'not ready' }, reason: { type: 'string' } } } } },
          },
        },
      },
    },
    '/version': {
      get: { summary: 'Which build runs', responses: { '200': { description: 'The build', content: json('BuildInfo') } } },
    },
    '/api/info': {
      get: { summary: 'Which process answered', responses: { '200': { description: 'The process', content: json('Info') } } },
    },
    '/pt.js': {
      get: {
        summary: 'The embed script for other sites',
        responses: { '200': { description: 'JavaScript', headers: { 'Cache-Control': header('Cacheable') }, content: { 'text/javascript': { schema: { type: 'string' } } } } },
      },
    },
    '/badge/{page}.svg': {
      parameters: [page],
      get: {
        summary: "An SVG badge of the page's views",
        parameters: [{ name: 'count', in: 'query', required: false, description: 'true counts a view', schema: { enum: ['true', 'false'] } }],
        responses: {
          '200': { description: 'The badge', headers: { 'Cache-Control': header('NoCache') }, content: { 'image/svg+xml': { schema: { type: 'string' } } } },
          ...countFailures,
        },
      },
    },
    '/favicon.ico': {
      get: { summary: "The service's icon", responses: { '200': { description: 'SVG', content: { 'image/svg+xml': { schema: { type: 'string' } } } } } },
    },
    '/openapi.json': {
      get: { summary: 'This document', responses: { '200': { description: 'OpenAPI 3.1', content: { 'application/json': { schema: { type: 'object' } } } } } },
    },
  },
  components: {
    schemas: {
      PageStats: {
        type: 'object',
        required: ['page', 'views', 'visitors'],
        additionalProperties: false,
        properties: { page: { type: 'string' }, views: { type: 'integer', minimum: 0 }, visitors: { type: ['integer', 'null'], minimum: 0, description: `Distinct visitors (estimated), never more than views; ${NOT_COUNTED}` } },
      },
      TopPages: {
        type: 'object',
        required: ['pages', 'total'],
        additionalProperties: false,
        properties: {
          pages: ref('RankedPages'),
          total: { type: 'integer', minimum: 0 },
        },
      },
      RankedPages: {
        type: 'array',
        maxItems: MAX_LIMIT,
        items: { type: 'object', required: ['page', 'views'], additionalProperties: false, properties: { page: { type: 'string' }, views: { type: 'integer', minimum: 1 } } },
      },
      DayViews: {
        type: 'array',
        maxItems: MAX_RANGE_DAYS,
        description: 'One entry per day of the range, in order (0 for a day without views, or one past VIEW_RETENTION_DAYS)',
        items: { type: 'object', required: ['day', 'views'], additionalProperties: false, properties: { day, views: { type: 'integer', minimum: 0 } } },
      },
      PageRange: {
        type: 'object',
        required: ['page', 'from', 'to', 'views', 'visitors', 'days'],
        additionalProperties: false,
        properties: {
          page: { type: 'string' },
          from: day,
          to: day,
          views: { type: 'integer', minimum: 0, description: 'Views over the range' },
          visitors: { type: ['integer', 'null'], minimum: 0, description: `Distinct visitors over the range (estimated), never more than views; ${NOT_COUNTED}` },
          days: ref('DayViews'),
        },
      },
      TopPagesRange: {
        type: 'object',
        required: ['from', 'to', 'pages', 'total', 'days'],
        additionalProperties: false,
        properties: {
          from: day,
          to: day,
          pages: ref('RankedPages'),
          total: { type: 'integer', minimum: 0, description: 'Views over all pages in the range' },
          days: ref('DayViews'),
        },
      },
      Error: {
        type: 'object',
        required: ['error', 'message'],
        properties: {
          error: {
            enum: [
              'invalid_page',
              'invalid_query',
              'invalid_idempotency_key',
              'invalid_origin',
              'bad_request',
              'origin_not_allowed',
              'not_found',
              'method_not_allowed',
              'page_limit_reached',
              'payload_too_large',
              'idempotency_key_reused',
              'page_not_tracked',
              'rate_limited',
              'internal_error',
              'store_unavailable',
            ],
          },
          message: { type: 'string' },
          maxPages: { type: 'integer', minimum: 1 },
          retryAfterSeconds: { type: 'integer', minimum: 1, description: 'As Retry-After' },
          parameter: { type: 'string', description: 'For invalid_query: the query parameter at fault' },
          allow: { type: 'array', items: { type: 'string' } },
        },
      },
      BuildInfo: {
        type: 'object',
        required: ['version', 'commit', 'buildDate', 'node'],
        additionalProperties: false,
        properties: { version: { type: 'string' }, commit: { type: 'string' }, buildDate: { type: 'string' }, node: { type: 'string' } },
      },
      Info: {
        type: 'object',
        required: ['hostname', 'version', 'store', 'uptimeSeconds'],
        additionalProperties: false,
        properties: { hostname: { type: 'string' }, version: { type: 'string' }, store: { enum: ['redis', 'memory'] }, uptimeSeconds: { type: 'integer', minimum: 0 } },
      },
    },
    headers: {
      NoStore: { required: true, schema: { const: 'no-store' } },
      NoCache: { required: true, schema: { const: BADGE_CACHE_CONTROL } },
      Cacheable: { required: true, schema: { type: 'string', pattern: '^public, max-age=\\d+$' } },
      Replayed: { required: false, description: 'true when the answer is the first one replayed for a repeated Idempotency-Key', schema: { const: 'true' } },
      RetryAfter: { required: true, description: 'Seconds to wait before retrying', schema: { type: 'string', pattern: '^\\d+$' } },
      Allow: { required: true, schema: { type: 'string' } },
      AllowOrigin: { required: true, description: 'The request Origin, echoed', schema: { type: 'string' } },
      AllowMethods: { required: true, schema: { const: CROSS_ORIGIN_METHODS.join(',') } },
    },
    responses: {
      BadRequest: { description: 'Bad input (page name, query, Idempotency-Key or Origin); nothing was counted', content: errorContent },
      OriginNotAllowed: { description: 'The Origin is not in ALLOWED_ORIGINS; nothing was counted', content: errorContent },
      PageLimitReached: { description: 'A new page while MAX_PAGES pages exist; nothing was counted', content: errorContent },
      IdempotencyKeyReused: { description: 'The Idempotency-Key already counted a view of another page', content: errorContent },
      PageNotTracked: { description: 'A new page whose name does not match PAGE_PATTERN; nothing was counted', content: errorContent },
      RateLimited: {
        description: 'The client address is over its views per minute or new pages per hour; nothing was counted',
        headers: { 'Retry-After': header('RetryAfter') },
        content: errorContent,
      },
      StoreUnavailable: { description: 'Redis is unavailable', headers: { 'Retry-After': header('RetryAfter') }, content: errorContent },
      NotFound: { description: 'No such route', content: errorContent },
      MethodNotAllowed: { description: 'Wrong method', headers: { Allow: header('Allow') }, content: errorContent },
      PayloadTooLarge: { description: 'The request has a body; no route reads one', content: errorContent },
      InternalError: { description: 'A bug; the request id is in X-Request-Id', content: errorContent },
    },
  },
};
