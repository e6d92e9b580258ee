/**
 * Test harness: the real stack over real HTTP. `openSession` starts the embedded sandbox, the
 * server listens on port 0, and tests talk to it with `fetch`. Upstream requests are counted by
 * wrapping the client's fetch (every request the client really sends to the sandbox).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { openSession } from '@baql/runtime';
import type { FastifyInstance } from 'fastify';
import {
  correlatingFetch,
  createServer,
  serverMetricsPlugin,
  type ApiKeyConfig,
  type ServerLimits,
  type ServerOptions,
} from '../src/index.js';
import { tempDir } from './temp-dir.js';

/** Keys of the test server. */
export const KEYS = {
  admin: 'admin-key-0123456789abcdef',
  saved: 'saved-key-0123456789abcdef',
  tight: 'tight-key-0123456789abcdef',
} as const;

export const API_KEYS: ApiKeyConfig[] = [
  { name: 'admin', key: KEYS.admin, rateLimit: { max: 100_000, windowMs: 1000 } },
  { name: 'saved-only', key: KEYS.saved, rights: { query: false, queries: ['logins'] } },
  { name: 'tight', key: KEYS.tight, rateLimit: { max: 3, windowMs: 60_000 } },
];

/** A running stack. */
export interface Stack {
  readonly base: string;
  readonly app: FastifyInstance;
  readonly session: Awaited<ReturnType<typeof openSession>>;
  /** Upstream requests sent so far, by URL path. */
  readonly upstream: string[];
  /** The transactionId headers sent upstream, in order. */
  readonly transactionIds: string[];
  /** One line per request the sandbox answered (its own log callback). */
  readonly sandboxLog: string[];
  /** Log lines written by the server (parsed JSON). */
  readonly logs: Record<string, unknown>[];
  close(): Promise<void>;
}

/** Starts the sandbox session and the server; its config dir goes when the test file ends. */
export async function startStack(
  options: {
    limits?: Partial<ServerLimits>;
    queriesDir?: string;
    sandbox?: Record<string, unknown>;
    client?: Record<string, unknown>;
    extra?: Partial<ServerOptions>;
  } = {},
): Promise<Stack> {
  const upstream: string[] = [];
  const sandboxLog: string[] = [];
  const transactionIds: string[] = [];
  const dir = tempDir('baql-server-test-');
  const fetchCounting = async (url: string, init: { headers?: Record<string, string> }) => {
    upstream.push(new URL(url).pathname);
    const tx = init.headers?.['transactionId'];
    if (tx !== undefined) transactionIds.push(tx);
    return globalThis.fetch(url, init as RequestInit);
  };
  const session = await openSession({
    profile: 'sandbox',
    config: { dir, file: {} },
    env: {},
    sandbox: {
      events: 20_000,
      db: ':memory:',
      log: (line: string) => sandboxLog.push(line),
      ...options.sandbox,
    },
    client: {
      plugins: [serverMetricsPlugin],
      fetch: correlatingFetch(fetchCounting),
      ...options.client,
    } as never,
  });
  const logs: Record<string, unknown>[] = [];
  const stream = {
    write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>),
  };
  const app = createServer({
    session,
    closeSession: true,
    apiKeys: API_KEYS,
    env: {},
    ...(options.queriesDir === undefined ? {} : { queriesDir: options.queriesDir }),
    ...(options.limits === undefined ? {} : { limits: options.limits }),
    logger: { level: 'debug', stream } as never,
    ...options.extra,
  });
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    base,
    app,
    session,
    upstream,
    transactionIds,
    logs,
    sandboxLog,
    close: () => app.close(),
  };
}

/** Writes saved queries to a new directory, removed when the test file ends. */
export function savedDir(files: Record<string, string>): string {
  const dir = tempDir('baql-saved-');
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

/** POSTs JSON with a key. */
export function post(
  base: string,
  path: string,
  body: unknown,
  key: string | null = KEYS.admin,
  headers: Record<string, string> = {},
) {
  return fetch(`${base}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(key === null ? {} : { authorization: `Bearer ${key}` }),
      ...headers,
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** Asserts a problem+json answer and returns its document. */
export async function problemOf(res: Response): Promise<Record<string, unknown>> {
  const type = res.headers.get('content-type') ?? '';
  if (!type.startsWith('application/problem+json')) {
    throw new Error(`expected problem+json, got ${res.status} ${type}: ${await res.text()}`);
  }
  return (await res.json()) as Record<string, unknown>;
}

/** An answer read off a raw socket. */
export interface RawAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/**
 * Sends `bytes` as they are on a new TCP connection (for requests `fetch` refuses to send) and
 * reads the answer until the server closes the connection.
 */
export function rawRequest(base: string, bytes: string): Promise<RawAnswer> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) });
    const chunks: Buffer[] = [];
    socket.setTimeout(5000, () => socket.destroy(new Error('no answer within 5 s')));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [head = '', ...rest] = text.split('\r\n\r\n');
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const at = line.indexOf(':');
        if (at > 0) headers[line.slice(0, at).trim().toLowerCase()] = line.slice(at + 1).trim();
      }
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: rest.join('\r\n\r\n') });
    });
    // Not `end`: every request here is one the server answers and then closes the connection on.
    socket.write(bytes);
  });
}
