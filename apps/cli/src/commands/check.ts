/**
 * `baql check <paths…>`: validates saved query files for CI — header, syntax, fields and values
 * against the catalog, declared parameters, and golden plans (`name.plan.json` beside the file)
 * when present. Prints `file:line:col: severity: message` (with hints) and exits 1 on any error.
 */
import { existsSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { EXIT, type CliIo } from '../io.js';
import { loadQuery, type Diagnostic } from '../lang.js';
import { collectBaqlFiles, parseSavedFile, usedParams, type SavedParam } from '../saved.js';
import { planJson } from './plan-json.js';

/** A golden plan file: the instant to plan at and the expected plan. */
interface GoldenPlan {
  readonly now: string;
  readonly params?: Record<string, string>;
  readonly plan: unknown;
}

/** A sample value of a parameter's type, to plan a query whose parameter has no default. */
function sample(param: SavedParam): string {
  switch (param.type) {
    case 'number':
      return '1';
    case 'boolean':
      return 'true';
    case 'time':
      return new Date(0).toISOString();
    case 'duration':
      return '1d';
    default:
      return 'sample';
  }
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
    const { file, problems } = parseSavedFile(readFileSync(path, 'utf8'));
    for (const p of problems) report(p.line, p.column, 'error', p.message);
    if (file.query === '') {
      report(file.queryLine, 1, 'error', 'the file holds no query');
      continue;
    }
    const at = (d: Diagnostic) =>
      [d.span.start.line + file.queryLine - 1, d.span.start.column] as const;
    const parsed = q.parse(file.query);
    for (const d of parsed.diagnostics) report(...at(d), d.severity, d.message, d.hints);
    if (parsed.diagnostics.some((d) => d.severity === 'error')) continue;

    const declared = new Map(file.params.map((p) => [p.name, p]));
    const used = usedParams(file.query);
    for (const name of used) {
      if (!declared.has(name)) {
        report(
          file.queryLine,
          1,
          'error',
          `$${name} is used but not declared (add "# param: ${name} (string, required)")`,
        );
      }
    }
    for (const p of file.params) {
      if (!used.includes(p.name))
        report(file.queryLine, 1, 'warning', `parameter $${p.name} is declared but not used`);
    }
    const params = Object.fromEntries(file.params.map((p) => [p.name, p.default ?? sample(p)]));
    const planned = q.plan(file.query, { now, catalog: q.defaultCatalog, params });
    if (planned._tag === 'Left') {
      for (const d of planned.left) report(...at(d), d.severity, d.message, d.hints);
      continue;
    }
    for (const d of (planned.right as { diagnostics?: readonly Diagnostic[] }).diagnostics ?? []) {
      report(...at(d), d.severity, d.message, d.hints);
    }
    const goldenPath = path.replace(/\.baql$/, '.plan.json');
    if (existsSync(goldenPath)) {
      let golden: GoldenPlan;
      try {
        golden = JSON.parse(readFileSync(goldenPath, 'utf8')) as GoldenPlan;
      } catch (error) {
        report(
          1,
          1,
          'error',
          `${relative(io.cwd, goldenPath)} is not valid JSON (${(error as Error).message})`,
        );
        continue;
      }
      const again = q.plan(file.query, {
        now: new Date(golden.now),
        catalog: q.defaultCatalog,
        params: { ...params, ...golden.params },
      });
      const actual = again._tag === 'Right' ? planJson(again.right) : { diagnostics: again.left };
      if (JSON.stringify(actual) !== JSON.stringify(golden.plan)) {
        report(
          file.queryLine,
          1,
          'error',
          `the plan differs from the golden plan ${relative(io.cwd, goldenPath)}`,
          [`expected ${JSON.stringify(golden.plan)}`, `actual   ${JSON.stringify(actual)}`],
        );
      }
    }
  }
  io.stdout.write(
    `${files.length} file${files.length === 1 ? '' : 's'} checked: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}\n`,
  );
  return errors > 0 ? EXIT.runtime : EXIT.ok;
}
