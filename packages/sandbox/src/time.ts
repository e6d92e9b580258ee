/**
 * Time helpers: US time zones with their DST rule, local ISO timestamps with offsets, v1 UUIDs.
 * @module
 */
import type { Rng } from './rng.js';

/** A US time zone the generator places users in. @since 0.1.0 */
export interface Zone {
  readonly name: string;
  /** Standard offset from UTC in minutes (negative west of Greenwich). */
  readonly stdOffset: number;
  readonly dst: boolean;
}

/** The zones users live in, with the share of users in each. @since 0.1.0 */
export const ZONES: readonly Zone[] = [
  { name: 'America/New_York', stdOffset: -300, dst: true },
  { name: 'America/Chicago', stdOffset: -360, dst: true },
  { name: 'America/Denver', stdOffset: -420, dst: true },
  { name: 'America/Phoenix', stdOffset: -420, dst: false },
  { name: 'America/Los_Angeles', stdOffset: -480, dst: true },
  { name: 'Pacific/Honolulu', stdOffset: -600, dst: false },
];
/** Weights of {@link ZONES}. @since 0.1.0 */
export const ZONE_WEIGHTS: readonly number[] = [36, 26, 9, 5, 21, 3];

const dstCache = new Map<string, readonly [number, number]>();
const lastSpan = new Map<string, readonly [number, number, number, number]>();

function nthSunday(year: number, month: number, n: number): number {
  const first = new Date(Date.UTC(year, month, 1)).getUTCDay();
  return 1 + ((7 - first) % 7) + (n - 1) * 7;
}

/** The UTC offset in minutes of a zone at an instant (US rule: 2nd Sunday of March to 1st Sunday of November). @since 0.1.0 */
export function offsetAt(zone: Zone, ms: number): number {
  if (!zone.dst) return zone.stdOffset;
  const hit = lastSpan.get(zone.name);
  if (hit && ms >= hit[0] && ms < hit[1])
    return ms >= hit[2] && ms < hit[3] ? zone.stdOffset + 60 : zone.stdOffset;
  const year = new Date(ms).getUTCFullYear();
  const key = `${zone.name}|${year}`;
  let span = dstCache.get(key);
  if (!span) {
    const start = Date.UTC(year, 2, nthSunday(year, 2, 2), 2) - zone.stdOffset * 60_000;
    const end = Date.UTC(year, 10, nthSunday(year, 10, 1), 2) - (zone.stdOffset + 60) * 60_000;
    span = [start, end];
    dstCache.set(key, span);
  }
  lastSpan.set(zone.name, [Date.UTC(year, 0, 1), Date.UTC(year + 1, 0, 1), span[0], span[1]]);
  return ms >= span[0] && ms < span[1] ? zone.stdOffset + 60 : zone.stdOffset;
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** `±hh:mm` for an offset in minutes. @since 0.1.0 */
export function formatOffset(offset: number, colon = true): string {
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  return `${sign}${pad2(Math.floor(abs / 60))}${colon ? ':' : ''}${pad2(abs % 60)}`;
}

/** ISO 8601 with milliseconds and the given local offset, e.g. `2026-04-27T16:59:29.331-07:00`. @since 0.1.0 */
export function localIso(ms: number, offset: number): string {
  return new Date(ms + offset * 60_000).toISOString().slice(0, 23) + formatOffset(offset);
}

const GREGORIAN_OFFSET_MS = 12_219_292_800_000;
const TWO32 = 4_294_967_296;

/** A v1 UUID for an instant (100-ns ticks since 1582), with the given clock sequence and node. @since 0.1.0 */
export function uuidV1(ms: number, rng: Rng, node: string): string {
  const t = ms + GREGORIAN_OFFSET_MS;
  const th = Math.floor(t / TWO32);
  const tl = t - th * TWO32;
  const lowFull = tl * 10_000 + rng.int(10_000);
  const carry = Math.floor(lowFull / TWO32);
  const low = lowFull - carry * TWO32;
  const high = th * 10_000 + carry;
  const mid = high & 0xffff;
  const hi = ((Math.floor(high / 65_536) & 0x0fff) | 0x1000) >>> 0;
  const seq = 0x8000 | rng.int(0x4000);
  return `${low.toString(16).padStart(8, '0')}-${mid.toString(16).padStart(4, '0')}-${hi.toString(16).padStart(4, '0')}-${seq.toString(16)}-${node}`;
}

/** Parses an ISO 8601 date-time with a `Z` or `±hh:mm` offset (seconds and fraction optional) to epoch ms. @since 0.1.0 */
export function parseIsoDateTime(s: string): number | undefined {
  const m =
    /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})$/.exec(
      s,
    );
  if (!m) return undefined;
  const [, y, mo, d, h, mi, sec, frac, tz] = m;
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(sec ?? '0');
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59)
    return undefined;
  const ms = frac ? Math.floor(Number(`0.${frac}`) * 1000) : 0;
  const base = Date.UTC(Number(y), month - 1, day, hour, minute, second, ms);
  if (new Date(base).getUTCDate() !== day) return undefined;
  let offset = 0;
  if (tz && tz !== 'Z') {
    const sign = tz.startsWith('-') ? -1 : 1;
    const digits = tz.slice(1).replace(':', '');
    offset = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4)));
  }
  return base - offset * 60_000;
}
