/**
 * Resolution: from the syntax tree to what the query means — fields resolved through the
 * catalog, parameters bound, time clauses turned into one absolute window, the implicit
 * `kind:user`, and the pipeline checked. Every problem is a diagnostic.
 *
 * @since 0.1.0
 * @module
 */
import type {
  ExprNode,
  FieldNode,
  QueryNode,
  StageNode,
  TextRange,
  TimeNode,
  ValueExpr,
  ValueNode,
} from './ast.js';
import {
  defaultCatalog,
  indexCatalog,
  type Catalog,
  type CatalogIndex,
  type FieldDef,
} from './catalog.js';
import { diagnosticAt, didYouMean, hasErrors, LineIndex, type Diagnostic } from './diagnostic.js';
import { and, FALSE, mkLit, nnf, not, or, TRUE, type Filter, type Lit } from './filter.js';
import { parse } from './parse.js';
import { outputColumns, type FieldRef, type Stage } from './pipeline.js';
import { left, right, type Result } from './result.js';
import { isoOf, isValidTimeZone, parseDuration, resolveTime } from './time.js';

/** A bound parameter value. Lists are for `field:$list` (one-of). @since 0.1.0 */
export type ParamValue = string | number | readonly string[];

/** Options shared by resolution, planning and evaluation. @since 0.1.0 */
export interface ResolveOptions {
  /** The instant relative times are resolved against (Date, ISO string or epoch ms). */
  readonly now: Date | string | number;
  /** IANA zone for dates without offset, `today` and `@d` (default `UTC`). */
  readonly timeZone?: string;
  readonly catalog?: Catalog;
  readonly params?: Readonly<Record<string, ParamValue>>;
  /** The window when the query has no time clause (default `24h`). */
  readonly defaultWindow?: string;
  /** How far back the API may look, in days (default 90). */
  readonly lookbackDays?: number;
}

/** The absolute time window of a query (both ends inclusive). @since 0.1.0 */
export interface Window {
  readonly start: string;
  readonly end: string;
  /** True when the query had no time clause and the default window applies. */
  readonly defaulted: boolean;
}

/** A query with everything resolved: ready to plan or to evaluate. @since 0.1.0 */
export interface ResolvedQuery {
  readonly filter: Filter;
  readonly window: Window;
  readonly pipeline: readonly Stage[];
  /** True when the query did not mention `kind` and `kind:user` was added. */
  readonly kindDefaulted: boolean;
  readonly catalog: Catalog;
  readonly timeZone: string;
  readonly diagnostics: readonly Diagnostic[];
}

const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Reads `now` in any accepted form as epoch ms (NaN if invalid). @since 0.1.0 */
export function nowMs(now: Date | string | number): number {
  return now instanceof Date ? now.getTime() : typeof now === 'number' ? now : Date.parse(now);
}

interface Ctx {
  readonly index: CatalogIndex;
  readonly lines: LineIndex;
  readonly diagnostics: Diagnostic[];
  readonly params: Readonly<Record<string, ParamValue>>;
  readonly now: number;
  readonly tz: string;
}

interface ResolvedField {
  readonly def?: FieldDef;
  readonly attr: string;
  readonly name: string;
}

function err(
  ctx: Ctx,
  code: string,
  message: string,
  r: { start: number; end: number },
  hints: string[] = [],
): void {
  ctx.diagnostics.push(diagnosticAt(ctx.lines, 'error', code, message, r.start, r.end, hints));
}

function warn(
  ctx: Ctx,
  code: string,
  message: string,
  r: { start: number; end: number },
  hints: string[] = [],
): void {
  ctx.diagnostics.push(diagnosticAt(ctx.lines, 'warning', code, message, r.start, r.end, hints));
}

/** Known fields and attributes by the name as typed, per catalog index (lowercased once). */
const knownFields = new WeakMap<CatalogIndex, Map<string, ResolvedField>>();

function resolveField(ctx: Ctx, f: FieldNode): ResolvedField {
  if (f.escaped) return resolveFieldOnce(ctx, f);
  let known = knownFields.get(ctx.index);
  if (!known) {
    known = new Map();
    knownFields.set(ctx.index, known);
  }
  const hit = known.get(f.name);
  if (hit) return hit;
  const r = resolveFieldOnce(ctx, f);
  // Only names the catalog knows (no diagnostic to repeat), and a bounded number of them.
  const lower = f.name.toLowerCase();
  if (r.def !== undefined || (lower !== '_exists_' && ctx.index.attributes.has(lower))) {
    if (known.size >= 1024) known.clear();
    known.set(f.name, r);
  }
  return r;
}

function resolveFieldOnce(ctx: Ctx, f: FieldNode): ResolvedField {
  const lower = f.name.toLowerCase();
  if (!f.escaped) {
    const def = ctx.index.fields.get(lower);
    if (def) return { def, attr: def.attribute ?? def.name, name: f.name };
    if (lower === '_exists_') {
      err(
        ctx,
        'BAQL_FOREIGN_SYNTAX',
        '`_exists_:` is Lucene syntax; BAQL writes presence as `field:*`',
        f.range,
        ['write `field:*`'],
      );
      return { attr: f.name, name: f.name };
    }
  }
  const canonical = ctx.index.attributes.get(lower);
  if (canonical) return { attr: canonical, name: f.name };
  if (!f.escaped && f.name !== '') {
    const names = [
      ...ctx.index.catalog.fields.map((d) => d.name),
      ...ctx.index.attributes.values(),
    ];
    const hints = didYouMean(f.name, names).map((n) => `did you mean \`${n}\`?`);
    warn(
      ctx,
      'BAQL_UNKNOWN_FIELD',
      `\`${f.name}\` is not a known field; it is read as a record attribute`,
      f.range,
      hints,
    );
  }
  return { attr: f.name, name: f.name };
}

/** The literal values of a value node: a parameter may expand to several. */
function valuesOf(ctx: Ctx, v: ValueNode): string[] | undefined {
  if (v.kind !== 'param') return [v.text];
  const p = ctx.params[v.text];
  if (p === undefined) {
    const hints = didYouMean(v.text, Object.keys(ctx.params)).map((n) => `did you mean \`$${n}\`?`);
    err(ctx, 'BAQL_UNBOUND_PARAM', `parameter \`$${v.text}\` has no value`, v.range, [
      ...hints,
      `bind it, e.g. \`--param ${v.text}=…\``,
    ]);
    return undefined;
  }
  if (Array.isArray(p)) return p.map(String);
  return [String(p)];
}

function enumLit(
  ctx: Ctx,
  field: ResolvedField,
  raw: string,
  r: { start: number; end: number },
): Filter {
  const def = field.def as FieldDef;
  const universe = def.values ?? [];
  const v = universe.find((u) => u.toLowerCase() === raw.toLowerCase());
  if (!v) {
    const hints = didYouMean(raw, universe).map((n) => `did you mean \`${n}\`?`);
    err(
      ctx,
      'BAQL_BAD_VALUE',
      `\`${raw}\` is not a ${def.name}: use ${universe.map((u) => `\`${u}\``).join(' or ')}`,
      r,
      hints,
    );
    return TRUE;
  }
  return mkLit(def.name, 'in', '', false, [v], universe);
}

function checkEvent(ctx: Ctx, id: string, r: { start: number; end: number }): void {
  if (ctx.index.events.has(id)) return;
  const ids = ctx.index.catalog.events.map((e) => e.id);
  const exact = ids.find((e) => e.toLowerCase() === id.toLowerCase());
  const hints = exact
    ? [`event ids are case-sensitive: did you mean \`${exact}\`?`]
    : didYouMean(id, ids).map((n) => `did you mean \`${n}\`?`);
  const complete = ctx.index.catalog.complete;
  ctx.diagnostics.push(
    diagnosticAt(
      ctx.lines,
      complete ? 'error' : 'warning',
      'BAQL_UNKNOWN_EVENT',
      `\`${id}\` is not an event id of the catalog${complete ? '' : ' (it is searched as written)'}`,
      r.start,
      r.end,
      hints,
    ),
  );
}

function isEnum(field: ResolvedField): boolean {
  return field.def !== undefined && (field.def.target === 'segment' || field.def.target === 'kind');
}

function valueLit(ctx: Ctx, field: ResolvedField, v: ValueNode): Filter {
  if (v.kind !== 'param') return oneValue(ctx, field, v, v.text);
  const values = valuesOf(ctx, v);
  if (!values) return TRUE;
  if (values.length === 1) return oneValue(ctx, field, v, values[0] as string);
  return or(values.map((text) => oneValue(ctx, field, v, text)));
}

function oneValue(ctx: Ctx, field: ResolvedField, v: ValueNode, text: string): Filter {
  const r = v.range;
  const bare = v.kind === 'word';
  if (isEnum(field)) {
    if (bare && (text.includes('*') || text.includes('?'))) {
      if (text === '*') {
        const universe = field.def?.values ?? [];
        return mkLit(field.def?.name ?? field.name, 'in', '', false, universe, universe);
      }
      err(
        ctx,
        'BAQL_BAD_VALUE',
        `\`${field.name}\` takes ${(field.def?.values ?? []).join(' or ')}, not a pattern`,
        r,
      );
      return TRUE;
    }
    return enumLit(ctx, field, text, r);
  }
  if (bare && text === '*') return mkLit(field.attr, 'present', '', false);
  if (bare && (text.includes('*') || text.includes('?')))
    return mkLit(field.attr, 'like', text, false);
  if (bare && text.includes('..') && text !== '..') {
    const i = text.indexOf('..');
    const lo = text.slice(0, i);
    const hi = text.slice(i + 2);
    return rangeLit(
      ctx,
      field,
      lo !== '' && lo !== '*' ? { text: lo, range: r } : undefined,
      hi !== '' && hi !== '*' ? { text: hi, range: r } : undefined,
    );
  }
  if (field.def?.target === 'event') checkEvent(ctx, text, r);
  return mkLit(field.attr, 'eq', text, false);
}

function valueExpr(ctx: Ctx, field: ResolvedField, v: ValueExpr): Filter {
  switch (v.type) {
    case 'value':
      return valueLit(ctx, field, v);
    case 'vor':
      return or(v.items.map((i) => valueExpr(ctx, field, i)));
    case 'vand':
      return and(v.items.map((i) => valueExpr(ctx, field, i)));
    case 'vnot':
      return not(valueExpr(ctx, field, v.item));
    case 'range': {
      if (isEnum(field)) {
        err(ctx, 'BAQL_BAD_VALUE', `\`${field.name}\` takes a value, not a range`, v.range);
        return TRUE;
      }
      const lo = valuesOf(ctx, v.low)?.[0];
      const hi = valuesOf(ctx, v.high)?.[0];
      return rangeLit(
        ctx,
        field,
        lo !== undefined && !(v.low.kind === 'word' && lo === '*')
          ? { text: lo, range: v.low.range }
          : undefined,
        hi !== undefined && !(v.high.kind === 'word' && hi === '*')
          ? { text: hi, range: v.high.range }
          : undefined,
      );
    }
  }
}

const CMP: Readonly<Record<string, Lit['op']>> = { '>': 'gt', '>=': 'ge', '<': 'lt', '<=': 'le' };

/**
 * A comparison (`gt` `ge` `lt` `le`) of `field` with `text`. On an attribute of type `time` the
 * value is any time of the Time section (`2026-12-01`, `-2h`, `today`), resolved like a time
 * clause to an instant and written as ISO 8601 UTC: records' own offsets differ, so they are
 * compared as instants (client-side), never as text. Undefined after a diagnostic.
 */
function compareLit(
  ctx: Ctx,
  field: ResolvedField,
  op: Lit['op'],
  text: string,
  range: TextRange,
): Filter | undefined {
  if (!ctx.index.timeAttributes.has(field.attr.toLowerCase()))
    return mkLit(field.attr, op, text, false);
  const r = resolveTime(text, ctx.now, ctx.tz);
  if (!r.ok) {
    err(ctx, 'BAQL_BAD_TIME', `\`${field.name}\` compares times: ${r.reason}`, range, [
      'e.g. `time > 2026-11-01`, `time < -2h`, `time:[2026-11-01T08:00 TO now]`',
    ]);
    return undefined;
  }
  return mkLit(field.attr, op, new Date(r.ms).toISOString(), false);
}

/**
 * A range of `field` (`[lo TO hi]`, `lo..hi`) with either end open (undefined): `ge lo AND le hi`,
 * `field:*` when both are open, no condition (TRUE) after a diagnostic on an end.
 */
function rangeLit(
  ctx: Ctx,
  field: ResolvedField,
  lo: { readonly text: string; readonly range: TextRange } | undefined,
  hi: { readonly text: string; readonly range: TextRange } | undefined,
): Filter {
  if (lo === undefined && hi === undefined) return mkLit(field.attr, 'present', '', false);
  const parts = [
    lo === undefined ? TRUE : compareLit(ctx, field, 'ge', lo.text, lo.range),
    hi === undefined ? TRUE : compareLit(ctx, field, 'le', hi.text, hi.range),
  ];
  return parts.includes(undefined) ? TRUE : and(parts as Filter[]);
}

function expr(ctx: Ctx, e: ExprNode): Filter {
  switch (e.type) {
    case 'error':
      return TRUE;
    case 'and':
      return and(e.items.map((i) => expr(ctx, i)));
    case 'or':
      return or(e.items.map((i) => expr(ctx, i)));
    case 'not':
      return not(expr(ctx, e.item));
    case 'match': {
      const field = resolveField(ctx, e.field);
      return valueExpr(ctx, field, e.value);
    }
    case 'compare': {
      const field = resolveField(ctx, e.field);
      if (e.op === '!=') return not(valueLit(ctx, field, e.value));
      if (isEnum(field)) {
        err(
          ctx,
          'BAQL_BAD_VALUE',
          `\`${field.name}\` cannot be compared with \`${e.op}\``,
          e.range,
          [`write \`${field.name}:${field.def?.values?.[0] ?? 'value'}\``],
        );
        return TRUE;
      }
      const values = valuesOf(ctx, e.value);
      if (!values) return TRUE;
      const lits = values.map((value) =>
        compareLit(ctx, field, CMP[e.op] ?? 'gt', value, e.value.range),
      );
      return lits.includes(undefined) ? TRUE : or(lits as Filter[]);
    }
  }
}

function timeOf(ctx: Ctx, v: ValueNode | undefined): number | undefined {
  if (!v) return undefined;
  const text = valuesOf(ctx, v)?.[0];
  if (text === undefined) return undefined;
  const r = resolveTime(text, ctx.now, ctx.tz);
  if (!r.ok) {
    err(ctx, 'BAQL_BAD_TIME', r.reason, v.range, [
      'e.g. `since 7d`, `between 2026-11-01 and 2026-11-07`, `from -24h to now`',
    ]);
    return undefined;
  }
  return r.ms;
}

/** How far inside the API's lookback limit a window at its edge starts (see resolveWindow). */
const LOOKBACK_MARGIN_MS = 5 * 60_000;

function resolveWindow(
  ctx: Ctx,
  times: readonly TimeNode[],
  defaultWindow: string,
  lookbackDays: number,
  whole: { start: number; end: number },
): Window | undefined {
  const defMs = parseDuration(defaultWindow) ?? 86_400_000;
  let start = -Infinity;
  let end = Infinity;
  for (const t of times) {
    let s: number | undefined;
    let e: number | undefined;
    switch (t.form) {
      case 'since':
        s = timeOf(ctx, t.from);
        e = ctx.now;
        break;
      case 'last': {
        const text = t.from ? valuesOf(ctx, t.from)?.[0] : undefined;
        const d = text === undefined ? undefined : parseDuration(text);
        if (d === undefined) {
          if (text !== undefined)
            err(
              ctx,
              'BAQL_BAD_TIME',
              `\`last\` takes a duration such as \`24h\` or \`7d\`, not \`${text}\``,
              t.from?.range ?? t.range,
            );
        } else s = ctx.now - d;
        e = ctx.now;
        break;
      }
      case 'between':
      case 'from':
        s = timeOf(ctx, t.from);
        e = t.to ? timeOf(ctx, t.to) : ctx.now;
        break;
      case 'until':
        e = timeOf(ctx, t.to);
        break;
      case 'today':
        s = resolveTime('today', ctx.now, ctx.tz).ok
          ? (resolveTime('today', ctx.now, ctx.tz) as { ms: number }).ms
          : undefined;
        e = ctx.now;
        break;
      case 'yesterday': {
        const y = resolveTime('yesterday', ctx.now, ctx.tz);
        const d = resolveTime('today', ctx.now, ctx.tz);
        if (y.ok && d.ok) {
          s = y.ms;
          e = d.ms - 1;
        }
        break;
      }
    }
    if (s !== undefined) start = Math.max(start, s);
    if (e !== undefined) end = Math.min(end, e);
  }
  const defaulted = times.length === 0;
  if (hasErrors(ctx.diagnostics)) return undefined;
  if (end === Infinity) end = ctx.now;
  if (start === -Infinity) start = end - defMs;
  const span =
    times.length > 0
      ? { start: times[0]?.range.start ?? 0, end: times[times.length - 1]?.range.end ?? 0 }
      : whole;
  if (start >= end) {
    err(
      ctx,
      'BAQL_EMPTY_WINDOW',
      `the time window is empty: it starts at ${isoOf(start)} and ends at ${isoOf(end)}`,
      span,
      ['the start must be earlier than the end'],
    );
    return undefined;
  }
  const oldest = ctx.now - lookbackDays * 86_400_000;
  if (start < oldest) {
    const days = Math.ceil((ctx.now - start) / 86_400_000);
    err(
      ctx,
      'BAQL_LOOKBACK',
      `the window reaches ${days} days back; the Activity API keeps only the last ${lookbackDays} days`,
      span,
      [`use \`since ${lookbackDays}d\` or a later start`],
    );
    return undefined;
  }
  // The API checks its limit against its own clock, when each request and page arrives: a window
  // that starts at the very edge (`since 90d`) would be refused by the time it is sent. It starts
  // a few minutes inside instead, and says so.
  if (start < oldest + LOOKBACK_MARGIN_MS) {
    start = oldest + LOOKBACK_MARGIN_MS;
    warn(
      ctx,
      'BAQL_LOOKBACK_EDGE',
      `the window starts at the edge of the API's ${lookbackDays} days; it starts ${LOOKBACK_MARGIN_MS / 60_000} minutes later (${isoOf(start)}) so that every request and page stays inside them`,
      span,
    );
    if (start >= end) {
      err(
        ctx,
        'BAQL_EMPTY_WINDOW',
        `the time window is empty inside the API's ${lookbackDays} days`,
        span,
      );
      return undefined;
    }
  }
  return { start: isoOf(start), end: isoOf(end), defaulted };
}

function fieldRefOf(ctx: Ctx, f: FieldNode, projected = false): FieldRef {
  if (projected) return { name: f.name, attr: f.name };
  const r = resolveField(ctx, f);
  if (r.def?.target === 'kind') return { name: f.name, attr: 'kind', derived: 'kind' };
  if (r.def?.target === 'segment') return { name: f.name, attr: 'segment', derived: 'segment' };
  return { name: f.name, attr: r.attr };
}

function positiveInt(ctx: Ctx, v: ValueNode | undefined, what: string, fallback: number): number {
  if (!v) return fallback;
  const text = valuesOf(ctx, v)?.[0];
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text) || Number(text) < 1) {
    err(ctx, 'BAQL_BAD_VALUE', `${what} takes a positive whole number, not \`${text}\``, v.range);
    return fallback;
  }
  return Number(text);
}

/** The fields a stage reads (its sort keys, `by` fields, …). */
function stageFields(s: StageNode): readonly FieldNode[] {
  switch (s.type) {
    case 'fields':
    case 'dedup':
      return s.fields;
    case 'sort':
      return s.keys.map((k) => k.field);
    case 'count':
    case 'timechart':
      return s.by;
    case 'top':
      return [s.field];
    default:
      return [];
  }
}

/**
 * After `fields`, `count`, `top` or `timechart` the rows have only their output columns: a later
 * stage that names another field would silently sort, group or keep nothing, so it is an error.
 */
function checkColumns(ctx: Ctx, s: StageNode, columns: readonly string[]): void {
  for (const f of stageFields(s)) {
    if (columns.some((c) => c.toLowerCase() === f.name.toLowerCase())) continue;
    err(
      ctx,
      'BAQL_UNKNOWN_COLUMN',
      `\`${f.name}\` is not a column here: the rows before this stage have ${columns.length === 0 ? 'no columns' : columns.map((c) => `\`${c}\``).join(', ')}`,
      f.range,
      [`name one of those columns, or keep \`${f.name}\` in the earlier stage`],
    );
  }
}

function stage(ctx: Ctx, s: StageNode, projected: boolean): Stage | undefined {
  const fieldRef = (f: FieldNode): FieldRef => fieldRefOf(ctx, f, projected);
  switch (s.type) {
    case 'fields':
      return { op: 'fields', fields: s.fields.map((f) => fieldRef(f)) };
    case 'sort':
      return {
        op: 'sort',
        keys: s.keys.map((k) => ({ field: fieldRef(k.field), direction: k.direction ?? 'asc' })),
      };
    case 'limit':
      return { op: 'limit', count: positiveInt(ctx, s.count, '`limit`', 10) };
    case 'count':
      return { op: 'count', by: s.by.map((f) => fieldRef(f)) };
    case 'top':
      return { op: 'top', count: positiveInt(ctx, s.count, '`top`', 10), field: fieldRef(s.field) };
    case 'dedup':
      return { op: 'dedup', fields: s.fields.map((f) => fieldRef(f)) };
    case 'timechart': {
      const text = valuesOf(ctx, s.interval)?.[0] ?? '';
      const ms = parseDuration(text);
      if (ms === undefined || ms <= 0) {
        err(
          ctx,
          'BAQL_BAD_VALUE',
          `\`timechart\` takes an interval such as \`1h\` or \`1d\`, not \`${text}\``,
          s.interval.range,
        );
        return undefined;
      }
      return { op: 'timechart', interval: text, intervalMs: ms, by: s.by.map((f) => fieldRef(f)) };
    }
    case 'unknown':
      return undefined;
  }
}

/** Whether {@link nnf} would change the filter: it holds a `not` or an empty enum literal. */
function needsNnf(f: Filter): boolean {
  switch (f.t) {
    case 'lit':
      return f.op === 'in' && (f.values ?? []).length === 0;
    case 'not':
      return true;
    case 'and':
    case 'or':
      return f.items.some(needsNnf);
    default:
      return false;
  }
}

function mentionsKind(f: Filter): boolean {
  switch (f.t) {
    case 'lit':
      return f.op === 'in' && f.field === 'kind';
    case 'not':
      return mentionsKind(f.item);
    case 'and':
    case 'or':
      return f.items.some(mentionsKind);
    default:
      return false;
  }
}

function namesSystemEvent(f: Filter, index: CatalogIndex): boolean {
  switch (f.t) {
    case 'lit':
      return !f.neg && f.op === 'eq' && f.field === 'eventId' && index.kindOf(f.value) === 'system';
    case 'and':
    case 'or':
      return f.items.some((i) => namesSystemEvent(i, index));
    default:
      return false;
  }
}

/**
 * Resolves a query (text or tree): fields, parameters, window, implicit kind, pipeline.
 * Fails with every diagnostic found; warnings ride along in `diagnostics` on success.
 * @since 0.1.0
 */
export function resolve(
  query: string | QueryNode,
  options: ResolveOptions,
  text?: string,
): Result<readonly Diagnostic[], ResolvedQuery> {
  const source = typeof query === 'string' ? query : (text ?? '');
  const parsed =
    typeof query === 'string' ? parse(query) : { ast: query, diagnostics: [] as Diagnostic[] };
  const catalog = options.catalog ?? defaultCatalog;
  const tz = options.timeZone ?? 'UTC';
  const now = nowMs(options.now);
  const lines = new LineIndex(source);
  const ctx: Ctx = {
    index: indexCatalog(catalog),
    lines,
    diagnostics: [...parsed.diagnostics],
    params: options.params ?? {},
    now,
    tz,
  };
  const whole = { start: 0, end: source.length };
  if (!Number.isFinite(now)) err(ctx, 'BAQL_BAD_OPTION', '`now` is not a valid time', whole);
  if (tz !== 'UTC' && !isValidTimeZone(tz))
    err(ctx, 'BAQL_BAD_OPTION', `\`${tz}\` is not a time zone`, whole, [
      'e.g. `UTC`, `America/New_York`',
    ]);
  if (hasErrors(ctx.diagnostics)) return left(ctx.diagnostics);
  const times = parsed.ast.time;
  let filter = parsed.ast.filter ? expr(ctx, parsed.ast.filter) : TRUE;
  const pipeline: Stage[] = [];
  let projected = false;
  for (const s of parsed.ast.stages) {
    if (projected) checkColumns(ctx, s, outputColumns(pipeline) ?? []);
    const st = stage(ctx, s, projected);
    if (st) pipeline.push(st);
    if (st && (st.op === 'fields' || st.op === 'count' || st.op === 'top' || st.op === 'timechart'))
      projected = true;
  }
  const window = resolveWindow(
    ctx,
    times,
    options.defaultWindow ?? '24h',
    options.lookbackDays ?? 90,
    whole,
  );
  if (!window || hasErrors(ctx.diagnostics)) return left(ctx.diagnostics);
  // Without a `not` (and an empty enum literal) the filter is already in negation normal form.
  if (needsNnf(filter)) filter = nnf(filter);
  const kindDefaulted = !mentionsKind(filter) && !namesSystemEvent(filter, ctx.index);
  if (kindDefaulted) {
    const kindDef = ctx.index.fields.get('kind');
    const universe = kindDef?.values ?? ['user', 'system'];
    filter = and([filter, mkLit('kind', 'in', '', false, ['user'], universe)]);
  }
  return right({
    // Already in negation normal form: `and` of an NNF filter and a positive `in` literal.
    filter,
    window,
    pipeline,
    kindDefaulted,
    catalog,
    timeZone: tz,
    diagnostics: ctx.diagnostics,
  });
}

export { FALSE, NUMBER };
