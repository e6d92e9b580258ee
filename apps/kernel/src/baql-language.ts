/**
 * BAQL as a {@link KernelLanguage}: cells are queries with `%`-magics on top; results come back as
 * tables, JSON and charts, with live progress; errors are caret diagnostics with hints.
 *
 * The session and the query toolkit come in as ports (see `ports.ts`), so this module holds the
 * kernel's behaviour and `baql-wiring.ts` holds the package wiring.
 *
 * @since 0.1.0
 * @module
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as E from 'fp-ts/lib/Either.js';
import { assistComplete, assistInspect } from './baql-assist.js';
import { eventsView, fieldsView, knownNames, valuesOf } from './catalog-views.js';
import type {
  CellContext,
  CellOutcome,
  Completeness,
  KernelLanguage,
  MimeBundle,
} from './language.js';
import { MAGIC_HELP, parseCell, type DisplayLimit, type Magic } from './magics.js';
import type { ParamValueLike, ProgressLike, QueryToolkit, SessionLike } from './ports.js';
import { HTML_MAX_ROWS, renderHtmlTable, escapeHtml } from './render/html.js';
import { JSON_ROW_LIMIT, resultBundles, toResultView } from './render/bundle.js';
import {
  DEFAULT_MAX_COLUMNS,
  formatCount,
  renderTextTable,
  TEXT_MAX_ROWS,
  summaryLine,
  type ResultView,
} from './render/table.js';

/** Options of {@link createBaqlLanguage}. @since 0.1.0 */
export interface BaqlLanguageOptions {
  /** Opens a session on a profile (`undefined`: the default profile). */
  /**
   * Opens a session on a profile (`undefined`: the default profile); `extraEnv` adds variables
   * (a secret the user typed) to the environment the profile is resolved with.
   */
  readonly openSession: (
    profile: string | undefined,
    extraEnv?: Readonly<Record<string, string>>,
  ) => Promise<SessionLike>;
  readonly toolkit: QueryToolkit;
  /** The profile opened at start. */
  readonly profile?: string;
  /** Where `%run` looks for saved queries, first to last (default: cwd, cwd/queries). */
  readonly queryDirs?: readonly string[];
  /** Minimum time between two progress updates (default 200 ms). */
  readonly progressIntervalMs?: number;
  /**
   * How long a query runs before its live progress display appears (default
   * {@link PROGRESS_DELAY_MS}; 0 shows it from the first progress event). A query that finishes
   * sooner shows only its result: no display, no updates, fewer messages to sign and send.
   */
  readonly progressDelayMs?: number;
  readonly log?: (level: 'debug' | 'info' | 'warn' | 'error', text: string) => void;
}

/** The BAQL language, with the results it keeps (`%as`). @since 0.1.0 */
export interface BaqlLanguage extends KernelLanguage {
  /** Results kept by `%as name`. */
  readonly kept: ReadonlyMap<string, ResultView>;
  /** Parameters set by `%param`. */
  readonly params: ReadonlyMap<string, string>;
}

const here = dirname(fileURLToPath(import.meta.url));

/** This app's version, from its package.json (works from `src` and `dist`). */
const packageVersion = (): string => {
  try {
    const pkg = JSON.parse(readFileSync(join(here, '..', 'package.json'), 'utf8')) as {
      version?: unknown;
    };
    return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  } catch (_error) {
    return '0.0.0';
  }
};

/** `@baql/core`'s message for a profile without its secret: what is missing, and the variable. */
const NEEDS_SECRET =
  /needs a (client secret|password)\b[^\n]*?\benvironment variable ([A-Za-z_][A-Za-z0-9_]*)/;

const fail = (
  ename: string,
  evalue: string,
  traceback: readonly string[] = [`${ename}: ${evalue}`],
): CellOutcome => ({
  _tag: 'Error',
  ename,
  evalue,
  traceback,
});

const tableBundle = (view: ResultView): MimeBundle => ({
  'text/plain': renderTextTable(view, { maxRows: 500 }),
  'text/html': renderHtmlTable(view, { maxRows: 500 }),
  'application/json': { columns: view.columns, rows: view.rows },
});

const textBundle = (text: string): MimeBundle => ({
  'text/plain': text,
  'text/html': `<pre>${escapeHtml(text)}</pre>`,
});

/** What `%display` says: the rows and columns result tables show. */
const displaySettings = (display: { maxRows?: number; maxColumns?: number }): string => {
  const count = (n: number) => (n === Infinity ? 'all' : formatCount(n));
  const rows =
    display.maxRows === undefined
      ? `rows shown: ${TEXT_MAX_ROWS} in text, ${HTML_MAX_ROWS} in HTML (default)`
      : `rows shown: ${count(display.maxRows)}`;
  const columns =
    display.maxColumns === undefined
      ? `columns shown: ${DEFAULT_MAX_COLUMNS} (default)`
      : `columns shown: ${count(display.maxColumns)}`;
  return `${rows} · ${columns} · application/json keeps every column (up to ${formatCount(JSON_ROW_LIMIT)} rows)`;
};

/** A running query's side of the progress-delay timer. */
interface ProgressCell {
  /** Called once the query has run for the delay. */
  readonly due: () => void;
}

/**
 * One timer for the progress delay of every cell, re-armed with `refresh()` when a query starts
 * instead of a `setTimeout` made and cleared per cell: a quick query then only moves a timer that
 * already exists (creating and clearing one showed in the round trip of a small query). When it
 * fires with no query running, or for a query that has ended, it does nothing.
 */
const progressDelayTimer = (delay: number) => {
  let current: ProgressCell | undefined;
  let timer: NodeJS.Timeout | undefined;
  const fire = () => {
    const cell = current;
    current = undefined;
    cell?.due();
  };
  return {
    start: (cell: ProgressCell): void => {
      current = cell;
      if (timer === undefined) {
        timer = setTimeout(fire, delay);
        // Never what keeps the process alive.
        timer.unref();
      } else timer.refresh();
    },
    stop: (cell: ProgressCell): void => {
      if (current === cell) current = undefined;
    },
  };
};

/** The parameters of a cell when none are set. */
const NO_PARAMS: Readonly<Record<string, string>> = Object.freeze({});

/** The default of {@link BaqlLanguageOptions.progressDelayMs}. @since 0.1.0 */
export const PROGRESS_DELAY_MS = 150;

const progressText = (p: ProgressLike | undefined): string => {
  const parts: string[] = [];
  if (p === undefined) return 'running…';
  if (p.requestsTotal !== undefined)
    parts.push(`request ${p.requestsDone ?? 0}/${p.requestsTotal}`);
  if (p.pages !== undefined) parts.push(`page ${p.pages}`);
  if (p.records !== undefined) parts.push(`${formatCount(p.records)} rows`);
  if (p.retries !== undefined && p.retries > 0) parts.push(`${p.retries} retries`);
  if (p.elapsedMs !== undefined) parts.push(`${(p.elapsedMs / 1000).toFixed(1)} s`);
  return `running… ${parts.join(' · ')}`.trimEnd();
};

/**
 * Creates the BAQL language. The session opens in the background at once, so the kernel answers
 * `kernel_info` immediately; the first cell waits for it.
 *
 * @since 0.1.0
 */
export function createBaqlLanguage(options: BaqlLanguageOptions): BaqlLanguage {
  const { toolkit } = options;
  const log = options.log ?? (() => undefined);
  const interval = options.progressIntervalMs ?? 200;
  const delay = Math.max(0, options.progressDelayMs ?? PROGRESS_DELAY_MS);
  const queryDirs = options.queryDirs ?? [process.cwd(), join(process.cwd(), 'queries')];
  const kept = new Map<string, ResultView>();
  const params = new Map<string, string>();
  let last: ResultView | undefined;
  let json = true;
  /** `%display` settings: rows and columns result tables show (undefined: the default). */
  let display: { readonly maxRows?: number; readonly maxColumns?: number } = {};
  const bundleOptions = () => ({ json, ...display });
  const progressTimer = progressDelayTimer(delay);

  type Opened = E.Either<string, SessionLike>;
  const open = (
    profile: string | undefined,
    extraEnv: Readonly<Record<string, string>> = {},
  ): Promise<Opened> =>
    options.openSession(profile, extraEnv).then(
      (s) => {
        log('info', `profile ${s.profileName} open`);
        return E.right(s);
      },
      (error: unknown) => {
        const reason = toolkit.reasonOf(error);
        const text =
          reason === undefined
            ? error instanceof Error
              ? error.message
              : String(error)
            : toolkit.describeReason(reason);
        log('error', `cannot open profile ${profile ?? '(default)'}: ${text}`);
        return E.left(text);
      },
    );
  let session: Promise<Opened> = open(options.profile);
  // Never an unhandled rejection: `open` resolves to a value.
  const current = async (): Promise<E.Either<CellOutcome, SessionLike>> => {
    const s = await session;
    return E.isLeft(s) ? E.left(fail('ProfileError', s.left)) : E.right(s.right);
  };

  const paramsObject = (extra?: Readonly<Record<string, string>>) =>
    // With no parameters set (most cells), no object is made.
    params.size === 0 && extra === undefined
      ? NO_PARAMS
      : { ...Object.fromEntries(params), ...extra };

  const errorOutcome = (error: unknown, query: string, signal: AbortSignal): CellOutcome => {
    const reason = toolkit.reasonOf(error);
    if (signal.aborted || reason?._tag === 'Aborted') {
      return fail('KeyboardInterrupt', 'query interrupted; its requests were cancelled');
    }
    if (reason === undefined) {
      return fail('Error', error instanceof Error ? error.message : String(error));
    }
    if (
      reason._tag === 'PlanError' &&
      reason.diagnostics !== undefined &&
      reason.diagnostics.length > 0
    ) {
      const diagnostics = reason.diagnostics;
      const first = diagnostics.find((d) => d.severity === 'error') ?? diagnostics[0];
      const syntax = diagnostics.some((d) => /SYNTAX|PARSE/i.test(d.code));
      return fail(
        syntax ? 'QuerySyntaxError' : 'QueryError',
        first?.message ?? 'the query cannot be planned',
        diagnostics.map((d) => toolkit.renderDiagnostic(query, d)),
      );
    }
    return fail(reason._tag, toolkit.describeReason(reason));
  };

  const findSaved = async (
    name: string,
  ): Promise<E.Either<string, { path: string; text: string }>> => {
    // A path is taken from the notebook's folder; a bare name (`fl`, `fl.baql`) is looked up in
    // every query folder in turn.
    const spellings = name.endsWith('.baql') ? [name] : [`${name}.baql`, name];
    const candidates =
      isAbsolute(name) || name.includes('/')
        ? spellings.map((n) => resolve(queryDirs[0] ?? process.cwd(), n))
        : queryDirs.flatMap((d) => spellings.map((n) => join(d, n)));
    for (const path of candidates) {
      try {
        return E.right({ path, text: await readFile(path, 'utf8') });
      } catch (_error) {
        // try the next one
      }
    }
    return E.left(`no saved query "${name}" (looked in ${queryDirs.join(', ')})`);
  };

  const runQuery = async (
    client: SessionLike['client'],
    query: string,
    queryParams: Readonly<Record<string, ParamValueLike>>,
    context: CellContext,
  ): Promise<E.Either<CellOutcome, ResultView>> => {
    // The progress display appears once the query has run for `delay` ms: a quick query shows
    // only its result, and one that fails to plan shows only its error. Then it shows the latest
    // progress, updated at most every `interval` ms, and ends with the summary.
    let displayId = '';
    let latest: ProgressLike | undefined;
    let shown = false;
    let due = delay === 0;
    let lastUpdate = 0;
    const show = () => {
      shown = true;
      // Made when shown: a quick query needs no id.
      displayId = `baql-progress-${randomUUID()}`;
      lastUpdate = Date.now();
      context.display(textBundle(progressText(latest)), displayId);
    };
    const cell = {
      due: () => {
        due = true;
        // With no progress event yet (one slow first request), show that it runs.
        if (!shown && !context.signal.aborted) show();
      },
    };
    if (!due) progressTimer.start(cell);
    const onProgress = (p: ProgressLike) => {
      latest = p;
      if (!shown) {
        if (due) show();
        return;
      }
      const now = Date.now();
      if (now - lastUpdate < interval) return;
      lastUpdate = now;
      context.updateDisplay(textBundle(progressText(p)), displayId);
    };
    try {
      const result = await client.query(query, {
        params: queryParams,
        signal: context.signal,
        onProgress,
      });
      const view = toResultView(result);
      if (shown)
        context.updateDisplay(textBundle(`done · ${summaryLine(view.summary)}`), displayId);
      return E.right(view);
    } catch (error) {
      const outcome = errorOutcome(error, query, context.signal);
      if (shown) {
        const why = outcome._tag === 'Error' ? outcome.ename : 'error';
        context.updateDisplay(textBundle(`stopped · ${why}`), displayId);
      }
      return E.left(outcome);
    } finally {
      progressTimer.stop(cell);
    }
  };

  const execute = async (code: string, context: CellContext): Promise<CellOutcome> => {
    const cell = parseCell(code);
    if (E.isLeft(cell)) {
      const { line, message, hints } = cell.left;
      return fail('MagicError', message, [
        `line ${line}: ${message}`,
        ...hints.map((h) => `  hint: ${h}`),
      ]);
    }
    const outputs: MimeBundle[] = [];
    let explain = false;
    let keepAs: string | undefined;
    let query = cell.right.query;
    let queryParams: Readonly<Record<string, ParamValueLike>> = paramsObject();

    for (const magic of cell.right.magics as Magic[]) {
      switch (magic._tag) {
        case 'Profile': {
          const previous = await session;
          let next = await open(magic.name);
          // A profile whose secret is not configured: ask for it (hidden) when the front-end
          // allows stdin, and hand it to this session only, through the variable it names.
          const needs = E.isLeft(next) ? NEEDS_SECRET.exec(next.left) : null;
          if (needs !== null) {
            const what = needs[1] as string;
            const secret = await context.input(`${what} for profile ${magic.name}: `, {
              password: true,
            });
            if (secret !== undefined && secret !== '') {
              next = await open(magic.name, { [needs[2] as string]: secret });
            }
          }
          if (E.isLeft(next)) return fail('ProfileError', next.left);
          session = Promise.resolve(next);
          if (E.isRight(previous)) await previous.right.close().catch(() => undefined);
          outputs.push(textBundle(`profile ${next.right.profileName}`));
          break;
        }
        case 'Param':
          if (magic.value === '') params.delete(magic.name);
          else params.set(magic.name, magic.value);
          queryParams = paramsObject();
          outputs.push(
            textBundle(
              magic.value === '' ? `removed $${magic.name}` : `$${magic.name} = ${magic.value}`,
            ),
          );
          break;
        case 'Params':
          outputs.push(
            textBundle(
              params.size === 0
                ? 'no parameters set'
                : [...params].map(([k, v]) => `$${k} = ${v}`).join('\n'),
            ),
          );
          break;
        case 'Explain':
          explain = true;
          break;
        case 'As':
          keepAs = magic.name;
          break;
        case 'Json':
          json = magic.on;
          outputs.push(textBundle(`application/json in results: ${magic.on ? 'on' : 'off'}`));
          break;
        case 'Display': {
          const limit = (value: DisplayLimit | undefined, current: number | undefined) =>
            value === undefined
              ? current
              : value === 'default'
                ? undefined
                : value === 'all'
                  ? Infinity
                  : value;
          const maxRows = limit(magic.rows, display.maxRows);
          const maxColumns = limit(magic.columns, display.maxColumns);
          display = {
            ...(maxRows === undefined ? {} : { maxRows }),
            ...(maxColumns === undefined ? {} : { maxColumns }),
          };
          outputs.push(textBundle(displaySettings(display)));
          break;
        }
        case 'Help':
          outputs.push(textBundle(Object.values(MAGIC_HELP).join('\n')));
          break;
        case 'Fields':
        case 'Events':
        case 'Values': {
          const s = await current();
          if (E.isLeft(s)) return s.left;
          const catalog = s.right.catalog;
          if (magic._tag === 'Fields') outputs.push(tableBundle(fieldsView(catalog)));
          else if (magic._tag === 'Events') outputs.push(tableBundle(eventsView(catalog)));
          else {
            const values = valuesOf(catalog, magic.field);
            if (values === undefined) {
              const near = knownNames(catalog).filter((n) =>
                n.toLowerCase().startsWith(magic.field.toLowerCase().slice(0, 3)),
              );
              return fail('UnknownField', `unknown field ${magic.field}`, [
                `UnknownField: unknown field ${magic.field}`,
                ...(near.length > 0
                  ? [`  hint: did you mean ${near.slice(0, 3).join(', ')}?`]
                  : ['  hint: %fields lists the fields']),
              ]);
            }
            outputs.push(
              tableBundle({
                columns: ['value'],
                rows: values.values.map((value) => ({ value })),
                summary: { rows: values.values.length },
              }),
            );
          }
          break;
        }
        case 'Run': {
          if (query !== '') {
            return fail(
              'MagicError',
              '%run runs a saved query; put the other query in its own cell',
            );
          }
          const found = await findSaved(magic.name);
          if (E.isLeft(found)) return fail('SavedQueryError', found.left);
          const prepared = toolkit.prepareSavedQuery(found.right.text, {
            ...Object.fromEntries(params),
            ...magic.params,
          });
          if (!prepared.ok) {
            return fail('SavedQueryError', `${magic.name}: ${prepared.message}`, [
              `SavedQueryError: ${found.right.path}`,
              ...prepared.details,
            ]);
          }
          query = prepared.query;
          queryParams = prepared.params;
          break;
        }
      }
    }

    const kept1 = /^\$([A-Za-z_][\w.-]*)$/.exec(query);
    if (kept1 !== null && kept.has(kept1[1] as string)) {
      const view = kept.get(kept1[1] as string) as ResultView;
      outputs.push(resultBundles(view, '', bundleOptions()).table);
      last = view;
    } else if (query !== '') {
      const s = await current();
      if (E.isLeft(s)) return s.left;
      if (explain) {
        try {
          outputs.push(textBundle(await s.right.client.explain(query, { params: queryParams })));
        } catch (error) {
          return errorOutcome(error, query, context.signal);
        }
      } else {
        const ran = await runQuery(s.right.client, query, queryParams, context);
        if (E.isLeft(ran)) return ran.left;
        last = ran.right;
        if (keepAs !== undefined) kept.set(keepAs, ran.right);
        const bundles = resultBundles(ran.right, query, bundleOptions());
        if (bundles.chart !== undefined) outputs.push(bundles.chart);
        outputs.push(bundles.table);
      }
    } else if (keepAs !== undefined) {
      if (last === undefined)
        return fail('NothingToKeep', '%as keeps the last result, and no query has run yet');
      kept.set(keepAs, last);
      outputs.push(textBundle(`kept the last result (${summaryLine(last.summary)}) as $${keepAs}`));
    } else if (explain) {
      return fail('MagicError', '%explain needs a query on the lines below it');
    }

    for (const bundle of outputs.slice(0, -1)) context.display(bundle);
    const result = outputs.at(-1);
    return result === undefined ? { _tag: 'Ok' } : { _tag: 'Ok', result };
  };

  const isComplete = (code: string): Completeness => {
    const cell = parseCell(code);
    if (E.isLeft(cell)) return { status: 'invalid' };
    if (cell.right.query === '') return { status: 'complete' };
    const answer = toolkit.isComplete(cell.right.query);
    return answer.complete
      ? { status: 'complete' }
      : { status: 'incomplete', indent: answer.indent };
  };

  const docs = pathToFileURL(resolve(here, '..', '..', '..', 'docs', 'language.md')).href;
  const readme = pathToFileURL(resolve(here, '..', 'README.md')).href;
  const info = {
    implementation: 'baql-kernel',
    implementationVersion: packageVersion(),
    banner: 'BAQL — ask questions of Candescent banking activity logs. %help lists the magics.',
    languageInfo: {
      name: 'baql',
      version: '1.0',
      mimetype: 'text/x-baql',
      file_extension: '.baql',
      pygments_lexer: 'text',
      codemirror_mode: 'text/plain',
    },
    helpLinks: [
      { text: 'BAQL language', url: docs },
      { text: 'BAQL kernel', url: readme },
    ],
  };

  return {
    kept,
    params,
    info,
    execute,
    complete: async (code, cursor) => {
      const s = await session;
      return assistComplete(
        code,
        cursor,
        E.isRight(s) ? s.right.catalog : undefined,
        toolkit,
        queryDirs,
      );
    },
    inspect: async (code, cursor, detail) => {
      const s = await session;
      return assistInspect(
        code,
        cursor,
        detail,
        E.isRight(s) ? s.right : undefined,
        toolkit,
        paramsObject(),
      );
    },
    isComplete,
    shutdown: async () => {
      const s = await session;
      if (E.isRight(s)) await s.right.close();
    },
  };
}
