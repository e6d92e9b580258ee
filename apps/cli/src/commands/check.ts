/**
 * `baql check <paths…>`: validates saved query files for CI — header, syntax, fields and values
 * against the catalog, declared parameters (`checkSavedQuery` of `@baql/query`), and golden plans
 * (`name.plan.json` beside `name.baql`) when present. Prints `file:line:col: severity: message`
 * with hints and exits 1 on any error.
 */
import { existsSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { EXIT, type CliIo } from '../io.js';
import { loadQuery } from '../lang.js';
import { collectBaqlFiles, usedParams } from '../saved.js';
import { planJson } from './plan-json.js';

/** A golden plan file: the instant to plan at, parameter values, and the expected plan. */
interface GoldenPlan {
  readonly now: string;
  readonly params?: Record<string, string>;
  readonly plan: unknown;
}

/** Runs `baql check`; resolves to the exit code. */
export async function checkCommand(
  io: CliIo,
  paths: readonly string[],
  options: { now?: string },
): Promise<number> {
  const { files, missing } = collectBaqlFiles(paths, io.cwd);
  let errors = missing.length;
  let warnings = 0;
  for (const m of missing) io.stdout.write(`${m}: error: no such file or directory\n`);
  if (files.length === 0 && missing.length === 0) {
    io.stdout.write(`no .baql files under ${paths.join(' ')}\n`);
    return EXIT.runtime;
  }
  const q = await loadQuery();
  const now = options.now === undefined ? new Date() : new Date(options.now);
  if (Number.isNaN(now.getTime())) {
    io.stderr.write(`baql check: --now must be an ISO 8601 time, got "${options.now ?? ''}"\n`);
    return EXIT.invalid;
  }
  for (const path of files) {
    const shown = relative(io.cwd, path) || path;
    const report = (
      line: number,
      column: number,
      severity: string,
      message: string,
      hints: readonly string[] = [],
    ) => {
      if (severity === 'error') errors += 1;
      else warnings += 1;
      io.stdout.write(`${shown}:${line}:${column}: ${severity}: ${message}\n`);
      for (const h of hints) io.stdout.write(`  hint: ${h}\n`);
    };
    const text = readFileSync(path, 'utf8');
    const saved = q.parseSavedQuery(text);
    const queryLine = text.slice(0, saved.queryOffset).split('\n').length;
    if (q.isBlankQuery(saved.query)) {
      report(queryLine, 1, 'error', 'the file holds no query');
      continue;
    }
    const diagnostics = q.checkSavedQuery(text, { now, catalog: q.defaultCatalog });
    for (const d of diagnostics) {
      report(d.span.start.line, d.span.start.column, d.severity, d.message, d.hints);
    }
    const used = usedParams(saved.query);
    for (const p of saved.meta.params) {
      if (!used.includes(p.name)) {
        report(queryLine, 1, 'warning', `parameter \`$${p.name}\` is declared but not used`);
      }
    }
    const goldenPath = path.replace(/\.baql$/, '.plan.json');
    if (!existsSync(goldenPath) || diagnostics.some((d) => d.severity === 'error')) continue;
    const goldenShown = relative(io.cwd, goldenPath);
    let golden: GoldenPlan;
    try {
      golden = JSON.parse(readFileSync(goldenPath, 'utf8')) as GoldenPlan;
    } catch (error) {
      report(1, 1, 'error', `${goldenShown} is not valid JSON (${(error as Error).message})`);
      continue;
    }
    const bound = q.bindParams(saved.meta.params, golden.params ?? {});
    if (bound._tag === 'Left') {
      report(
        queryLine,
        1,
        'error',
        `${goldenShown}: ${bound.left.map((d) => d.message).join('; ')}`,
      );
      continue;
    }
    const planned = q.plan(saved.query, {
      now: new Date(golden.now),
      catalog: q.defaultCatalog,
      params: bound.right,
    });
    const actual =
      planned._tag === 'Right' ? planJson(planned.right) : { diagnostics: planned.left };
    if (JSON.stringify(actual) !== JSON.stringify(golden.plan)) {
      report(queryLine, 1, 'error', `the plan differs from the golden plan ${goldenShown}`, [
        `expected ${JSON.stringify(golden.plan)}`,
        `actual   ${JSON.stringify(actual)}`,
      ]);
    }
  }
  io.stdout.write(
    `${files.length} file${files.length === 1 ? '' : 's'} checked: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}\n`,
  );
  return errors > 0 ? EXIT.runtime : EXIT.ok;
}
