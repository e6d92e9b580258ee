import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import {
  GENERATED_EVENT_IDS,
  generateEvents,
  importNdjson,
  openDataset,
  startSandbox,
  type ActivityEvent,
} from '../src/index.js';
import { accessToken, daysAgo, searchAll } from './helpers.js';

const END = Date.parse('2026-06-15T12:00:00.000Z');
const collect = (o: Parameters<typeof generateEvents>[0]) => [...generateEvents(o).events()];
const dir = mkdtempSync(join(tmpdir(), 'baql-sandbox-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
// Tests that point BAQL_CACHE_DIR elsewhere stub it; each gets the real value back.
afterEach(() => {
  vi.unstubAllEnvs();
});

describe('generator', () => {
  it('is deterministic for a seed and end, and differs by seed', () => {
    const a = collect({ seed: 1, events: 3000, end: END });
    const b = collect({ seed: 1, events: 3000, end: END });
    const c = collect({ seed: 2, events: 3000, end: END });
    expect(a.map((e) => e.guid)).toEqual(b.map((e) => e.guid));
    expect(a.map((e) => e.record)).toEqual(b.map((e) => e.record));
    expect(c.map((e) => e.guid)).not.toEqual(a.map((e) => e.guid));
  });

  it('produces about the requested number of events, within the window, with unique guids and every event id', () => {
    const events = collect({ seed: 3, events: 20_000, days: 30, end: END });
    expect(events.length).toBeGreaterThan(17_000);
    expect(events.length).toBeLessThan(23_000);
    expect(new Set(events.map((e) => e.guid)).size).toBe(events.length);
    expect(events.every((e) => e.ts <= END && e.ts >= END - 31 * 86_400_000)).toBe(true);
    expect(new Set(events.map((e) => e.eventId))).toEqual(new Set(GENERATED_EVENT_IDS));
    for (const e of events.slice(0, 2000)) {
      expect(Date.parse(e.record.timestamp ?? '')).toBe(e.ts);
      expect(Object.values(e.record).every((v) => typeof v === 'string')).toBe(true);
      expect(e.kind).toBe(e.eventId === 'alertSent' || e.eventId === 'apiUse' ? 'system' : 'user');
    }
  });

  it('has daily and weekly rhythms and realistic failure rates', () => {
    const events = collect({ seed: 4, events: 30_000, days: 56, end: END });
    const logins = events.filter(
      (e) => e.eventId === 'login' && e.record.reqctx_customertype === 'RETAIL',
    );
    const localHour = (e: ActivityEvent) => Number(e.record.timestamp?.slice(11, 13));
    const night = logins.filter((e) => localHour(e) >= 1 && localHour(e) < 5).length;
    const evening = logins.filter((e) => localHour(e) >= 18 && localHour(e) < 22).length;
    expect(evening).toBeGreaterThan(night * 5);
    const business = events.filter(
      (e) => e.record.reqctx_customertype === 'BUSINESS' && e.eventId === 'login',
    );
    const weekday = (e: ActivityEvent) =>
      new Date(`${e.record.eventdate ?? ''}T12:00:00Z`).getUTCDay();
    const weekend = business.filter((e) => weekday(e) === 0 || weekday(e) === 6).length;
    expect(weekend / business.length).toBeLessThan(0.12);
    const failed = events.filter(
      (e) => e.eventId === 'login' && e.record.result === 'Failure',
    ).length;
    const allLogins = events.filter((e) => e.eventId === 'login').length;
    expect(failed / allLogins).toBeGreaterThan(0.02);
    expect(failed / allLogins).toBeLessThan(0.15);
  });

  it('plants the three stories', () => {
    const data = generateEvents({ seed: 9, events: 5000, end: END });
    const events = [...data.events()];
    const story = (id: string) => {
      const found = data.stories.find((s) => s.id === id);
      if (!found) throw new Error(`no story ${id}`);
      return found;
    };
    const stuffing = story('credential-stuffing');
    const burst = events.filter(
      (e) =>
        e.record.reqctx_loginid === stuffing.loginId &&
        e.eventId === 'login' &&
        e.record.result === 'Failure' &&
        Math.abs(e.ts - Date.parse(stuffing.start)) < 3600_000,
    );
    expect(burst.length).toBeGreaterThanOrEqual(80);
    expect(new Set(burst.map((e) => e.record.reqctx_ipaddress)).size).toBeGreaterThan(20);
    const payee = story('new-device-payee-payment');
    const seq = events.filter(
      (e) =>
        e.record.reqctx_loginid === payee.loginId &&
        e.ts >= Date.parse(payee.start) &&
        e.ts < Date.parse(payee.start) + 15 * 60_000 &&
        e.record.reqctx_sessionid !== undefined,
    );
    const ids = seq.filter((e) => e.eventId !== 'alertSent').sort((a, b) => a.ts - b.ts);
    expect(ids.map((e) => e.eventId)).toEqual(
      expect.arrayContaining(['login', 'mfaChallenge', 'managePayee', 'managePayment']),
    );
    expect(ids.find((e) => e.eventId === 'login')?.record.newdevice).toBe('true');
    expect(ids.some((e) => e.eventId === 'managePayment' && e.record.amount === '48500.00')).toBe(
      true,
    );
    const takeover = story('account-takeover');
    const foreign = events.filter(
      (e) => e.record.reqctx_loginid === takeover.loginId && e.record.geocountry === 'RO',
    );
    expect(foreign.map((e) => e.eventId)).toEqual(
      expect.arrayContaining([
        'login',
        'profileUpdate',
        'passwordChange',
        'mfaEnrollment',
        'transfer',
      ]),
    );
    const before = events.filter(
      (e) => e.record.reqctx_loginid === takeover.loginId && e.ts < Date.parse(takeover.start),
    );
    expect(
      before.every((e) => e.record.geocountry === undefined || e.record.geocountry === 'US'),
    ).toBe(true);
  });
});

describe('datasets and import', () => {
  it('a file database is generated once and reused', () => {
    const file = join(dir, 'cache.db');
    const first = openDataset({
      db: file,
      seed: 5,
      events: 800,
      days: 30,
      institutions: ['00016'],
      now: END,
    });
    const count = first.store.eventCount();
    first.store.close();
    expect(first.generated).toBe(true);
    const second = openDataset({
      db: file,
      seed: 5,
      events: 800,
      days: 30,
      institutions: ['00016'],
      now: END,
    });
    expect(second.generated).toBe(false);
    expect(second.store.eventCount()).toBe(count);
    expect(second.info.users.length).toBeGreaterThan(0);
    second.store.close();
  });

  it('the default cache lives under BAQL_CACHE_DIR, keyed by seed and size, and is reused', () => {
    vi.stubEnv('BAQL_CACHE_DIR', join(dir, 'cache'));
    const options = {
      seed: 6,
      events: 25_000,
      days: 10,
      institutions: ['00016'],
      now: END,
      memoryThreshold: 100,
    };
    const a = openDataset(options);
    a.store.close();
    const start = performance.now();
    const b = openDataset(options);
    const ms = performance.now() - start;
    expect(a.generated).toBe(true);
    expect(b.generated).toBe(false);
    expect(b.location).toBe(a.location);
    expect(b.location.startsWith(join(dir, 'cache'))).toBe(true);
    expect(ms).toBeLessThan(1000);
    b.store.close();
  });

  it('falls back to memory when the cache directory cannot be written', () => {
    const blocker = join(dir, 'not-a-dir');
    writeFileSync(blocker, 'a file where the cache directory should be');
    vi.stubEnv('BAQL_CACHE_DIR', join(blocker, 'cache'));
    const d = openDataset({
      seed: 1,
      events: 300,
      days: 5,
      institutions: ['00016'],
      now: END,
      memoryThreshold: 0,
    });
    expect(d.location).toBe(':memory:');
    expect(d.store.eventCount()).toBeGreaterThan(200);
    d.store.close();
  });

  it('takes over a stale generation lock of the cache', () => {
    const cache = join(dir, 'stale');
    vi.stubEnv('BAQL_CACHE_DIR', cache);
    mkdirSync(cache, { recursive: true });
    const day = new Date(END).toISOString().slice(0, 10).replace(/-/g, '');
    const file = readdirSync(cache).length === 0 ? undefined : readdirSync(cache)[0];
    expect(file).toBeUndefined();
    const options = {
      seed: 8,
      events: 300,
      days: 5,
      institutions: ['00016'],
      now: END,
      memoryThreshold: 0,
    };
    const probe = openDataset(options);
    probe.store.close();
    rmSync(probe.location);
    const lock = `${probe.location}.lock`;
    writeFileSync(lock, '');
    const past = new Date(Date.now() - 20 * 60_000);
    utimesSync(lock, past, past);
    const d = openDataset(options);
    expect(d.generated).toBe(true);
    expect(d.location.endsWith(`${day}.db`)).toBe(true);
    expect(existsSync(lock)).toBe(false);
    d.store.close();
  });

  it('imports exported NDJSON records (any key case) and serves them', async () => {
    const file = join(dir, 'events.ndjson');
    const now = Date.now();
    const lines = [
      JSON.stringify({
        eventId: 'login',
        timeStamp: new Date(now - 3600_000).toISOString(),
        ReqCtx_loginId: 'imported.user',
        channel: 'MOBILE',
        amount: 12,
      }),
      JSON.stringify({
        eventid: 'alertSent',
        timestamp: new Date(now - 7200_000).toISOString(),
        guid: '20600d88-4295-11f1-b264-f6df74297e1a',
        reqctx_loginid: 'imported.user',
      }),
      'not json',
      JSON.stringify({ eventId: 'logout' }),
    ];
    writeFileSync(file, lines.join('\n'));
    const db = join(dir, 'imported.db');
    const r = await importNdjson(file, { db });
    expect(r).toEqual({
      imported: 2,
      skipped: 2,
      problems: ['line 3: not valid JSON', 'line 4: no valid timeStamp'],
    });
    const again = await importNdjson(file, { db });
    expect(again.imported).toBe(0);
    const sb = await startSandbox({ port: 0, db, keyCase: 'camel' });
    try {
      expect(sb.dataRange.events).toBe(2);
      const t = await accessToken(sb);
      const user = await searchAll(sb, t, {
        startTime: daysAgo(1),
        endTime: new Date().toISOString(),
        userId: 'imported.user',
        userIdType: 'loginId',
      });
      expect(user.records).toEqual([
        expect.objectContaining({
          eventId: 'login',
          ReqCtx_loginId: 'imported.user',
          amount: '12',
          channel: 'MOBILE',
        }),
      ]);
      const system = await searchAll(sb, t, {
        startTime: daysAgo(1),
        endTime: new Date().toISOString(),
        eventType: 'system',
      });
      expect(system.records.map((x) => x.guid)).toEqual(['20600d88-4295-11f1-b264-f6df74297e1a']);
    } finally {
      await sb.close();
    }
  });
});
