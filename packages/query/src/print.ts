/**
 * Printing values and resolved filters back as BAQL text (for residuals and explain).
 *
 * @since 0.1.0
 * @module
 */
import { indexCatalog, type Catalog } from './catalog.js';
import type { Filter, Lit } from './filter.js';

const KEYWORDS = new Set([
  'and',
  'or',
  'not',
  'in',
  'to',
  'since',
  'last',
  'between',
  'from',
  'until',
  'today',
  'yesterday',
  'fields',
  'sort',
  'limit',
  'count',
  'by',
  'top',
  'dedup',
  'timechart',
  'asc',
  'desc',
]);

/** Whether a word is a BAQL keyword (case-insensitive). @since 0.1.0 */
export const isKeyword = (w: string): boolean => KEYWORDS.has(w.toLowerCase());

const BARE = /^(?:[A-Za-z0-9_@/\u00C0-\uFFFF]|-(?=\d))[A-Za-z0-9_.@/\-:\u00C0-\uFFFF]*$/;

/** Quotes a string value: `"…"` with `\\`, `\"`, `\n`, `\r`, `\t` escapes. @since 0.1.0 */
export function quote(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t')}"`;
}

/** A literal value as BAQL text: bare when it lexes back to the same literal, else quoted. @since 0.1.0 */
export function printValue(s: string): string {
  if (BARE.test(s) && !s.includes('..') && !s.endsWith(':') && !isKeyword(s)) return s;
  return quote(s);
}

/** A field name as BAQL text: bare, or the escape `attr["…"]`. @since 0.1.0 */
export function printFieldName(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_.@/-]*$/.test(name) && !isKeyword(name) && !name.endsWith('-')
    ? name
    : `attr[${quote(name)}]`;
}

function fieldName(l: Lit, catalog: Catalog): string {
  if (l.op === 'in') return l.field;
  const index = indexCatalog(catalog);
  const f = index.fieldOfAttribute.get(l.field.toLowerCase());
  if (f && f.target !== 'kind') return f.name;
  // A raw attribute that an alias would shadow (e.g. `type`) needs the escape.
  if (index.fields.has(l.field.toLowerCase())) return `attr[${quote(l.field)}]`;
  return printFieldName(l.field);
}

/** One literal as BAQL text. @since 0.1.0 */
export function printLit(l: Lit, catalog: Catalog): string {
  const name = fieldName(l, catalog);
  let body: string;
  switch (l.op) {
    case 'in':
      body =
        (l.values ?? []).length === 1
          ? `${name}:${l.values?.[0] ?? ''}`
          : `${name}:(${(l.values ?? []).join(' OR ')})`;
      break;
    case 'eq':
      return l.neg ? `${name} != ${printValue(l.value)}` : `${name}:${printValue(l.value)}`;
    case 'like':
      body = `${name}:${l.value}`;
      break;
    case 'present':
      body = `${name}:*`;
      break;
    case 'lt':
      body = `${name} < ${printValue(l.value)}`;
      break;
    case 'le':
      body = `${name} <= ${printValue(l.value)}`;
      break;
    case 'gt':
      body = `${name} > ${printValue(l.value)}`;
      break;
    case 'ge':
      body = `${name} >= ${printValue(l.value)}`;
      break;
  }
  return l.neg ? `NOT ${body}` : body;
}

/** A resolved filter as BAQL text (fully parenthesised groups). @since 0.1.0 */
export function printFilter(f: Filter, catalog: Catalog, nested = false): string {
  switch (f.t) {
    case 'lit':
      return printLit(f, catalog);
    case 'const':
      return f.value ? '*' : 'NOT *';
    case 'not':
      return `NOT ${printFilter(f.item, catalog, true)}`;
    case 'and':
    case 'or': {
      const s = f.items
        .map((i) => printFilter(i, catalog, true))
        .join(f.t === 'and' ? ' AND ' : ' OR ');
      return nested ? `(${s})` : s;
    }
  }
}
