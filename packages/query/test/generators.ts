/** Random queries and records for the property tests. */
import fc from 'fast-check';
import type { BankingActivity } from '../src/index.js';

export const NOW = '2026-11-25T12:00:00.000Z';
const NOW_MS = Date.parse(NOW);

const TERMS = [
  'user:u1',
  'user:u2',
  'user:(u1 OR u2)',
  'user:[u1, u3]',
  'user IN (u2, u3)',
  'member:m1',
  'member:m2',
  'company:c1',
  'company:c2',
  'product:p1',
  'segment:retail',
  'segment:business',
  'segment:*',
  'kind:system',
  'kind:user',
  'kind:*',
  'type:login',
  'type:transfer',
  'type:(login OR logout)',
  'type:alertSent',
  'type:apiUse',
  'type:customEvt',
  'channel:MOBILE',
  'channel:mob*',
  'channel:*',
  'channel != MOBILE',
  'amount > 10',
  'amount <= 10',
  'amount:[5 TO 10]',
  'amount:5..10',
  'amount >= abc',
  'result:Failure',
  'result:Success',
  'ip:10.0.*',
  'ip:"10.0.0.1"',
  'attr["CHANNEL"]:ONLINE',
  'ReqCtx_loginId:u2',
  'eventId:logout',
  'user:u?',
  'user != u1',
  'type != login',
  'member:*',
  'company:c*',
];

const leaf = fc.constantFrom(...TERMS);

/** A random boolean expression as BAQL text, with every spelling of the operators. */
export const exprArb: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc
      .tuple(tie('e'), fc.constantFrom(' AND ', ' ', ' and '), tie('e'))
      .map(([a, op, b]) => `(${a})${op}(${b})`),
    fc
      .tuple(tie('e'), fc.constantFrom(' OR ', ' or '), tie('e'))
      .map(([a, op, b]) => `(${a})${op}(${b})`),
    fc.tuple(fc.constantFrom('NOT ', '-', '!', 'not '), tie('e')).map(([op, a]) => `${op}(${a})`),
    fc.tuple(leaf, leaf, leaf).map(([a, b, c]) => `${a} OR ${b} ${c}`),
    fc.tuple(leaf, leaf).map(([a, b]) => `NOT ${a} ${b}`),
  ),
})).e;

export const timeArb = fc.constantFrom(
  '',
  ' since 2d',
  ' last 36h',
  ' between -2d and -1d',
  ' from -30h to -2h',
  ' today',
  ' yesterday',
  ' until -1h',
  ' since 2026-11-24',
  ' since 2026-11-24T06:00:00-05:00',
);

export const pipelineArb = fc.constantFrom(
  '',
  ' | count',
  ' | count by type',
  ' | count by user, segment',
  ' | fields user, channel | limit 5',
  ' | sort amount desc | limit 3',
  ' | dedup user',
  ' | dedup user | fields user, type',
  ' | top 2 channel',
  ' | timechart 6h',
  ' | timechart 1d count by kind',
  ' | limit 4',
  ' | fields ip | sort ip',
  ' | count by channel | sort count desc | limit 2',
);

/** A whole random query. */
export const queryArb: fc.Arbitrary<string> = fc
  .tuple(fc.option(exprArb, { nil: undefined, freq: 8 }), timeArb, pipelineArb)
  .map(([e, t, p]) => `${e ?? ''}${t}${p}`.trim());

const USER_EVENTS = ['login', 'logout', 'transfer', 'billPay', 'mfaChallenge'];
const SYSTEM_EVENTS = ['alertSent', 'apiUse'];
const OFFSETS = ['Z', '-07:00', '+02:00', '+05:30'];

function isoWithOffset(ms: number, offset: string): string {
  if (offset === 'Z') return new Date(ms).toISOString();
  const sign = offset.startsWith('-') ? -1 : 1;
  const [h, m] = offset.slice(1).split(':').map(Number);
  const local = new Date(ms + sign * ((h ?? 0) * 60 + (m ?? 0)) * 60_000)
    .toISOString()
    .slice(0, 23);
  return `${local}${offset}`;
}

const maybe = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> =>
  fc.option(a, { nil: undefined, freq: 3 });

/** A random record (keys sometimes lowercase, as the API sends them). */
export const recordArb = (
  withUnknownEvents: boolean,
): fc.Arbitrary<Omit<BankingActivity, 'guid'>> =>
  fc
    .record({
      eventId: fc.constantFrom(
        ...USER_EVENTS,
        ...SYSTEM_EVENTS,
        ...(withUnknownEvents ? ['customEvt'] : []),
      ),
      at: fc.integer({ min: NOW_MS - 3 * 86_400_000, max: NOW_MS + 3_600_000 }),
      offset: fc.constantFrom(...OFFSETS),
      loginId: maybe(fc.constantFrom('u1', 'u2', 'u3')),
      member: maybe(fc.constantFrom('m1', 'm2')),
      company: maybe(fc.constantFrom('c1', 'c2')),
      product: maybe(fc.constantFrom('p1', 'p2')),
      customerType: maybe(fc.constantFrom('RETAIL', 'BUSINESS', 'retail', 'N/A')),
      channel: maybe(fc.constantFrom('MOBILE', 'ONLINE', 'mobile', '')),
      amount: maybe(fc.constantFrom('5', '10', '10.5', '100', 'abc', '', '9')),
      result: maybe(fc.constantFrom('Success', 'Failure')),
      ip: maybe(fc.constantFrom('10.0.0.1', '10.0.1.2', '192.168.0.1')),
      lower: fc.boolean(),
    })
    .map((r) => {
      const out: Record<string, string> = {
        eventId: r.eventId,
        timeStamp: isoWithOffset(r.at, r.offset),
        ReqCtx_id: 'req',
      };
      if (r.loginId !== undefined) out['ReqCtx_loginId'] = r.loginId;
      if (r.member !== undefined) out['member'] = r.member;
      if (r.company !== undefined) out['ReqCtx_companyId'] = r.company;
      if (r.product !== undefined) out['ReqCtx_userProduct'] = r.product;
      if (r.customerType !== undefined) out['ReqCtx_customerType'] = r.customerType;
      if (r.channel !== undefined) out['channel'] = r.channel;
      if (r.amount !== undefined) out['amount'] = r.amount;
      if (r.result !== undefined) out['result'] = r.result;
      if (r.ip !== undefined) out['ReqCtx_ipAddress'] = r.ip;
      if (!r.lower) return out;
      return Object.fromEntries(Object.entries(out).map(([k, v]) => [k.toLowerCase(), v]));
    });

/** Random records with unique guids. */
export const recordsArb = (withUnknownEvents: boolean): fc.Arbitrary<BankingActivity[]> =>
  fc
    .array(recordArb(withUnknownEvents), { maxLength: 40 })
    .map((rs) => rs.map((r, i) => ({ ...r, guid: `g-${String(i).padStart(4, '0')}` })));
