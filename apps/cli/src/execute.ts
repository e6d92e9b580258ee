/**
 * Running one query and printing its rows: the code the REPL and `baql run` share. Rows stream
 * into a sink as pages arrive, a progress line shows on stderr when it is a terminal, and a signal
 * cancels the HTTP calls.
 */
import type { BaqlClient } from '@baql/core';
import type { Diagnostic } from '@baql/query';
import type { Row, OutputFormat } from './output/format.js';
import { createSink } from './output/sink.js';
import type { TextWriter } from './output/writer.js';
import { createProgressLine, type ProgressEvent, type ProgressStream } from './progress.js';

/** The summary line's figures, as `@baql/core` reports them. */
export interface RunSummary {
  readonly rows: number;
  readonly requests: number;
  readonly pages: number;
  readonly retries: number;
  readonly elapsedMs: number;
}

/** Options of {@link executeQuery}. */
export interface ExecuteOptions {
  readonly format: OutputFormat;
  readonly out: TextWriter;
  readonly params?: Readonly<Record<string, unknown>> | undefined;
  readonly signal?: AbortSignal | undefined;
  readonly now?: Date | undefined;
  readonly limit?: number | undefined;
  /** Where the progress line goes (drawn only on a TTY). */
  readonly progress?: ProgressStream | undefined;
  /** Terminal width for the table layout. */
  readonly width?: number | undefined;
  readonly color?: boolean | undefined;
  /**
   * Called after each row with the latest progress; resolve `false` to stop fetching (the
   * REPL's "fetch more pages?" rail and `--max-pages`).
   */
  readonly onRow?:
    ((progress: ProgressEvent | undefined) => boolean | Promise<boolean>) | undefined;
  /** Receives the plan's warnings (unknown fields or event ids) before any row. */
  readonly onWarnings?: ((diagnostics: readonly Diagnostic[]) => void | Promise<void>) | undefined;
  /** Whether `out` is the terminal the progress line is drawn on (it is cleared before output). */
  readonly outputIsTerminal?: boolean | undefined;
}

/** What {@link executeQuery} returns. */
export interface ExecuteResult {
  readonly summary: RunSummary;
  readonly rows: number;
  /** The layout used (a table too wide for the terminal becomes `vertical`). */
  readonly layout: OutputFormat;
  /** Whether the caller's `onRow` stopped the query early. */
  readonly stopped: boolean;
}

/** Runs `text` on `client`, writing rows to `options.out` in `options.format`. */
export async function executeQuery(
  client: BaqlClient,
  text: string,
  options: ExecuteOptions,
): Promise<ExecuteResult> {
  const progress = createProgressLine(options.progress ?? { write: () => true, isTTY: false });
  let latest: ProgressEvent | undefined;
  const stream = client.stream(text, {
    ...(options.params === undefined ? {} : { params: options.params as Record<string, string> }),
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(options.limit === undefined ? {} : { limit: options.limit }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    onProgress: (event: ProgressEvent) => {
      latest = event;
      progress.update(event);
    },
  });
  // Settled below; never left to reject unobserved when the query fails or is cancelled.
  stream.summary.catch(() => undefined);
  const warnings = stream.plan.diagnostics.filter((d) => d.severity !== 'error');
  if (warnings.length > 0) await options.onWarnings?.(warnings);
  let stopped = false;
  let sink: ReturnType<typeof createSink> | undefined;
  const out: TextWriter = options.outputIsTerminal
    ? {
        write: (s) => {
          progress.clear();
          return options.out.write(s);
        },
        flush: () => options.out.flush(),
      }
    : options.out;
  try {
    for await (const row of stream as AsyncIterable<Row>) {
      sink ??= createSink(options.format, out, {
        columns: stream.columns,
        width: options.width,
        color: options.color,
      });
      const pending = sink.write(row);
      if (pending) await pending;
      const verdict = options.onRow ? options.onRow(latest) : true;
      if (!(verdict === true || (verdict !== false && (await verdict)))) {
        stopped = true;
        stream.cancel();
        break;
      }
    }
  } catch (error) {
    progress.done();
    if (!(stopped && isAbort(error))) throw error;
  }
  progress.done();
  sink ??= createSink(options.format, out, {
    columns: stream.columns,
    width: options.width,
    color: options.color,
  });
  await sink.end();
  let summary: RunSummary;
  try {
    summary = await stream.summary;
  } catch (error) {
    if (!stopped) throw error;
    summary = {
      rows: sink.count,
      requests: latest?.requestsDone ?? 0,
      pages: latest?.pages ?? 0,
      retries: latest?.retries ?? 0,
      elapsedMs: latest?.elapsedMs ?? 0,
    };
  }
  return { summary, rows: sink.count, layout: sink.layout, stopped };
}

function isAbort(error: unknown): boolean {
  const reason = (error as { reason?: { _tag?: string } } | undefined)?.reason;
  return reason?._tag === 'Aborted' || (error instanceof Error && error.name === 'AbortError');
}

/** The summary line: `42 rows · 2 requests · 3 pages · 0 retries · 0.41 s`. */
export function summaryLine(summary: RunSummary, rows = summary.rows): string {
  const plural = (n: number, word: string) =>
    `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;
  return [
    plural(rows, 'row'),
    plural(summary.requests, 'request'),
    plural(summary.pages, 'page'),
    plural(summary.retries, 'retry').replace(/retrys$/, 'retries'),
    `${(summary.elapsedMs / 1000).toFixed(2)} s`,
  ].join(' · ');
}
