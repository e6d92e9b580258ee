/**
 * Retry policy: which answers are worth retrying and how long to wait (exponential backoff with
 * full jitter, honouring `Retry-After`), bounded in count and in total time.
 *
 * @module
 */

/** How retries are bounded. */
export interface RetryPolicy {
  /** Most retries of one request (default 6). */
  readonly maxRetries: number;
  /** Base of the exponential backoff in ms (default 250). */
  readonly baseMs: number;
  /** Largest single backoff in ms (default 8000). */
  readonly capMs: number;
  /** Most total time spent waiting between attempts of one request, in ms (default 30000). */
  readonly budgetMs: number;
}

/** The default {@link RetryPolicy}: better than the SDK's 2 retries, still bounded. */
export const DEFAULT_RETRY: RetryPolicy = {
  maxRetries: 6,
  baseMs: 250,
  capMs: 8000,
  budgetMs: 30_000,
};

/** Statuses the API documents as transient. */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504]);
/** Gateway codes meaning "slow down" (quota / spike arrest, sent by Apigee as HTTP 500). */
export const THROTTLE_CODES: ReadonlySet<string> = new Set(['CMN_90002', 'CMN_90003']);

/** Whether a `CMN_90001` message is the quota variant (the code is overloaded). */
const isQuotaMessage = (message: string | undefined): boolean =>
  message !== undefined && /quota|spike/i.test(message);

/** Whether an answer asks the client to slow down (429 or a quota/spike code). */
export function isThrottle(status: number, code?: string, message?: string): boolean {
  return (
    status === 429 ||
    (code !== undefined && THROTTLE_CODES.has(code)) ||
    (code === 'CMN_90001' && isQuotaMessage(message))
  );
}

/** Whether an answer is worth retrying. */
export function isRetryable(status: number, code?: string, message?: string): boolean {
  return RETRYABLE_STATUSES.has(status) || isThrottle(status, code, message);
}

/** Parses `Retry-After` (delta seconds or an HTTP date) into milliseconds, if present and sane. */
export function parseRetryAfter(
  value: string | null | undefined,
  now = Date.now(),
): number | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * The wait before retry number `retry` (0-based): full jitter, `random(0, min(cap, base·2^retry))`,
 * and never less than the server's `Retry-After`.
 */
export function backoffMs(
  policy: RetryPolicy,
  retry: number,
  retryAfterMs?: number,
  random = Math.random,
): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** retry);
  const jitter = Math.floor(random() * ceiling);
  return retryAfterMs === undefined ? jitter : Math.max(retryAfterMs, jitter);
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
