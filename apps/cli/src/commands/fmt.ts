/**
 * `baql fmt [--check] <paths…>`: rewrites saved query files in canonical form (the header in a
 * fixed order, the query through the language's formatter; comments kept). With `--check` nothing
 * is written; files that differ are listed and the exit code is 1. A file with errors is reported
 * as `file:line:col` and left alone (exit 2). A query using `@macros` is checked with the
 * profile's macros, as `baql run` expands them (the session opens only for such a file); the
 * language's formatter leaves such a query as written and canonicalizes its header.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import type { Diagnostic } from '@baql/query';
import type { PlanningSession } from '@baql/runtime';
import { EXIT, type CliIo } from '../io.js';
import { loadQuery, toDiagnostic, type Query } from '../lang.js';
import { expandQuery } from '../macros.js';
import type { ConnectionOptions } from '../program.js';
import { collectBaqlFiles } from '../saved.js';
import { openCliPlanner } from '../session.js';

/** Opens the profile's session once, when a file first needs its macros. */
type SessionOnDemand = () => Promise<PlanningSession | undefined>;

/** Runs `baql fmt`; resolves to the exit code. */
export async function fmtCommand(
  io: CliIo,
  paths: readonly string[],
  options: ConnectionOptions & { check?: boolean },
): Promise<number> {
  const { files, missing } = collectBaqlFiles(paths, io.cwd);
  for (const m of missing) io.stderr.write(`${m}: no such file or directory\n`);
  const q = await loadQuery();
  let opening: Promise<PlanningSession | undefined> | undefined;
  const session: SessionOnDemand = () => (opening ??= openCliPlanner(io, options));
  let differ = 0;
  let broken = missing.length;
  try {
    for (const path of files) {
      const shown = relative(io.cwd, path) || path;
      const text = readFileSync(path, 'utf8');
      const errors = await fileErrors(q, text, session);
      if (errors === undefined) return EXIT.runtime;
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
  } finally {
    await (await opening)?.close();
  }
  if (broken > 0) return EXIT.invalid;
  return options.check && differ > 0 ? EXIT.runtime : EXIT.ok;
}

/**
 * The errors of a saved query file in file coordinates: its header's, then its query's syntax
 * (macros expanded with the session's). Undefined when the session could not open (the reason
 * is printed).
 */
async function fileErrors(
  q: Query,
  text: string,
  session: SessionOnDemand,
): Promise<readonly Diagnostic[] | undefined> {
  const saved = q.parseSavedQuery(text);
  let query = saved.query;
  let problems: readonly Diagnostic[] = [];
  if (query.includes('@')) {
    const s = await session();
    if (!s) return undefined;
    const expansion = await expandQuery(s.client, query);
    if ('text' in expansion) query = expansion.text;
    else problems = expansion.diagnostics.map((d) => toDiagnostic(q, query, d));
  }
  if (problems.length === 0) problems = q.parse(query).diagnostics;
  return [
    ...saved.diagnostics,
    ...problems.map((d) => q.shiftDiagnostic(d, text, saved.queryOffset)),
  ].filter((d) => d.severity === 'error');
}
