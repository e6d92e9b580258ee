/**
 * Editor assistance from the query language: colouring the typed text with the parser's own
 * lexer (`highlight`) and Tab completion (`complete`) with fuzzy matching of what was typed.
 */
import type { Catalog } from '@baql/query';
import { tools, type Query } from '../lang.js';
import type { CompletionItem, Completions } from './line-editor.js';

/** A highlighted range of the text, as `@baql/query`'s `highlight` reports it. */
interface TokenSpan {
  readonly start: number;
  readonly end: number;
  readonly kind: string;
}

const COLOURS: Readonly<Record<string, string>> = {
  keyword: '\x1b[35m',
  operator: '\x1b[35m',
  field: '\x1b[36m',
  value: '\x1b[32m',
  string: '\x1b[33m',
  number: '\x1b[34m',
  time: '\x1b[34m',
  duration: '\x1b[34m',
  param: '\x1b[95m',
  parameter: '\x1b[95m',
  comment: '\x1b[2m',
  pipe: '\x1b[1m',
  stage: '\x1b[1;35m',
  punctuation: '',
  error: '\x1b[4;31m',
};

/** Colours `text` from token spans; unknown kinds stay plain. */
export function colourSpans(text: string, spans: readonly TokenSpan[]): string {
  let out = '';
  let at = 0;
  for (const span of [...spans].sort((a, b) => a.start - b.start)) {
    if (span.start < at || span.end > text.length || span.end <= span.start) continue;
    out += text.slice(at, span.start);
    const colour = COLOURS[span.kind.toLowerCase()] ?? '';
    const piece = text.slice(span.start, span.end);
    // Colour each physical line separately: the editor draws prompts between lines.
    out += colour
      ? piece
          .split('\n')
          .map((p) => (p ? `${colour}${p}\x1b[0m` : p))
          .join('\n')
      : piece;
    at = span.end;
  }
  return out + text.slice(at);
}

/** A highlighter over the query language's lexer. */
export function createHighlighter(query: Query): (text: string) => string {
  return (text) => {
    const result: unknown = tools(query).highlight(text);
    if (typeof result === 'string') return result;
    const spans = Array.isArray(result)
      ? result
      : ((result as { tokens?: unknown[] }).tokens ?? []);
    return colourSpans(
      text,
      spans.map(toSpan).filter((s): s is TokenSpan => s !== undefined),
    );
  };
}

function toSpan(token: unknown): TokenSpan | undefined {
  if (typeof token !== 'object' || token === null) return undefined;
  const t = token as {
    start?: unknown;
    end?: unknown;
    offset?: unknown;
    length?: unknown;
    kind?: unknown;
    type?: unknown;
  };
  const start =
    typeof t.start === 'number' ? t.start : typeof t.offset === 'number' ? t.offset : undefined;
  const end =
    typeof t.end === 'number'
      ? t.end
      : start !== undefined && typeof t.length === 'number'
        ? start + t.length
        : undefined;
  const kind =
    typeof t.kind === 'string' ? t.kind : typeof t.type === 'string' ? t.type : undefined;
  if (start === undefined || end === undefined || kind === undefined) return undefined;
  return { start, end, kind };
}

/**
 * Fuzzy score of `candidate` for what was typed: prefix matches first, then substring, then
 * subsequence (`mfach` → `mfaChallenge`); undefined when it does not match at all.
 */
export function fuzzyScore(typed: string, candidate: string): number | undefined {
  const t = typed.toLowerCase();
  const c = candidate.toLowerCase();
  if (t === '') return 0;
  if (c.startsWith(t)) return 1000 - c.length;
  const i = c.indexOf(t);
  if (i >= 0) return 500 - i - c.length;
  let at = 0;
  let gaps = 0;
  for (const ch of t) {
    const next = c.indexOf(ch, at);
    if (next < 0) return undefined;
    gaps += next - at;
    at = next + 1;
  }
  return 100 - gaps - c.length;
}

/** Ranks `items` by {@link fuzzyScore} against `typed`, dropping those that do not match. */
export function fuzzyFilter(typed: string, items: readonly CompletionItem[]): CompletionItem[] {
  return items
    .map((item) => ({ item, score: fuzzyScore(typed, item.label) }))
    .filter((x): x is { item: CompletionItem; score: number } => x.score !== undefined)
    .sort((a, b) => b.score - a.score)
    .map((x) => x.item);
}

function toItem(raw: unknown): CompletionItem | undefined {
  if (typeof raw === 'string') return { label: raw };
  if (typeof raw !== 'object' || raw === null) return undefined;
  const r = raw as {
    label?: unknown;
    text?: unknown;
    insert?: unknown;
    insertText?: unknown;
    detail?: unknown;
  };
  const label =
    typeof r.label === 'string' ? r.label : typeof r.text === 'string' ? r.text : undefined;
  if (label === undefined) return undefined;
  const insert =
    typeof r.insertText === 'string'
      ? r.insertText
      : typeof r.insert === 'string'
        ? r.insert
        : undefined;
  return { label, insert, detail: typeof r.detail === 'string' ? r.detail : undefined };
}

/**
 * A completer over `complete()`: asks for the candidates at the cursor; when what was typed is
 * not a prefix of any, asks again at the start of the word and ranks every candidate fuzzily.
 */
export function createCompleter(
  query: Query,
  catalog: Catalog | undefined,
): (text: string, cursor: number) => Completions | undefined {
  const ask = (text: string, offset: number) => {
    const result = tools(query).complete(text, offset, catalog) as {
      items: readonly unknown[];
      replace: { start: number; end: number };
    };
    const items = result.items.map(toItem).filter((i): i is CompletionItem => i !== undefined);
    return { items, replace: result.replace };
  };
  return (text, cursor) => {
    const first = ask(text, cursor);
    const typed = text.slice(first.replace.start, cursor);
    const direct = fuzzyFilter(typed, first.items);
    if (direct.length > 0)
      return { items: direct, replace: { start: first.replace.start, end: cursor } };
    if (typed === '') return undefined;
    // Nothing starts with what was typed: take every candidate at the word's start, fuzzily.
    const stripped = text.slice(0, first.replace.start) + text.slice(cursor);
    const all = ask(stripped, first.replace.start);
    const ranked = fuzzyFilter(typed, all.items);
    return ranked.length === 0
      ? undefined
      : { items: ranked, replace: { start: first.replace.start, end: cursor } };
  };
}
