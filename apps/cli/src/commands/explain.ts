/**
 * `baql explain [--json] [--now ISO] '<query>'`: the plan of a query without running it — the API
 * requests, what runs client-side and why. Bad input prints diagnostics (line, caret, hints) and
 * exits 2; with `--json` they are printed as `{"diagnostics": [...]}`.
 */
import { EXIT, type CliIo } from '../io.js';
import { loadQuery } from '../lang.js';
import type { ExplainCommandOptions } from '../program.js';
import { parseAssignments } from '../repl/backslash.js';
import { planJson } from './plan-json.js';

/** Runs `baql explain`; resolves to the exit code. */
export async function explainCommand(
  io: CliIo,
  text: string,
  options: ExplainCommandOptions,
): Promise<number> {
  const now = options.now === undefined ? new Date() : new Date(options.now);
  if (Number.isNaN(now.getTime())) {
    io.stderr.write(`baql explain: --now must be an ISO 8601 time, got "${options.now ?? ''}"\n`);
    return EXIT.invalid;
  }
  const { params, invalid } = parseAssignments(options.param ?? []);
  if (invalid.length > 0) {
    io.stderr.write(`baql explain: --param takes k=v, got ${invalid.join(' ')}\n`);
    return EXIT.invalid;
  }
  const q = await loadQuery();
  const result = q.plan(text, { now, catalog: q.defaultCatalog, params });
  if (result._tag === 'Left') {
    if (options.json) io.stdout.write(`${JSON.stringify({ diagnostics: result.left }, null, 2)}\n`);
    else io.stderr.write(`${result.left.map((d) => q.renderDiagnostic(text, d)).join('\n')}\n`);
    return EXIT.invalid;
  }
  const warnings = result.right.diagnostics.filter((d) => d.severity !== 'error');
  if (warnings.length > 0 && !options.json) {
    io.stderr.write(`${warnings.map((d) => q.renderDiagnostic(text, d)).join('\n')}\n`);
  }
  if (options.json) io.stdout.write(`${JSON.stringify(planJson(result.right), null, 2)}\n`);
  else io.stdout.write(q.explain(result.right).replace(/\n?$/, '\n'));
  return EXIT.ok;
}
