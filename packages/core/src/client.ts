/**
 * The plain async facade: `createClient(...)` → {@link BaqlClient}. Under it are the fp-ts
 * building blocks (transport, auth, executor); the facade throws one {@link BaqlError}.
 *
 * @module
 */
import { setMaxListeners } from 'node:events';
import * as E from 'fp-ts/lib/Either.js';
import { defaultCatalog, mergeCatalog } from '@baql/query';
import type { Capabilities, Catalog, CatalogExtension, ParamValue } from '@baql/query';
import { createAuth, TokenCache, type AuthStats, type Grant } from './auth.js';
import { resolveBaseUrl } from './base-url.js';
import { BaqlError, type DiagnosticLike } from './errors.js';
import { execute, type ProgressEvent } from './executor.js';
import { Limiter } from './limiter.js';
import { runPipeline, type OutputRow } from './pipeline.js';
import { explainPlan, planQuery, residualOf, type PlanLike, type PlanOptions } from './planner.js';
import {
  collectMacros,
  collectRenderers,
  expandMacros,
  type BaqlPlugin,
  type Macro,
  type Renderer,
} from './plugins.js';
import { createCanonicalizer } from './records.js';
import { redact } from './redact.js';
import type { RetryPolicy } from './retry.js';
import { createTransport, type FetchLike, type Logger, type Timeouts } from './transport.js';

/** Options of {@link createClient}. */
export interface ClientOptions {
  /** The API base URL, or an environment name (`production`, `stage`, `candescent-sandbox`). */
  readonly baseUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly institutionId: string;
  /** How to get tokens (default `client_credentials`). */
  readonly grant?: Grant;
  /** Scopes (default `banking-activities:read account:read`). */
  readonly scopes?: readonly string[];
  /** The fetch implementation (default node-fetch with a keep-alive agent). */
  readonly fetch?: FetchLike;
  readonly plugins?: readonly BaqlPlugin[];
  /** The base catalog (default `defaultCatalog` of `@baql/query`); plugins' entries are merged in. */
  readonly catalog?: Catalog;
  /** What the API deployment supports (`notEqual`/`like` filters; default neither). */
  readonly capabilities?: Partial<Capabilities>;
  /** Most HTTP requests in flight per client (default 8). */
  readonly concurrency?: number;
  /** Records per page (default 1000, the API's maximum). */
  readonly pageSize?: number;
  readonly timeouts?: Partial<Timeouts>;
  readonly retry?: Partial<RetryPolicy>;
  readonly logger?: Logger;
  /** Share tokens between clients (default: one cache per client). */
  readonly tokenCache?: TokenCache;
  /** Adaptive window slicing (default true). */
  readonly slicing?: boolean;
  /** Most requests one query may plan (passed to the planner). */
  readonly maxRequests?: number;
  /** IANA time zone of dates without an offset, `today` and `@d` (default `UTC`). */
  readonly timeZone?: string;
  /** The window of a query without a time clause (a duration, default `24h`). */
  readonly defaultWindow?: string;
  /** How many days back the deployment's API keeps records (default 90). */
  readonly lookbackDays?: number;
  /**
   * Rows a plain `sort` (one no `limit` follows) holds in memory; past that it spills sorted
   * runs to a private temporary directory and merges them (default 50 000).
   */
  readonly sortMemoryRows?: number;
  /** Where a spilling `sort` makes its private temporary directory (default `os.tmpdir()`). */
  readonly sortTempDir?: string;
}

/** Options of one query. */
export interface QueryOptions {
  /** Values of `$parameters`. */
  readonly params?: Readonly<Record<string, ParamValue>>;
  /** Stop after this many result rows (stops paging too). */
  readonly limit?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (event: ProgressEvent) => void;
  /** "Now" for relative times (default the current time). */
  readonly now?: Date | string | number;
  /** Stop the query after this long (default `timeouts.queryMs`). */
  readonly timeoutMs?: number;
  /** Override the client's slicing setting. */
  readonly slicing?: boolean;
}

/** The final figures of a query. */
export interface Summary {
  readonly rows: number;
  readonly requests: number;
  readonly pages: number;
  readonly retries: number;
  readonly bytes: number;
  readonly elapsedMs: number;
  readonly window: { readonly start: string; readonly end: string };
}

/** The result of {@link BaqlClient.query}. */
export interface QueryResult {
  readonly rows: readonly OutputRow[];
  readonly columns: readonly string[];
  readonly summary: Summary;
  readonly window: { readonly start: string; readonly end: string };
  readonly plan: PlanLike;
  /** `aggregate` for `count`/`top`/`timechart`, else `rows`. */
  readonly kind: 'rows' | 'aggregate';
}

/** A running query: iterate it for rows; `summary` resolves when it ends. */
export interface QueryStream extends AsyncIterable<OutputRow> {
  readonly summary: Promise<Summary>;
  /** Columns known so far (final once the stream ends). */
  readonly columns: readonly string[];
  readonly kind: 'rows' | 'aggregate';
  readonly plan: PlanLike;
  /** Stops the query (in-flight requests are cancelled). */
  cancel(): void;
  /** The rows in batches (cheaper than row by row); use this or the async iterator, once. */
  batches(): AsyncGenerator<readonly OutputRow[], void, undefined>;
}

/** A baql client. */
export interface BaqlClient {
  /** Runs a query and collects its rows. */
  query(text: string, options?: QueryOptions): Promise<QueryResult>;
  /** Runs a query as a stream of rows (memory stays bounded whatever the result size). */
  stream(text: string, options?: QueryOptions): QueryStream;
  /** Compiles a query to its plan; throws a `PlanError` with diagnostics. */
  compile(text: string, options?: QueryOptions): PlanLike;
  /** Explains a query's plan in words (never contains a secret). */
  explain(text: string, options?: QueryOptions): string;
  /** The catalog the client plans with (default + plugins). */
  readonly catalog: Catalog;
  /** Macros of the loaded plugins. */
  readonly macros: Readonly<Record<string, Macro>>;
  /** Renderers of the loaded plugins. */
  readonly renderers: Readonly<Record<string, Renderer>>;
  readonly plugins: readonly BaqlPlugin[];
  /** Token counters (token requests, refreshes, revokes). */
  readonly authStats: Readonly<AuthStats>;
  /** Revokes the client's tokens (refresh token first) and forgets them. */
  logout(): Promise<void>;
  /** Closes keep-alive sockets. The client cannot be used afterwards. */
  close(): Promise<void>;
}

/** The queries linked to one caller signal, and the one listener that aborts them. */
interface AbortLink {
  readonly queries: Set<AbortController>;
  readonly onAbort: () => void;
}

const abortLinks = new WeakMap<AbortSignal, AbortLink>();
const noUnlink = (): void => undefined;

/**
 * Aborts `query` (with the same reason) when the caller's `signal` aborts, at once if it already
 * has; returns the unlink to call when the query ends. A plain listener instead of
 * `AbortSignal.any`, which builds a dependent signal tracked with weak references on every call
 * (costly per query). However many queries share one long-lived signal (a kernel session, a
 * server request), it carries one listener, removed when its last query ends: nothing
 * accumulates on it, and no max-listeners warning fires for many concurrent queries.
 */
function linkAbort(signal: AbortSignal, query: AbortController): () => void {
  if (signal.aborted) {
    query.abort(signal.reason);
    return noUnlink;
  }
  let link = abortLinks.get(signal);
  if (link === undefined) {
    const queries = new Set<AbortController>();
    const onAbort = () => {
      abortLinks.delete(signal);
      for (const q of queries) q.abort(signal.reason);
    };
    link = { queries, onAbort };
    abortLinks.set(signal, link);
    signal.addEventListener('abort', onAbort, { once: true });
  }
  const { queries, onAbort } = link;
  queries.add(query);
  return () => {
    if (!queries.delete(query) || queries.size > 0) return;
    signal.removeEventListener('abort', onAbort);
    if (abortLinks.get(signal) === link) abortLinks.delete(signal);
  };
}

const toDate = (now: QueryOptions['now']): Date =>
  now === undefined ? new Date() : now instanceof Date ? now : new Date(now);

/** Creates a client. Throws {@link BaqlError} (`ConfigError`) on a bad base URL or plugin set. */
export function createClient(options: ClientOptions): BaqlClient {
  const base = resolveBaseUrl(options.baseUrl);
  if (E.isLeft(base)) throw new BaqlError(base.left);
  for (const [k, v] of [
    ['clientId', options.clientId],
    ['clientSecret', options.clientSecret],
    ['institutionId', options.institutionId],
  ] as const) {
    if (typeof v !== 'string' || v === '')
      throw new BaqlError({ _tag: 'ConfigError', message: `${k} is required` });
  }
  const sortRows = options.sortMemoryRows;
  if (sortRows !== undefined && !(typeof sortRows === 'number' && sortRows >= 1))
    throw new BaqlError({
      _tag: 'ConfigError',
      message: `sortMemoryRows must be a number of rows of at least 1 (got ${String(sortRows)})`,
    });
  const plugins = options.plugins ?? [];
  const macrosE = collectMacros(plugins);
  if (E.isLeft(macrosE)) throw new BaqlError(macrosE.left);
  const macros = macrosE.right;
  const renderers = collectRenderers(plugins);
  const catalog = mergeCatalog(
    options.catalog ?? defaultCatalog,
    ...plugins.map((p) => (p.catalog ?? {}) as CatalogExtension),
  );
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 8));
  const pageSize = Math.max(1, Math.min(1000, Math.floor(options.pageSize ?? 1000)));
  const transport = createTransport({
    baseUrl: base.right,
    maxSockets: concurrency * 2,
    middleware: plugins.flatMap((p) => p.middleware ?? []),
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    ...(options.retry === undefined ? {} : { retry: options.retry }),
    ...(options.timeouts === undefined ? {} : { timeouts: options.timeouts }),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  });
  const auth = createAuth({
    transport,
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    institutionId: options.institutionId,
    ...(options.grant === undefined ? {} : { grant: options.grant }),
    ...(options.scopes === undefined ? {} : { scopes: options.scopes }),
    cache: options.tokenCache ?? new TokenCache(),
  });
  const limiter = new Limiter(concurrency);
  const canonicalize = createCanonicalizer(catalog);
  let closed = false;

  const compileE = (
    text: string,
    q: QueryOptions = {},
  ): E.Either<readonly DiagnosticLike[], PlanLike> => {
    const expanded = expandMacros(text, macros);
    if (E.isLeft(expanded)) return expanded;
    const planOptions: PlanOptions = {
      now: toDate(q.now),
      catalog,
      ...(options.timeZone === undefined ? {} : { timeZone: options.timeZone }),
      ...(options.defaultWindow === undefined ? {} : { defaultWindow: options.defaultWindow }),
      ...(options.lookbackDays === undefined ? {} : { lookbackDays: options.lookbackDays }),
      ...(options.capabilities === undefined ? {} : { capabilities: options.capabilities }),
      ...(options.maxRequests === undefined ? {} : { maxRequests: options.maxRequests }),
      ...(q.params === undefined ? {} : { params: q.params }),
    };
    return planQuery(expanded.right, planOptions);
  };

  const compile = (text: string, q: QueryOptions = {}): PlanLike => {
    const r = compileE(text, q);
    if (E.isLeft(r)) throw new BaqlError({ _tag: 'PlanError', diagnostics: r.left });
    return r.right;
  };

  const stream = (text: string, q: QueryOptions = {}): QueryStream => {
    if (closed) throw new BaqlError({ _tag: 'ConfigError', message: 'the client is closed' });
    const plan = compile(text, q);
    // The query's own signal: `cancel()` aborts it, and so does the caller's `signal`, linked
    // while the rows are iterated (see `linkAbort`).
    const cancel = new AbortController();
    const signal = cancel.signal;
    setMaxListeners(0, signal);
    const timeoutMs = q.timeoutMs ?? options.timeouts?.queryMs;
    // Records the query can need at most: a leading `limit` (the plan's earlyStop), or the
    // caller's `limit` when every stage keeps one output row per record (only `fields`).
    const bounds = [
      plan.earlyStop,
      q.limit !== undefined && plan.pipeline.every((s) => s.op === 'fields') ? q.limit : undefined,
    ].filter((n): n is number => n !== undefined && n > 0);
    const stopAfter = bounds.length === 0 ? undefined : Math.min(...bounds);
    const execution = execute({ transport, auth, limiter, canonicalize }, plan.requests, {
      pageSize,
      concurrency,
      slicing: q.slicing ?? options.slicing ?? true,
      signal,
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
      ...(q.onProgress === undefined ? {} : { onProgress: q.onProgress }),
      ...(stopAfter === undefined ? {} : { stopAfter }),
      ...(() => {
        const residual = residualOf(plan, catalog);
        return residual === undefined ? {} : { residual };
      })(),
    });
    const piped = runPipeline(plan.pipeline, execution.batches, {
      catalog,
      window: plan.window,
      ...(options.timeZone === undefined ? {} : { timeZone: options.timeZone }),
      ...(q.limit === undefined ? {} : { limit: q.limit }),
      ...(options.sortMemoryRows === undefined ? {} : { sortMemoryRows: options.sortMemoryRows }),
      ...(options.sortTempDir === undefined ? {} : { sortTempDir: options.sortTempDir }),
      signal,
    });
    let rows = 0;
    let settle!: (s: Summary) => void;
    let fail!: (e: unknown) => void;
    const summary = new Promise<Summary>((res, rej) => {
      settle = res;
      fail = rej;
    });
    summary.catch(() => undefined);
    const window = { start: plan.window.start, end: plan.window.end };
    const makeSummary = (): Summary => ({
      rows,
      requests: execution.counters.requests,
      pages: execution.counters.pages,
      retries: execution.counters.retries,
      bytes: execution.counters.bytes,
      elapsedMs: execution.elapsedMs(),
      window,
    });
    async function* iterateBatches(): AsyncGenerator<readonly OutputRow[], void, undefined> {
      const unlink = q.signal === undefined ? undefined : linkAbort(q.signal, cancel);
      try {
        for await (const batch of piped.batches) {
          rows += batch.length;
          yield batch;
        }
        settle(makeSummary());
      } catch (error) {
        fail(error);
        throw error;
      } finally {
        // Settled, failed or stopped early: the caller's signal keeps nothing of this query.
        unlink?.();
        // Stopped early by the consumer: the summary is what was produced.
        settle(makeSummary());
      }
    }
    // Rows one by one from the batches: a plain iterator (an async generator with `yield*` costs
    // a generator step and several promises per row).
    const iterate = (): AsyncIterableIterator<OutputRow> => {
      const source = iterateBatches();
      let batch: readonly OutputRow[] = [];
      let i = 0;
      const pull = async (): Promise<IteratorResult<OutputRow, undefined>> => {
        for (;;) {
          const r = await source.next();
          if (r.done === true) return { done: true, value: undefined };
          if (r.value.length > 0) {
            batch = r.value;
            i = 1;
            return { done: false, value: r.value[0] as OutputRow };
          }
        }
      };
      return {
        next: () =>
          i < batch.length
            ? Promise.resolve({ done: false, value: batch[i++] as OutputRow })
            : pull(),
        return: async () => {
          batch = [];
          i = 0;
          await source.return();
          return { done: true, value: undefined };
        },
        [Symbol.asyncIterator]() {
          return this;
        },
      };
    };
    let started = false;
    const once = <A>(make: () => A): A => {
      if (started)
        throw new BaqlError({
          _tag: 'ConfigError',
          message: 'a query stream can be iterated only once',
        });
      started = true;
      return make();
    };
    return {
      [Symbol.asyncIterator]: () => once(iterate),
      batches: () => once(iterateBatches),
      summary,
      get columns() {
        return piped.columns();
      },
      kind: piped.kind,
      plan,
      cancel: () => cancel.abort(),
    };
  };

  const query = async (text: string, q: QueryOptions = {}): Promise<QueryResult> => {
    const s = stream(text, q);
    const rows: OutputRow[] = [];
    for await (const batch of s.batches()) for (const row of batch) rows.push(row);
    const summary = await s.summary;
    return {
      rows,
      columns: s.columns,
      summary,
      window: summary.window,
      plan: s.plan,
      kind: s.kind,
    };
  };

  return {
    query,
    stream,
    compile,
    explain: (text, q) => redact(explainPlan(compile(text, q))),
    catalog,
    macros,
    renderers,
    plugins,
    authStats: auth.stats,
    async logout() {
      const r = await auth.revoke()();
      if (E.isLeft(r)) throw new BaqlError(r.left);
    },
    async close() {
      closed = true;
      transport.close();
    },
  };
}
