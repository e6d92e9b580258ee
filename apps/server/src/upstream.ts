/**
 * Ties upstream calls to the HTTP request that caused them, through an `AsyncLocalStorage`
 * context entered around each query:
 *
 * - a transport middleware (a core plugin) counts upstream requests, latency, retries, errors by
 *   BAS_/CMN_ code and token refreshes into the server's metrics;
 * - a `fetch` wrapper sends the request's own `transactionId` upstream (the first call of a
 *   request uses it as is; later calls keep its first 24 characters and count in the last 12
 *   hex digits, so every call stays a unique UUID and one grep finds them all) and logs the
 *   request-id → transactionId mapping.
 *
 * Pass {@link upstreamClientOptions} as the client options of the session (`baql serve` does).
 *
 * @module
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { FastifyBaseLogger } from 'fastify';
import { codeLabel, type ServerMetrics } from './metrics.js';

/** What the upstream hooks know about the request being served. */
export interface UpstreamContext {
  readonly requestId: string;
  readonly transactionId: string;
  readonly metrics: ServerMetrics;
  readonly log: FastifyBaseLogger | undefined;
  calls: number;
}

/** The request context of upstream calls. */
export const upstreamContext = new AsyncLocalStorage<UpstreamContext>();

/** The `transactionId` of the `n`-th (0-based) upstream call of a request. */
export function nthTransactionId(base: string, n: number): string {
  if (n === 0) return base;
  return `${base.slice(0, 24)}${n.toString(16).padStart(12, '0').slice(-12)}`;
}

/** The metrics label of an upstream URL. */
export function operationOf(url: string): string {
  if (url.includes('/oauth2/')) return url.includes('/revoke') ? 'revoke' : 'token';
  if (url.includes('/banking-activities')) return 'search';
  return 'other';
}

interface AttemptInfo {
  readonly url: string;
  readonly attempt: number;
}
interface AttemptResult {
  readonly status: number;
  readonly code?: string;
  readonly elapsedMs: number;
}

/** A core plugin whose transport middleware records upstream metrics of the current request. */
export const serverMetricsPlugin = {
  name: '@baql/server',
  description: 'Upstream metrics and request correlation of the baql HTTP service.',
  middleware: [
    {
      name: '@baql/server/metrics',
      after(info: AttemptInfo, res: AttemptResult): void {
        const ctx = upstreamContext.getStore();
        if (ctx === undefined) return;
        const operation = operationOf(info.url);
        const m = ctx.metrics;
        m.upstreamRequests.inc({ operation, status: String(res.status) });
        m.upstreamDuration.observe({ operation }, res.elapsedMs / 1000);
        if (info.attempt > 0) m.upstreamRetries.inc({ operation });
        if (res.status >= 400 || res.status === 0)
          m.upstreamErrors.inc({ code: res.status === 0 ? 'network' : codeLabel(res.code) });
        if (operation === 'token')
          m.tokenRefreshes.inc({ outcome: res.status === 200 ? 'ok' : 'failed' });
      },
    },
  ],
} as const;

type FetchInit = { headers?: Record<string, string>; [key: string]: unknown };
type AnyFetch = (url: string, init: FetchInit) => Promise<unknown>;

/** A `fetch` that stamps upstream calls with the current request's transactionId. */
export function correlatingFetch(
  base: AnyFetch = globalThis.fetch as unknown as AnyFetch,
): AnyFetch {
  return (url, init) => {
    const ctx = upstreamContext.getStore();
    if (ctx === undefined || init.headers === undefined) return base(url, init);
    const transactionId = nthTransactionId(ctx.transactionId, ctx.calls);
    ctx.calls += 1;
    const headers = { ...init.headers };
    for (const name of Object.keys(headers))
      if (name.toLowerCase() === 'transactionid') delete headers[name];
    headers['transactionId'] = transactionId;
    ctx.log?.debug(
      { reqId: ctx.requestId, transactionId, operation: operationOf(url) },
      'upstream call',
    );
    return base(url, { ...init, headers });
  };
}

/** Client options (for `openSession({client})` or `createClient`) that wire the hooks in. */
export function upstreamClientOptions(): {
  plugins: [typeof serverMetricsPlugin];
  fetch: AnyFetch;
} {
  return { plugins: [serverMetricsPlugin], fetch: correlatingFetch() };
}
