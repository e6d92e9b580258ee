/**
 * `checkSavedQuery(fileText)`: every problem of a `.baql` file (header, syntax, fields, time,
 * parameters) in file coordinates — what `baql check` prints.
 *
 * @since 0.1.0
 * @module
 */
import type { Catalog } from './catalog.js';
import type { Diagnostic } from './diagnostic.js';
import { resolve, type ParamValue } from './resolve.js';
import { parseSavedQuery, shiftDiagnostic, type ParamSpec } from './saved-query.js';

const PLACEHOLDER: Readonly<Record<ParamSpec['type'], ParamValue>> = {
  string: 'x',
  number: 1,
  duration: '1d',
  time: 'now',
  list: ['x'],
};

/**
 * Checks a saved query: the header, then the query resolved with each parameter's default (or
 * a placeholder of its type when it has none, since required values come at run time). A `$name`
 * the header does not declare is reported. Diagnostics are in file coordinates, sorted.
 * @since 0.1.0
 */
export function checkSavedQuery(
  fileText: string,
  options: {
    readonly now?: Date | string | number;
    readonly catalog?: Catalog;
    readonly timeZone?: string;
  } = {},
): readonly Diagnostic[] {
  const saved = parseSavedQuery(fileText);
  const params: Record<string, ParamValue> = {};
  for (const p of saved.meta.params) {
    if (p.default === undefined) params[p.name] = PLACEHOLDER[p.type];
    else
      params[p.name] =
        p.type === 'list'
          ? p.default.split(',').map((s) => s.trim())
          : p.type === 'number'
            ? Number(p.default)
            : p.default;
  }
  const r = resolve(saved.query, {
    now: options.now ?? Date.now(),
    params,
    ...(options.catalog ? { catalog: options.catalog } : {}),
    ...(options.timeZone ? { timeZone: options.timeZone } : {}),
  });
  const queryDiagnostics = r._tag === 'Left' ? r.left : r.right.diagnostics;
  return [
    ...saved.diagnostics,
    ...queryDiagnostics.map((d) => shiftDiagnostic(d, fileText, saved.queryOffset)),
  ].sort((a, b) => a.span.start.offset - b.span.start.offset);
}
