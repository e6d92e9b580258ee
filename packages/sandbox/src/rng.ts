/**
 * A small, fast, seeded pseudo-random generator (sfc32) so generated data is deterministic.
 * @module
 */

/** A seeded random source. @since 0.1.0 */
export interface Rng {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [0, n). */
  int(n: number): number;
  /** An integer in [lo, hi] (inclusive). */
  range(lo: number, hi: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T;
  /** One element chosen by weight (weights and items align). */
  weighted<T>(items: readonly T[], weights: readonly number[]): T;
  /** `n` lowercase hex digits. */
  hex(n: number): string;
  /** `n` decimal digits. */
  digits(n: number): string;
  /** A random v4 UUID. */
  uuid(): string;
  /** A log-normal sample with the given median and spread (sigma). */
  logNormal(median: number, sigma: number): number;
}

const HEX = '0123456789abcdef';
const BYTE_HEX: readonly string[] = Array.from({ length: 256 }, (_, i) =>
  i.toString(16).padStart(2, '0'),
);

/** Creates a seeded {@link Rng} (sfc32 seeded through splitmix32). @since 0.1.0 */
export function createRng(seed: number): Rng {
  let s = seed >>> 0;
  const split = (): number => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = split();
  let b = split();
  let c = split();
  let d = split();
  const next = (): number => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 12; i += 1) next();
  const int = (n: number): number => Math.floor(next() * n);
  const rng: Rng = {
    next,
    int,
    range: (lo, hi) => lo + int(hi - lo + 1),
    chance: (p) => next() < p,
    pick: <T>(items: readonly T[]): T => items[int(items.length)] as T,
    weighted: <T>(items: readonly T[], weights: readonly number[]): T => {
      let total = 0;
      for (const w of weights) total += w;
      let r = next() * total;
      for (let i = 0; i < items.length; i += 1) {
        r -= weights[i] ?? 0;
        if (r < 0) return items[i] as T;
      }
      return items[items.length - 1] as T;
    },
    hex: (n) => {
      let out = '';
      while (out.length < n) {
        const x = (next() * 4294967296) >>> 0;
        out +=
          (BYTE_HEX[x & 255] as string) +
          BYTE_HEX[(x >>> 8) & 255] +
          BYTE_HEX[(x >>> 16) & 255] +
          BYTE_HEX[x >>> 24];
      }
      return out.length === n ? out : out.slice(0, n);
    },
    digits: (n) => {
      let out = '';
      for (let i = 0; i < n; i += 1) out += String(int(10));
      return out;
    },
    uuid: () => {
      const h = rng.hex(32);
      const variant = HEX[8 + int(4)] ?? '8';
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
    },
    logNormal: (median, sigma) => {
      // Box-Muller
      const u = 1 - next();
      const v = next();
      const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
      return median * Math.exp(sigma * z);
    },
  };
  return rng;
}
