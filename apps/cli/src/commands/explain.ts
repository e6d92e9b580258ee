/**
 * `baql explain [--json] [--now ISO] '<query>'`: the plan of a query without running it — the API
 * requests, what runs client-side and why. It plans with the profile's client, as `baql run`
 * does, so the profile's plugins (catalog entries, `@macros`) apply. Bad input prints diagnostics
 * (line, caret, hints) and exits 2; with `--json` they are printed as `{"diagnostics": [...]}`.
 */
import type { BaqlClient, QueryOptions } from '@baql/core';
import type { PlanningSession } from '@baql/runtime';
import { errorMessage, isBaqlError } from '../errors.js';
import { EXIT, type CliIo } from '../io.js';
import { loadQuery, renderDiagnostics, toDiagnostic, type LooseDiagnostic } from '../lang.js';
import { plannedText } from '../macros.js';
import type { ExplainCommandOptions } from '../program.js';
import { parseAssignments } from '../repl/backslash.js';
import { openCliPlanner } from '../session.js';
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
  const session = await openCliPlanner(io, options);
  if (!session) return EXIT.runtime;
  try {
    return await printPlan(io, session.client, text, { now, params }, options.json === true);
  } finally {
    await session.close();
  }
}

/** Plans `text` with `client` and prints the plan (or the diagnostics); resolves to the exit code. */
async function printPlan(
  io: CliIo,
  client: PlanningSession['client'],
  text: string,
  queryOptions: QueryOptions,
  json: boolean,
): Promise<number> {
  const planned = await plannedText(client, text);
  let plan: ReturnType<BaqlClient['compile']>;
  try {
    plan = client.compile(text, queryOptions);
  } catch (error) {
    if (!(isBaqlError(error) && error.reason._tag === 'PlanError')) {
      io.stderr.write(`baql: ${errorMessage(error)}\n`);
      return EXIT.runtime;
    }
    const diagnostics = (error.reason.diagnostics ?? []) as readonly LooseDiagnostic[];
    if (json) {
      const q = await loadQuery();
      const shaped = diagnostics.map((d) => toDiagnostic(q, planned, d));
      io.stdout.write(`${JSON.stringify({ diagnostics: shaped }, null, 2)}\n`);
    } else io.stderr.write(`${await renderDiagnostics(planned, diagnostics)}\n`);
    return EXIT.invalid;
  }
  const warnings = plan.diagnostics.filter((d) => d.severity !== 'error');
  if (warnings.length > 0 && !json) {
    io.stderr.write(`${await renderDiagnostics(planned, warnings)}\n`);
  }
  if (json) io.stdout.write(`${JSON.stringify(planJson(plan), null, 2)}\n`);
  else io.stdout.write(client.explain(text, queryOptions).replace(/\n?$/, '\n'));
  return EXIT.ok;
}
