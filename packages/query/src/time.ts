/**
 * Time expressions: durations (`7d`), relative times (`-24h`, `now-1d@d`), snapping (`@d`),
 * calendar words (`today`, `yesterday`) and ISO 8601 dates, resolved against `now` in a time zone.
 *
 * @since 0.1.0
 * @module
 */

/** Milliseconds per duration unit. @since 0.1.0 */
export const UNIT_MS: Readonly<Record<string, number>> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
};

/** Parses `7d`, `24h`, `90m`, `2w`, `30s` to milliseconds; undefined if not a duration. @since 0.1.0 */
export function parseDuration(text: string): number | undefined {
  const c = text.charCodeAt(0);
  if (!(c >= 48 && c <= 57)) return undefined;
  // Hand-rolled `DURATION`: digits then one unit letter (any case). No regex, no allocation.
  const n = text.length;
  let i = 1;
  while (i < n) {
    const d = text.charCodeAt(i);
    if (d < 48 || d > 57) break;
    i += 1;
  }
  if (i !== n - 1) return undefined;
  const unit = unitMs(text.charCodeAt(i));
  if (unit === 0) return undefined;
  return Number(text.slice(0, i)) * unit;
}

/**
 * Milliseconds of a unit letter (`s m h d w`, any case but `M`), 0 for anything else. `M` is
 * refused: it reads as "month" to many, and silently meaning a minute would be a trap.
 */
function unitMs(c: number): number {
  if (c === 77 /* M */) return 0;
  switch (c | 32) {
    case 115:
      return 1000;
    case 109:
      return 60_000;
    case 104:
      return 3_600_000;
    case 100:
      return 86_400_000;
    case 119:
      return 7 * 86_400_000;
    default:
      return 0;
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Whether a time zone name is valid (`UTC`, `Europe/Paris`, …). @since 0.1.0 */
export function isValidTimeZone(tz: string): boolean {
  try {
    formatter(tz);
    return true;
  } catch {
    return false;
  }
}

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(tz, f);
  }
  return f;
}

interface LocalParts {
  y: number;
  mo: number;
  d: number;
  h: number;
  mi: number;
  s: number;
  ms: number;
}

function localParts(instant: number, tz: string): LocalParts {
  if (tz === 'UTC') {
    const dt = new Date(instant);
    return {
      y: dt.getUTCFullYear(),
      mo: dt.getUTCMonth() + 1,
      d: dt.getUTCDate(),
      h: dt.getUTCHours(),
      mi: dt.getUTCMinutes(),
      s: dt.getUTCSeconds(),
      ms: dt.getUTCMilliseconds(),
    };
  }
  const parts: Record<string, number> = {};
  for (const p of formatter(tz).formatToParts(new Date(instant)))
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return {
    y: parts['year'] ?? 1970,
    mo: parts['month'] ?? 1,
    d: parts['day'] ?? 1,
    h: parts['hour'] ?? 0,
    mi: parts['minute'] ?? 0,
    s: parts['second'] ?? 0,
    ms: ((instant % 1000) + 1000) % 1000,
  };
}

/** The offset of a zone at an instant, in ms (local − UTC). */
function offsetAt(instant: number, tz: string): number {
  if (tz === 'UTC') return 0;
  const p = localParts(instant, tz);
  return Date.UTC(p.y, p.mo - 1, p.d, p.h, p.mi, p.s, p.ms) - instant;
}

/** The instant of a local wall-clock time in a zone. @since 0.1.0 */
export function localToInstant(p: LocalParts, tz: string): number {
  const asUtc = Date.UTC(p.y, p.mo - 1, p.d, p.h, p.mi, p.s, p.ms);
  if (tz === 'UTC') return asUtc;
  let guess = asUtc - offsetAt(asUtc, tz);
  guess = asUtc - offsetAt(guess, tz);
  return guess;
}

/** Snaps an instant down to the start of its second/minute/hour/day/week (Monday) in a zone. @since 0.1.0 */
export function snap(instant: number, unit: string, tz: string): number {
  const p = localParts(instant, tz);
  switch (unit.toLowerCase()) {
    case 's':
      return localToInstant({ ...p, ms: 0 }, tz);
    case 'm':
      return localToInstant({ ...p, s: 0, ms: 0 }, tz);
    case 'h':
      return localToInstant({ ...p, mi: 0, s: 0, ms: 0 }, tz);
    case 'd':
      return localToInstant({ ...p, h: 0, mi: 0, s: 0, ms: 0 }, tz);
    case 'w': {
      const weekday = new Date(Date.UTC(p.y, p.mo - 1, p.d)).getUTCDay();
      const back = (weekday + 6) % 7;
      const day = new Date(Date.UTC(p.y, p.mo - 1, p.d - back));
      return localToInstant(
        {
          y: day.getUTCFullYear(),
          mo: day.getUTCMonth() + 1,
          d: day.getUTCDate(),
          h: 0,
          mi: 0,
          s: 0,
          ms: 0,
        },
        tz,
      );
    }
    default:
      return instant;
  }
}

/** Adds whole local days (DST-safe) to the start of a day. */
function addDays(dayStart: number, days: number, tz: string): number {
  const p = localParts(dayStart, tz);
  const day = new Date(Date.UTC(p.y, p.mo - 1, p.d + days));
  return localToInstant(
    {
      y: day.getUTCFullYear(),
      mo: day.getUTCMonth() + 1,
      d: day.getUTCDate(),
      h: 0,
      mi: 0,
      s: 0,
      ms: 0,
    },
    tz,
  );
}

/** The start of today and of yesterday in a zone. @since 0.1.0 */
export function dayStarts(now: number, tz: string): { today: number; yesterday: number } {
  const today = snap(now, 'd', tz);
  return { today, yesterday: addDays(today, -1, tz) };
}

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/i;
// Units in any case but `M` (see unitMs): no `i` flag, so `now` is spelled out in both cases.
const RELATIVE = /^(?:[nN][oO][wW])?((?:[+-]\d+[smhdwSHDW])*)(?:@([smhdwSHDW]))?$/;
const BARE_AGO = /^(\d+[smhdwSHDW])(?:@([smhdwSHDW]))?$/;

/** A resolved time or the reason it is not one. @since 0.1.0 */
export type TimeResolution =
  { readonly ok: true; readonly ms: number } | { readonly ok: false; readonly reason: string };

/**
 * Resolves one time expression to an instant:
 * `now`, `now-1d@d`, `-24h`, `7d` (= 7 days ago), `7d@d`, `today`, `yesterday@w`,
 * `2026-11-01` (start of day in `tz`), `2026-11-01T08:00`, `2026-11-01T08:00:00.000+02:00`.
 * @since 0.1.0
 */
export function resolveTime(text: string, now: number, tz: string): TimeResolution {
  const t = text.trim();
  // The common case first: a plain duration (`7d`) means that long ago.
  const dur = parseDuration(t);
  if (dur !== undefined) return { ok: true, ms: now - dur };
  const lower = t.toLowerCase();
  const cal = /^(today|yesterday)(?:@([smhdw]))?$/.exec(lower);
  if (cal) {
    const { today, yesterday } = dayStarts(now, tz);
    const base = cal[1] === 'today' ? today : yesterday;
    return { ok: true, ms: cal[2] ? snap(base, cal[2], tz) : base };
  }
  const iso = ISO.exec(t);
  if (iso) {
    const [, y, mo, d, h, mi, s, frac, zone] = iso;
    const parts: LocalParts = {
      y: Number(y),
      mo: Number(mo),
      d: Number(d),
      h: Number(h ?? 0),
      mi: Number(mi ?? 0),
      s: Number(s ?? 0),
      ms: frac ? Number(frac.slice(0, 3).padEnd(3, '0')) : 0,
    };
    if (
      parts.mo < 1 ||
      parts.mo > 12 ||
      parts.d < 1 ||
      parts.d > 31 ||
      parts.h > 23 ||
      parts.mi > 59 ||
      parts.s > 59
    )
      return { ok: false, reason: `\`${t}\` is not a valid date` };
    const check = new Date(Date.UTC(parts.y, parts.mo - 1, parts.d));
    if (check.getUTCDate() !== parts.d)
      return { ok: false, reason: `\`${t}\` is not a valid date` };
    if (zone) {
      const base = Date.UTC(parts.y, parts.mo - 1, parts.d, parts.h, parts.mi, parts.s, parts.ms);
      if (zone.toUpperCase() === 'Z') return { ok: true, ms: base };
      const m = /^([+-])(\d{2}):?(\d{2})$/.exec(zone);
      const sign = m?.[1] === '-' ? -1 : 1;
      const off = sign * (Number(m?.[2] ?? 0) * 60 + Number(m?.[3] ?? 0)) * 60_000;
      return { ok: true, ms: base - off };
    }
    return { ok: true, ms: localToInstant(parts, tz) };
  }
  const ago = BARE_AGO.exec(t);
  if (ago) {
    const ms = now - (parseDuration(ago[1] ?? '') ?? 0);
    return { ok: true, ms: ago[2] ? snap(ms, ago[2], tz) : ms };
  }
  const rel = RELATIVE.exec(t);
  if (
    rel &&
    (lower.startsWith('now') ||
      lower.startsWith('-') ||
      lower.startsWith('+') ||
      lower.startsWith('@'))
  ) {
    let ms = now;
    for (const m of (rel[1] ?? '').matchAll(/([+-])(\d+)([smhdw])/gi)) {
      const delta = Number(m[2]) * (UNIT_MS[(m[3] ?? 's').toLowerCase()] ?? 0);
      ms += m[1] === '-' ? -delta : delta;
    }
    return { ok: true, ms: rel[2] ? snap(ms, rel[2], tz) : ms };
  }
  if (/\dM(?:@|$)/.test(t))
    return {
      ok: false,
      reason: `\`${t}\`: \`M\` is not a unit (minutes are \`m\`; for months write days, e.g. \`30d\`)`,
    };
  return {
    ok: false,
    reason: `\`${t}\` is not a time: write a duration (\`7d\`), a relative time (\`-24h\`, \`now-1d@d\`), \`today\` or an ISO date (\`2026-11-01\`)`,
  };
}

/** Formats an instant the way the API wants it: ISO 8601 UTC with milliseconds. @since 0.1.0 */
export function isoOf(ms: number): string {
  // Plans format the same instants over and over (`now`, the window's ends): a two-entry memo.
  if (ms === isoMemoMs0) return isoMemo0;
  if (ms === isoMemoMs1) return isoMemo1;
  const out = formatIso(ms);
  isoMemoMs1 = isoMemoMs0;
  isoMemo1 = isoMemo0;
  isoMemoMs0 = ms;
  isoMemo0 = out;
  return out;
}

let isoMemoMs0 = Number.NaN;
let isoMemo0 = '';
let isoMemoMs1 = Number.NaN;
let isoMemo1 = '';

function formatIso(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0 || ms >= 253402300800000) return new Date(ms).toISOString();
  const p2 = (n: number): string => (n < 10 ? `0${n}` : `${n}`);
  const days = Math.floor(ms / 86_400_000);
  let rest = ms - days * 86_400_000;
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const mi = Math.floor(rest / 60_000);
  rest -= mi * 60_000;
  const s = Math.floor(rest / 1000);
  const milli = rest - s * 1000;
  // civil-from-days (H. Hinnant)
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  const ms3 = milli < 10 ? `00${milli}` : milli < 100 ? `0${milli}` : `${milli}`;
  return `${y}-${p2(m)}-${p2(d)}T${p2(h)}:${p2(mi)}:${p2(s)}.${ms3}Z`;
}
