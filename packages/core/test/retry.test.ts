import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resolveBaseUrl } from '../src/base-url.js';
import {
  DEFAULT_RETRY,
  backoffMs,
  isRetryable,
  isThrottle,
  parseRetryAfter,
} from '../src/retry.js';
import * as E from 'fp-ts/lib/Either.js';

describe('retry policy', () => {
  it('retries the documented transient statuses and gateway throttle codes only', () => {
    for (const s of [408, 429, 500, 502, 503, 504]) expect(isRetryable(s)).toBe(true);
    for (const s of [200, 204, 400, 401, 403, 404]) expect(isRetryable(s)).toBe(false);
    expect(isRetryable(400, 'CMN_90002')).toBe(true);
    expect(isThrottle(500, 'CMN_90001', 'Quota limit violation')).toBe(true);
    expect(isThrottle(401, 'CMN_90001', 'Client not authorized to access this resource')).toBe(
      false,
    );
  });
  it('parses Retry-After seconds and dates', () => {
    expect(parseRetryAfter('2')).toBe(2000);
    expect(parseRetryAfter('0.5')).toBe(500);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 7_000)).toBe(3000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });
  it('full jitter stays within [0, min(cap, base·2^n)] and never under Retry-After (property)', () => {
    fc.assert(
      fc.property(
        fc.nat(20),
        fc.double({ min: 0, max: 0.999999, noNaN: true }),
        fc.option(fc.nat(60_000), { nil: undefined }),
        (n, r, after) => {
          const d = backoffMs(DEFAULT_RETRY, n, after, () => r);
          const ceiling = Math.min(DEFAULT_RETRY.capMs, DEFAULT_RETRY.baseMs * 2 ** n);
          return d >= (after ?? 0) && (after !== undefined || (d >= 0 && d < ceiling));
        },
      ),
    );
  });
});

describe('base URL policy', () => {
  it('requires https except on loopback', () => {
    expect(resolveBaseUrl('http://127.0.0.1:4000/')).toEqual(E.right('http://127.0.0.1:4000'));
    expect(resolveBaseUrl('http://localhost:4000')).toEqual(E.right('http://localhost:4000'));
    expect(resolveBaseUrl('http://[::1]:4000')).toEqual(E.right('http://[::1]:4000'));
    expect(E.isLeft(resolveBaseUrl('http://api.candescent.com'))).toBe(true);
    expect(E.isLeft(resolveBaseUrl('https://user:pw@api.candescent.com'))).toBe(true);
    expect(E.isLeft(resolveBaseUrl('not a url'))).toBe(true);
  });
  it('knows the Candescent environments', () => {
    expect(resolveBaseUrl('production')).toEqual(E.right('https://api.candescent.com'));
    expect(resolveBaseUrl('stage')).toEqual(E.right('https://api.stage.candescent.com'));
    expect(resolveBaseUrl('candescent-sandbox')).toEqual(
      E.right('https://api.sandbox.candescent.com'),
    );
  });
});
