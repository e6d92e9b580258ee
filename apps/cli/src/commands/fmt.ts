/**
 * `baql fmt [--check] <paths…>`: rewrites saved query files in canonical form (header order,
 * formatted query). With `--check` nothing is written; files that differ are listed and the exit
 * code is 1. A file whose query does not parse is reported and left alone (exit 2).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { EXIT, type CliIo } from '../io.js';
import { loadQuery, tools } from '../lang.js';
import { collectBaqlFiles, parseSavedFile, savedFileText } from '../saved.js';

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
    const { file, problems } = parseSavedFile(text);
    const diagnostics = q.parse(file.query).diagnostics.filter((d) => d.severity === 'error');
    if (problems.length > 0 || diagnostics.length > 0) {
      for (const p of problems) io.stderr.write(`${shown}:${p.line}:${p.column}: ${p.message}\n`);
      for (const d of diagnostics) {
        io.stderr.write(
          `${shown}:${d.span.start.line + file.queryLine - 1}:${d.span.start.column}: ${d.message}\n`,
        );
      }
      broken += 1;
      continue;
    }
    const canonical = savedFileText(file, (query) => tools(q).format(query));
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
