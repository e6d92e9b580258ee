/**
 * Saved queries (`.baql` files): a header of metadata in `#` comments, then the query.
 *
 * ```
 * # name: failed-logins
 * # description: Failed logins of one user
 * # owner: fraud-team
 * # tags: fraud, login
 * # param user: string required -- the login id
 * # param window: duration = 7d
 *
 * user:$user type:login result:Failure since $window
 * ```
 *
 * @since 0.1.0
 * @module
 */
import { diagnosticAt, didYouMean, LineIndex, type Diagnostic } from './diagnostic.js';
import { left, right, type Result } from './result.js';
import type { ParamValue } from './resolve.js';
import { parseDuration, resolveTime } from './time.js';

/** Types a parameter may have. @since 0.1.0 */
export type ParamType = 'string' | 'number' | 'duration' | 'time' | 'list';

/** A declared parameter of a saved query. @since 0.1.0 */
export interface ParamSpec {
  readonly name: string;
  readonly type: ParamType;
  readonly default?: string;
  readonly required: boolean;
  readonly description?: string;
}

/** The header of a saved query. @since 0.1.0 */
export interface SavedQueryMeta {
  readonly name?: string;
  readonly description?: string;
  readonly owner?: string;
  readonly tags: readonly string[];
  readonly params: readonly ParamSpec[];
}

/** A parsed `.baql` file. @since 0.1.0 */
export interface SavedQuery {
  readonly meta: SavedQueryMeta;
  /** The query text (everything after the header). */
  readonly query: string;
  /** Offset of the query text in the file (to map diagnostics). */
  readonly queryOffset: number;
  /** Problems in the header (spans in the file). */
  readonly diagnostics: readonly Diagnostic[];
}

const KEYS = ['name', 'description', 'owner', 'tags', 'param'] as const;
const TYPES: readonly ParamType[] = ['string', 'number', 'duration', 'time', 'list'];
const HEADER_LINE = /^#\s*(?:([A-Za-z]+)\s*:|(param)\s)\s*(.*)$/i;
const PARAM =
  /^([A-Za-z_][A-Za-z0-9_]*)\s*:\s*([A-Za-z]+)\s*(?:=\s*(.*?))?\s*(\brequired\b)?\s*(?:--\s*(.*))?$/;

/** Checks a value against a parameter type; returns the reason when it does not fit. @since 0.1.0 */
export function checkParamValue(type: ParamType, value: string): string | undefined {
  switch (type) {
    case 'number':
      return /^[+-]?\d+(?:\.\d+)?$/.test(value.trim()) ? undefined : `\`${value}\` is not a number`;
    case 'duration':
      return parseDuration(value.trim()) === undefined
        ? `\`${value}\` is not a duration such as \`7d\``
        : undefined;
    case 'time':
      return resolveTime(value.trim(), 0, 'UTC').ok ? undefined : `\`${value}\` is not a time`;
    default:
      return undefined;
  }
}

/**
 * Parses a `.baql` file: the header (`# name:`, `# description:`, `# owner:`, `# tags:`,
 * `# param <name>: <type> [= <default>] [required] [-- <description>]`) and the query after it.
 * The header is the leading run of such lines (and blank `#` lines); it ends at the first other
 * line. Never throws.
 * @since 0.1.0
 */
export function parseSavedQuery(fileText: string): SavedQuery {
  const index = new LineIndex(fileText);
  const diagnostics: Diagnostic[] = [];
  let name: string | undefined;
  let description: string | undefined;
  let owner: string | undefined;
  let tags: string[] = [];
  const params: ParamSpec[] = [];
  let offset = 0;
  let queryOffset = 0;
  const lines = fileText.split('\n');
  for (const raw of lines) {
    const line = raw.replace(/\r$/, '');
    const start = offset;
    offset += raw.length + 1;
    const m = HEADER_LINE.exec(line.trim());
    if (line.trim() === '#' || line.trim() === '') {
      queryOffset = Math.min(offset, fileText.length);
      continue;
    }
    if (!m) break;
    const key = (m[1] ?? m[2] ?? '').toLowerCase();
    const value = (m[3] ?? '').trim();
    const lineStart = start + (line.length - line.trimStart().length);
    if (!(KEYS as readonly string[]).includes(key)) {
      {
        const hint = didYouMean(key, KEYS).map((k) => `did you mean \`${k}\`?`);
        if (hint.length > 0)
          diagnostics.push(
            diagnosticAt(
              index,
              'warning',
              'BAQL_HEADER',
              `unknown header key \`${key}\``,
              lineStart,
              start + line.length,
              hint,
            ),
          );
      }
      break;
    }
    queryOffset = Math.min(offset, fileText.length);
    switch (key) {
      case 'name':
        name = value;
        break;
      case 'description':
        description = value;
        break;
      case 'owner':
        owner = value;
        break;
      case 'tags':
        tags = value
          .split(',')
          .map((t) => t.trim())
          .filter((t) => t !== '');
        break;
      case 'param': {
        const p = PARAM.exec(value);
        if (!p) {
          diagnostics.push(
            diagnosticAt(
              index,
              'error',
              'BAQL_HEADER',
              'a parameter is declared `# param <name>: <type> [= <default>] [required] [-- <description>]`',
              lineStart,
              start + line.length,
              ['e.g. `# param user: string required -- the login id`'],
            ),
          );
          break;
        }
        const type = (p[2] ?? '').toLowerCase() as ParamType;
        if (!TYPES.includes(type)) {
          diagnostics.push(
            diagnosticAt(
              index,
              'error',
              'BAQL_HEADER',
              `\`${p[2] ?? ''}\` is not a parameter type (${TYPES.join(', ')})`,
              lineStart,
              start + line.length,
              didYouMean(p[2] ?? '', TYPES).map((t) => `did you mean \`${t}\`?`),
            ),
          );
          break;
        }
        const def = p[3]?.trim();
        if (def !== undefined && def !== '') {
          const why = type === 'list' ? undefined : checkParamValue(type, def);
          if (why)
            diagnostics.push(
              diagnosticAt(
                index,
                'error',
                'BAQL_HEADER',
                `default of \`${p[1] ?? ''}\`: ${why}`,
                lineStart,
                start + line.length,
              ),
            );
        }
        if (params.some((x) => x.name === p[1]))
          diagnostics.push(
            diagnosticAt(
              index,
              'error',
              'BAQL_HEADER',
              `parameter \`${p[1] ?? ''}\` is declared twice`,
              lineStart,
              start + line.length,
            ),
          );
        params.push({
          name: p[1] ?? '',
          type,
          ...(def !== undefined && def !== '' ? { default: def } : {}),
          required: p[4] !== undefined,
          ...(p[5] ? { description: p[5].trim() } : {}),
        });
        break;
      }
    }
  }
  const hasHeader =
    name !== undefined ||
    description !== undefined ||
    owner !== undefined ||
    tags.length > 0 ||
    params.length > 0;
  const qo = hasHeader ? queryOffset : 0;
  return {
    meta: {
      ...(name !== undefined ? { name } : {}),
      ...(description !== undefined ? { description } : {}),
      ...(owner !== undefined ? { owner } : {}),
      tags,
      params,
    },
    query: fileText.slice(qo),
    queryOffset: qo,
    diagnostics,
  };
}

/** Whether a header carries anything. @since 0.1.0 */
export const hasHeader = (m: SavedQueryMeta): boolean =>
  m.name !== undefined ||
  m.description !== undefined ||
  m.owner !== undefined ||
  m.tags.length > 0 ||
  m.params.length > 0;

/** The canonical header text (ends with a blank line), or `''` when there is none. @since 0.1.0 */
export function formatHeader(m: SavedQueryMeta): string {
  if (!hasHeader(m)) return '';
  const out: string[] = [];
  if (m.name !== undefined) out.push(`# name: ${m.name}`);
  if (m.description !== undefined) out.push(`# description: ${m.description}`);
  if (m.owner !== undefined) out.push(`# owner: ${m.owner}`);
  if (m.tags.length > 0) out.push(`# tags: ${m.tags.join(', ')}`);
  for (const p of m.params) {
    let line = `# param ${p.name}: ${p.type}`;
    if (p.default !== undefined) line += ` = ${p.default}`;
    if (p.required) line += ' required';
    if (p.description !== undefined) line += ` -- ${p.description}`;
    out.push(line);
  }
  return `${out.join('\n')}\n\n`;
}

/**
 * Binds parameter values given as strings (CLI `--param k=v`, HTTP, kernel) to the declared
 * types, applying defaults; a missing required parameter or a value of the wrong type is a
 * diagnostic. Undeclared values pass through as strings.
 * @since 0.1.0
 */
export function bindParams(
  specs: readonly ParamSpec[],
  given: Readonly<Record<string, string | readonly string[]>>,
): Result<readonly Diagnostic[], Record<string, ParamValue>> {
  const out: Record<string, ParamValue> = {};
  const problems: Diagnostic[] = [];
  const none = new LineIndex('');
  for (const [k, v] of Object.entries(given)) out[k] = typeof v === 'string' ? v : [...v];
  for (const p of specs) {
    const raw = given[p.name] ?? p.default;
    if (raw === undefined) {
      if (p.required)
        problems.push(
          diagnosticAt(
            none,
            'error',
            'BAQL_UNBOUND_PARAM',
            `parameter \`$${p.name}\` (${p.type}) is required`,
            0,
            0,
            [`bind it, e.g. \`--param ${p.name}=…\``],
          ),
        );
      continue;
    }
    if (p.type === 'list') {
      out[p.name] =
        typeof raw === 'string'
          ? raw
              .split(',')
              .map((s) => s.trim())
              .filter((s) => s !== '')
          : [...raw];
      continue;
    }
    const value = typeof raw === 'string' ? raw : raw.join(',');
    const why = checkParamValue(p.type, value);
    if (why) {
      problems.push(
        diagnosticAt(none, 'error', 'BAQL_BAD_PARAM', `parameter \`$${p.name}\`: ${why}`, 0, 0),
      );
      continue;
    }
    out[p.name] = p.type === 'number' ? Number(value) : value.trim();
  }
  return problems.length > 0 ? left(problems) : right(out);
}

/** Moves a diagnostic of the query part of a file into file coordinates. @since 0.1.0 */
export function shiftDiagnostic(d: Diagnostic, fileText: string, queryOffset: number): Diagnostic {
  const index = new LineIndex(fileText);
  return {
    ...d,
    span: index.span(d.span.start.offset + queryOffset, d.span.end.offset + queryOffset),
  };
}
