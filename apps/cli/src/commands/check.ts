/**
 * `baql check <paths…>`: validates saved query files for CI — header, syntax, fields and values
 * against the catalog, declared parameters (`checkSavedQuery` of `@baql/query`), and golden plans
 * (`name.plan.json` beside `name.baql`) when present. It checks with the profile's client, as
 * `baql run` runs, so the profile's plugins (catalog entries, `@macros`) apply. Prints
 * `file:line:col: severity: message` with hints and exits 1 on any error.
 */
import { existsSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';
import type { Diagnostic, ParamValue, SavedQuery } from '@baql/query';
import type { PlanningSession } from '@baql/runtime';
import { isBaqlError } from '../errors.js';
import { EXIT, type CliIo } from '../io.js';
import { loadQuery, toDiagnostic, type LooseDiagnostic, type Query } from '../lang.js';
import { expandQuery } from '../macros.js';
import type { ConnectionOptions } from '../program.js';
import { collectBaqlFiles, usedParams } from '../saved.js';
import { openCliPlanner } from '../session.js';
import { planJson } from './plan-json.js';

/** A golden plan file: the instant to plan at, parameter values, and the expected plan. */
interface GoldenPlan {
  readonly now: string;
  readonly params?: Record<string, string>;
  readonly plan: unknown;
}

/** Prints one problem of the file being checked, at a line and column of it. */
type Report = (
  line: number,
  column: number,
  severity: string,
  message: string,
  hints?: readonly string[],
) => void;

/** Runs `baql check`; resolves to the exit code. */
export async function checkCommand(
  io: CliIo,
  paths: readonly string[],
  options: ConnectionOptions & { now?: string },
): Promise<number> {
  const { files, missing } = collectBaqlFiles(paths, io.cwd);
  for (const m of missing) io.stdout.write(`${m}: error: no such file or directory\n`);
  if (files.length === 0 && missing.length === 0) {
    io.stdout.write(`no .baql files under ${paths.join(' ')}\n`);
    return EXIT.runtime;
  }
  const now = options.now === undefined ? new Date() : new Date(options.now);
  if (Number.isNaN(now.getTime())) {
    io.stderr.write(`baql check: --now must be an ISO 8601 time, got "${options.now ?? ''}"\n`);
    return EXIT.invalid;
  }
  const session = await openCliPlanner(io, options);
  if (!session) return EXIT.runtime;
  const q = await loadQuery();
  const counts = { errors: missing.length, warnings: 0 };
  try {
    for (const path of files) {
      const shown = relative(io.cwd, path) || path;
      const report: Report = (line, column, severity, message, hints = []) => {
        if (severity === 'error') counts.errors += 1;
        else counts.warnings += 1;
        io.stdout.write(`${shown}:${line}:${column}: ${severity}: ${message}\n`);
        for (const h of hints) io.stdout.write(`  hint: ${h}\n`);
      };
      await checkFile(q, session, { path, now, cwd: io.cwd }, report);
    }
  } finally {
    await session.close();
  }
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  io.stdout.write(
    `${plural(files.length, 'file')} checked: ${plural(counts.errors, 'error')}, ${plural(counts.warnings, 'warning')}\n`,
  );
  return counts.errors > 0 ? EXIT.runtime : EXIT.ok;
}

/** Checks one file: header, query (macros expanded), parameters, golden plan. */
async function checkFile(
  q: Query,
  session: PlanningSession,
  file: { readonly path: string; readonly now: Date; readonly cwd: string },
  report: Report,
): Promise<void> {
  const text = readFileSync(file.path, 'utf8');
  const saved = q.parseSavedQuery(text);
  const queryLine = text.slice(0, saved.queryOffset).split('\n').length;
  if (q.isBlankQuery(saved.query)) {
    report(queryLine, 1, 'error', 'the file holds no query');
    return;
  }
  const diagnostics = await fileDiagnostics(q, session, text, saved, file.now);
  for (const d of diagnostics) {
    report(d.span.start.line, d.span.start.column, d.severity, d.message, d.hints);
  }
  const used = usedParams(saved.query);
  for (const p of saved.meta.params) {
    if (!used.includes(p.name)) {
      report(queryLine, 1, 'warning', `parameter \`$${p.name}\` is declared but not used`);
    }
  }
  const goldenPath = file.path.replace(/\.baql$/, '.plan.json');
  if (!existsSync(goldenPath) || diagnostics.some((d) => d.severity === 'error')) return;
  const golden = { path: goldenPath, shown: relative(file.cwd, goldenPath), queryLine };
  checkGoldenPlan(q, session.client, saved, golden, report);
}

/**
 * Every problem of a saved query file in file coordinates: `checkSavedQuery` on the file with
 * the query's macros expanded (the expansion's own problems when they cannot be).
 */
async function fileDiagnostics(
  q: Query,
  session: PlanningSession,
  text: string,
  saved: SavedQuery,
  now: Date,
): Promise<readonly Diagnostic[]> {
  const expansion = await expandQuery(session.client, saved.query);
  if ('diagnostics' in expansion) {
    return expansion.diagnostics.map((d) =>
      q.shiftDiagnostic(toDiagnostic(q, saved.query, d), text, saved.queryOffset),
    );
  }
  const expanded = text.slice(0, saved.queryOffset) + expansion.text;
  return q.checkSavedQuery(expanded, { now, catalog: session.catalog });
}

/** Compares the plan of the query with its golden plan file. */
function checkGoldenPlan(
  q: Query,
  client: PlanningSession['client'],
  saved: SavedQuery,
  where: { readonly path: string; readonly shown: string; readonly queryLine: number },
  report: Report,
): void {
  const goldenShown = where.shown;
  let golden: GoldenPlan;
  try {
    golden = JSON.parse(readFileSync(where.path, 'utf8')) as GoldenPlan;
  } catch (error) {
    report(1, 1, 'error', `${goldenShown} is not valid JSON (${(error as Error).message})`);
    return;
  }
  const bound = q.bindParams(saved.meta.params, golden.params ?? {});
  if (bound._tag === 'Left') {
    const messages = bound.left.map((d) => d.message).join('; ');
    report(where.queryLine, 1, 'error', `${goldenShown}: ${messages}`);
    return;
  }
  const actual = planOrDiagnostics(client, saved.query, new Date(golden.now), bound.right);
  if (JSON.stringify(actual) !== JSON.stringify(golden.plan)) {
    report(where.queryLine, 1, 'error', `the plan differs from the golden plan ${goldenShown}`, [
      `expected ${JSON.stringify(golden.plan)}`,
      `actual   ${JSON.stringify(actual)}`,
    ]);
  }
}

/** The plan of a query as `baql explain --json` prints it, or `{diagnostics}` when it has none. */
function planOrDiagnostics(
  client: PlanningSession['client'],
  query: string,
  now: Date,
  params: Readonly<Record<string, ParamValue>>,
): unknown {
  try {
    return planJson(client.compile(query, { now, params }));
  } catch (error) {
    if (isBaqlError(error) && error.reason._tag === 'PlanError') {
      return { diagnostics: (error.reason.diagnostics ?? []) as readonly LooseDiagnostic[] };
    }
    throw error;
  }
}
