/**
 * A per-key token bucket: each key holds up to `max` tokens, refilled continuously over
 * `windowMs`. In memory, one bucket per key name (a bounded set: keys come from configuration).
 *
 * @module
 */
import type { RateLimit } from './api-keys.js';

/** The outcome of taking one token. */
export interface RateDecision {
  readonly allowed: boolean;
  readonly limit: number;
  readonly remaining: number;
  /** Seconds until a token is available (when refused) or the bucket is full again. */
  readonly resetSeconds: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/** Rate limiter keyed by caller name. */
export class RateLimiter {
  readonly #buckets = new Map<string, Bucket>();
  readonly #now: () => number;
  constructor(now: () => number = () => performance.now()) {
    this.#now = now;
  }

  /** Takes one token from `name`'s bucket. */
  take(name: string, limit: RateLimit): RateDecision {
    const now = this.#now();
    const rate = limit.max / limit.windowMs;
    const bucket = this.#buckets.get(name) ?? { tokens: limit.max, at: now };
    bucket.tokens = Math.min(limit.max, bucket.tokens + (now - bucket.at) * rate);
    bucket.at = now;
    this.#buckets.set(name, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return {
        allowed: true,
        limit: limit.max,
        remaining: Math.floor(bucket.tokens),
        resetSeconds: Math.ceil((limit.max - bucket.tokens) / rate / 1000),
      };
    }
    return {
      allowed: false,
      limit: limit.max,
      remaining: 0,
      resetSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / rate / 1000)),
    };
  }
}
