/**
 * The HTTP front of the sandbox (plain node:http, for full control over connection resets and
 * truncated gzip): routing, header checks, gzip per `Accept-Encoding`, fault injection, the
 * admin endpoint and one log line per request (never a secret).
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gzip, deflate } from 'node:zlib';
import { promisify } from 'node:util';
import type { AuthRequest, AuthService } from './auth.js';
import { isUuid } from './auth.js';
import { validateSearch, type ValidSearch } from './criteria.js';
import { apiError, isPrintableAscii, type ApiError } from './errors.js';
import { checkFaultSpec, type Faults } from './faults.js';
import { criteriaHash, decodePageToken, encodePageToken, type PagePosition } from './page-token.js';
import { searchSql } from './search-sql.js';
import type { Store } from './store.js';

const gzipAsync = promisify(gzip);
const deflateAsync = promisify(deflate);

/** The switches of the emulated API. @since 0.1.0 */
export interface ApiSettings {
  readonly keyCase: 'lower' | 'camel';
  readonly requireAccountRead: boolean;
  readonly rejectNotEqualLike: boolean;
  readonly lookbackDays: number;
  readonly maxPageSize: number;
  readonly adminEnabled: boolean;
  /** gzip level of answers (1 = fastest, the default). */
  readonly gzipLevel: number;
}

/** Everything a request handler needs. @since 0.1.0 */
export interface ServerContext {
  readonly store: Store;
  readonly auth: AuthService;
  readonly faults: Faults;
  readonly settings: ApiSettings;
  readonly now: () => number;
  readonly log: (line: string) => void;
  /** Next pages computed ahead while the client reads the current one (keyed by criteria and position). */
  readonly prefetch: Map<string, Promise<ComputedPage>>;
}

const MAX_BODY = 1 << 20;
const MAX_HEADER = 4096;
const ACTIVITY_PATHS = new Set(['/v1/banking-activities', '/data-apis/v1/banking-activities']);
const ALWAYS = ['eventid', 'reqctx_id', 'timestamp'];
const COMMA = Buffer.from(',');
const TAIL = Buffer.from(']}');

interface Answer {
  status: number;
  body?: Buffer | string;
  headers?: Record<string, string>;
  records?: number;
  /** Set for searches: what fault to apply to the body. */
  fault?: 'reset' | 'truncate';
  client?: string;
  /** Error code, for the log line. */
  code?: string;
}

const json = (status: number, value: unknown, headers: Record<string, string> = {}): Answer => ({
  status,
  body: JSON.stringify(value),
  headers: { 'content-type': 'application/json', ...headers },
});

const errorAnswer = (e: ApiError): Answer => ({
  ...json(e.status, { code: e.code, message: e.message }, e.headers ? { ...e.headers } : {}),
  code: e.code,
});

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        resolve(undefined);
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () =>
      resolve(size > MAX_BODY ? undefined : Buffer.concat(chunks).toString('latin1')),
    );
    req.on('error', reject);
  });
}

function headerMap(req: IncomingMessage): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(req.headers)) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

/** The coding to answer with, or undefined when no listed coding is supported (BAS_10203). @since 0.1.0 */
export function chooseEncoding(header: string | undefined): 'gzip' | 'deflate' | undefined {
  if (header === undefined || header.trim() === '') return 'gzip';
  const codings = header
    .split(',')
    .map((c) => c.split(';')[0]?.trim().toLowerCase() ?? '')
    .filter((c) => c !== '');
  if (codings.some((c) => c === 'gzip' || c === 'application/gzip' || c === '*' || c === 'x-gzip'))
    return 'gzip';
  if (codings.includes('deflate')) return 'deflate';
  return undefined;
}

const isLoopback = (addr: string | undefined): boolean =>
  addr === '127.0.0.1' || addr === '::1' || addr === '::ffff:127.0.0.1';

/** Renders page rows (lowercase-key JSON) as the records of the answer, renamed and projected. */
function renderRecords(rows: readonly string[], search: ValidSearch, ctx: ServerContext): string {
  const camel = ctx.settings.keyCase === 'camel';
  const wanted =
    search.requestedAttributes.length > 0
      ? new Set([...ALWAYS, ...search.requestedAttributes.map((a) => a.toLowerCase())])
      : undefined;
  const names = ctx.store.names;
  return rows
    .map((row) => {
      const rec = JSON.parse(row) as Record<string, string>;
      const out: Record<string, string> = {};
      for (const key in rec) {
        if (wanted && !wanted.has(key)) continue;
        out[camel ? (names.get(key) ?? key) : key] = rec[key] as string;
      }
      return JSON.stringify(out);
    })
    .join(',');
}

/** Answers `POST /v1/banking-activities`. */
async function search(req: IncomingMessage, ctx: ServerContext): Promise<Answer> {
  if (req.method !== 'POST') {
    req.resume();
    return errorAnswer(apiError('BAS_10207'));
  }
  const headers = headerMap(req);
  const bearer = ctx.auth.bearer(headers.authorization);
  if (!bearer.ok) return errorAnswer(bearer.error);
  const token = bearer.value;
  const client = token.clientId;
  const needed = ctx.settings.requireAccountRead
    ? ['banking-activities:read', 'account:read']
    : ['banking-activities:read'];
  if (needed.some((s) => !token.scopes.includes(s)))
    return { ...errorAnswer(apiError('BAS_10103')), client };
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    if (!isPrintableAscii(value)) return { ...errorAnswer(apiError('BAS_10201')), client };
    if (value.length > MAX_HEADER && name !== 'authorization')
      return { ...errorAnswer(apiError('BAS_10205')), client };
  }
  const tx = headers.transactionid;
  if (tx === undefined || tx === '') return { ...errorAnswer(apiError('BAS_10203')), client };
  if (tx.length > 36) return { ...errorAnswer(apiError('BAS_10202')), client };
  if (!isUuid(tx)) return { ...errorAnswer(apiError('BAS_10203')), client };
  const encoding = chooseEncoding(headers['accept-encoding']);
  if (encoding === undefined) return { ...errorAnswer(apiError('BAS_10203')), client };
  if (headers.institutionid !== undefined && headers.institutionid !== token.institutionId)
    return { ...errorAnswer(apiError('BAS_10105')), client };
  const type = headers['content-type'];
  if (type !== undefined && !type.toLowerCase().includes('json'))
    return { ...errorAnswer(apiError('BAS_10006')), client };
  const raw = await readBody(req);
  if (raw === undefined || raw.trim() === '')
    return { ...errorAnswer(apiError('BAS_10204')), client };
  if (!isPrintableAscii(raw.replace(/[\r\n\t]/g, ' ')))
    return { ...errorAnswer(apiError('BAS_10201')), client };
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    return { ...errorAnswer(apiError('BAS_10006')), client };
  }
  const valid = validateSearch(body, {
    now: ctx.now(),
    lookbackDays: ctx.settings.lookbackDays,
    maxPageSize: ctx.settings.maxPageSize,
    rejectNotEqualLike: ctx.settings.rejectNotEqualLike,
  });
  if (!valid.ok) return { ...errorAnswer(valid.error), client };
  const s = valid.value;
  const hash = criteriaHash(s);
  let after: PagePosition | undefined;
  if (s.nextPageToken !== undefined) {
    after = decodePageToken(s.nextPageToken, token.institutionId, hash);
    if (!after) return { ...errorAnswer(apiError('BAS_10206')), client };
  }
  const fault = ctx.faults.decide();
  if (fault._tag === 'error') return { ...errorAnswer(fault.error), client };
  const inst = token.institutionId;
  const key = `${inst}|${hash}|${s.nextPageToken ?? ''}|${s.pageSize}|${encoding}`;
  let pending = ctx.prefetch.get(key);
  ctx.prefetch.delete(key);
  if (!pending) pending = computePage(ctx, inst, s, after, hash, encoding);
  const page = await pending;
  if (page._tag === 'error') return { ...errorAnswer(page.error), client };
  if (page.next) {
    const nextSearch: ValidSearch = { ...s, nextPageToken: page.next.token };
    const nextKey = `${inst}|${hash}|${page.next.token}|${s.pageSize}|${encoding}`;
    const position = page.next.position;
    setImmediate(() => {
      if (ctx.prefetch.has(nextKey)) return;
      const p = computePage(ctx, inst, nextSearch, position, hash, encoding);
      ctx.prefetch.set(nextKey, p);
      while (ctx.prefetch.size > 16) {
        const oldest = ctx.prefetch.keys().next().value;
        if (oldest === undefined) break;
        ctx.prefetch.delete(oldest);
      }
    });
  }
  if (page.records === 0)
    return { status: 204, headers: { transactionid: tx }, records: 0, client };
  return {
    status: 200,
    body: page.body,
    headers: {
      'content-type': 'application/json',
      'content-encoding': encoding,
      transactionid: tx,
      vary: 'Accept-Encoding',
    },
    records: page.records,
    client,
    ...(fault._tag === 'reset' || fault._tag === 'truncate' ? { fault: fault._tag } : {}),
  };
}

/** A computed page: the encoded body and the position of the next one. */
export type ComputedPage =
  | {
      readonly _tag: 'page';
      readonly body: Buffer;
      readonly records: number;
      readonly next?: { readonly token: string; readonly position: PagePosition };
    }
  | { readonly _tag: 'error'; readonly error: ApiError };

/**
 * Runs one page of a search: the SQL query (one row more than the page, to know whether a next
 * page exists), the records as JSON, and the encoded body.
 */
async function computePage(
  ctx: ServerContext,
  inst: string,
  s: ValidSearch,
  after: PagePosition | undefined,
  hash: string,
  encoding: 'gzip' | 'deflate',
): Promise<ComputedPage> {
  let rows: [Buffer, number, string][];
  try {
    const q = searchSql(inst, s, after, s.pageSize + 1, 'CAST(attrs AS BLOB), ts, guid');
    rows = ctx.store
      .prepare(q.sql)
      .raw(true)
      .all(...q.params) as [Buffer, number, string][];
  } catch {
    return { _tag: 'error', error: apiError('BAS_10004') };
  }
  if (rows.length === 0) return { _tag: 'page', body: Buffer.alloc(0), records: 0 };
  const more = rows.length > s.pageSize;
  const page = more ? rows.slice(0, s.pageSize) : rows;
  const nextRow = more ? rows[s.pageSize] : undefined;
  const next = nextRow
    ? { position: { institutionId: inst, ts: nextRow[1], guid: nextRow[2] } }
    : undefined;
  const token = next ? encodePageToken(next.position, hash) : undefined;
  const tokenPart = token ? `"nextPageToken":${JSON.stringify(token)},` : '';
  const head = Buffer.from(`{${tokenPart}"count":${page.length},"bankingActivities":[`);
  let text: Buffer;
  if (ctx.settings.keyCase === 'lower' && s.requestedAttributes.length === 0) {
    // the stored rows are already the answer's records: copy their bytes
    const parts: Buffer[] = [head];
    for (let i = 0; i < page.length; i += 1) {
      if (i > 0) parts.push(COMMA);
      parts.push((page[i] as [Buffer, number, string])[0]);
    }
    parts.push(TAIL);
    text = Buffer.concat(parts);
  } else {
    const records = renderRecords(
      page.map((r) => r[0].toString('utf8')),
      s,
      ctx,
    );
    text = Buffer.concat([head, Buffer.from(records), TAIL]);
  }
  const level = ctx.settings.gzipLevel;
  const body =
    encoding === 'gzip'
      ? await gzipAsync(text, { level, chunkSize: 1 << 18 })
      : await deflateAsync(text, { level, chunkSize: 1 << 18 });
  return {
    _tag: 'page',
    body,
    records: page.length,
    ...(next && token ? { next: { token, position: next.position } } : {}),
  };
}

async function authCall(
  req: IncomingMessage,
  ctx: ServerContext,
  kind: 'token' | 'revoke' | 'client-authorization' | 'auth-code',
): Promise<Answer> {
  const headers = headerMap(req);
  const raw = await readBody(req);
  if (raw === undefined) return errorAnswer(apiError('CMN_90011'));
  const ar: AuthRequest = { headers, body: raw };
  const tx = headers.transactionid;
  const echo: Record<string, string> = tx !== undefined && isUuid(tx) ? { transactionid: tx } : {};
  try {
    if (kind === 'token') {
      const r = ctx.auth.token(ar);
      return r.ok
        ? json(200, r.value, { ...echo, 'cache-control': 'no-store' })
        : errorAnswer(r.error);
    }
    if (kind === 'revoke') {
      const r = ctx.auth.revoke(ar);
      return r.ok ? { status: 204, headers: echo } : errorAnswer(r.error);
    }
    const r = kind === 'auth-code' ? ctx.auth.authCode(ar) : ctx.auth.clientAuthorization(ar);
    return r.ok ? json(200, r.value, echo) : errorAnswer(r.error);
  } catch {
    return errorAnswer(apiError('CMN_90000'));
  }
}

async function admin(req: IncomingMessage, ctx: ServerContext): Promise<Answer> {
  if (!ctx.settings.adminEnabled)
    return json(404, {
      code: 'NOT_FOUND',
      message: 'The admin endpoint is disabled (start the sandbox with adminEnabled).',
    });
  if (!isLoopback(req.socket.remoteAddress))
    return json(403, { code: 'CMN_90006', message: 'Not authorized to access this resource' });
  if (req.method === 'GET') return json(200, ctx.faults.get());
  if (req.method === 'PUT' || req.method === 'POST') {
    const raw = await readBody(req);
    let value: unknown;
    try {
      value = JSON.parse(raw ?? '');
    } catch {
      return json(400, { code: 'CMN_90011', message: 'The body must be a JSON fault spec' });
    }
    const spec = checkFaultSpec(value);
    if (!spec.ok) return json(400, { code: 'CMN_90011', message: spec.message });
    ctx.faults.set(spec.spec);
    return json(200, spec.spec);
  }
  return json(400, { code: 'CMN_90011', message: 'Use GET or PUT' });
}

async function route(req: IncomingMessage, ctx: ServerContext, path: string): Promise<Answer> {
  if (ACTIVITY_PATHS.has(path)) return search(req, ctx);
  const tokenPath = path === '/oauth2/v1/token' || path === '/digitalbanking/oauth2/v1/token';
  const revokePath = path === '/oauth2/v1/revoke' || path === '/digitalbanking/oauth2/v1/revoke';
  if (tokenPath)
    return req.method === 'POST' ? authCall(req, ctx, 'token') : errorAnswer(apiError('CMN_90011'));
  if (revokePath)
    return req.method === 'DELETE' || req.method === 'POST'
      ? authCall(req, ctx, 'revoke')
      : errorAnswer(apiError('CMN_90011'));
  if (path === '/v1/client-authorization' && req.method === 'POST')
    return authCall(req, ctx, 'client-authorization');
  if (path === '/v1/auth-code' && req.method === 'POST') return authCall(req, ctx, 'auth-code');
  if (path === '/__admin/faults') return admin(req, ctx);
  if (path === '/' && req.method === 'GET') {
    return json(200, {
      name: 'baql sandbox',
      sampleData: true,
      endpoints: [
        'POST /oauth2/v1/token',
        'DELETE /oauth2/v1/revoke',
        'POST /v1/banking-activities',
      ],
    });
  }
  req.resume();
  return json(404, {
    code: 'NOT_FOUND',
    message: `The sandbox does not emulate ${req.method ?? 'GET'} ${path} (only Auth v2 and Banking Activities)`,
  });
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The request listener of the sandbox. @since 0.1.0 */
export function createHandler(
  ctx: ServerContext,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const started = performance.now();
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    void (async () => {
      const delay = ACTIVITY_PATHS.has(path) ? ctx.faults.delay() : 0;
      if (delay > 0) await sleep(delay);
      let answer: Answer;
      try {
        answer = await route(req, ctx, path);
      } catch {
        answer = errorAnswer(apiError(ACTIVITY_PATHS.has(path) ? 'BAS_99999' : 'CMN_90000'));
      }
      if (!req.readableEnded) req.resume();
      const body =
        answer.body === undefined
          ? undefined
          : typeof answer.body === 'string'
            ? Buffer.from(answer.body)
            : answer.body;
      const tx = req.headers.transactionid;
      const line = `${new Date().toISOString()} ${req.method ?? '?'} ${path} ${answer.status}${answer.code ? ` ${answer.code}` : ''}${answer.fault ? ` fault=${answer.fault}` : ''} ${Math.round(performance.now() - started)}ms${answer.records !== undefined ? ` records=${answer.records}` : ''}${answer.client ? ` client=${answer.client}` : ''}${typeof tx === 'string' && tx.length <= 64 ? ` tx=${tx}` : ''}`;
      ctx.log(line);
      if (answer.fault === 'reset' && body) {
        res.writeHead(answer.status, { ...answer.headers, 'content-length': String(body.length) });
        res.write(body.subarray(0, Math.max(1, Math.floor(body.length / 2))), () => res.destroy());
        return;
      }
      if (answer.fault === 'truncate' && body) {
        res.writeHead(answer.status, { ...answer.headers });
        res.end(body.subarray(0, Math.max(1, Math.floor(body.length / 2))));
        return;
      }
      res.writeHead(answer.status, {
        ...answer.headers,
        ...(body ? { 'content-length': String(body.length) } : {}),
      });
      res.end(body);
    })();
  };
}
