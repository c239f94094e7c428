// The admin API (docs/data.md): export, import and the reset of one page, served on the metrics port only, which
// neither the Ingress nor the HTTPRoute routes (the chart's "page-tracker.visitorPaths"), and only with a bearer
// token (ADMIN_TOKEN or ADMIN_TOKEN_FILE).
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import getRawBody from 'raw-body';
import type { Logger } from 'pino';
import { HttpError, MethodNotAllowedError } from './errors.js';
import { parsePageName } from './page.js';
import { EXPORT_FORMAT, EXPORT_VERSION, parseImport, type ExportHeader } from './store/portable.js';
import type { ViewStore } from './store/view-store.js';

/**
 * The largest import body taken. An import is checked whole before anything is written, so it is held in
 * memory, and written by one Redis script: 32 MiB is about 100,000 pages of base counts, or some thousands
 * of pages with a year of days each; a larger migration is split into several files (import sets figures, so
 * the order of the files does not matter).
 */
const MAX_IMPORT_BYTES = 32 * 1024 * 1024;

export interface AdminOptions {
  store: ViewStore;
  /** undefined: the admin API is off, and every /admin path says how to turn it on. */
  token: string | undefined;
  retentionDays: number;
  now: () => number;
  logger: Logger;
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...headers }).end(JSON.stringify(body));
}

/** SHA-256 both sides first: timingSafeEqual needs equal lengths, and the digests leak neither the token nor its length. */
function sameToken(given: string, expected: string): boolean {
  const digest = (value: string): Buffer => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

function authorised(req: IncomingMessage, token: string): boolean {
  const match = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '');
  return match !== null && sameToken(match[1]!, token);
}

/** Answers an /admin request; true when the path was an admin path (answered), false when it is not one. */
export function handleAdmin(req: IncomingMessage, res: ServerResponse, path: string, options: AdminOptions): boolean {
  if (path !== '/admin' && !path.startsWith('/admin/')) return false;
  route(req, res, path, options).catch((error: unknown) => {
    if (error instanceof HttpError && error.expose) {
      json(res, error.status, error.body, error.headers);
      return;
    }
    options.logger.error({ err: error, path }, 'admin request failed');
    if (res.headersSent) res.destroy();
    else json(res, 500, { error: 'internal', message: 'the admin request failed; the service log has the cause' });
  });
  return true;
}

function checkToken(req: IncomingMessage, token: string | undefined): void {
  if (token === undefined) {
    throw new HttpError(404, 'admin_disabled', 'the admin API is off: set ADMIN_TOKEN or ADMIN_TOKEN_FILE (the chart: config.adminToken) to turn it on');
  }
  if (!authorised(req, token)) {
    throw new HttpError(401, 'unauthorized', 'send Authorization: Bearer <ADMIN_TOKEN>', { headers: { 'WWW-Authenticate': 'Bearer realm="page-tracker admin"' } });
  }
}

/** raw-body's errors carry the HTTP status they stand for (413 too large, 400 aborted or a bad length). */
function isRawBodyError(error: unknown): error is Error & { status: number } {
  return error instanceof Error && 'status' in error && typeof error.status === 'number' && 'type' in error;
}

async function importBody(req: IncomingMessage): Promise<string> {
  try {
    return await getRawBody(req, { limit: MAX_IMPORT_BYTES, encoding: 'utf8' });
  } catch (error) {
    if (!isRawBodyError(error)) throw error;
    if (error.status === 413) throw new HttpError(413, 'too_large', `an import body may be at most ${MAX_IMPORT_BYTES} bytes; split it into several files`);
    throw new HttpError(error.status, 'bad_request', error.message, { cause: error });
  }
}

async function route(req: IncomingMessage, res: ServerResponse, path: string, options: AdminOptions): Promise<void> {
  checkToken(req, options.token);
  const { store } = options;
  if (path === '/admin/export') {
    if (req.method !== 'GET') throw new MethodNotAllowedError('GET /admin/export', ['GET']);
    const pages = await store.exportPages();
    const header: ExportHeader = { format: EXPORT_FORMAT, version: EXPORT_VERSION, exportedAt: new Date(options.now()).toISOString(), store: store.kind, retentionDays: options.retentionDays };
    const lines = [header, ...pages].map((line) => `${JSON.stringify(line)}\n`);
    res.writeHead(200, { 'Content-Type': 'application/x-ndjson', 'Cache-Control': 'no-store', 'Content-Disposition': 'attachment; filename="page-tracker-export.ndjson"' }).end(lines.join(''));
    return;
  }
  if (path === '/admin/import') {
    if (req.method !== 'POST') throw new MethodNotAllowedError('POST /admin/import', ['POST']);
    const body = await importBody(req);
    const pages = parseImport(body, store.kind, options.now(), options.retentionDays);
    await store.importPages(pages);
    options.logger.info({ pages: pages.length }, 'admin import');
    return json(res, 200, { imported: pages.length });
  }
  if (path.startsWith('/admin/pages/')) {
    if (req.method !== 'DELETE') throw new MethodNotAllowedError('DELETE /admin/pages/{page}', ['DELETE']);
    const raw = path.slice('/admin/pages/'.length);
    // The home page's name is "/", which a path segment cannot hold: it is reset as /admin/pages/%2F.
    const page = parsePageName(raw === '%2F' ? '/' : raw);
    const before = await store.resetPage(page);
    options.logger.info({ page }, 'admin reset of a page');
    return json(res, 200, { reset: before });
  }
  throw new HttpError(404, 'not_found', 'the admin API serves GET /admin/export, POST /admin/import and DELETE /admin/pages/{page}');
}
