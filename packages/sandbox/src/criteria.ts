/**
 * Validation of a `SearchCriteria` body into a normalised search, with the contract's BAS_ codes.
 * The sandbox validates with its own code (it never shares the client's codecs).
 * @module
 */
import type { Condition, FilterCriteria } from '@baql/query';
import { apiError, fail, isPrintableAscii, ok, type Result } from './errors.js';
import { parseIsoDateTime } from './time.js';

/** A validated filter. @since 0.1.0 */
export interface ValidFilter {
  readonly attributeId: string;
  readonly criteria: FilterCriteria;
  readonly value: string;
}

/** A validated filter group. @since 0.1.0 */
export interface ValidGroup {
  readonly condition: Condition;
  readonly filters: readonly ValidFilter[];
  readonly subFilters: readonly {
    readonly condition: Condition;
    readonly filters: readonly ValidFilter[];
  }[];
}

/** A validated search. @since 0.1.0 */
export interface ValidSearch {
  readonly start: number;
  readonly end: number;
  readonly pageSize: number;
  readonly eventIds: readonly string[];
  readonly eventType: 'user' | 'system';
  readonly userType?: 'retail' | 'business';
  readonly userProduct?: string;
  readonly userId?: string;
  readonly userIdType?: 'loginId' | 'memberId';
  readonly companyId?: string;
  readonly requestedAttributes: readonly string[];
  readonly additionalFilters?: ValidGroup;
  readonly nextPageToken?: string;
}

/** Switches of validation. @since 0.1.0 */
export interface ValidationOptions {
  readonly now: number;
  readonly lookbackDays: number;
  readonly maxPageSize: number;
  readonly rejectNotEqualLike: boolean;
}

const CRITERIA: readonly FilterCriteria[] = [
  'equals',
  'notEqual',
  'like',
  'isPresent',
  'isNotPresent',
  'greaterThan',
  'lessThan',
  'greaterThanEqual',
  'lessThanEqual',
];

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** True when some string anywhere in a JSON value has a non-printable or non-ASCII character. @since 0.1.0 */
export function hasNonPrintable(value: unknown): boolean {
  if (typeof value === 'string') return !isPrintableAscii(value);
  if (Array.isArray(value)) return value.some(hasNonPrintable);
  if (isObject(value))
    return Object.entries(value).some(([k, v]) => !isPrintableAscii(k) || hasNonPrintable(v));
  return false;
}

const bad = apiError('BAS_10005');

function stringArray(v: unknown): Result<string[]> {
  if (v === undefined || v === null) return ok([]);
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) return fail(bad);
  return ok(v as string[]);
}

function optString(v: unknown): Result<string | undefined> {
  if (v === undefined || v === null) return ok(undefined);
  if (typeof v !== 'string') return fail(bad);
  return ok(v);
}

function filters(v: unknown, opts: ValidationOptions): Result<ValidFilter[]> {
  if (v === undefined || v === null) return ok([]);
  if (!Array.isArray(v)) return fail(bad);
  const out: ValidFilter[] = [];
  for (const f of v) {
    if (!isObject(f)) return fail(bad);
    const { attributeId, criteria = 'equals', value } = f;
    if (typeof attributeId !== 'string' || attributeId.trim() === '')
      return fail(apiError('BAS_10204'));
    if (typeof criteria !== 'string' || !CRITERIA.includes(criteria as FilterCriteria))
      return fail(apiError('BAS_10204'));
    const c = criteria as FilterCriteria;
    if (value !== undefined && value !== null && typeof value !== 'string') return fail(bad);
    if ((value === undefined || value === null) && c !== 'isPresent' && c !== 'isNotPresent')
      return fail(apiError('BAS_10204'));
    if (opts.rejectNotEqualLike && (c === 'notEqual' || c === 'like'))
      return fail(apiError('BAS_10007'));
    out.push({ attributeId, criteria: c, value: typeof value === 'string' ? value : '' });
  }
  return ok(out);
}

function condition(v: unknown): Result<Condition> {
  if (v === undefined || v === null) return ok('and');
  if (v !== 'and' && v !== 'or') return fail(apiError('BAS_10204'));
  return ok(v);
}

function additional(v: unknown, opts: ValidationOptions): Result<ValidGroup | undefined> {
  if (v === undefined || v === null) return ok(undefined);
  if (!isObject(v)) return fail(bad);
  const cond = condition(v.condition);
  if (!cond.ok) return cond;
  const fs = filters(v.filters, opts);
  if (!fs.ok) return fs;
  let rawSubs: unknown[] = [];
  if (v.subFilters !== undefined && v.subFilters !== null) {
    if (!Array.isArray(v.subFilters)) return fail(bad);
    rawSubs = [...v.subFilters];
  }
  if (v.subFilter !== undefined && v.subFilter !== null) rawSubs.push(v.subFilter);
  const subs: { condition: Condition; filters: ValidFilter[] }[] = [];
  for (const s of rawSubs) {
    if (!isObject(s)) return fail(bad);
    const c = condition(s.condition);
    if (!c.ok) return c;
    if (c.value === cond.value) return fail(apiError('BAS_10008'));
    const sf = filters(s.filters, opts);
    if (!sf.ok) return sf;
    if (sf.value.length === 0) return fail(apiError('BAS_10021'));
    subs.push({ condition: c.value, filters: sf.value });
  }
  if (fs.value.length === 0 && subs.length === 0) return fail(apiError('BAS_10021'));
  return ok({ condition: cond.value, filters: fs.value, subFilters: subs });
}

/**
 * Validates a parsed JSON body as `SearchCriteria`. Order of checks: printable ASCII (BAS_10201),
 * shape and types (BAS_10005), required fields and dates (BAS_10204/BAS_10005), enums
 * (BAS_10012/BAS_10009/BAS_10010/BAS_10011), window (BAS_10001/BAS_10002), filters
 * (BAS_10007/BAS_10008/BAS_10021).
 * @since 0.1.0
 */
export function validateSearch(body: unknown, opts: ValidationOptions): Result<ValidSearch> {
  if (hasNonPrintable(body)) return fail(apiError('BAS_10201'));
  if (!isObject(body)) return fail(apiError('BAS_10204'));
  const { startTime, endTime } = body;
  if (startTime === undefined || startTime === null || endTime === undefined || endTime === null)
    return fail(apiError('BAS_10204'));
  if (typeof startTime !== 'string' || typeof endTime !== 'string') return fail(bad);
  const start = parseIsoDateTime(startTime);
  const end = parseIsoDateTime(endTime);
  if (start === undefined || end === undefined) return fail(bad);
  let pageSize = opts.maxPageSize;
  if (body.pageSize !== undefined && body.pageSize !== null) {
    if (typeof body.pageSize !== 'number' || !Number.isInteger(body.pageSize)) return fail(bad);
    pageSize = body.pageSize <= 0 ? opts.maxPageSize : Math.min(body.pageSize, opts.maxPageSize);
  }
  const eventIds = stringArray(body.eventIds);
  if (!eventIds.ok) return eventIds;
  const requested = stringArray(body.requestedAttributes);
  if (!requested.ok) return requested;
  const strings: Record<string, string | undefined> = {};
  for (const key of [
    'eventType',
    'userType',
    'userProduct',
    'userId',
    'userIdType',
    'companyId',
    'nextPageToken',
  ] as const) {
    const s = optString(body[key]);
    if (!s.ok) return s;
    strings[key] = s.value;
  }
  const {
    eventType = 'user',
    userType,
    userProduct,
    userId,
    userIdType,
    companyId,
    nextPageToken,
  } = strings;
  if (eventType !== 'user' && eventType !== 'system') return fail(apiError('BAS_10012'));
  if (userType !== undefined && userType !== 'retail' && userType !== 'business')
    return fail(apiError('BAS_10009'));
  if (userIdType !== undefined && userIdType !== 'loginId' && userIdType !== 'memberId')
    return fail(apiError('BAS_10010'));
  if (userId !== undefined && userIdType === undefined) return fail(apiError('BAS_10011'));
  if (start >= end) return fail(apiError('BAS_10001'));
  if (start < opts.now - opts.lookbackDays * 86_400_000) return fail(apiError('BAS_10002'));
  const filtersResult = additional(body.additionalFilters, opts);
  if (!filtersResult.ok) return filtersResult;
  return ok({
    start,
    end,
    pageSize,
    eventIds: eventIds.value,
    eventType,
    requestedAttributes: requested.value,
    ...(userType !== undefined ? { userType } : {}),
    ...(userProduct !== undefined ? { userProduct } : {}),
    ...(userId !== undefined ? { userId } : {}),
    ...(userId !== undefined && userIdType !== undefined ? { userIdType } : {}),
    ...(companyId !== undefined ? { companyId } : {}),
    ...(filtersResult.value ? { additionalFilters: filtersResult.value } : {}),
    ...(nextPageToken !== undefined ? { nextPageToken } : {}),
  });
}
