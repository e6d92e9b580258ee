/**
 * The in-memory evaluator: the meaning of a query (and of a request) over one record. The core
 * uses it for residual predicates; the tests use it to prove that executing a plan equals
 * evaluating the query directly.
 *
 * @since 0.1.0
 * @module
 */
import { defaultCatalog, indexCatalog, type Catalog, type CatalogIndex } from './catalog.js';
import type { BankingActivity, SearchCriteria, ServiceFilter } from './contract.js';
import type { Filter, Lit } from './filter.js';
import type { ResolvedQuery } from './resolve.js';

const lowerMaps = new WeakMap<object, Map<string, string>>();

/** Reads an attribute case-insensitively (exact spelling first). @since 0.1.0 */
export function getAttr(record: BankingActivity, name: string): string | undefined {
  const direct = record[name];
  if (direct !== undefined) return direct;
  let m = lowerMaps.get(record);
  if (!m) {
    m = new Map();
    for (const k of Object.keys(record)) {
      const lk = k.toLowerCase();
      if (!m.has(lk)) m.set(lk, record[k] as string);
    }
    lowerMaps.set(record, m);
  }
  return m.get(name.toLowerCase());
}

const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Whether a string reads as a finite number. @since 0.1.0 */
export const isNumeric = (s: string): boolean => NUMBER.test(s) && Number.isFinite(Number(s));

/** Compares two attribute values: numerically when both are numbers, else as strings. @since 0.1.0 */
export function compareValues(a: string, b: string): number {
  if (isNumeric(a) && isNumeric(b)) {
    const d = Number(a) - Number(b);
    return d < 0 ? -1 : d > 0 ? 1 : 0;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

const patterns = new Map<string, RegExp>();

function patternRegex(pattern: string, any: string, one: string): RegExp {
  const key = `${any}${one}${pattern}`;
  let re = patterns.get(key);
  if (!re) {
    let src = '';
    for (const c of pattern) {
      if (c === any) src += '[\\s\\S]*';
      else if (c === one) src += '[\\s\\S]';
      else src += c.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
    }
    re = new RegExp(`^${src}$`, 'i');
    if (patterns.size > 10_000) patterns.clear();
    patterns.set(key, re);
  }
  return re;
}

/** BAQL wildcard match (`*` any run, `?` one character), case-insensitive. @since 0.1.0 */
export const wildcardMatch = (value: string, pattern: string): boolean =>
  patternRegex(pattern, '*', '?').test(value);

/** SQL LIKE match (`%` any run, `_` one character), case-insensitive, as the API defines it. @since 0.1.0 */
export const likeMatch = (value: string, pattern: string): boolean =>
  patternRegex(pattern, '%', '_').test(value);

/** The customer segment of a record (`retail`/`business`, from `ReqCtx_customerType`), if any. @since 0.1.0 */
export function segmentOf(record: BankingActivity): string | undefined {
  const v = getAttr(record, 'ReqCtx_customerType')?.toLowerCase();
  return v === 'retail' || v === 'business' ? v : undefined;
}

/** The kind (`user`/`system`) of a record, derived from its event id through the catalog. @since 0.1.0 */
export function kindOf(record: BankingActivity, index: CatalogIndex): string {
  return index.kindOf(getAttr(record, 'eventId'));
}

/**
 * Compares two times as instants (`2026-12-01T05:00:00-05:00` equals `2026-12-01T10:00:00Z`);
 * undefined when either does not read as a time.
 * @since 0.1.0
 */
export function compareInstants(a: string, b: string): number | undefined {
  const x = Date.parse(a);
  const y = Date.parse(b);
  if (Number.isNaN(x) || Number.isNaN(y)) return undefined;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** A comparison literal on an attribute of type `time`: instants, and false if either is not one. */
function evalTimeCompare(l: Lit, v: string | undefined): boolean {
  const c = v === undefined ? undefined : compareInstants(v, l.value);
  if (c === undefined) return false;
  switch (l.op) {
    case 'lt':
      return c < 0;
    case 'le':
      return c <= 0;
    case 'gt':
      return c > 0;
    default:
      return c >= 0;
  }
}

/**
 * Whether a literal is a `<` `<=` `>` `>=` on an attribute of type `time`: it compares instants,
 * so the evaluator reads it as times and the planner keeps it client-side.
 * @since 0.1.0
 */
export function isTimeComparison(l: Lit, index: CatalogIndex): boolean {
  return (
    (l.op === 'lt' || l.op === 'le' || l.op === 'gt' || l.op === 'ge') &&
    index.timeAttributes.has(l.field.toLowerCase())
  );
}

function evalLit(l: Lit, record: BankingActivity, index: CatalogIndex): boolean {
  let r: boolean;
  if (l.op === 'in') {
    const v = l.field === 'kind' ? kindOf(record, index) : segmentOf(record);
    r = v !== undefined && (l.values ?? []).includes(v);
  } else if (isTimeComparison(l, index)) {
    r = evalTimeCompare(l, getAttr(record, l.field));
  } else {
    const v = getAttr(record, l.field);
    switch (l.op) {
      case 'eq':
        r = v !== undefined && v === l.value;
        break;
      case 'like':
        r = v !== undefined && wildcardMatch(v, l.value);
        break;
      case 'present':
        r = v !== undefined && v !== '';
        break;
      case 'lt':
        r = v !== undefined && compareValues(v, l.value) < 0;
        break;
      case 'le':
        r = v !== undefined && compareValues(v, l.value) <= 0;
        break;
      case 'gt':
        r = v !== undefined && compareValues(v, l.value) > 0;
        break;
      case 'ge':
        r = v !== undefined && compareValues(v, l.value) >= 0;
        break;
    }
  }
  return l.neg ? !r : r;
}

function evalFilter(f: Filter, record: BankingActivity, index: CatalogIndex): boolean {
  switch (f.t) {
    case 'lit':
      return evalLit(f, record, index);
    case 'const':
      return f.value;
    case 'not':
      return !evalFilter(f.item, record, index);
    case 'and':
      return f.items.every((i) => evalFilter(i, record, index));
    case 'or':
      return f.items.some((i) => evalFilter(i, record, index));
  }
}

const timeOf = (record: BankingActivity): number => Date.parse(getAttr(record, 'timeStamp') ?? '');

/**
 * Evaluates a query over one record. Given a {@link ResolvedQuery}, the record must also fall in
 * the window; given a bare {@link Filter} (a plan's residual), only the condition is checked.
 * @since 0.1.0
 */
export function evaluate(
  query: ResolvedQuery | Filter,
  record: BankingActivity,
  catalog?: Catalog,
): boolean {
  if ('window' in query) {
    const t = timeOf(record);
    if (!(t >= Date.parse(query.window.start) && t <= Date.parse(query.window.end))) return false;
    return evalFilter(query.filter, record, indexCatalog(catalog ?? query.catalog));
  }
  return evalFilter(query, record, indexCatalog(catalog ?? defaultCatalog));
}

function matchesServiceFilter(f: ServiceFilter, record: BankingActivity): boolean {
  const v = getAttr(record, f.attributeId);
  switch (f.criteria) {
    case 'equals':
      return v !== undefined && v === f.value;
    case 'notEqual':
      return v === undefined || v !== f.value;
    case 'like':
      return v !== undefined && likeMatch(v, f.value);
    case 'isPresent':
      return v !== undefined && v !== '';
    case 'isNotPresent':
      return v === undefined || v === '';
    case 'greaterThan':
      return v !== undefined && compareValues(v, f.value) > 0;
    case 'lessThan':
      return v !== undefined && compareValues(v, f.value) < 0;
    case 'greaterThanEqual':
      return v !== undefined && compareValues(v, f.value) >= 0;
    case 'lessThanEqual':
      return v !== undefined && compareValues(v, f.value) <= 0;
  }
}

/**
 * Whether a record answers a search request, exactly as docs/architecture.md defines the
 * contract (window inclusive, `eventType` defaulting to `user`, `additionalFilters`
 * semantics). The sandbox implements the same on SQLite.
 * @since 0.1.0
 */
export function matchesCriteria(
  criteria: SearchCriteria,
  record: BankingActivity,
  catalog: Catalog = defaultCatalog,
): boolean {
  const index = indexCatalog(catalog);
  const t = timeOf(record);
  if (!(t >= Date.parse(criteria.startTime) && t <= Date.parse(criteria.endTime))) return false;
  if (
    criteria.eventIds &&
    criteria.eventIds.length > 0 &&
    !criteria.eventIds.includes(getAttr(record, 'eventId') ?? '\u0000')
  )
    return false;
  if (kindOf(record, index) !== (criteria.eventType ?? 'user')) return false;
  if (
    criteria.userType &&
    getAttr(record, 'ReqCtx_customerType')?.toLowerCase() !== criteria.userType
  )
    return false;
  if (
    criteria.userProduct !== undefined &&
    getAttr(record, 'ReqCtx_userProduct') !== criteria.userProduct
  )
    return false;
  if (criteria.userId !== undefined) {
    const attr = criteria.userIdType === 'memberId' ? 'member' : 'ReqCtx_loginId';
    if (getAttr(record, attr) !== criteria.userId) return false;
  }
  if (
    criteria.companyId !== undefined &&
    getAttr(record, 'ReqCtx_companyId') !== criteria.companyId
  )
    return false;
  const af = criteria.additionalFilters;
  if (af) {
    const subs = [...(af.subFilters ?? []), ...(af.subFilter ? [af.subFilter] : [])];
    const parts: boolean[] = [
      ...(af.filters ?? []).map((f) => matchesServiceFilter(f, record)),
      ...subs.map((s) =>
        s.condition === 'and'
          ? s.filters.every((f) => matchesServiceFilter(f, record))
          : s.filters.some((f) => matchesServiceFilter(f, record)),
      ),
    ];
    if (parts.length > 0 && !(af.condition === 'and' ? parts.every(Boolean) : parts.some(Boolean)))
      return false;
  }
  return true;
}

/** Newest first: `timeStamp` descending, ties by `guid` descending (the API's order). @since 0.1.0 */
export function compareNewestFirst(a: BankingActivity, b: BankingActivity): number {
  const ta = timeOf(a);
  const tb = timeOf(b);
  if (ta !== tb) return tb - ta;
  const ga = getAttr(a, 'guid') ?? '';
  const gb = getAttr(b, 'guid') ?? '';
  return ga < gb ? 1 : ga > gb ? -1 : 0;
}
