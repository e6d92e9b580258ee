/**
 * Real-HTTP helpers for the sandbox tests: every response they receive is checked against the
 * OpenAPI contract (see openapi.ts) before the test sees it.
 */
import { randomUUID } from 'node:crypto';
import { gunzipSync, inflateSync } from 'node:zlib';
import { request } from 'node:http';
import type { Sandbox } from '../src/index.js';
import { assertConforms } from './openapi.js';

/** A received response. */
export interface Reply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
  readonly json: unknown;
  /** Bytes on the wire (before decoding). */
  readonly raw: Buffer;
}

/** Sends one request with node:http (so the raw encoding is visible) and decodes the body. */
export function send(
  url: string,
  method: string,
  headers: Record<string, string>,
  body?: string,
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const all =
      body !== undefined
        ? { ...headers, 'content-length': String(Buffer.byteLength(body)) }
        : headers;
    const req = request(url, { method, headers: all }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const raw = Buffer.concat(chunks);
        const enc = res.headers['content-encoding'];
        let decoded: Buffer;
        try {
          decoded = enc === 'gzip' ? gunzipSync(raw) : enc === 'deflate' ? inflateSync(raw) : raw;
        } catch (e) {
          reject(e instanceof Error ? e : new Error(String(e)));
          return;
        }
        const text = decoded.toString('utf8');
        let json: unknown;
        try {
          json = text === '' ? undefined : JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json, raw });
      });
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

/** `POST /oauth2/v1/token` (contract-checked). */
export async function tokenRequest(
  sb: Sandbox,
  form: Record<string, string>,
  opts: { headers?: Record<string, string>; client?: [string, string]; omit?: string[] } = {},
): Promise<Reply> {
  const [id, secret] = opts.client ?? [sb.clientId, sb.clientSecret];
  const headers: Record<string, string> = {
    authorization: basic(id, secret),
    'content-type': 'application/x-www-form-urlencoded',
    transactionId: randomUUID(),
    institutionId: sb.institutionId,
    accept: 'application/json',
    ...opts.headers,
  };
  for (const h of opts.omit ?? []) delete headers[h];
  const r = await send(
    `${sb.url}/oauth2/v1/token`,
    'POST',
    headers,
    new URLSearchParams(form).toString(),
  );
  assertConforms('/oauth2/v1/token', 'POST', r.status, r.text);
  return r;
}

/** A client-credentials access token. */
export async function accessToken(sb: Sandbox, scopes?: string): Promise<string> {
  const r = await tokenRequest(sb, {
    grant_type: 'client_credentials',
    ...(scopes ? { scopes } : {}),
  });
  if (r.status !== 200) throw new Error(`token failed: ${r.text}`);
  return (r.json as { access_token: string }).access_token;
}

/** `DELETE /oauth2/v1/revoke` (contract-checked). */
export async function revokeRequest(
  sb: Sandbox,
  token: string,
  client?: [string, string],
): Promise<Reply> {
  const [id, secret] = client ?? [sb.clientId, sb.clientSecret];
  const r = await send(
    `${sb.url}/oauth2/v1/revoke`,
    'DELETE',
    {
      authorization: basic(id, secret),
      'content-type': 'application/x-www-form-urlencoded',
      transactionId: randomUUID(),
    },
    new URLSearchParams({ token }).toString(),
  );
  assertConforms('/oauth2/v1/revoke', 'DELETE', r.status, r.text);
  return r;
}

/** `POST /v1/banking-activities` (contract-checked). */
export async function searchRequest(
  sb: Sandbox,
  token: string | undefined,
  body: unknown,
  opts: {
    headers?: Record<string, string>;
    path?: string;
    method?: string;
    rawBody?: string;
    omit?: string[];
  } = {},
): Promise<Reply> {
  const headers: Record<string, string> = {
    ...(token !== undefined ? { authorization: `Bearer ${token}` } : {}),
    'content-type': 'application/json',
    transactionId: randomUUID(),
    accept: 'application/json',
    'accept-encoding': 'gzip',
    ...opts.headers,
  };
  for (const h of opts.omit ?? []) delete headers[h];
  const path = opts.path ?? '/v1/banking-activities';
  const method = opts.method ?? 'POST';
  const r = await send(
    `${sb.url}${path}`,
    method,
    headers,
    opts.rawBody ?? (body === undefined ? undefined : JSON.stringify(body)),
  );
  assertConforms(path, method === 'POST' ? 'POST' : 'POST', r.status, r.text);
  return r;
}

/** The search page shape. */
export interface Page {
  nextPageToken?: string;
  count: number;
  bankingActivities: Record<string, string>[];
}

/** ISO instant `days` days before the sandbox's newest event (or now). */
export const daysAgo = (days: number, from = Date.now()) =>
  new Date(from - days * 86_400_000).toISOString();

/** Every record of a search, following nextPageToken (contract-checked pages). */
export async function searchAll(
  sb: Sandbox,
  token: string,
  criteria: Record<string, unknown>,
): Promise<{ records: Record<string, string>[]; pages: number }> {
  const records: Record<string, string>[] = [];
  let next: string | undefined;
  let pages = 0;
  do {
    const r = await searchRequest(sb, token, {
      ...criteria,
      ...(next ? { nextPageToken: next } : {}),
    });
    if (r.status === 204) break;
    if (r.status !== 200) throw new Error(`search failed ${r.status}: ${r.text}`);
    const page = r.json as Page;
    pages += 1;
    records.push(...page.bankingActivities);
    next = page.nextPageToken;
  } while (next);
  return { records, pages };
}
