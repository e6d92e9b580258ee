/**
 * `baql run <file.baql | -e query | ->`: runs one query and writes its rows to stdout or a file.
 * Exit codes: 0 ok, 1 upstream or runtime error, 2 invalid query (diagnostics on stderr).
 * Progress goes to stderr only when stderr is a terminal; stdout carries only rows.
 */
import { createWriteStream, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { errorMessage, isBaqlError } from '../errors.js';
import { executeQuery, summaryLine } from '../execute.js';
import { EXIT, type CliIo } from '../io.js';
import { loadQuery, renderDiagnostics, type Diagnostic } from '../lang.js';
import { formatFromPath, type OutputFormat } from '../output/format.js';
import { streamWriter } from '../output/writer.js';
import type { ProgressEvent } from '../progress.js';
import type { RunCommandOptions } from '../program.js';
import { parseAssignments } from '../repl/backslash.js';
import { bindSavedParams } from '../saved.js';

async function readStdin(io: CliIo): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of io.stdin)
    chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}

/** Runs `baql run`; resolves to the exit code. */
export async function runCommand(
  io: CliIo,
  file: string | undefined,
  options: RunCommandOptions,
): Promise<number> {
  if (options.execute !== undefined && file !== undefined) {
    io.stderr.write('baql run: give a file or -e, not both\n');
    return EXIT.invalid;
  }
  let text: string;
  let source = '-e';
  try {
    if (options.execute !== undefined) text = options.execute;
    else if (file === undefined || file === '-') {
      source = 'stdin';
      text = await readStdin(io);
    } else {
      source = file;
      text = readFileSync(resolve(io.cwd, file), 'utf8');
    }
  } catch (error) {
    io.stderr.write(
      `baql run: cannot read ${source}: ${errorMessage(error).replace(/^ENOENT: /, '')}\n`,
    );
    return EXIT.invalid;
  }
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
  let now: Date | undefined;
  if (options.now !== undefined) {
    now = new Date(options.now);
    if (Number.isNaN(now.getTime())) {
      io.stderr.write(`baql run: --now must be an ISO 8601 time, got "${options.now}"\n`);
      return EXIT.invalid;
    }
  }
  const format: OutputFormat =
    options.format ??
    (options.out ? formatFromPath(options.out) : undefined) ??
    (io.stdout.isTTY ? 'table' : 'ndjson');

  const { openSession } = await import('@baql/runtime');
  let session: Awaited<ReturnType<typeof openSession>>;
  try {
    session = await openSession({
      ...(options.profile === undefined ? {} : { profile: options.profile }),
      ...(options.config === undefined ? {} : { configPath: options.config }),
      cwd: io.cwd,
      env: io.env,
    });
  } catch (error) {
    io.stderr.write(`baql: ${errorMessage(error)}\n`);
    return EXIT.runtime;
  }
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  const fileStream = options.out ? createWriteStream(resolve(io.cwd, options.out)) : undefined;
  const out = streamWriter(fileStream ?? io.stdout, 256 * 1024);
  let exceeded = false;
  try {
    const result = await executeQuery(session.client, saved.query, {
      format,
      out,
      params: bound.params,
      signal: controller.signal,
      ...(now === undefined ? {} : { now }),
      ...(options.limit === undefined ? {} : { limit: options.limit }),
      progress: io.stderr,
      outputIsTerminal: fileStream === undefined && io.stdout.isTTY === true,
      width: io.stdout.columns ?? 100,
      color: io.stdout.isTTY === true && fileStream === undefined,
      onWarnings: async (diagnostics) => {
        if (!options.quiet)
          io.stderr.write(`${await renderDiagnostics(saved.query, diagnostics)}\n`);
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
    if (fileStream) await new Promise<void>((done) => fileStream.end(done));
    if (exceeded) {
      io.stderr.write(
        `baql run: stopped after ${options.maxPages} pages (--max-pages); narrow the query or raise the limit\n`,
      );
      return EXIT.runtime;
    }
    if (!options.quiet && (io.stderr.isTTY || fileStream)) {
      io.stderr.write(`${summaryLine(result.summary, result.rows)}\n`);
    }
    return EXIT.ok;
  } catch (error) {
    fileStream?.destroy();
    if (isBaqlError(error) && error.reason._tag === 'PlanError') {
      const diagnostics = (error.reason.diagnostics ?? []) as Diagnostic[];
      io.stderr.write(`${await renderDiagnostics(saved.query, diagnostics)}\n`);
      return EXIT.invalid;
    }
    io.stderr.write(`baql: ${errorMessage(error)}\n`);
    return EXIT.runtime;
  } finally {
    process.off('SIGINT', onSigint);
    await session.close();
  }
}
