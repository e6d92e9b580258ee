/**
 * Prometheus metrics (prom-client), one registry per server so embedders and tests can run
 * several. Labels are bounded: route templates, methods, status codes, operations and upstream
 * error codes. Never a caller, a user id or query text.
 *
 * @module
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The server's metrics. */
export interface ServerMetrics {
  readonly registry: Registry;
  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  readonly upstreamRequests: Counter<'operation' | 'status'>;
  readonly upstreamDuration: Histogram<'operation'>;
  readonly upstreamRetries: Counter<'operation'>;
  readonly upstreamErrors: Counter<'code'>;
  readonly tokenRefreshes: Counter<'outcome'>;
  readonly queriesInFlight: Gauge<'mode'>;
  readonly queryRows: Counter<'mode'>;
  readonly queryPages: Counter;
  readonly queryErrors: Counter<'kind'>;
  readonly rateLimited: Counter;
  readonly authFailures: Counter<'reason'>;
}

const UPSTREAM_CODE = /^(BAS|CMN)_\d{5}$/;

/** The upstream-code label of an error code: a BAS_/CMN_ code, or `other`. */
export function codeLabel(code: string | undefined): string {
  return code !== undefined && UPSTREAM_CODE.test(code) ? code : 'other';
}

/** Creates the registry and every metric, with Node's default process metrics. */
export function createMetrics(prefix = 'baql_'): ServerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix });
  const registers = [registry];
  return {
    registry,
    httpRequests: new Counter({
      name: `${prefix}http_requests_total`,
      help: 'HTTP requests answered, by method, route template and status code.',
      labelNames: ['method', 'route', 'status'],
      registers,
    }),
    httpDuration: new Histogram({
      name: `${prefix}http_request_duration_seconds`,
      help: 'HTTP request latency until the response ended, by method, route template and status.',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    upstreamRequests: new Counter({
      name: `${prefix}upstream_requests_total`,
      help: 'Requests sent to the activity and auth APIs, by operation and status code.',
      labelNames: ['operation', 'status'],
      registers,
    }),
    upstreamDuration: new Histogram({
      name: `${prefix}upstream_request_duration_seconds`,
      help: 'Latency of requests to the activity and auth APIs, by operation.',
      labelNames: ['operation'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    upstreamRetries: new Counter({
      name: `${prefix}upstream_retries_total`,
      help: 'Retried upstream requests, by operation.',
      labelNames: ['operation'],
      registers,
    }),
    upstreamErrors: new Counter({
      name: `${prefix}upstream_errors_total`,
      help: 'Upstream error answers by BAS_/CMN_ code (other codes as "other").',
      labelNames: ['code'],
      registers,
    }),
    tokenRefreshes: new Counter({
      name: `${prefix}token_refreshes_total`,
      help: 'Access tokens obtained from the auth API, by outcome.',
      labelNames: ['outcome'],
      registers,
    }),
    queriesInFlight: new Gauge({
      name: `${prefix}queries_in_flight`,
      help: 'Queries running now, by mode (json, ndjson, saved).',
      labelNames: ['mode'],
      registers,
    }),
    queryRows: new Counter({
      name: `${prefix}query_rows_returned_total`,
      help: 'Rows returned to callers, by mode.',
      labelNames: ['mode'],
      registers,
    }),
    queryPages: new Counter({
      name: `${prefix}upstream_pages_fetched_total`,
      help: 'Result pages fetched from the activity API.',
      registers,
    }),
    queryErrors: new Counter({
      name: `${prefix}query_errors_total`,
      help: 'Failed queries by problem kind (bad-query, limit-exceeded, upstream-quota, ...).',
      labelNames: ['kind'],
      registers,
    }),
    rateLimited: new Counter({
      name: `${prefix}rate_limited_total`,
      help: 'Requests refused by a per-key rate limit.',
      registers,
    }),
    authFailures: new Counter({
      name: `${prefix}auth_failures_total`,
      help: 'Requests refused by authentication or authorisation, by reason.',
      labelNames: ['reason'],
      registers,
    }),
  };
}
