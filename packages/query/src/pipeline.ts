/**
 * The pipeline after `|`: `fields`, `sort`, `limit`, `count [by]`, `top`, `dedup`, `timechart`.
 * Pure, streaming-friendly stages: the core's executor pushes rows as pages arrive; aggregations
 * keep O(groups) memory; `limit` tells the caller when no more input is needed.
 *
 * @since 0.1.0
 * @module
 */
import { defaultCatalog, indexCatalog, type Catalog, type CatalogIndex } from './catalog.js';
import { compareValues, getAttr, kindOf, segmentOf } from './evaluate.js';
import { snap } from './time.js';

/** A field named in a stage: `name` as written (the output column), `attr` the record attribute. @since 0.1.0 */
export interface FieldRef {
  readonly name: string;
  readonly attr: string;
  /** Set for the derived fields `kind` and `segment`. */
  readonly derived?: 'kind' | 'segment';
}

/** One resolved pipeline stage. @since 0.1.0 */
export type Stage =
  | { readonly op: 'fields'; readonly fields: readonly FieldRef[] }
  | {
      readonly op: 'sort';
      readonly keys: readonly { readonly field: FieldRef; readonly direction: 'asc' | 'desc' }[];
    }
  | { readonly op: 'limit'; readonly count: number }
  | { readonly op: 'count'; readonly by: readonly FieldRef[] }
  | { readonly op: 'top'; readonly count: number; readonly field: FieldRef }
  | { readonly op: 'dedup'; readonly fields: readonly FieldRef[] }
  | {
      readonly op: 'timechart';
      readonly interval: string;
      readonly intervalMs: number;
      readonly by: readonly FieldRef[];
    };

/** A row flowing through the pipeline: a record, or an aggregate row (`count` is a number). @since 0.1.0 */
export type Row = Readonly<Record<string, string | number>>;

/** What stages need besides rows. @since 0.1.0 */
export interface PipelineContext {
  readonly catalog?: Catalog;
  /** The query window (timechart fills empty buckets across it). */
  readonly window?: { readonly start: string; readonly end: string };
  /** Time zone buckets of a day or more align to (default `UTC`). */
  readonly timeZone?: string;
}

/** A sink rows are pushed into. `push` returns false when no more input is wanted. @since 0.1.0 */
export interface RowSink {
  push(row: Row): boolean;
  end(): void;
}

/** Reads a field of a row: the output column if present, else the record attribute (or derived value). @since 0.1.0 */
export function fieldValue(
  row: Row,
  ref: FieldRef,
  index: CatalogIndex,
): string | number | undefined {
  const record = row as Record<string, string>;
  if (ref.derived === 'kind')
    return getAttr(record, 'eventId') === undefined ? undefined : kindOf(record, index);
  if (ref.derived === 'segment') return segmentOf(record);
  const direct = row[ref.attr];
  if (direct !== undefined) return direct;
  return getAttr(record, ref.attr);
}

/**
 * A sort key as `sort` compares it: the value {@link fieldValue} reads, except that an attribute
 * of type `time` sorts by its instant (epoch milliseconds; an unreadable time sorts as missing),
 * not by its text: records carry their own offsets. `raw` is the value already read.
 * @since 0.1.0
 */
export function sortKeyOf(
  raw: string | number | undefined,
  ref: FieldRef,
  index: CatalogIndex,
): string | number | undefined {
  if (typeof raw !== 'string' || ref.derived !== undefined) return raw;
  if (!index.timeAttributes.has(ref.attr.toLowerCase())) return raw;
  const ms = Date.parse(raw);
  return Number.isNaN(ms) ? undefined : ms;
}

const MAX_FILL_BUCKETS = 10_000;

function keyOf(values: readonly (string | number | undefined)[]): string {
  return JSON.stringify(values);
}

function compareRowValues(a: string | number | undefined, b: string | number | undefined): number {
  if (a === undefined) return b === undefined ? 0 : 1;
  if (b === undefined) return -1;
  return compareValues(String(a), String(b));
}

function stageSink(
  stage: Stage,
  ctx: PipelineContext,
  index: CatalogIndex,
  next: RowSink,
): RowSink {
  switch (stage.op) {
    case 'fields':
      return {
        push: (row) => {
          const out: Record<string, string | number> = {};
          for (const f of stage.fields) {
            const v = fieldValue(row, f, index);
            if (v !== undefined) out[f.name] = v;
          }
          return next.push(out);
        },
        end: () => next.end(),
      };
    case 'limit': {
      let n = 0;
      return {
        push: (row) => {
          if (n >= stage.count) return false;
          n += 1;
          const more = next.push(row);
          return more && n < stage.count;
        },
        end: () => next.end(),
      };
    }
    case 'dedup': {
      const seen = new Set<string>();
      return {
        push: (row) => {
          const values = stage.fields.map((f) => fieldValue(row, f, index));
          if (values.some((v) => v === undefined)) return true;
          const k = keyOf(values);
          if (seen.has(k)) return true;
          seen.add(k);
          return next.push(row);
        },
        end: () => next.end(),
      };
    }
    case 'sort': {
      const rows: Row[] = [];
      return {
        push: (row) => {
          rows.push(row);
          return true;
        },
        end: () => {
          const decorated = rows.map((row, i) => ({
            row,
            i,
            keys: stage.keys.map((k) => sortKeyOf(fieldValue(row, k.field, index), k.field, index)),
          }));
          decorated.sort((a, b) => {
            for (let j = 0; j < stage.keys.length; j += 1) {
              const av = a.keys[j];
              const bv = b.keys[j];
              if (av === undefined || bv === undefined) {
                const c = compareRowValues(av, bv);
                if (c !== 0) return c;
                continue;
              }
              const c = compareRowValues(av, bv);
              if (c !== 0) return stage.keys[j]?.direction === 'desc' ? -c : c;
            }
            return a.i - b.i;
          });
          for (const d of decorated) if (!next.push(d.row)) break;
          next.end();
        },
      };
    }
    case 'count': {
      if (stage.by.length === 0) {
        let n = 0;
        return {
          push: () => {
            n += 1;
            return true;
          },
          end: () => {
            next.push({ count: n });
            next.end();
          },
        };
      }
      const groups = new Map<string, { values: (string | number)[]; count: number }>();
      return {
        push: (row) => {
          const values = stage.by.map((f) => fieldValue(row, f, index));
          if (values.some((v) => v === undefined)) return true;
          const k = keyOf(values);
          const g = groups.get(k);
          if (g) g.count += 1;
          else groups.set(k, { values: values as (string | number)[], count: 1 });
          return true;
        },
        end: () => {
          const all = [...groups.values()].sort((a, b) => {
            if (a.count !== b.count) return b.count - a.count;
            for (let j = 0; j < a.values.length; j += 1) {
              const c = compareRowValues(a.values[j], b.values[j]);
              if (c !== 0) return c;
            }
            return 0;
          });
          for (const g of all) {
            const out: Record<string, string | number> = {};
            stage.by.forEach((f, j) => (out[f.name] = g.values[j] as string | number));
            out['count'] = g.count;
            if (!next.push(out)) break;
          }
          next.end();
        },
      };
    }
    case 'top': {
      const counts = new Map<string | number, number>();
      let total = 0;
      return {
        push: (row) => {
          const v = fieldValue(row, stage.field, index);
          if (v === undefined) return true;
          total += 1;
          counts.set(v, (counts.get(v) ?? 0) + 1);
          return true;
        },
        end: () => {
          const all = [...counts.entries()].sort(
            (a, b) => b[1] - a[1] || compareRowValues(a[0], b[0]),
          );
          for (const [v, c] of all.slice(0, stage.count)) {
            const out = {
              [stage.field.name]: v,
              count: c,
              percent: Math.round((c / total) * 10_000) / 100,
            };
            if (!next.push(out)) break;
          }
          next.end();
        },
      };
    }
    case 'timechart': {
      const tz = ctx.timeZone ?? 'UTC';
      const startMs = ctx.window ? Date.parse(ctx.window.start) : Number.NaN;
      const origin = Number.isFinite(startMs) ? snap(startMs, 'd', tz) : 0;
      const bucketOf = (t: number): number =>
        origin + Math.floor((t - origin) / stage.intervalMs) * stage.intervalMs;
      const cells = new Map<
        string,
        { bucket: number; values: (string | number)[]; count: number }
      >();
      const groups = new Map<string, (string | number)[]>();
      return {
        push: (row) => {
          const t = Date.parse(
            String(fieldValue(row, { name: 'timeStamp', attr: 'timeStamp' }, index) ?? ''),
          );
          if (!Number.isFinite(t)) return true;
          const values = stage.by.map((f) => fieldValue(row, f, index));
          if (values.some((v) => v === undefined)) return true;
          const gk = keyOf(values);
          if (!groups.has(gk)) groups.set(gk, values as (string | number)[]);
          const b = bucketOf(t);
          const k = `${b}|${gk}`;
          const c = cells.get(k);
          if (c) c.count += 1;
          else cells.set(k, { bucket: b, values: values as (string | number)[], count: 1 });
          return true;
        },
        end: () => {
          if (ctx.window && (stage.by.length === 0 || groups.size > 0)) {
            const first = bucketOf(Date.parse(ctx.window.start));
            const last = bucketOf(Date.parse(ctx.window.end));
            if ((last - first) / stage.intervalMs <= MAX_FILL_BUCKETS) {
              const gs =
                stage.by.length === 0 ? new Map([['[]', [] as (string | number)[]]]) : groups;
              for (let b = first; b <= last; b += stage.intervalMs)
                for (const [gk, values] of gs) {
                  const k = `${b}|${gk}`;
                  if (!cells.has(k)) cells.set(k, { bucket: b, values, count: 0 });
                }
            }
          }
          const all = [...cells.values()].sort((a, b) => {
            if (a.bucket !== b.bucket) return a.bucket - b.bucket;
            for (let j = 0; j < a.values.length; j += 1) {
              const c = compareRowValues(a.values[j], b.values[j]);
              if (c !== 0) return c;
            }
            return 0;
          });
          for (const c of all) {
            const out: Record<string, string | number> = { time: new Date(c.bucket).toISOString() };
            stage.by.forEach((f, j) => (out[f.name] = c.values[j] as string | number));
            out['count'] = c.count;
            if (!next.push(out)) break;
          }
          next.end();
        },
      };
    }
  }
}

/**
 * Builds a streaming pipeline: push rows (newest first) into the returned sink, then call
 * `end()`; results arrive through `emit`. `push` returns false once no more input can change
 * the output (a `limit` is satisfied), so the caller can stop fetching pages.
 * @since 0.1.0
 */
export function createPipeline(
  stages: readonly Stage[],
  ctx: PipelineContext,
  emit: (row: Row) => boolean | void,
): RowSink {
  const index = indexCatalog(ctx.catalog ?? defaultCatalog);
  let sink: RowSink = { push: (row) => emit(row) !== false, end: () => undefined };
  for (let i = stages.length - 1; i >= 0; i -= 1)
    sink = stageSink(stages[i] as Stage, ctx, index, sink);
  return sink;
}

/** Runs a pipeline over rows already in order (newest first) and returns its output. @since 0.1.0 */
export function runPipeline(
  stages: readonly Stage[],
  rows: Iterable<Row>,
  ctx: PipelineContext = {},
): Row[] {
  const out: Row[] = [];
  const sink = createPipeline(stages, ctx, (row) => {
    out.push(row);
  });
  for (const row of rows) if (!sink.push(row)) break;
  sink.end();
  return out;
}

/** Whether a pipeline aggregates (its output rows are not records). @since 0.1.0 */
export const isAggregate = (stages: readonly Stage[]): boolean =>
  stages.some((s) => s.op === 'count' || s.op === 'top' || s.op === 'timechart');

/** The output columns of a pipeline, when they are known (else every attribute of the records). @since 0.1.0 */
export function outputColumns(stages: readonly Stage[]): string[] | undefined {
  let cols: string[] | undefined;
  for (const s of stages) {
    if (s.op === 'fields')
      cols = cols
        ? s.fields.map((f) => f.name).filter((n) => cols?.includes(n))
        : s.fields.map((f) => f.name);
    else if (s.op === 'count') cols = [...s.by.map((f) => f.name), 'count'];
    else if (s.op === 'top') cols = [s.field.name, 'count', 'percent'];
    else if (s.op === 'timechart') cols = ['time', ...s.by.map((f) => f.name), 'count'];
  }
  return cols;
}

/**
 * The record attributes a pipeline reads before its first aggregation or projection, or
 * `undefined` when it passes whole records through (then every attribute is needed).
 * @since 0.1.0
 */
export function attributesNeeded(stages: readonly Stage[]): string[] | undefined {
  const need = new Set<string>();
  const add = (f: FieldRef): void => {
    if (f.derived === 'kind') need.add('eventId');
    else if (f.derived === 'segment') need.add('ReqCtx_customerType');
    else need.add(f.attr);
  };
  for (const s of stages) {
    switch (s.op) {
      case 'fields':
        s.fields.forEach(add);
        return [...need];
      case 'count':
        s.by.forEach(add);
        return [...need];
      case 'top':
        add(s.field);
        return [...need];
      case 'timechart':
        s.by.forEach(add);
        need.add('timeStamp');
        return [...need];
      case 'sort':
        s.keys.forEach((k) => add(k.field));
        break;
      case 'dedup':
        s.fields.forEach(add);
        break;
      case 'limit':
        break;
    }
  }
  return undefined;
}
