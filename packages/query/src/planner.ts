/**
 * The planner: a resolved query → the fewest Activity API requests that, merged and
 * deduplicated by `guid`, then filtered by the residual, return exactly the query's records.
 *
 * Shape: the filter (negation normal form) is split into top-level conjuncts. Conjuncts on plain
 * attributes that the API can evaluate become `additionalFilters` shared by every request
 * (literals, and ORs of literals as `or` sub-filters). The rest goes to disjunctive normal form;
 * each disjunct becomes requests (one per kind and segment), with users, companies, products and
 * event ids at the top level. Requests that differ only in event ids are merged into one list;
 * requests that differ only in filters are merged with an `or` sub-filter; requests subsumed by a
 * wider one are dropped. What the API cannot evaluate becomes the residual, evaluated client-side.
 *
 * @since 0.1.0
 * @module
 */
import type { QueryNode } from './ast.js';
import { indexCatalog, type CatalogIndex } from './catalog.js';
import type {
  AdditionalFilters,
  EventType,
  FilterCriteria,
  SearchCriteria,
  ServiceFilter,
  SubFilter,
  UserType,
} from './contract.js';
import type { Diagnostic } from './diagnostic.js';
import {
  and,
  assume,
  literals,
  litKey,
  mkLit,
  sameLitKey,
  type Filter,
  type Lit,
} from './filter.js';
import { isTimeComparison } from './evaluate.js';
import { attributesNeeded, type Stage } from './pipeline.js';
import { printFilter, printLit } from './print.js';
import { resolve, type ResolvedQuery, type ResolveOptions, type Window } from './resolve.js';
import { isRight, left, right, type Result } from './result.js';

/** What the deployment's API accepts (`notEqual`/`like` may answer BAS_10007). @since 0.1.0 */
export interface Capabilities {
  readonly notEqual: boolean;
  readonly like: boolean;
}

/** The conservative default: neither `notEqual` nor `like` is sent. @since 0.1.0 */
export const DEFAULT_CAPABILITIES: Capabilities = { notEqual: false, like: false };

/** Options of {@link plan}. @since 0.1.0 */
export interface PlanOptions extends ResolveOptions {
  readonly capabilities?: Partial<Capabilities>;
  /** Most requests one query may send (default 16); beyond, one wider request plus residual. */
  readonly maxRequests?: number;
}

/** The part of the query evaluated client-side on returned records. @since 0.1.0 */
export interface Residual {
  /** The residual condition as BAQL text. */
  readonly text: string;
  /** The residual condition, for {@link evaluate}. */
  readonly filter: Filter;
  /** Why it could not be pushed down. */
  readonly reasons: readonly string[];
}

/** A query plan. @since 0.1.0 */
export interface Plan {
  readonly window: Window;
  /** The requests, exactly in the contract's shape (without `pageSize`/`nextPageToken`). */
  readonly requests: readonly SearchCriteria[];
  /** Applied to the merged, `guid`-deduplicated records; `null` when the requests are exact. */
  readonly residual: Residual | null;
  readonly pipeline: readonly Stage[];
  readonly notes: readonly string[];
  /** The event kinds searched. */
  readonly kinds: readonly EventType[];
  /** The executor may stop once this many rows passed the residual (rows-only pipelines with `limit`). */
  readonly earlyStop?: number;
  /** Warnings found while planning. */
  readonly diagnostics: readonly Diagnostic[];
}

/** A request being planned. Every key is always set (`undefined` when absent): one object shape. */
interface Draft {
  kind: EventType;
  segment: UserType | undefined;
  user: string | undefined;
  member: string | undefined;
  company: string | undefined;
  product: string | undefined;
  eventIds: string[] | undefined;
  conj: Lit[];
  anyOf: Lit[][] | undefined;
  inexact: boolean;
}

function newDraft(kind: EventType, conj: Lit[], inexact: boolean): Draft {
  return {
    kind,
    segment: undefined,
    user: undefined,
    member: undefined,
    company: undefined,
    product: undefined,
    eventIds: undefined,
    conj,
    anyOf: undefined,
    inexact,
  };
}

const DIM_ATTRS: Readonly<Record<string, 'user' | 'member' | 'company' | 'product' | 'event'>> = {
  reqctx_loginid: 'user',
  member: 'member',
  reqctx_companyid: 'company',
  reqctx_userproduct: 'product',
  eventid: 'event',
};

const CRITERIA: Readonly<Record<string, FilterCriteria>> = {
  eq: 'equals',
  like: 'like',
  present: 'isPresent',
  lt: 'lessThan',
  le: 'lessThanEqual',
  gt: 'greaterThan',
  ge: 'greaterThanEqual',
};

const MAX_DISJUNCTS = 256;

/** `T` without `readonly`, to build a value by assignment. */
type Writable<T> = { -readonly [K in keyof T]: T[K] };

class Overflow extends Error {}

/** The literals of a conjunction without `or` (its one disjunct), or undefined if it has one. */
function conjunctionLits(f: Filter, out: Lit[]): Lit[] | undefined {
  if (f.t === 'lit') out.push(f);
  else if (f.t === 'and') {
    for (const i of f.items) if (!conjunctionLits(i, out)) return undefined;
  } else if (f.t === 'const') {
    if (!f.value) return undefined;
  } else if (f.t === 'or') return undefined;
  // `not` is already pushed into the literals (negation normal form): it stands for no literal,
  // as in dnf.
  return out;
}

function dnf(f: Filter): Lit[][] {
  // The common query is a plain conjunction: one disjunct, no cross products to build.
  const single = conjunctionLits(f, []);
  if (single) return [single];
  return dnfOf(f);
}

function dnfOf(f: Filter): Lit[][] {
  switch (f.t) {
    case 'lit':
      return [[f]];
    case 'const':
      return f.value ? [[]] : [];
    case 'not':
      return [[]];
    case 'or': {
      const out: Lit[][] = [];
      for (const i of f.items) {
        for (const d of dnfOf(i)) out.push(d);
        if (out.length > MAX_DISJUNCTS) throw new Overflow();
      }
      return out;
    }
    case 'and': {
      let acc: Lit[][] = [[]];
      for (const i of f.items) {
        const d = dnfOf(i);
        const next: Lit[][] = [];
        for (const a of acc) for (const b of d) next.push(a.length === 0 ? b : [...a, ...b]);
        if (next.length > MAX_DISJUNCTS) throw new Overflow();
        acc = next;
      }
      return acc;
    }
  }
}

function filterOf(l: Lit, caps: Capabilities): ServiceFilter | string {
  if (l.op === 'in') return 'derived field';
  if (l.neg) {
    if (l.op === 'present') return { attributeId: l.field, criteria: 'isNotPresent', value: '' };
    if (l.op === 'eq')
      return caps.notEqual
        ? { attributeId: l.field, criteria: 'notEqual', value: l.value }
        : 'needs the `notEqual` capability';
    return 'the API has no negated form of this condition';
  }
  if (l.op === 'like') {
    if (!caps.like) return 'wildcards need the `like` capability';
    if (/[%_]/.test(l.value)) return 'the pattern contains `%` or `_`, which `like` cannot escape';
    return {
      attributeId: l.field,
      criteria: 'like',
      value: l.value.replace(/\*/g, '%').replace(/\?/g, '_'),
    };
  }
  return {
    attributeId: l.field,
    criteria: CRITERIA[l.op] ?? 'equals',
    value: l.op === 'present' ? '' : l.value,
  };
}

/** The catalog spellings of {@link DIM_ATTRS}: resolved literals use them, so no lowercasing. */
const DIM_EXACT: ReadonlyMap<string, 'user' | 'member' | 'company' | 'product' | 'event'> = new Map(
  [
    ['ReqCtx_loginId', 'user'],
    ['member', 'member'],
    ['ReqCtx_companyId', 'company'],
    ['ReqCtx_userProduct', 'product'],
    ['eventId', 'event'],
  ],
);

/** The request dimension an attribute names (case-insensitively), if any. */
function dimOf(field: string): 'user' | 'member' | 'company' | 'product' | 'event' | undefined {
  const exact = DIM_EXACT.get(field);
  if (exact !== undefined) return exact;
  let cached = dimCache.get(field);
  if (cached === undefined) {
    cached = DIM_ATTRS[field.toLowerCase()] ?? null;
    if (dimCache.size >= 1024) dimCache.clear();
    dimCache.set(field, cached);
  }
  return cached ?? undefined;
}

/** {@link dimOf} of other spellings (`channel`, `reqctx_loginid`): bounded, lowercased once. */
const dimCache = new Map<string, 'user' | 'member' | 'company' | 'product' | 'event' | null>();

/** Whether {@link filterOf} gives a filter (not a reason), without building it. */
function pushable(l: Lit, caps: Capabilities, index: CatalogIndex): boolean {
  if (l.op === 'in' || isTimeComparison(l, index)) return false;
  if (l.neg) return l.op === 'present' || (l.op === 'eq' && caps.notEqual);
  if (l.op === 'like') return caps.like && !/[%_]/.test(l.value);
  return true;
}

const isDimLit = (l: Lit): boolean => l.op === 'in' || dimOf(l.field) !== undefined;

const eventOrders = new WeakMap<CatalogIndex, Map<string, number>>();

function orderEvents(ids: Iterable<string>, index: CatalogIndex): string[] {
  let cached = eventOrders.get(index);
  if (!cached) {
    cached = new Map(index.catalog.events.map((e, i) => [e.id, i]));
    eventOrders.set(index, cached);
  }
  const order = cached;
  // Usually one or two ids: dedupe without a Set unless the list is long.
  let unique: string[];
  if (Array.isArray(ids) && ids.length <= 16) {
    unique = [];
    for (const id of ids as string[]) if (!unique.includes(id)) unique.push(id);
    if (unique.length === 1) return unique;
  } else unique = [...new Set(ids)];
  return unique.sort(
    (a, b) => (order.get(a) ?? 1e9) - (order.get(b) ?? 1e9) || (a < b ? -1 : a > b ? 1 : 0),
  );
}

interface Built {
  drafts: Draft[];
  reasons: Set<string>;
}

function draftsOf(
  disjunct: readonly Lit[],
  index: CatalogIndex,
  caps: Capabilities,
  out: Built,
  notes: Set<string>,
): void {
  // Small lists, not sets: a disjunct names a handful of values.
  let segments: readonly string[] | undefined;
  let kinds: readonly string[] | undefined;
  let eventPos: readonly string[] | undefined;
  const eventNeg: string[] = [];
  const dims: { user?: string; member?: string; company?: string; product?: string } = {};
  const conj: Lit[] = [];
  let inexact = false;
  for (const l of disjunct) {
    if (l.op === 'in') {
      const vals = l.values ?? NO_VALUES;
      if (l.field === 'kind') kinds = kinds ? kinds.filter((v) => vals.includes(v)) : vals;
      else segments = segments ? segments.filter((v) => vals.includes(v)) : vals;
      continue;
    }
    const dim = dimOf(l.field);
    if (dim === 'event' && l.op === 'eq') {
      if (!l.neg) eventPos = eventPos ? eventPos.filter((v) => v === l.value) : [l.value];
      else if (!eventNeg.includes(l.value)) eventNeg.push(l.value);
      continue;
    }
    if (dim && dim !== 'event' && l.op === 'eq' && !l.neg) {
      const cur = dims[dim];
      if (cur === undefined) dims[dim] = l.value;
      else if (cur !== l.value) return; // contradiction: no record has two values
      continue;
    }
    const f = isTimeComparison(l, index)
      ? 'times are compared as instants, which the API cannot do (records carry their own offsets)'
      : filterOf(l, caps);
    if (typeof f === 'string') {
      inexact = true;
      out.reasons.add(`\`${printLit(l, index.catalog)}\`: ${f}`);
    } else conj.push(l);
  }
  if (
    (segments && segments.length === 0) ||
    (kinds && kinds.length === 0) ||
    (eventPos && eventPos.length === 0)
  )
    return;
  // One userId per request; a company with a user goes to the filters. (Plain locals, not a
  // spread of `dims` and `delete`: both take V8's slow paths, and this runs for every disjunct.)
  const user = dims.user;
  let member = dims.member;
  let company = dims.company;
  const product = dims.product;
  if (user !== undefined && member !== undefined) {
    conj.push(mkLit('member', 'eq', member, false));
    member = undefined;
  }
  if (company !== undefined && (user !== undefined || member !== undefined)) {
    conj.push(mkLit('ReqCtx_companyId', 'eq', company, false));
    company = undefined;
  }
  const negFilters: Lit[] = [];
  let negInexact = false;
  if (eventNeg.length > 0 && !eventPos && !index.catalog.complete) {
    for (const id of eventNeg) {
      const l: Lit = mkLit('eventId', 'eq', id, true);
      const f = filterOf(l, caps);
      if (typeof f === 'string') {
        negInexact = true;
        out.reasons.add(
          `\`${printLit(l, index.catalog)}\`: the catalog is not complete, so the other event ids are unknown, and ${f.replace(/^needs/, 'a pushed-down negation needs')}`,
        );
      } else negFilters.push(l);
    }
  }
  for (const kind of ['user', 'system'] as EventType[]) {
    if (kinds && !kinds.includes(kind)) continue;
    let ids: string[] | undefined;
    if (eventPos)
      ids = orderEvents(
        eventPos.filter((id) => index.kindOf(id) === kind && !eventNeg.includes(id)),
        index,
      );
    else if (eventNeg.length > 0 && index.catalog.complete) {
      ids = orderEvents(
        index.catalog.events
          .filter((e) => e.kind === kind && !eventNeg.includes(e.id))
          .map((e) => e.id),
        index,
      );
      notes.add(`\`NOT type:…\` planned as the complement list (the catalog is complete)`);
    }
    if (ids && ids.length === 0) continue;
    for (const segment of segments
      ? (['retail', 'business'] as UserType[]).filter((s) => segments?.includes(s))
      : [undefined]) {
      const draft = newDraft(
        kind,
        negFilters.length > 0 ? [...conj, ...negFilters] : conj,
        inexact || negInexact,
      );
      draft.segment = segment;
      draft.user = user;
      draft.member = member;
      draft.company = company;
      draft.product = product;
      draft.eventIds = ids;
      out.drafts.push(draft);
    }
  }
}

/** A copy of a draft with other filters. */
function redraft(d: Draft, conj: Lit[], anyOf: Lit[][] | undefined, inexact: boolean): Draft {
  return {
    kind: d.kind,
    segment: d.segment,
    user: d.user,
    member: d.member,
    company: d.company,
    product: d.product,
    eventIds: d.eventIds,
    conj,
    anyOf,
    inexact,
  };
}

const NO_VALUES: readonly string[] = [];

// Structural comparisons for the merging passes and the residual, on {@link sameLitKey}: they
// build no strings, and drafts are few, so scanning beats hashing freshly concatenated keys.

/** Whether two lists hold the same items (as multisets) under `same`. */
function sameBag<T>(a: readonly T[], b: readonly T[], same: (x: T, y: T) => boolean): boolean {
  if (a.length !== b.length) return false;
  if (a.length === 0) return true;
  const used: boolean[] = [];
  outer: for (const x of a) {
    for (let j = 0; j < b.length; j += 1) {
      if (used[j] !== true && same(x, b[j] as T)) {
        used[j] = true;
        continue outer;
      }
    }
    return false;
  }
  return true;
}

const sameConj = (a: readonly Lit[], b: readonly Lit[]): boolean => sameBag(a, b, sameLitKey);

const sameAnyOf = (a: readonly Lit[][] | undefined, b: readonly Lit[][] | undefined): boolean =>
  a === undefined || b === undefined ? a === b : sameBag(a, b, sameConj);

/** Whether two drafts search the same kind, segment, user, member, company and product. */
const sameTop = (a: Draft, b: Draft): boolean =>
  a.kind === b.kind &&
  a.segment === b.segment &&
  a.user === b.user &&
  a.member === b.member &&
  a.company === b.company &&
  a.product === b.product;

function sameIds(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i]) return false;
  return true;
}

function mergeEventIds(drafts: Draft[], index: CatalogIndex): Draft[] {
  const groups: Draft[] = [];
  for (const d of drafts) {
    const g = groups.find(
      (x) => sameTop(x, d) && sameConj(x.conj, d.conj) && sameAnyOf(x.anyOf, d.anyOf),
    );
    if (!g) groups.push(redraft(d, [...d.conj], d.anyOf, d.inexact));
    else {
      if (!g.eventIds || !d.eventIds) g.eventIds = undefined;
      else g.eventIds = orderEvents([...g.eventIds, ...d.eventIds], index);
      g.inexact = g.inexact || d.inexact;
    }
  }
  return groups;
}

function mergeFilters(drafts: Draft[], sharedEmpty: boolean): Draft[] {
  const groups: Draft[][] = [];
  for (const d of drafts) {
    const g = groups.find((x) => sameTop(x[0] as Draft, d) && sameIds(x[0]?.eventIds, d.eventIds));
    if (g) g.push(d);
    else groups.push([d]);
  }
  const out: Draft[] = [];
  for (const g of groups) {
    if (g.length === 1 || g.some((d) => d.anyOf)) {
      out.push(...g);
      continue;
    }
    const first = g[0] as Draft;
    const common = first.conj.filter((l) => g.every((d) => d.conj.some((x) => sameLitKey(l, x))));
    const rests = g.map((d) => d.conj.filter((l) => !common.some((c) => sameLitKey(l, c))));
    const inexact = g.some((d) => d.inexact);
    if (rests.some((r) => r.length === 0)) out.push(redraft(first, common, first.anyOf, inexact));
    else if (rests.every((r) => r.length === 1)) out.push(redraft(first, common, rests, inexact));
    else if (common.length === 0 && sharedEmpty) out.push(redraft(first, [], rests, inexact));
    else out.push(...g);
  }
  return out;
}

function subsumes(a: Draft, b: Draft): boolean {
  if (a.kind !== b.kind) return false;
  if (a.segment !== undefined && a.segment !== b.segment) return false;
  for (const k of ['user', 'member', 'company', 'product'] as const)
    if (a[k] !== undefined && a[k] !== b[k]) return false;
  if (a.eventIds) {
    if (!b.eventIds) return false;
    const s = new Set(a.eventIds);
    if (!b.eventIds.every((id) => s.has(id))) return false;
  }
  if (a.anyOf) return sameAnyOf(a.anyOf, b.anyOf) && sameConj(a.conj, b.conj);
  return a.conj.every((l) => b.conj.some((x) => sameLitKey(l, x)));
}

function dropSubsumed(drafts: Draft[]): Draft[] {
  const keep: Draft[] = [];
  drafts.forEach((b, i) => {
    const covered = drafts.some((a, j) => j !== i && subsumes(a, b) && (!subsumes(b, a) || j < i));
    if (!covered) keep.push(b);
    else {
      const a = drafts.find((x, j) => j !== i && subsumes(x, b) && (!subsumes(b, x) || j < i));
      if (a && b.inexact) a.inexact = true;
    }
  });
  return keep;
}

function toService(ls: readonly Lit[], caps: Capabilities): ServiceFilter[] {
  return ls.map((l) => filterOf(l, caps) as ServiceFilter);
}

function additionalFilters(
  shared: Lit[],
  sharedOr: Lit[][],
  d: Draft,
  caps: Capabilities,
): AdditionalFilters | undefined {
  const singles: Lit[] = [];
  for (const list of [shared, d.conj])
    next: for (const l of list) {
      for (const x of singles) if (sameLitKey(x, l)) continue next;
      singles.push(l);
    }
  const subs: SubFilter[] = sharedOr.map((c) => ({ condition: 'or', filters: toService(c, caps) }));
  if (d.anyOf) {
    if (d.anyOf.every((g) => g.length === 1)) {
      const flat = d.anyOf.map((g) => g[0] as Lit);
      if (flat.length === 1) singles.push(flat[0] as Lit);
      else subs.push({ condition: 'or', filters: toService(flat, caps) });
    } else {
      const filters = d.anyOf.filter((g) => g.length === 1).map((g) => g[0] as Lit);
      const groups = d.anyOf.filter((g) => g.length > 1);
      const top: Writable<AdditionalFilters> = { condition: 'or' };
      if (filters.length > 0) top.filters = toService(filters, caps);
      top.subFilters = groups.map((g) => ({ condition: 'and', filters: toService(g, caps) }));
      return top;
    }
  }
  if (singles.length === 0 && subs.length === 0) return undefined;
  // Built by assignment (no spreads of conditional objects): this runs for every request.
  const top: Writable<AdditionalFilters> = { condition: 'and' };
  if (singles.length > 0) top.filters = toService(singles, caps);
  if (subs.length > 0) top.subFilters = subs;
  return top;
}

function guarantees(d: Draft, l: Lit, shared: readonly Lit[]): boolean {
  if (shared.some((s) => sameLitKey(s, l))) return true;
  if (l.op === 'in') {
    if (l.field === 'kind') return (l.values ?? []).includes(d.kind);
    return d.segment !== undefined && (l.values ?? []).includes(d.segment);
  }
  if (!l.neg && l.op === 'eq') {
    const dim = dimOf(l.field);
    if (dim === 'event')
      return d.eventIds !== undefined && d.eventIds.every((id) => id === l.value);
    if (dim && d[dim] === l.value) return true;
  }
  return d.conj.some((c) => sameLitKey(c, l));
}

function residualAttributes(f: Filter): string[] {
  return literals(f).map((l) =>
    l.op === 'in' ? (l.field === 'kind' ? 'eventId' : 'ReqCtx_customerType') : l.field,
  );
}

function plural(n: number, w: string): string {
  return `${n} ${w}${n === 1 ? '' : /(s|x|z|ch|sh)$/.test(w) ? 'es' : 's'}`;
}

/**
 * Plans a query: the requests, the residual, the pipeline and notes in words.
 *
 * @example
 * ```ts
 * const p = plan('user:123 AND (type:login OR type:transfer) NOT segment:retail since 7d | count by type', { now: new Date() });
 * // p.right.requests: one request, userId "123" (loginId), eventIds [login, transfer], userType business
 * ```
 * @since 0.1.0
 */
export function plan(
  query: string | QueryNode | ResolvedQuery,
  options: PlanOptions,
): Result<readonly Diagnostic[], Plan> {
  let resolved: ResolvedQuery;
  if (typeof query === 'object' && 'filter' in query && 'window' in query) resolved = query;
  else {
    const r = resolve(query as string | QueryNode, options);
    if (!isRight(r)) return left(r.left);
    resolved = r.right;
  }
  return right(planResolved(resolved, options));
}

/** Plans an already resolved query (never fails). @since 0.1.0 */
export function planResolved(
  resolved: ResolvedQuery,
  options: Omit<PlanOptions, 'now'> = {},
): Plan {
  const caps: Capabilities =
    options.capabilities === undefined
      ? DEFAULT_CAPABILITIES
      : { ...DEFAULT_CAPABILITIES, ...options.capabilities };
  const maxRequests = Math.max(1, options.maxRequests ?? 16);
  const index = indexCatalog(resolved.catalog);
  const catalog = resolved.catalog;
  const F = resolved.filter;
  const notes = new Set<string>();
  const built: Built = { drafts: [], reasons: new Set() };

  const conjuncts = F.t === 'and' ? F.items : [F];
  const shared: Lit[] = [];
  const sharedOr: Lit[][] = [];
  const rest: Filter[] = [];
  for (const c of conjuncts) {
    if (c.t === 'lit' && !isDimLit(c) && pushable(c, caps, index)) shared.push(c);
    else if (
      c.t === 'or' &&
      c.items.every((i) => i.t === 'lit' && !isDimLit(i) && pushable(i, caps, index))
    )
      sharedOr.push(c.items as Lit[]);
    else rest.push(c);
  }
  let fallback = false;
  let drafts: Draft[] = [];
  if (F.t === 'const' && !F.value) {
    notes.add('the condition can never hold: no request is sent');
  } else {
    try {
      const disjuncts = dnf(and(rest));
      for (const d of disjuncts) draftsOf(d, index, caps, built, notes);
      drafts = built.drafts;
      // One disjunct (the common, conjunctive query) gives drafts that differ in kind or segment
      // only: nothing to merge or drop, so the merging passes are skipped.
      for (let i = 0; i < 3 && drafts.length > 1 && disjuncts.length > 1; i += 1) {
        const before = drafts.length;
        drafts = mergeEventIds(drafts, index);
        drafts = mergeFilters(drafts, shared.length === 0 && sharedOr.length === 0);
        drafts = dropSubsumed(drafts);
        if (drafts.length === before) break;
      }
    } catch (e) {
      if (!(e instanceof Overflow)) throw e;
      fallback = true;
      notes.add(
        `the condition expands to more than ${MAX_DISJUNCTS} branches: one wide request per kind, the rest client-side`,
      );
    }
    if (!fallback && drafts.length > maxRequests) {
      fallback = true;
      notes.add(
        `${plural(drafts.length, 'branch')} exceed maxRequests (${maxRequests}): one wider request per kind, the branches are checked client-side`,
      );
    }
    if (fallback) {
      const kinds = new Set<EventType>(
        drafts.length > 0 ? drafts.map((d) => d.kind) : ['user', 'system'],
      );
      const wide: Draft[] = [];
      for (const kind of ['user', 'system'] as EventType[]) {
        if (!kinds.has(kind)) continue;
        const ds = drafts.filter((d) => d.kind === kind);
        const w = newDraft(kind, [], true);
        if (ds.length > 0) {
          for (const k of ['segment', 'user', 'member', 'company', 'product'] as const) {
            const v = ds[0]?.[k];
            if (v !== undefined && ds.every((d) => d[k] === v))
              (w as unknown as Record<string, string>)[k] = v;
          }
          if (ds.every((d) => d.eventIds))
            w.eventIds = orderEvents(
              ds.flatMap((d) => d.eventIds ?? []),
              index,
            );
        }
        wide.push(w);
      }
      drafts = wide;
    }
  }

  const inexact = fallback || drafts.some((d) => d.inexact);
  let residual: Residual | null = null;
  if (inexact && drafts.length > 0) {
    const known = new Map<string, boolean>();
    const kept: Filter[] = [];
    for (const c of conjuncts) {
      if (c.t === 'lit' && drafts.every((d) => guarantees(d, c, shared)))
        known.set(litKey(c), true);
      else if (c.t === 'or' && c.items.every((i) => i.t === 'lit')) {
        const items = c.items as Lit[];
        const pushedAsSubFilter = !fallback && sharedOr.some((o) => sameConj(o, items));
        const eachRequestHasOne = drafts.every((d) => items.some((i) => guarantees(d, i, shared)));
        if (!(pushedAsSubFilter || eachRequestHasOne)) kept.push(c);
      } else kept.push(c);
    }
    const rf = assume(and(kept), known);
    if (!(rf.t === 'const' && rf.value)) {
      const reasons = [...built.reasons];
      if (fallback) reasons.push('more branches than the API requests allowed');
      residual = { text: printFilter(rf, catalog), filter: rf, reasons };
    }
  }

  const needed = attributesNeeded(resolved.pipeline);
  let requestedAttributes: string[] | undefined;
  if (needed) {
    const seen = new Set<string>();
    requestedAttributes = [];
    for (const a of [
      'guid',
      'timeStamp',
      'eventId',
      ...needed,
      ...(residual ? residualAttributes(residual.filter) : []),
    ]) {
      const k = a.toLowerCase();
      if (!seen.has(k)) {
        seen.add(k);
        requestedAttributes.push(a);
      }
    }
  }

  const requests: SearchCriteria[] = drafts.map((d) => {
    const af = additionalFilters(
      shared,
      sharedOr,
      fallback ? redraft(d, [], d.anyOf, d.inexact) : d,
      caps,
    );
    const userId = d.user ?? d.member;
    // Built by assignment (not spreads): this runs for every request of every plan.
    const req: Record<string, unknown> = {
      startTime: resolved.window.start,
      endTime: resolved.window.end,
    };
    if (d.eventIds) req['eventIds'] = d.eventIds;
    if (d.kind === 'system') req['eventType'] = 'system';
    if (d.segment) req['userType'] = d.segment;
    if (d.product !== undefined) req['userProduct'] = d.product;
    if (userId !== undefined) {
      req['userId'] = userId;
      req['userIdType'] = d.user !== undefined ? 'loginId' : 'memberId';
    }
    if (d.company !== undefined) req['companyId'] = d.company;
    if (requestedAttributes) req['requestedAttributes'] = requestedAttributes;
    if (af) req['additionalFilters'] = af;
    return req as unknown as SearchCriteria;
  });

  const out: string[] = [];
  if (resolved.window.defaulted)
    out.push(
      `no time clause: searching the default window ${resolved.window.start} → ${resolved.window.end}`,
    );
  if (resolved.kindDefaulted)
    out.push(
      'no `kind` in the query: user events only (add `kind:system` or `kind:*` for system events)',
    );
  if (requests.length > 1)
    out.push(
      `${plural(requests.length, 'request')} (one per user, company, segment or kind branch); results are merged and deduplicated by guid`,
    );
  for (const n of notes) out.push(n);
  if (residual) out.push(`client-side: ${residual.text}`);
  let earlyStop: number | undefined;
  for (const s of resolved.pipeline) {
    if (s.op === 'fields') continue;
    if (s.op === 'limit') earlyStop = s.count;
    break;
  }
  const kinds: EventType[] = [];
  for (const d of drafts) if (!kinds.includes(d.kind)) kinds.push(d.kind);
  // Two literals rather than a spread of a conditional object (V8's slow path), keeping the
  // documented key order (earlyStop before diagnostics) for JSON output.
  const { window } = resolved;
  const { pipeline, diagnostics } = resolved;
  return earlyStop === undefined
    ? { window, requests, residual, pipeline, notes: out, kinds, diagnostics }
    : { window, requests, residual, pipeline, notes: out, kinds, earlyStop, diagnostics };
}
