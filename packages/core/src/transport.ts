/**
 * The HTTP transport: one function that sends a request with a fresh `transactionId`, per-request
 * timeout, `AbortSignal`, keep-alive and gzip, and retries transient failures (network errors,
 * 408/429/5xx and the gateway's quota/spike codes) with full-jitter backoff honouring
 * `Retry-After`, bounded in count and total time. The `fetch` is injectable (node-fetch by default).
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import * as E from 'fp-ts/lib/Either.js';
import nodeFetch from 'node-fetch';
import type { BaqlReason } from './errors.js';
import { redact } from './redact.js';
import {
  DEFAULT_RETRY,
  backoffMs,
  isRetryable,
  isThrottle,
  parseRetryAfter,
  sleep,
  type RetryPolicy,
} from './retry.js';

/** The subset of a fetch `Response` the core uses (node-fetch, undici and others fit). */
export interface FetchResponseLike {
  readonly status: number;
  readonly headers: { get(name: string): string | null };
  text(): Promise<string>;
}
/** The subset of fetch options the core sends. `agent`/`compress` are node-fetch options, ignored elsewhere. */
export interface FetchInitLike {
  method: string;
  headers: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
  agent?: unknown;
  compress?: boolean;
}
/** An injectable fetch implementation. */
export type FetchLike = (url: string, init: FetchInitLike) => Promise<FetchResponseLike>;

/** What a middleware sees of a request (headers already redacted; no body). */
export interface RequestInfo {
  readonly method: string;
  readonly url: string;
  readonly transactionId: string;
  /** 0 for the first attempt, 1 for the first retry, … */
  readonly attempt: number;
}
/** What a middleware sees of an answer (or of a failure, `status` 0). */
export interface ResponseInfo {
  readonly status: number;
  readonly code?: string;
  readonly elapsedMs: number;
  readonly bytes: number;
  readonly error?: string;
}
/** Transport middleware: before/after hooks for metrics, logging, tracing. Must not throw. */
export interface TransportMiddleware {
  readonly name: string;
  before?(request: RequestInfo): void | Promise<void>;
  after?(request: RequestInfo, response: ResponseInfo): void | Promise<void>;
}

/** A structured debug logger (messages are already redacted). */
export interface Logger {
  debug?(message: string, fields?: Record<string, unknown>): void;
  warn?(message: string, fields?: Record<string, unknown>): void;
}

/** Timeouts in milliseconds. */
export interface Timeouts {
  /** One HTTP attempt, headers and body (default 30000). */
  readonly requestMs: number;
  /** A whole query (default none). */
  readonly queryMs?: number;
}

/** A request to send. */
export interface HttpRequest {
  readonly method: 'GET' | 'POST' | 'DELETE';
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly signal?: AbortSignal;
  /**
   * Parse a 2xx body as JSON inside the retry loop: a body cut short (a truncated gzip stream
   * decodes "cleanly" to partial text) is then retried like a reset instead of failing to decode.
   */
  readonly expectJson?: boolean;
}

/** A received answer (body read completely, so a reset mid-body is retried too). */
export interface HttpResponse {
  readonly status: number;
  readonly body: string;
  readonly transactionId: string;
  readonly headers: { get(name: string): string | null };
  readonly bytes: number;
  /** The parsed body, when the request had `expectJson` and the answer was a non-empty 2xx. */
  readonly json?: unknown;
}

/** Counters a transport keeps (read by the executor for progress and summary). */
export interface TransportEvents {
  onRetry?(info: { status: number; code?: string; delayMs: number; throttled: boolean }): void;
  onResponse?(info: { status: number; bytes: number }): void;
}

/** Options of {@link createTransport}. */
export interface TransportOptions {
  readonly baseUrl: string;
  readonly fetch?: FetchLike;
  readonly retry?: Partial<RetryPolicy>;
  readonly timeouts?: Partial<Timeouts>;
  readonly middleware?: readonly TransportMiddleware[];
  readonly logger?: Logger;
  readonly userAgent?: string;
  /** Most sockets per host of the keep-alive agent (default 16). */
  readonly maxSockets?: number;
}

/** Sends requests. */
export interface Transport {
  readonly baseUrl: string;
  /** Sends `request`, retrying transient failures; resolves to the final answer or a reason. */
  send(request: HttpRequest, events?: TransportEvents): TE.TaskEither<BaqlReason, HttpResponse>;
  /** Closes the keep-alive sockets. */
  close(): void;
}

/** Peeks the `code`/`message` of an error body without failing on bodies that are not JSON. */
export function peekErrorBody(body: string): { code?: string; message?: string } {
  if (body === '' || body[0] !== '{') return {};
  try {
    const parsed = JSON.parse(body) as Record<string, unknown>;
    const code = parsed['code'] ?? parsed['errorCode'];
    const message = parsed['message'] ?? parsed['errorMessage'];
    return {
      ...(typeof code === 'string' ? { code } : {}),
      ...(typeof message === 'string' ? { message } : {}),
    };
  } catch {
    return {};
  }
}

class RequestTimeout extends Error {}

/**
 * Settles with `promise`, or rejects with the signal's reason as soon as `signal` aborts: an
 * injected fetch that ignores its signal (or a body read that does) must not keep an aborted
 * query, its timers or its consumer's `return()` waiting for the upstream to answer. A later
 * rejection of `promise` is handled (never unhandled).
 *
 * @example
 * ```ts
 * const page = await abortable(iterator.next(), controller.signal);
 * ```
 * @since 0.1.0
 */
export function abortable<A>(promise: Promise<A>, signal: AbortSignal): Promise<A> {
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(signal.reason);
  }
  return new Promise<A>((resolve, reject) => {
    const onAbort = () => {
      promise.catch(() => undefined);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** Creates a {@link Transport}. */
export function createTransport(options: TransportOptions): Transport {
  const policy: RetryPolicy = { ...DEFAULT_RETRY, ...options.retry };
  const requestMs = options.timeouts?.requestMs ?? 30_000;
  const middleware = options.middleware ?? [];
  const maxSockets = options.maxSockets ?? 16;
  const httpAgent = new http.Agent({ keepAlive: true, maxSockets });
  const httpsAgent = new https.Agent({ keepAlive: true, maxSockets });
  const fetchImpl: FetchLike = options.fetch ?? (nodeFetch as unknown as FetchLike);
  const agent = (url: URL) => (url.protocol === 'http:' ? httpAgent : httpsAgent);
  const log = options.logger;

  const attempt = async (
    request: HttpRequest,
    info: RequestInfo,
  ): Promise<
    E.Either<
      | { kind: 'network'; message: string; code?: string }
      | { kind: 'timeout' }
      | { kind: 'aborted' },
      HttpResponse
    >
  > => {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new RequestTimeout()), requestMs);
    const onAbort = () => controller.abort(request.signal?.reason);
    if (request.signal?.aborted === true) onAbort();
    else request.signal?.addEventListener('abort', onAbort, { once: true });
    const started = performance.now();
    try {
      for (const m of middleware) await m.before?.(info);
      const res = await abortable(
        fetchImpl(info.url, {
          method: request.method,
          headers: {
            ...request.headers,
            transactionId: info.transactionId,
            'Accept-Encoding': 'gzip',
            Accept: 'application/json',
            'User-Agent': options.userAgent ?? 'baql-core',
          },
          ...(request.body === undefined ? {} : { body: request.body }),
          signal: controller.signal,
          agent,
          compress: true,
        }),
        controller.signal,
      );
      const body = await abortable(res.text(), controller.signal);
      const length = Number(res.headers.get('content-length'));
      const bytes = Number.isFinite(length) && length > 0 ? length : body.length;
      let json: unknown;
      if (
        request.expectJson === true &&
        res.status >= 200 &&
        res.status < 300 &&
        body.trim() !== ''
      ) {
        try {
          json = JSON.parse(body);
        } catch {
          throw Object.assign(new Error('the response body was cut short (not complete JSON)'), {
            code: 'ETRUNCATED',
          });
        }
      }
      const out: HttpResponse = {
        status: res.status,
        // Once parsed, the text is not kept (a page's text can be megabytes).
        body: json === undefined ? body : '',
        transactionId: res.headers.get('transactionId') ?? info.transactionId,
        headers: res.headers,
        bytes,
        ...(json === undefined ? {} : { json }),
      };
      const code = res.status >= 400 ? peekErrorBody(body).code : undefined;
      for (const m of middleware) {
        await m.after?.(info, {
          status: res.status,
          elapsedMs: performance.now() - started,
          bytes,
          ...(code === undefined ? {} : { code }),
        });
      }
      return E.right(out);
    } catch (error) {
      const elapsedMs = performance.now() - started;
      if (request.signal?.aborted) return E.left({ kind: 'aborted' });
      const timedOut =
        controller.signal.aborted && controller.signal.reason instanceof RequestTimeout;
      const err = error as { code?: string; message?: string; cause?: { code?: string } };
      const code = err.code ?? err.cause?.code;
      const message = redact(err.message ?? String(error));
      for (const m of middleware)
        await m.after?.(info, {
          status: 0,
          elapsedMs,
          bytes: 0,
          error: timedOut ? 'timeout' : message,
        });
      return E.left(
        timedOut
          ? { kind: 'timeout' }
          : { kind: 'network', message, ...(typeof code === 'string' ? { code } : {}) },
      );
    } finally {
      clearTimeout(timer);
      request.signal?.removeEventListener('abort', onAbort);
    }
  };

  const send =
    (request: HttpRequest, events?: TransportEvents): TE.TaskEither<BaqlReason, HttpResponse> =>
    async () => {
      const url = `${options.baseUrl}${request.path}`;
      let waited = 0;
      for (let retry = 0; ; retry += 1) {
        if (request.signal?.aborted) return E.left({ _tag: 'Aborted' });
        const info: RequestInfo = {
          method: request.method,
          url,
          transactionId: randomUUID(),
          attempt: retry,
        };
        const result = await attempt(request, info);
        let status = 0;
        let code: string | undefined;
        let retryAfterMs: number | undefined;
        let failure: BaqlReason;
        if (E.isRight(result)) {
          const res = result.right;
          events?.onResponse?.({ status: res.status, bytes: res.bytes });
          log?.debug?.('response', {
            method: request.method,
            path: request.path,
            status: res.status,
            transactionId: info.transactionId,
            attempt: retry,
            bytes: res.bytes,
          });
          const peek = res.status >= 400 ? peekErrorBody(res.body) : {};
          if (!isRetryable(res.status, peek.code, peek.message)) return E.right(res);
          status = res.status;
          code = peek.code;
          retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
          failure = {
            _tag: 'HttpError',
            status: res.status,
            message: peek.message ?? `HTTP ${res.status}`,
            transactionId: res.transactionId,
            method: request.method,
            path: request.path,
            ...(peek.code === undefined ? {} : { code: peek.code }),
          };
          // The final retryable answer is handed back as a response so callers map it uniformly.
          if (retry >= policy.maxRetries) return E.right(res);
        } else if (result.left.kind === 'aborted') {
          return E.left({ _tag: 'Aborted' });
        } else if (result.left.kind === 'timeout') {
          status = 408;
          failure = {
            _tag: 'Timeout',
            scope: 'request',
            ms: requestMs,
            transactionId: info.transactionId,
          };
        } else {
          failure = {
            _tag: 'NetworkError',
            message: result.left.message,
            transactionId: info.transactionId,
            ...(result.left.code === undefined ? {} : { code: result.left.code }),
          };
        }
        if (retry >= policy.maxRetries) return E.left(failure);
        const delayMs = backoffMs(policy, retry, retryAfterMs);
        if (waited + delayMs > policy.budgetMs) return E.left(failure);
        const throttled = isThrottle(status, code);
        events?.onRetry?.({ status, delayMs, throttled, ...(code === undefined ? {} : { code }) });
        log?.debug?.('retrying request', {
          method: request.method,
          path: request.path,
          transactionId: info.transactionId,
          status,
          code,
          delayMs,
          retry: retry + 1,
        });
        try {
          await sleep(delayMs, request.signal);
        } catch {
          return E.left({ _tag: 'Aborted' });
        }
        waited += delayMs;
      }
    };

  return {
    baseUrl: options.baseUrl,
    send,
    close() {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}
