/**
 * `baql run <file.baql | -e query | ->`: runs one query and writes its rows to stdout or a file.
 * Exit codes: 0 ok, 1 upstream or runtime error, 2 invalid query (diagnostics on stderr).
 * Progress goes to stderr only when stderr is a terminal; stdout carries only rows. With `--out`,
 * an existing file is replaced only when the query succeeds.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ParamValue } from '@baql/query';
import type { Session } from '@baql/runtime';
import { errorMessage, isBaqlError } from '../errors.js';
import { executeQuery, summaryLine, type ExecuteResult } from '../execute.js';
import { EXIT, type CliIo } from '../io.js';
import {
  loadQuery,
  renderSourceDiagnostics,
  type LooseDiagnostic,
  type QuerySource,
} from '../lang.js';
import { plannedText } from '../macros.js';
import {
  checkOutputPath,
  openFileOutput,
  OutputFileError,
  type FileOutput,
} from '../output/file-output.js';
import { formatFromPath, type OutputFormat } from '../output/format.js';
import { streamWriter } from '../output/writer.js';
import type { ProgressEvent } from '../progress.js';
import type { RunCommandOptions } from '../program.js';
import { parseAssignments } from '../repl/backslash.js';
import { bindSavedParams } from '../saved.js';
import { openCliSession } from '../session.js';

/** A query ready to run: its text, where it came from, its bound parameters and settings. */
interface PreparedRun {
  readonly query: string;
  /** The saved query file, for diagnostics in file coordinates (not for `-e` or stdin). */
  readonly file: QuerySource['file'];
  readonly params: Record<string, ParamValue>;
  readonly now: Date | undefined;
  readonly format: OutputFormat;
}

/** Runs `baql run`; resolves to the exit code. */
export async function runCommand(
  io: CliIo,
  file: string | undefined,
  options: RunCommandOptions,
): Promise<number> {
  const prepared = await prepareRun(io, file, options);
  if (typeof prepared === 'number') return prepared;
  const session = await openCliSession(io, options);
  if (!session) return EXIT.runtime;
  try {
    return await runPrepared(io, session, prepared, options);
  } finally {
    await session.close();
  }
}

/** Reads, parses and binds the query, and checks the options; an exit code when they are bad. */
async function prepareRun(
  io: CliIo,
  file: string | undefined,
  options: RunCommandOptions,
): Promise<PreparedRun | number> {
  if (options.execute !== undefined && file !== undefined) {
    io.stderr.write('baql run: give a file or -e, not both\n');
    return EXIT.invalid;
  }
  const read = await readQueryText(io, file, options.execute);
  if ('error' in read) {
    io.stderr.write(`baql run: ${read.error}\n`);
    return EXIT.invalid;
  }
  const { text, source } = read;
  const { params: given, invalid } = parseAssignments(options.param ?? []);
  if (invalid.length > 0) {
    io.stderr.write(`baql run: --param takes k=v, got ${invalid.join(' ')}\n`);
    return EXIT.invalid;
  }
  const q = await loadQuery();
  const saved = q.parseSavedQuery(text);
  const headerErrors = saved.diagnostics.filter((d) => d.severity === 'error');
  if (headerErrors.length > 0) {
    for (const d of headerErrors) {
      io.stderr.write(`${source}:${d.span.start.line}:${d.span.start.column}: ${d.message}\n`);
    }
    return EXIT.invalid;
  }
  const bound = bindSavedParams(q, saved, given);
  if ('error' in bound) {
    io.stderr.write(`baql run: ${bound.error}\n`);
    return EXIT.invalid;
  }
  // Only comments would run as the empty query (every event): refuse it like an empty one.
  if (q.isBlankQuery(saved.query)) {
    io.stderr.write(`baql run: ${source} holds no query\n`);
    return EXIT.invalid;
  }
  const now = parseNow(options.now);
  if (now === 'invalid') {
    io.stderr.write(`baql run: --now must be an ISO 8601 time, got "${options.now ?? ''}"\n`);
    return EXIT.invalid;
  }
  if (options.out !== undefined && !outputPathIsUsable(io, options.out)) return EXIT.runtime;
  return {
    query: saved.query,
    file: readsFile(file, options.execute)
      ? { name: source, header: text.slice(0, saved.queryOffset) }
      : undefined,
    params: bound.params,
    now,
    format: outputFormat(io, options),
  };
}

/** Whether the query comes from a saved query file (not `-e`, not standard input). */
function readsFile(file: string | undefined, execute: string | undefined): file is string {
  return execute === undefined && file !== undefined && file !== '-';
}

/** The query text and a name for it (`-e`, `stdin` or the file as given). */
async function readQueryText(
  io: CliIo,
  file: string | undefined,
  execute: string | undefined,
): Promise<{ text: string; source: string } | { error: string }> {
  if (execute !== undefined) return { text: execute, source: '-e' };
  const source = readsFile(file, execute) ? file : 'stdin';
  try {
    const text =
      source === 'stdin' ? await readStdin(io) : readFileSync(resolve(io.cwd, source), 'utf8');
    return { text, source };
  } catch (error) {
    return { error: `cannot read ${source}: ${errorMessage(error).replace(/^ENOENT: /, '')}` };
  }
}

async function readStdin(io: CliIo): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of io.stdin)
    chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}

/** `--now` as a date: undefined when not given, `'invalid'` when not an ISO time. */
function parseNow(text: string | undefined): Date | undefined | 'invalid' {
  if (text === undefined) return undefined;
  const now = new Date(text);
  return Number.isNaN(now.getTime()) ? 'invalid' : now;
}

/** `--format`, else the `--out` file's extension, else table on a terminal and ndjson in a pipe. */
function outputFormat(io: CliIo, options: RunCommandOptions): OutputFormat {
  return (
    options.format ??
    (options.out ? formatFromPath(options.out) : undefined) ??
    (io.stdout.isTTY ? 'table' : 'ndjson')
  );
}

/** Checks `--out` before any work (its folder exists, it is no directory); says why not. */
function outputPathIsUsable(io: CliIo, out: string): boolean {
  try {
    checkOutputPath(out, resolve(io.cwd, out));
    return true;
  } catch (error) {
    io.stderr.write(`baql: ${errorMessage(error)}\n`);
    return false;
  }
}

/** Runs a prepared query on the session, to stdout or the `--out` file; resolves to the exit code. */
async function runPrepared(
  io: CliIo,
  session: Session,
  prepared: PreparedRun,
  options: RunCommandOptions,
): Promise<number> {
  let output: FileOutput | undefined;
  try {
    output = options.out
      ? await openFileOutput(options.out, resolve(io.cwd, options.out))
      : undefined;
  } catch (error) {
    io.stderr.write(`baql: ${errorMessage(error)}\n`);
    return EXIT.runtime;
  }
  const controller = new AbortController();
  // A full disk or a vanished folder stops the query: its rows could go nowhere.
  output?.onFailure(() => controller.abort());
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  try {
    const { result, exceeded } = await execute(io, session, prepared, options, {
      output,
      signal: controller.signal,
    });
    if (exceeded) {
      output?.discard();
      io.stderr.write(
        `baql run: stopped after ${options.maxPages} pages (--max-pages); narrow the query or raise the limit\n`,
      );
      return EXIT.runtime;
    }
    await output?.commit();
    if (!options.quiet && (io.stderr.isTTY || output)) {
      io.stderr.write(`${summaryLine(result.summary, result.rows)}\n`);
    }
    return EXIT.ok;
  } catch (error) {
    output?.discard();
    return reportFailure(io, error, output?.failure, {
      query: await plannedText(session.client, prepared.query),
      file: prepared.file,
    });
  } finally {
    process.off('SIGINT', onSigint);
  }
}

/** Streams the query's rows; `exceeded` when `--max-pages` stopped it. */
async function execute(
  io: CliIo,
  session: Session,
  prepared: PreparedRun,
  options: RunCommandOptions,
  target: { output: FileOutput | undefined; signal: AbortSignal },
): Promise<{ result: ExecuteResult; exceeded: boolean }> {
  const { output } = target;
  const toTerminal = output === undefined && io.stdout.isTTY === true;
  let exceeded = false;
  const result = await executeQuery(session.client, prepared.query, {
    format: prepared.format,
    out: streamWriter(output?.stream ?? io.stdout, 256 * 1024),
    params: prepared.params,
    signal: target.signal,
    ...(prepared.now === undefined ? {} : { now: prepared.now }),
    ...(options.limit === undefined ? {} : { limit: options.limit }),
    progress: io.stderr,
    outputIsTerminal: toTerminal,
    width: io.stdout.columns ?? 100,
    color: toTerminal,
    onWarnings: async (diagnostics) => {
      if (options.quiet) return;
      const source = {
        query: await plannedText(session.client, prepared.query),
        file: prepared.file,
      };
      io.stderr.write(`${await renderSourceDiagnostics(source, diagnostics)}\n`);
    },
    ...(options.maxPages === undefined
      ? {}
      : {
          onRow: (progress: ProgressEvent | undefined) => {
            if (progress && progress.pages > (options.maxPages ?? Infinity)) {
              exceeded = true;
              return false;
            }
            return true;
          },
        }),
  });
  return { result, exceeded };
}

/** Prints why the run failed (the output file's problem first) and returns the exit code. */
async function reportFailure(
  io: CliIo,
  error: unknown,
  outputFailure: OutputFileError | undefined,
  source: QuerySource,
): Promise<number> {
  const failure = outputFailure ?? (error instanceof OutputFileError ? error : undefined);
  if (failure) {
    io.stderr.write(`baql: ${failure.message}\n`);
    return EXIT.runtime;
  }
  if (isBaqlError(error) && error.reason._tag === 'PlanError') {
    const diagnostics = (error.reason.diagnostics ?? []) as readonly LooseDiagnostic[];
    io.stderr.write(`${await renderSourceDiagnostics(source, diagnostics)}\n`);
    return EXIT.invalid;
  }
  io.stderr.write(`baql: ${errorMessage(error)}\n`);
  return EXIT.runtime;
}
