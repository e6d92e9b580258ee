/**
 * Small, catalog-driven stand-ins for `@baql/query`'s `complete`, `isComplete` and
 * `parseSavedQuery`, used only when the installed `@baql/query` does not export them (the wiring
 * prefers the package's own). They know quotes, brackets, fields, event ids and enum values.
 *
 * @since 0.1.0
 * @module
 */
import { valuesOf } from './catalog-views.js';
import type { CatalogLike, CompletionItemLike, SavedQueryLike } from './ports.js';

const KEYWORDS = ['AND', 'OR', 'NOT', 'since', 'last', 'between', 'today', 'yesterday'];
const STAGES = ['count', 'timechart', 'fields', 'sort', 'limit', 'top', 'dedup'];

/** Whether a query is complete: no open quote or bracket, no dangling `|` or operator. @since 0.1.0 */
export function basicIsComplete(text: string): { complete: boolean; indent: string } {
  let depth = 0;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i] as string;
    if (quote !== undefined) {
      if (c === '\\') i += 1;
      else if (c === quote) quote = undefined;
      else if (c === '\n') quote = undefined;
      continue;
    }
    if (c === '#') {
      while (i < text.length && text[i] !== '\n') i += 1;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '(' || c === '[') depth += 1;
    else if ((c === ')' || c === ']') && depth > 0) depth -= 1;
  }
  if (quote !== undefined) return { complete: false, indent: '' };
  if (depth > 0) return { complete: false, indent: '  '.repeat(depth) };
  if (/(\||\bAND|\bOR|\bNOT|&&|\|\|)\s*$/i.test(text)) return { complete: false, indent: '' };
  return { complete: true, indent: '' };
}

/** Completion of fields, keywords, stages, event ids and values at `offset`. @since 0.1.0 */
export function basicComplete(
  text: string,
  offset: number,
  catalog: CatalogLike,
): { items: CompletionItemLike[]; replace: { start: number; end: number } } {
  let start = offset;
  while (start > 0 && /[\w.$@*:-]/.test(text[start - 1] as string)) start -= 1;
  const term = text.slice(start, offset);
  const colon = term.indexOf(':');
  const match = (pool: readonly string[], prefix: string, kind: string) =>
    [...new Set(pool)]
      .filter((p) => p.toLowerCase().startsWith(prefix.toLowerCase()))
      .map((label) => ({ label, kind }));
  if (colon >= 0) {
    const field = term.slice(0, colon).replace(/^[-!]/, '');
    const values = valuesOf(catalog, field);
    const prefix = term.slice(colon + 1);
    return {
      items: match(
        values?.values ?? [],
        prefix,
        field.toLowerCase() === 'type' ? 'event' : 'value',
      ),
      replace: { start: start + colon + 1, end: offset },
    };
  }
  const before = text.slice(0, start);
  const afterPipe = /\|\s*$/.test(before);
  const fields = catalog.fields.flatMap((f) => [f.name, ...(f.aliases ?? [])]);
  const items = afterPipe
    ? match(STAGES, term, 'stage')
    : [
        ...match(fields, term, 'field'),
        ...match(KEYWORDS, term, 'keyword'),
        ...match(
          catalog.events.map((e) => e.id),
          term,
          'event',
        ),
      ];
  return { items, replace: { start, end: offset } };
}

/**
 * Parses a saved query file: `# key: value` header lines (`param: name (type, required|default X)
 * description`), then the query.
 *
 * @since 0.1.0
 */
export function basicParseSavedQuery(text: string): SavedQueryLike | { readonly error: string } {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  const params: Record<string, string | undefined> = {};
  let title: string | undefined;
  let i = 0;
  for (; i < lines.length; i += 1) {
    const header = /^#\s*(name|description|owner|tags|param)\s*:\s*(.*)$/i.exec(
      (lines[i] ?? '').trim(),
    );
    if (header === null) break;
    const key = (header[1] ?? '').toLowerCase();
    const value = (header[2] ?? '').trim();
    if (key === 'name') title = value;
    if (key === 'param') {
      const p = /^\$?([A-Za-z_]\w*)\s*(?:\(([^)]*)\))?/.exec(value);
      if (p === null) return { error: `line ${i + 1}: bad param declaration "${value}"` };
      const options = (p[2] ?? '').split(',').map((s) => s.trim());
      const fallback = options.find((o) => /^default\s+/i.test(o))?.replace(/^default\s+/i, '');
      params[p[1] as string] = fallback;
    }
  }
  const query = lines.slice(i).join('\n').trim();
  if (query === '') return { error: 'the file has no query after its header' };
  return { query, params, ...(title === undefined ? {} : { title }) };
}
