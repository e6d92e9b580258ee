/**
 * Editor help on the same lexer and grammar as the parser: `isComplete` (multi-line input in the
 * REPL and kernel), `highlight` (syntax colouring) and `complete` (fuzzy completion with the
 * span to replace, from chevrotain's content assist plus the catalog).
 *
 * @since 0.1.0
 * @module
 */
import { tokenMatcher, type IToken, type TokenType } from 'chevrotain';
import { defaultCatalog, indexCatalog, type Catalog } from './catalog.js';
import { baqlParser, START_RULE } from './grammar.js';
import { STAGE_NAMES } from './parse.js';
import { lex } from './lexer.js';
import * as T from './tokens.js';

/** Whether the input can run as it is, and how far to indent the next line if not. @since 0.1.0 */
export interface Completeness {
  readonly complete: boolean;
  readonly indent: number;
}

const DANGLING: readonly TokenType[] = [
  T.And,
  T.Or,
  T.Not,
  T.Minus,
  T.Bang,
  T.Colon,
  T.CompOp,
  T.Eq,
  T.Pipe,
  T.Comma,
  T.In,
  T.To,
  T.Since,
  T.Last,
  T.Between,
  T.From,
  T.Until,
  T.By,
  T.Fields,
  T.Sort,
  T.Limit,
  T.Top,
  T.Dedup,
  T.Timechart,
  T.AmpAmp,
  T.PipePipe,
];

/**
 * Whether the text ends inside a quoted string: the bracket depth before that string (so the
 * next line is indented like the bracket's content), or -1 when every quote is closed. The scan
 * follows the lexer (outside a string, `#` starts a comment to the end of the line and `"` or `'`
 * starts a string; inside, `\` escapes the next character) except that a line break does not end
 * the string: the continuation line may close it, and the parser then reports the line break.
 */
function openQuote(text: string): number {
  let depth = 0;
  let quote = 0;
  let quoteDepth = 0;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (quote !== 0) {
      if (c === 92) i += 1;
      else if (c === quote) quote = 0;
    } else if (c === 34 || c === 39) {
      quote = c;
      quoteDepth = depth;
    } else if (c === 35) {
      while (i + 1 < text.length && text.charCodeAt(i + 1) !== 10 && text.charCodeAt(i + 1) !== 13)
        i += 1;
    } else if (c === 40 || c === 91) depth += 1;
    else if ((c === 41 || c === 93) && depth > 0) depth -= 1;
  }
  return quote !== 0 ? quoteDepth : -1;
}

/**
 * Whether a (possibly multi-line) input is complete: brackets balanced, every quote closed, and
 * not ending on an operator, `|`, a time keyword or a trailing `\`. `indent` is the suggested indentation of
 * the next line (2 spaces per open bracket, at least 2 when incomplete).
 * @since 0.1.0
 */
export function isComplete(text: string): Completeness {
  if (/\\\s*$/.test(text)) return { complete: false, indent: 2 };
  const open = openQuote(text);
  if (open >= 0) return { complete: false, indent: 2 * Math.max(1, open) };
  const { tokens } = lex(text);
  let depth = 0;
  for (const t of tokens) {
    if (tokenMatcher(t, T.LParen) || tokenMatcher(t, T.LBracket)) depth += 1;
    else if (tokenMatcher(t, T.RParen) || tokenMatcher(t, T.RBracket))
      depth = Math.max(0, depth - 1);
  }
  if (depth > 0) return { complete: false, indent: 2 * depth };
  const last = tokens[tokens.length - 1];
  if (!last) return { complete: true, indent: 0 };
  if (DANGLING.some((d) => tokenMatcher(last, d))) return { complete: false, indent: 2 };
  const prev = tokens[tokens.length - 2];
  if (prev && tokenMatcher(prev, T.Between)) return { complete: false, indent: 2 };
  return { complete: true, indent: 0 };
}

/** Categories of {@link highlight}. @since 0.1.0 */
export type HighlightCategory =
  | 'keyword'
  | 'field'
  | 'operator'
  | 'value'
  | 'string'
  | 'number'
  | 'time'
  | 'pipe'
  | 'comment'
  | 'param'
  | 'error';

/** A coloured span `[start, end)`. @since 0.1.0 */
export interface HighlightSpan {
  readonly start: number;
  readonly end: number;
  readonly category: HighlightCategory;
}

const NUMBER = /^-?\d+(?:\.\d+)?$/;
const is = (t: IToken | undefined, type: TokenType): boolean =>
  t !== undefined && tokenMatcher(t, type);
const isTimeKw = (t: IToken | undefined): boolean =>
  t !== undefined && T.TIME_KEYWORDS.some((k) => tokenMatcher(t, k));

/**
 * Token spans with categories for syntax colouring (same lexer as the parser). Unknown
 * characters and foreign operators (`=`, `&&`, `||`) are `error`.
 * @since 0.1.0
 */
export function highlight(text: string): HighlightSpan[] {
  const lexed = lex(text);
  const spans: HighlightSpan[] = [];
  const tokens = lexed.tokens;
  let inStage = false;
  let stageHead: IToken | undefined;
  let timeLeft = 0;
  let valueDepth = 0;
  for (let i = 0; i < tokens.length; i += 1) {
    const t = tokens[i] as IToken;
    const prev = tokens[i - 1];
    const next = tokens[i + 1];
    const start = t.startOffset;
    const end = start + t.image.length;
    let category: HighlightCategory;
    if (is(t, T.Pipe)) {
      inStage = true;
      timeLeft = 0;
      stageHead = undefined;
      category = 'pipe';
    } else if (is(t, T.Eq) || is(t, T.AmpAmp) || is(t, T.PipePipe) || is(t, T.BadString))
      category = 'error';
    else if (is(t, T.StringLit)) {
      category = timeLeft > 0 ? 'time' : 'string';
      if (timeLeft > 0) timeLeft -= 1;
    } else if (is(t, T.Param)) category = 'param';
    else if (is(t, T.LParen) || is(t, T.LBracket)) {
      if (valueDepth > 0 || is(prev, T.Colon) || is(prev, T.In)) valueDepth += 1;
      category = 'operator';
    } else if (is(t, T.RParen) || is(t, T.RBracket)) {
      if (valueDepth > 0) valueDepth -= 1;
      category = 'operator';
    } else if (timeLeft > 0 && (is(t, T.Today) || is(t, T.Yesterday))) {
      timeLeft -= 1;
      category = 'time';
    } else if (isTimeKw(t) && !is(prev, T.Colon) && valueDepth === 0 && !inStage) {
      timeLeft = is(t, T.Today) || is(t, T.Yesterday) ? 0 : is(t, T.Between) ? 2 : 1;
      category = 'keyword';
    } else if (timeLeft > 0 && is(t, T.And)) category = 'keyword';
    else if (
      is(t, T.To) &&
      is(prev, T.Word) &&
      tokens.slice(0, i).some((x) => is(x, T.From)) &&
      valueDepth === 0
    ) {
      timeLeft = 1;
      category = 'keyword';
    } else if (is(t, T.Keyword) && !is(prev, T.Colon) && !is(prev, T.CompOp)) {
      timeLeft = 0;
      category = 'keyword';
    } else if (
      is(t, T.Colon) ||
      is(t, T.CompOp) ||
      is(t, T.Minus) ||
      is(t, T.Bang) ||
      is(t, T.Comma)
    )
      category = 'operator';
    else if (timeLeft > 0 && (is(t, T.Word) || is(t, T.Keyword))) {
      timeLeft -= 1;
      category = 'time';
    } else if (inStage) {
      if (!stageHead) {
        stageHead = t;
        category = is(t, T.StageWord) ? 'keyword' : 'error';
      } else if (
        is(t, T.By) ||
        is(t, T.Asc) ||
        is(t, T.Desc) ||
        (is(t, T.Count) && is(stageHead, T.Timechart))
      )
        category = 'keyword';
      else if (
        NUMBER.test(t.image) ||
        (is(stageHead, T.Timechart) && /^\d+[smhdw]$/i.test(t.image))
      )
        category = 'number';
      else category = 'field';
    } else if (
      is(next, T.Colon) ||
      is(next, T.CompOp) ||
      is(next, T.Eq) ||
      is(next, T.In) ||
      (is(next, T.Not) && is(tokens[i + 2], T.In)) ||
      (is(next, T.LBracket) && t.image.toLowerCase() === 'attr')
    )
      category = 'field';
    else category = NUMBER.test(t.image) ? 'number' : 'value';
    spans.push({ start, end, category });
  }
  for (const c of lexed.comments)
    spans.push({ start: c.startOffset, end: c.startOffset + c.image.length, category: 'comment' });
  for (const e of lexed.errors)
    spans.push({ start: e.offset, end: e.offset + Math.max(1, e.length), category: 'error' });
  return spans.sort((a, b) => a.start - b.start);
}

/** One completion. @since 0.1.0 */
export interface CompletionItem {
  readonly label: string;
  readonly kind: 'field' | 'keyword' | 'event' | 'value' | 'stage' | 'time' | 'operator';
  /** The text to insert in place of the replace span. */
  readonly insertText: string;
  readonly detail?: string;
}

/** Completions at a cursor and the span of text they replace. @since 0.1.0 */
export interface Completions {
  readonly items: readonly CompletionItem[];
  readonly replace: { readonly start: number; readonly end: number };
}

const PARTIAL = /[A-Za-z0-9_.@/*?\-$]/;

/** Fuzzy score of a candidate against what was typed (0: no match). */
function score(label: string, typed: string): number {
  if (typed === '') return 1;
  const l = label.toLowerCase();
  const t = typed.toLowerCase();
  if (l === t) return 5;
  if (l.startsWith(t)) return 4;
  if (l.includes(`_${t}`) || l.includes(`.${t}`)) return 3;
  if (l.includes(t)) return 2;
  let j = 0;
  for (const c of l) if (c === t[j]) j += 1;
  return j === t.length ? 1 : 0;
}

const TIME_SUGGESTIONS: readonly [string, string][] = [
  ['24h', 'the last 24 hours'],
  ['7d', 'the last 7 days'],
  ['30d', 'the last 30 days'],
  ['90d', 'the whole lookback'],
  ['1h', 'the last hour'],
  ['now', 'the current time'],
  ['-1d@d', 'yesterday midnight'],
  ['today', 'midnight today'],
  ['yesterday', 'midnight yesterday'],
];

const KEYWORD_TEXT = new Map<TokenType, string>([
  [T.And, 'AND'],
  [T.Or, 'OR'],
  [T.Not, 'NOT'],
  [T.In, 'IN'],
  [T.To, 'TO'],
  [T.Since, 'since'],
  [T.Last, 'last'],
  [T.Between, 'between'],
  [T.From, 'from'],
  [T.Until, 'until'],
  [T.Today, 'today'],
  [T.Yesterday, 'yesterday'],
  [T.By, 'by'],
  [T.Asc, 'asc'],
  [T.Desc, 'desc'],
  [T.Pipe, '|'],
]);

/** The field a value position belongs to (`type:`, `type:(a OR `, `type IN (`). */
function valueField(tokens: readonly IToken[]): string | undefined {
  let depth = 0;
  for (let i = tokens.length - 1; i >= 0; i -= 1) {
    const t = tokens[i] as IToken;
    if (is(t, T.RParen) || is(t, T.RBracket)) depth += 1;
    else if (is(t, T.LParen) || is(t, T.LBracket)) {
      if (depth === 0) {
        const before = tokens[i - 1];
        if (is(before, T.Colon) || is(before, T.In)) {
          const f = tokens[i - 2];
          return f && !is(f, T.Not) ? f.image : tokens[i - 3]?.image;
        }
        return undefined;
      }
      depth -= 1;
    } else if (
      depth === 0 &&
      i === tokens.length - 1 &&
      (is(t, T.Colon) || is(t, T.CompOp) || is(t, T.Eq))
    )
      return tokens[i - 1]?.image;
    else if (
      depth === 0 &&
      i < tokens.length - 1 &&
      !(
        is(t, T.Or) ||
        is(t, T.And) ||
        is(t, T.Not) ||
        is(t, T.Comma) ||
        is(t, T.Word) ||
        is(t, T.StringLit) ||
        is(t, T.To)
      )
    )
      return undefined;
  }
  return undefined;
}

/**
 * Completions at `offset`: fields (aliases and attributes), keywords, event ids, enum values,
 * stages and times, fuzzily matched against the word being typed, with the span to replace.
 * @since 0.1.0
 */
export function complete(
  text: string,
  offset: number,
  catalog: Catalog = defaultCatalog,
): Completions {
  const at = Math.max(0, Math.min(offset, text.length));
  let start = at;
  while (start > 0 && PARTIAL.test(text[start - 1] ?? '')) start -= 1;
  let end = at;
  while (end < text.length && PARTIAL.test(text[end] ?? '')) end += 1;
  const typed = text.slice(start, at);
  const before = lex(text.slice(0, start)).tokens;
  const index = indexCatalog(catalog);
  const items: (CompletionItem & { score: number; rank: number })[] = [];
  const add = (
    label: string,
    kind: CompletionItem['kind'],
    rank: number,
    insertText = label,
    detail?: string,
  ): void => {
    const s = score(label, typed.replace(/^\$/, ''));
    if (s > 0 && !items.some((i) => i.label === label && i.kind === kind))
      items.push({ label, kind, insertText, ...(detail ? { detail } : {}), score: s, rank });
  };
  const last = before[before.length - 1];
  const lastPipe = before
    .map((t, i) => (is(t, T.Pipe) ? i : -1))
    .reduce((a, b) => Math.max(a, b), -1);
  const fieldNames = (asTerm: boolean): void => {
    // After `fields` or an aggregation, a stage names the columns the rows have by then.
    const columns = asTerm ? undefined : projectedColumns(before, lastPipe);
    if (columns !== undefined) {
      for (const c of columns) add(c, 'field', 0, c, 'a column of the rows here');
      return;
    }
    for (const f of catalog.fields) {
      add(f.name, 'field', 1, asTerm ? `${f.name}:` : f.name, f.description);
      for (const alias of f.aliases ?? [])
        add(alias, 'field', 2, asTerm ? `${alias}:` : alias, `same as ${f.name}`);
    }
    for (const a of catalog.attributes)
      add(a.name, 'field', 3, asTerm ? `${a.name}:` : a.name, a.description);
  };

  /** The values of field `vf`: its event ids, its closed set, or its attribute's examples. */
  const valuesOf = (vf: string): void => {
    const def = index.fields.get(vf.toLowerCase());
    if (def?.target === 'event')
      for (const e of catalog.events)
        add(e.id, 'event', 0, e.id, `${e.kind} event: ${e.description}`);
    else if (def?.values) for (const v of def.values) add(v, 'value', 0);
    else {
      const attr = catalog.attributes.find(
        (a) => a.name.toLowerCase() === (def?.attribute ?? vf).toLowerCase(),
      );
      for (const v of attr?.examples ?? []) add(v, 'value', 0);
    }
  };

  // Inside a quoted string: a value of the field before it (quoted values are literal, so no
  // `*`), or nothing once other text is in the quotes — never field names.
  if (
    is(last, T.BadString) &&
    last !== undefined &&
    last.startOffset + last.image.length === start
  ) {
    const vf = last.image.length === 1 ? valueField(before.slice(0, -1)) : undefined;
    if (vf !== undefined) valuesOf(vf);
    return finish(items, start, end);
  }

  if (lastPipe >= 0) {
    const stage = before.slice(lastPipe + 1);
    const head = stage[0];
    if (!head) {
      for (const s of STAGE_NAMES) add(s, 'stage', 0, s);
    } else if (
      is(last, T.Comma) ||
      is(last, T.By) ||
      is(last, T.Fields) ||
      is(last, T.Dedup) ||
      is(last, T.Sort)
    )
      fieldNames(false);
    else if (is(head, T.Top) && stage.length === 2 && /^\d+$/.test(last?.image ?? ''))
      fieldNames(false);
    else if (is(head, T.Top) && stage.length === 1) fieldNames(false);
    else if (is(head, T.Timechart) && stage.length === 1)
      for (const i of ['1h', '15m', '1d', '1w']) add(i, 'time', 0);
    else {
      if (is(head, T.Sort)) {
        add('asc', 'keyword', 0);
        add('desc', 'keyword', 0);
      }
      if ((is(head, T.Count) && stage.length === 1) || (is(head, T.Timechart) && stage.length >= 2))
        add('by', 'keyword', 0, 'by ');
      add('|', 'operator', 2, '| ');
    }
    return finish(items, start, end);
  }

  const vf = valueField(before);
  if (vf !== undefined) {
    valuesOf(vf);
    add('*', 'value', 5, '*', 'any value (present)');
    return finish(items, start, end);
  }

  if (
    isTimeKw(last) ||
    (is(last, T.And) && before.some((t) => is(t, T.Between))) ||
    (is(last, T.To) && before.some((t) => is(t, T.From)))
  ) {
    for (const [v, d] of TIME_SUGGESTIONS) add(v, 'time', 0, v, d);
    return finish(items, start, end);
  }

  // Syntax: what may come next, from chevrotain's content assist.
  let next: TokenType[] = [];
  try {
    next = baqlParser.computeContentAssist(START_RULE, before).map((s) => s.nextTokenType);
  } catch {
    next = [];
  }
  const wantsTerm =
    before.length === 0 || next.some((t) => t === T.Word || t === T.StageWord) || next.length === 0;
  if (wantsTerm) fieldNames(true);
  for (const t of next) {
    const kw = KEYWORD_TEXT.get(t);
    if (kw && t !== T.To && t !== T.In && t !== T.By && t !== T.Asc && t !== T.Desc)
      add(
        kw,
        kw === '|' ? 'operator' : 'keyword',
        before.length > 0 && typed === '' ? 0 : 2,
        `${kw} `,
      );
  }
  if (before.length === 0)
    for (const k of ['NOT', 'since', 'last', 'between', 'from', 'today', 'yesterday'])
      add(k, 'keyword', 2, `${k} `);
  return finish(items, start, end);
}

/**
 * The columns the rows have when the stage after `before[lastPipe]` starts, if an earlier stage
 * (`fields`, `count`, `top`, `timechart`) projected them; undefined while rows are records.
 */
function projectedColumns(before: readonly IToken[], lastPipe: number): string[] | undefined {
  let columns: string[] | undefined;
  let stage: IToken[] = [];
  const close = (): void => {
    const [head, ...rest] = stage;
    const words = (from: readonly IToken[]) =>
      from.filter((t) => is(t, T.Word)).map((t) => t.image);
    const byAt = rest.findIndex((t) => is(t, T.By));
    const by = byAt < 0 ? [] : words(rest.slice(byAt + 1));
    if (is(head, T.Fields)) columns = words(rest);
    else if (is(head, T.Count)) columns = [...by, 'count'];
    else if (is(head, T.Top))
      columns = [...words(rest).filter((w) => !/^\d+$/.test(w)), 'count', 'percent'];
    else if (is(head, T.Timechart)) columns = ['time', ...by, 'count'];
    stage = [];
  };
  let inPipeline = false;
  for (let i = 0; i < lastPipe; i += 1) {
    const t = before[i] as IToken;
    if (is(t, T.Pipe)) {
      if (inPipeline) close();
      inPipeline = true;
    } else if (inPipeline) stage.push(t);
  }
  if (inPipeline) close();
  return columns;
}

function finish(
  items: (CompletionItem & { score: number; rank: number })[],
  start: number,
  end: number,
): Completions {
  items.sort((a, b) => b.score - a.score || a.rank - b.rank || a.label.localeCompare(b.label));
  return {
    items: items.map(({ score: _s, rank: _r, ...i }) => i),
    replace: { start, end },
  };
}
