/**
 * `format(text)`: the canonical pretty-printer. Idempotent; the result parses to the same tree;
 * comments are kept; a saved-query header is rewritten in canonical form.
 *
 * Canonical form: operators `AND` `OR` `NOT` in capitals (juxtaposition becomes `AND`, `-`/`!`
 * become `NOT`), lists as `field:(a OR b)`, time keywords and stages in lower case, time clauses
 * after the condition, one ` | ` between stages. Queries longer than 100 characters or with
 * comments go multi-line: one top-level `AND` operand, time clause or stage per line.
 *
 * @since 0.1.0
 * @module
 */
import type {
  ExprNode,
  FieldNode,
  QueryNode,
  StageNode,
  TextRange,
  TimeNode,
  ValueExpr,
  ValueNode,
} from './ast.js';
import { hasErrors } from './diagnostic.js';
import { parse } from './parse.js';
import { isKeyword, printFieldName, quote } from './print.js';
import { formatHeader, hasHeader, parseSavedQuery } from './saved-query.js';

const MAX_LINE = 100;

function value(v: ValueNode): string {
  if (v.kind === 'param') return `$${v.text}`;
  if (v.kind === 'string') return quote(v.text);
  return v.text;
}

function innerValue(v: ValueNode): string {
  // Inside groups AND/OR/NOT/TO are operators: such words must be quoted there.
  if (v.kind === 'word' && /^(and|or|not|to)$/i.test(v.text)) return quote(v.text);
  return value(v);
}

function valueExpr(v: ValueExpr, inner: boolean): string {
  switch (v.type) {
    case 'value':
      return inner ? innerValue(v) : value(v);
    case 'vor':
      return `(${v.items.map((i) => groupItem(i)).join(' OR ')})`;
    case 'vand':
      return `(${v.items.map((i) => groupItem(i)).join(' AND ')})`;
    case 'vnot':
      return `(NOT ${groupItem(v.item)})`;
    case 'range':
      return `[${innerValue(v.low)} TO ${innerValue(v.high)}]`;
  }
}

function groupItem(v: ValueExpr): string {
  switch (v.type) {
    case 'value':
      return innerValue(v);
    case 'vnot':
      return `NOT ${groupItem(v.item)}`;
    case 'range':
      return valueExpr(v, true);
    default:
      return valueExpr(v, true);
  }
}

function field(f: FieldNode): string {
  if (f.escaped) return `attr[${quote(f.name)}]`;
  return f.name;
}

/** Prints a boolean expression canonically. @since 0.1.0 */
export function formatExpr(e: ExprNode): string {
  switch (e.type) {
    case 'error':
      return '';
    case 'match':
      return `${field(e.field)}:${valueExpr(e.value, false)}`;
    case 'compare':
      return `${field(e.field)} ${e.op} ${value(e.value)}`;
    case 'not':
      return `NOT ${e.item.type === 'and' || e.item.type === 'or' ? `(${formatExpr(e.item)})` : formatExpr(e.item)}`;
    case 'and':
    case 'or':
      return e.items
        .map((i) => (i.type === 'and' || i.type === 'or' ? `(${formatExpr(i)})` : formatExpr(i)))
        .join(e.type === 'and' ? ' AND ' : ' OR ');
  }
}

function timeValue(v: ValueNode | undefined): string {
  return v ? value(v) : '';
}

/** Prints a time clause canonically. @since 0.1.0 */
export function formatTime(t: TimeNode): string {
  switch (t.form) {
    case 'since':
    case 'last':
      return `${t.form} ${timeValue(t.from)}`;
    case 'until':
      return `until ${timeValue(t.to)}`;
    case 'between':
      return `between ${timeValue(t.from)} and ${timeValue(t.to)}`;
    case 'from':
      return t.to ? `from ${timeValue(t.from)} to ${timeValue(t.to)}` : `from ${timeValue(t.from)}`;
    case 'today':
    case 'yesterday':
      return t.form;
  }
}

const fieldList = (fs: readonly FieldNode[]): string => fs.map(field).join(', ');

/** Prints a pipeline stage canonically (without its `|`). @since 0.1.0 */
export function formatStage(s: StageNode): string {
  switch (s.type) {
    case 'fields':
      return `fields ${fieldList(s.fields)}`;
    case 'sort':
      return `sort ${s.keys.map((k) => (k.direction ? `${field(k.field)} ${k.direction}` : field(k.field))).join(', ')}`;
    case 'limit':
      return `limit ${value(s.count)}`;
    case 'count':
      return s.by.length > 0 ? `count by ${fieldList(s.by)}` : 'count';
    case 'top':
      return s.count ? `top ${value(s.count)} ${field(s.field)}` : `top ${field(s.field)}`;
    case 'dedup':
      return `dedup ${fieldList(s.fields)}`;
    case 'timechart':
      return s.by.length > 0
        ? `timechart ${value(s.interval)} count by ${fieldList(s.by)}`
        : `timechart ${value(s.interval)}`;
    case 'unknown':
      return s.name;
  }
}

interface Unit {
  readonly text: string;
  readonly range: TextRange;
  readonly leading: string[];
  trailing?: string;
}

function units(ast: QueryNode): Unit[] {
  const out: Unit[] = [];
  const f = ast.filter;
  if (f) {
    if (f.type === 'and')
      f.items.forEach((i, n) => {
        const t = i.type === 'or' || i.type === 'and' ? `(${formatExpr(i)})` : formatExpr(i);
        out.push({ text: n === 0 ? t : `AND ${t}`, range: i.range, leading: [] });
      });
    else out.push({ text: formatExpr(f), range: f.range, leading: [] });
  }
  for (const t of ast.time) out.push({ text: formatTime(t), range: t.range, leading: [] });
  for (const s of ast.stages)
    out.push({ text: `| ${formatStage(s)}`, range: s.range, leading: [] });
  return out;
}

function formatBody(text: string): string {
  const { ast, diagnostics } = parse(text);
  if (hasErrors(diagnostics)) return text;
  const us = units(ast);
  if (ast.comments.length === 0) {
    const oneLine = us.map((u) => u.text).join(' ');
    return oneLine.length <= MAX_LINE ? oneLine : us.map((u) => u.text).join('\n');
  }
  const lineOf = (offset: number): number => {
    let n = 0;
    for (let i = 0; i < offset && i < text.length; i += 1) if (text.charCodeAt(i) === 10) n += 1;
    return n;
  };
  const footer: string[] = [];
  for (const c of ast.comments) {
    const cText = c.text.trimEnd();
    let owner: Unit | undefined;
    for (const u of us) if (u.range.end <= c.range.start) owner = u;
    if (
      owner &&
      owner.trailing === undefined &&
      lineOf(owner.range.end - 1) === lineOf(c.range.start)
    ) {
      owner.trailing = cText;
      continue;
    }
    const next = us.find((u) => u.range.end > c.range.start);
    if (next) next.leading.push(cText);
    else if (owner && owner.trailing === undefined) owner.trailing = cText;
    else footer.push(cText);
  }
  const lines: string[] = [];
  for (const u of us) {
    lines.push(...u.leading);
    lines.push(u.trailing ? `${u.text}  ${u.trailing}` : u.text);
  }
  lines.push(...footer);
  return lines.join('\n');
}

/**
 * Formats a query or a `.baql` file canonically. A text with syntax errors is returned as it is
 * (call {@link parse} for the diagnostics).
 *
 * @example
 * ```ts
 * format('user:123 (type:login or type:transfer) -segment:retail since 7d|count by type')
 * // 'user:123 AND (type:login OR type:transfer) AND NOT segment:retail since 7d | count by type'
 * ```
 * @since 0.1.0
 */
export function format(text: string): string {
  const saved = parseSavedQuery(text);
  if (hasHeader(saved.meta)) {
    const body = formatBody(saved.query.trim());
    return `${formatHeader(saved.meta)}${body}\n`;
  }
  const trailingNewline = text.endsWith('\n');
  const body = formatBody(text.trim());
  return trailingNewline ? `${body}\n` : body;
}

export { isKeyword, printFieldName };
