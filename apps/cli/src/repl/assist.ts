/**
 * Editor assistance from the query language: colouring the typed text with the parser's own
 * lexer (`highlight`) and Tab completion (`complete`, which matches fuzzily).
 */
import type { Catalog } from '@baql/query';
import type { Query } from '../lang.js';
import type { CompletionItem, Completions } from './line-editor.js';

/** A range of the text to colour. */
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

/** A highlighter over the query language's lexer (`highlight` of `@baql/query`). */
export function createHighlighter(query: Query): (text: string) => string {
  return (text) =>
    colourSpans(
      text,
      query
        .highlight(text)
        .map((span) => ({ start: span.start, end: span.end, kind: span.category })),
    );
}

/**
 * A completer over `complete()` of `@baql/query`: fields, keywords, event ids, enum values,
 * stages and times at the cursor, already fuzzily matched and ranked by the language.
 */
export function createCompleter(
  query: Query,
  catalog: Catalog | undefined,
): (text: string, cursor: number) => Completions | undefined {
  return (text, cursor) => {
    const result = query.complete(text, cursor, catalog);
    if (result.items.length === 0) return undefined;
    const items: CompletionItem[] = result.items.map((item) => ({
      label: item.label,
      insert: item.insertText,
      detail: item.detail,
    }));
    return { items, replace: result.replace };
  };
}
