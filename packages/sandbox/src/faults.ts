/**
 * Fault injection for the reliability tests of every client: latency (fixed + jitter), 500s
 * (BAS_99999 or the gateway's CMN quota/spike codes), 429 with `Retry-After`, connection resets
 * mid-body, truncated gzip bodies and access tokens that expire early.
 * @module
 */
import { apiError, type ApiError } from './errors.js';
import type { Rng } from './rng.js';

/** A fault specification; every field optional, `{}` turns faults off. Rates are in [0, 1]. @since 0.1.0 */
export interface FaultSpec {
  /** Fixed delay before answering, in ms. */
  readonly latencyMs?: number;
  /** Random extra delay in [0, jitterMs), in ms. */
  readonly jitterMs?: number;
  /** Share of searches answered with a 500 (BAS_99999, CMN_90001 quota or CMN_90002 spike). */
  readonly errorRate?: number;
  /** Share of searches answered with 429 and `Retry-After: 1`. */
  readonly rateLimitRate?: number;
  /** Share of searches whose connection is reset after part of the body. */
  readonly resetRate?: number;
  /** Share of searches whose gzip body is cut short (the response ends cleanly). */
  readonly truncateRate?: number;
  /** Access tokens stop working this many seconds after issue (whatever `expires_in` said). */
  readonly tokenTtlSeconds?: number;
}

const KEYS: readonly (keyof FaultSpec)[] = [
  'latencyMs',
  'jitterMs',
  'errorRate',
  'rateLimitRate',
  'resetRate',
  'truncateRate',
  'tokenTtlSeconds',
];
const RATES = new Set<keyof FaultSpec>(['errorRate', 'rateLimitRate', 'resetRate', 'truncateRate']);

/** A parsed fault spec or a clear message. @since 0.1.0 */
export type FaultResult =
  | { readonly ok: true; readonly spec: FaultSpec }
  | { readonly ok: false; readonly message: string };

/** Checks a fault spec object (unknown keys, negative numbers and rates above 1 are errors). @since 0.1.0 */
export function checkFaultSpec(value: unknown): FaultResult {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { ok: false, message: 'a fault spec is an object' };
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(value)) {
    if (!KEYS.includes(k as keyof FaultSpec))
      return { ok: false, message: `unknown fault "${k}" (known: ${KEYS.join(', ')})` };
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
      return { ok: false, message: `fault "${k}" must be a non-negative number` };
    if (RATES.has(k as keyof FaultSpec) && v > 1)
      return { ok: false, message: `fault "${k}" is a rate between 0 and 1` };
    out[k] = v;
  }
  return { ok: true, spec: out as FaultSpec };
}

/**
 * Parses a fault spec from text: JSON (`{"errorRate":0.1}`) or `key=value` pairs separated by
 * commas (`latencyMs=50,jitterMs=20,errorRate=0.1`). Empty text means no faults.
 * @since 0.1.0
 */
export function parseFaultSpec(text: string): FaultResult {
  const t = text.trim();
  if (t === '' || t === 'none' || t === 'off') return { ok: true, spec: {} };
  if (t.startsWith('{')) {
    try {
      return checkFaultSpec(JSON.parse(t));
    } catch {
      return { ok: false, message: 'the fault spec is not valid JSON' };
    }
  }
  const obj: Record<string, number> = {};
  for (const pair of t.split(',')) {
    const [k, v] = pair.split('=').map((s) => s.trim());
    if (!k || v === undefined || v === '' || Number.isNaN(Number(v)))
      return { ok: false, message: `cannot read fault "${pair}" (expected key=number)` };
    obj[k] = Number(v);
  }
  return checkFaultSpec(obj);
}

/** What to do with one search request. @since 0.1.0 */
export type FaultDecision =
  | { readonly _tag: 'none' }
  | { readonly _tag: 'error'; readonly error: ApiError }
  | { readonly _tag: 'reset' }
  | { readonly _tag: 'truncate' };

/** The live fault state of a sandbox. @since 0.1.0 */
export class Faults {
  private spec: FaultSpec = {};
  constructor(private readonly rng: Rng) {}

  set(spec: FaultSpec): void {
    this.spec = { ...spec };
  }

  get(): FaultSpec {
    return this.spec;
  }

  /** The delay to apply before answering, in ms. */
  delay(): number {
    const base = this.spec.latencyMs ?? 0;
    const jitter = this.spec.jitterMs ?? 0;
    return base + (jitter > 0 ? this.rng.next() * jitter : 0);
  }

  earlyExpirySeconds(): number | undefined {
    return this.spec.tokenTtlSeconds;
  }

  /** Draws the fault of one search (at most one). */
  decide(): FaultDecision {
    const s = this.spec;
    if ((s.rateLimitRate ?? 0) > 0 && this.rng.next() < (s.rateLimitRate ?? 0)) {
      return {
        _tag: 'error',
        error: apiError('CMN_90002', {
          status: 429,
          message: 'Spike limit violation',
          headers: { 'retry-after': '1' },
        }),
      };
    }
    if ((s.errorRate ?? 0) > 0 && this.rng.next() < (s.errorRate ?? 0)) {
      const which = this.rng.int(3);
      const error =
        which === 0
          ? apiError('BAS_99999')
          : which === 1
            ? apiError('CMN_90001', { status: 500, message: 'Quota limit violation' })
            : apiError('CMN_90002', { status: 500, message: 'Spike limit violation' });
      return { _tag: 'error', error };
    }
    if ((s.resetRate ?? 0) > 0 && this.rng.next() < (s.resetRate ?? 0)) return { _tag: 'reset' };
    if ((s.truncateRate ?? 0) > 0 && this.rng.next() < (s.truncateRate ?? 0))
      return { _tag: 'truncate' };
    return { _tag: 'none' };
  }
}
