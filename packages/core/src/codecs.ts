/**
 * io-ts codecs for every request and response body of the contract.
 *
 * The codecs are checked against the contract types of `@baql/query` at compile time (see the
 * `Same` assertions at the bottom), so they cannot drift. A body that does not decode becomes a
 * `DecodeError` naming the path of every problem — never a silent partial result.
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import type {
  AccessTokenRequest,
  AccessTokenResponse,
  AdditionalFilters,
  BankingActivity,
  ErrorResponse,
  RevokeRequest,
  SearchCriteria,
  SearchResponse,
  ServiceFilter,
  SubFilter,
} from '@baql/query';
import type { DecodeError } from './errors.js';

const Condition = t.keyof({ and: null, or: null });
const Criteria = t.keyof({
  equals: null,
  notEqual: null,
  like: null,
  isPresent: null,
  isNotPresent: null,
  greaterThan: null,
  lessThan: null,
  greaterThanEqual: null,
  lessThanEqual: null,
});

/** `ServiceFilter`. */
export const ServiceFilterC = t.readonly(
  t.type({ attributeId: t.string, criteria: Criteria, value: t.string }),
  'ServiceFilter',
);
/** `SubFilter`. */
export const SubFilterC = t.readonly(
  t.type({ condition: Condition, filters: t.readonlyArray(ServiceFilterC) }),
  'SubFilter',
);
/** `AdditionalFilters` (accepts the legacy single `subFilter` too). */
export const AdditionalFiltersC = t.readonly(
  t.intersection([
    t.type({ condition: Condition }),
    t.partial({
      filters: t.readonlyArray(ServiceFilterC),
      subFilters: t.readonlyArray(SubFilterC),
      subFilter: SubFilterC,
    }),
  ]),
  'AdditionalFilters',
);

/** `SearchCriteria`, the body of `POST /v1/banking-activities`. */
export const SearchCriteriaC = t.readonly(
  t.intersection([
    t.type({ startTime: t.string, endTime: t.string }),
    t.partial({
      pageSize: t.number,
      eventIds: t.readonlyArray(t.string),
      eventType: t.keyof({ user: null, system: null }),
      userType: t.keyof({ retail: null, business: null }),
      userProduct: t.string,
      userId: t.string,
      userIdType: t.keyof({ loginId: null, memberId: null }),
      companyId: t.string,
      requestedAttributes: t.readonlyArray(t.string),
      additionalFilters: AdditionalFiltersC,
      nextPageToken: t.string,
    }),
  ]),
  'SearchCriteria',
);

/**
 * One activity record: a flat object whose values are all strings. Hand-written (not
 * `t.record`) because it runs once per record on the hot path: it checks in place, no copy.
 */
export const BankingActivityC = new t.Type<BankingActivity, BankingActivity, unknown>(
  'BankingActivity',
  (u): u is BankingActivity =>
    typeof u === 'object' &&
    u !== null &&
    !Array.isArray(u) &&
    Object.values(u).every((v) => typeof v === 'string'),
  (u, c) => {
    if (typeof u !== 'object' || u === null || Array.isArray(u))
      return t.failure(u, c, 'expected an object');
    const obj = u as Record<string, unknown>;
    for (const key in obj) {
      const v = obj[key];
      if (typeof v !== 'string') {
        return t.failure(v, [...c, { key, type: t.string, actual: v }], 'expected a string');
      }
    }
    return t.success(obj as BankingActivity);
  },
  t.identity,
);

/** `SearchResponse`, a 200 answer of the search. (A 204 is decoded to an empty page by the pager.) */
export const SearchResponseC = t.readonly(
  t.intersection([
    t.type({ count: t.number, bankingActivities: t.readonlyArray(BankingActivityC) }),
    t.partial({ nextPageToken: t.string }),
  ]),
  'SearchResponse',
);

/**
 * Whether `u` is a valid `SearchResponse`: the same rules as {@link SearchResponseC}, checked in
 * one plain pass (the codec allocates a context per record and per array; it is kept for the
 * error paths of a body that fails this check).
 */
export function isSearchResponse(u: unknown): u is SearchResponse {
  if (typeof u !== 'object' || u === null || Array.isArray(u)) return false;
  const o = u as Record<string, unknown>;
  if (typeof o['count'] !== 'number') return false;
  const token = o['nextPageToken'];
  if (token !== undefined && typeof token !== 'string') return false;
  const acts = o['bankingActivities'];
  if (!Array.isArray(acts)) return false;
  for (const r of acts as unknown[]) {
    if (typeof r !== 'object' || r === null || Array.isArray(r)) return false;
    const rec = r as Record<string, unknown>;
    for (const key in rec) if (typeof rec[key] !== 'string') return false;
  }
  return true;
}

/** `ErrorResponse`, every error body of both APIs. */
export const ErrorResponseC = t.readonly(
  t.type({ code: t.string, message: t.string }),
  'ErrorResponse',
);

/** `AccessTokenResponse` (`expires_in` is a string of seconds; numbers are accepted and kept as strings). */
const SecondsC = new t.Type<string, string, unknown>(
  'Seconds',
  (u): u is string => typeof u === 'string',
  (u, c) =>
    typeof u === 'string'
      ? t.success(u)
      : typeof u === 'number' && Number.isFinite(u)
        ? t.success(String(u))
        : t.failure(u, c),
  t.identity,
);
/** `AccessTokenResponse`. */
export const AccessTokenResponseC = t.readonly(
  t.intersection([
    t.type({ access_token: t.string, expires_in: SecondsC, token_type: t.string }),
    t.partial({ refresh_token: t.string, refresh_token_expires_in: SecondsC, id_token: t.string }),
  ]),
  'AccessTokenResponse',
);

/** `AccessTokenRequest`, the form body of a token request. */
export const AccessTokenRequestC = t.union(
  [
    t.readonly(
      t.intersection([
        t.type({ grant_type: t.literal('client_credentials') }),
        t.partial({ scopes: t.string }),
      ]),
    ),
    t.readonly(
      t.intersection([
        t.type({ grant_type: t.literal('password'), username: t.string, password: t.string }),
        t.partial({ scopes: t.string }),
      ]),
    ),
    t.readonly(t.type({ grant_type: t.literal('authorization_code'), code: t.string })),
    t.readonly(t.type({ grant_type: t.literal('refresh_token'), refresh_token: t.string })),
  ],
  'AccessTokenRequest',
);

/** `RevokeRequest`, the form body of `DELETE /oauth2/v1/revoke`. */
export const RevokeRequestC = t.readonly(t.type({ token: t.string }), 'RevokeRequest');

/** Renders io-ts errors as `path: expected X, got Y` lines (values are never printed: they may be secret). */
export function errorPaths(errors: t.Errors): string[] {
  const out = new Set<string>();
  for (const e of errors) {
    const path = e.context
      .slice(1)
      .map((c) => c.key)
      .filter((k) => k !== '')
      .reduce((acc, k) => (/^\d+$/.test(k) ? `${acc}[${k}]` : acc === '' ? k : `${acc}.${k}`), '');
    const last = e.context[e.context.length - 1];
    const expected = e.message ?? `expected ${last?.type.name ?? 'a value'}`;
    const actual =
      e.value === undefined
        ? 'missing'
        : Array.isArray(e.value)
          ? 'array'
          : e.value === null
            ? 'null'
            : typeof e.value;
    out.add(
      `${path === '' ? '(body)' : path}: ${expected.startsWith('expected') ? expected : `expected ${expected}`}, got ${actual}`,
    );
  }
  return [...out];
}

/** Decodes `u` with `codec`, mapping failure to a {@link DecodeError} naming every path. */
export function decodeWith<A>(
  codec: t.Decoder<unknown, A>,
  what: string,
  u: unknown,
  transactionId?: string,
): E.Either<DecodeError, A> {
  const result = codec.decode(u);
  if (E.isRight(result)) return result;
  const base = { _tag: 'DecodeError' as const, what, paths: errorPaths(result.left) };
  return E.left(transactionId === undefined ? base : { ...base, transactionId });
}

// ---- compile-time proof that the codecs match the contract types -----------------------------

type Plain<T> = T extends string | number | boolean
  ? T
  : T extends readonly (infer U)[]
    ? Plain<U>[]
    : T extends object
      ? { -readonly [K in keyof T]: Plain<Exclude<T[K], undefined>> }
      : T;
type Same<A, B> =
  (<X>() => X extends Plain<A> ? 1 : 2) extends <X>() => X extends Plain<B> ? 1 : 2 ? true : false;
type Flat<T> = T extends object ? { [K in keyof T]: T[K] } : T;

/** @internal */
export const codecsMatchContract: [
  Same<Flat<t.TypeOf<typeof ServiceFilterC>>, ServiceFilter>,
  Same<Flat<t.TypeOf<typeof SubFilterC>>, SubFilter>,
  Same<Flat<t.TypeOf<typeof AdditionalFiltersC>>, AdditionalFilters>,
  Same<Flat<t.TypeOf<typeof SearchCriteriaC>>, SearchCriteria>,
  Same<Flat<t.TypeOf<typeof SearchResponseC>>, SearchResponse>,
  Same<Flat<t.TypeOf<typeof ErrorResponseC>>, ErrorResponse>,
  Same<Flat<t.TypeOf<typeof AccessTokenResponseC>>, AccessTokenResponse>,
  Same<t.TypeOf<typeof RevokeRequestC>, RevokeRequest>,
  Same<t.TypeOf<typeof AccessTokenRequestC>, AccessTokenRequest>,
] = [true, true, true, true, true, true, true, true, true];
