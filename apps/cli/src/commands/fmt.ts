/**
 * `baql fmt [--check] <paths…>`: rewrites saved query files in canonical form (the header in a
 * fixed order, the query through the language's formatter; comments kept). With `--check` nothing
 * is written; files that differ are listed and the exit code is 1. A file with errors is reported
 * as `file:line:col` and left alone (exit 2).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { EXIT, type CliIo } from '../io.js';
import { loadQuery } from '../lang.js';
import { collectBaqlFiles } from '../saved.js';

/** Runs `baql fmt`; resolves to the exit code. */
export async function fmtCommand(
  io: CliIo,
  paths: readonly string[],
  options: { check?: boolean },
): Promise<number> {
  const { files, missing } = collectBaqlFiles(paths, io.cwd);
  for (const m of missing) io.stderr.write(`${m}: no such file or directory\n`);
  const q = await loadQuery();
  let differ = 0;
  let broken = missing.length;
  for (const path of files) {
    const shown = relative(io.cwd, path) || path;
    const text = readFileSync(path, 'utf8');
    const saved = q.parseSavedQuery(text);
    const errors = [
      ...saved.diagnostics,
      ...q.parse(saved.query).diagnostics.map((d) => q.shiftDiagnostic(d, text, saved.queryOffset)),
    ].filter((d) => d.severity === 'error');
    if (errors.length > 0) {
      for (const d of errors) {
        io.stderr.write(`${shown}:${d.span.start.line}:${d.span.start.column}: ${d.message}\n`);
      }
      broken += 1;
      continue;
    }
    const canonical = q.format(text);
    if (canonical === text) continue;
    differ += 1;
    if (options.check) io.stdout.write(`${shown}: not formatted\n`);
    else {
      writeFileSync(path, canonical);
      io.stdout.write(`${shown}: formatted\n`);
    }
  }
  if (broken > 0) return EXIT.invalid;
  return options.check && differ > 0 ? EXIT.runtime : EXIT.ok;
}
