/**
 * The fast lexer: a hand-written single pass that produces exactly the tokens of the chevrotain
 * lexer in `tokens.ts` (a property test compares them on random input), several times faster.
 * Parsing, highlighting, completion and `isComplete` all use it.
 *
 * @since 0.1.0
 * @module
 */
import { createTokenInstance, type IToken, type TokenType } from 'chevrotain';
import * as T from './tokens.js';

/** A lexical error: characters no token matches. @since 0.1.0 */
export interface LexError {
  readonly offset: number;
  readonly length: number;
}

/** The tokens of a text, its comments and its lexical errors. @since 0.1.0 */
export interface Lexed {
  readonly tokens: IToken[];
  readonly comments: IToken[];
  readonly errors: LexError[];
}

const KEYWORDS = new Map<string, TokenType>([
  ['and', T.And],
  ['or', T.Or],
  ['not', T.Not],
  ['in', T.In],
  ['to', T.To],
  ['since', T.Since],
  ['last', T.Last],
  ['between', T.Between],
  ['from', T.From],
  ['until', T.Until],
  ['today', T.Today],
  ['yesterday', T.Yesterday],
  ['fields', T.Fields],
  ['sort', T.Sort],
  ['limit', T.Limit],
  ['count', T.Count],
  ['by', T.By],
  ['top', T.Top],
  ['dedup', T.Dedup],
  ['timechart', T.Timechart],
  ['asc', T.Asc],
  ['desc', T.Desc],
]);

const isLetter = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
/** The characters a keyword may not be followed by: `[A-Za-z0-9_.@/*?-]`. */
const isKeywordTail = (c: number): boolean =>
  isLetter(c) ||
  (c >= 48 && c <= 57) ||
  c === 95 ||
  c === 46 ||
  c === 64 ||
  c === 47 ||
  c === 42 ||
  c === 63 ||
  c === 45;
const isLineEnd = (c: number): boolean => c === 10 || c === 13 || c === 0x2028 || c === 0x2029;

function quoted(text: string, i: number, q: number): number {
  // Returns the end of a closed string starting at i (quote q), or -1.
  let j = i + 1;
  while (j < text.length) {
    const c = text.charCodeAt(j);
    if (c === q) return j + 1;
    if (c === 92) {
      if (j + 1 < text.length && !isLineEnd(text.charCodeAt(j + 1))) {
        j += 2;
        continue;
      }
      return -1;
    }
    if (c === 10 || c === 13) return -1;
    j += 1;
  }
  return -1;
}

function badString(text: string, i: number): number {
  let j = i + 1;
  while (j < text.length) {
    const c = text.charCodeAt(j);
    if (c === 34 || c === 39 || c === 10 || c === 13) break;
    if (c === 92) {
      if (j + 1 < text.length && !isLineEnd(text.charCodeAt(j + 1))) {
        j += 2;
        continue;
      }
      break;
    }
    j += 1;
  }
  return j;
}

const OPS: readonly (readonly [string, TokenType])[] = [
  ['>=', T.Ge],
  ['<=', T.Le],
  ['!=', T.Ne],
  ['>', T.Gt],
  ['<', T.Lt],
  ['==', T.Eq],
  ['=', T.Eq],
  ['&&', T.AmpAmp],
  ['||', T.PipePipe],
  ['|', T.Pipe],
  ['!', T.Bang],
  ['-', T.Minus],
  [':', T.Colon],
  [',', T.Comma],
  ['(', T.LParen],
  [')', T.RParen],
  ['[', T.LBracket],
  [']', T.RBracket],
];

const tok = (type: TokenType, image: string, start: number): IToken =>
  createTokenInstance(
    type,
    image,
    start,
    start + image.length - 1,
    Number.NaN,
    Number.NaN,
    Number.NaN,
    Number.NaN,
  );

/** Matches one token at `i` (not whitespace/comment); undefined when nothing matches. */
function matchAt(text: string, i: number, tokens: IToken[]): IToken | undefined {
  const c = text.charCodeAt(i);
  if (isLetter(c)) {
    let j = i + 1;
    while (j < text.length && isLetter(text.charCodeAt(j))) j += 1;
    const kw =
      j - i <= 9 && !(j < text.length && isKeywordTail(text.charCodeAt(j)))
        ? keywordAt(text, i, j)
        : undefined;
    const end = T.wordEnd(text, i, tokens[tokens.length - 1]?.tokenType, j - i);
    if (kw && !(end > j)) return tok(kw, text.slice(i, j), i);
    if (end >= 0) return tok(T.Word, text.slice(i, end), i);
  }
  // Like the chevrotain lexer (whose first-character table is ASCII), a word starts with ASCII.
  const end = c < 128 ? T.wordEnd(text, i, tokens[tokens.length - 1]?.tokenType) : -1;
  if (end >= 0) return tok(T.Word, text.slice(i, end), i);
  if (c === 36) {
    const m = /^\$[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i, i + 256));
    if (m) return tok(T.Param, m[0], i);
  }
  if (c === 34 || c === 39) {
    const end = quoted(text, i, c);
    if (end > 0) return tok(c === 34 ? T.DqString : T.SqString, text.slice(i, end), i);
    return tok(T.BadString, text.slice(i, badString(text, i)), i);
  }
  const op = opAt(c, text.charCodeAt(i + 1));
  if (op) return tok(op[1], op[0], i);
  return undefined;
}

/** The operator starting with `c` (then `d`), longest first, as in {@link OPS}. */
function opAt(c: number, d: number): readonly [string, TokenType] | undefined {
  switch (c) {
    case 62: // >
      return d === 61 ? OP_GE : OP_GT;
    case 60: // <
      return d === 61 ? OP_LE : OP_LT;
    case 33: // !
      return d === 61 ? OP_NE : OP_BANG;
    case 61: // =
      return d === 61 ? OP_EQEQ : OP_EQ;
    case 38: // &
      return d === 38 ? OP_AMPAMP : undefined;
    case 124: // |
      return d === 124 ? OP_PIPEPIPE : OP_PIPE;
    default:
      return SINGLE_OPS.get(c);
  }
}

const opOf = (s: string): readonly [string, TokenType] => {
  const found = OPS.find(([o]) => o === s);
  if (!found) throw new Error(`no operator ${s}`);
  return found;
};
const OP_GE = opOf('>=');
const OP_GT = opOf('>');
const OP_LE = opOf('<=');
const OP_LT = opOf('<');
const OP_NE = opOf('!=');
const OP_BANG = opOf('!');
const OP_EQEQ = opOf('==');
const OP_EQ = opOf('=');
const OP_AMPAMP = opOf('&&');
const OP_PIPEPIPE = opOf('||');
const OP_PIPE = opOf('|');
const SINGLE_OPS: ReadonlyMap<number, readonly [string, TokenType]> = new Map(
  OPS.filter(([o]) => o.length === 1 && !'><!=|'.includes(o)).map((op) => [
    op[0].charCodeAt(0),
    op,
  ]),
);

/**
 * Keywords by a small key — length, first and last letter (lowercase) — so {@link keywordAt}
 * compares at most one candidate, in place, without slicing. No two keywords share a key (checked
 * here, at load).
 */
const KEYWORD_BY_SHAPE: ReadonlyMap<number, readonly [string, TokenType]> = (() => {
  const out = new Map<number, readonly [string, TokenType]>();
  for (const [w, type] of KEYWORDS) {
    const key = shapeKey(w.length, w.charCodeAt(0), w.charCodeAt(w.length - 1));
    if (out.has(key)) throw new Error(`keywords ${w} and ${out.get(key)?.[0]} share a shape`);
    out.set(key, [w, type]);
  }
  return out;
})();

function shapeKey(length: number, first: number, last: number): number {
  // `| 32` lowercases A-Z and keeps a-z (the caller scanned letters only).
  return length * 65_536 + (first | 32) * 256 + (last | 32);
}

/** The keyword spelled (in any case) by the letters `text[i..j)`, if any. */
function keywordAt(text: string, i: number, j: number): TokenType | undefined {
  const candidate = KEYWORD_BY_SHAPE.get(
    shapeKey(j - i, text.charCodeAt(i), text.charCodeAt(j - 1)),
  );
  if (candidate === undefined) return undefined;
  const w = candidate[0];
  for (let k = 1; k < w.length - 1; k += 1)
    if ((text.charCodeAt(i + k) | 32) !== w.charCodeAt(k)) return undefined;
  return candidate[1];
}

/**
 * Lexes a text. Never throws: unknown characters become {@link LexError}s (a run of them is one
 * error), and lexing goes on after them.
 * @since 0.1.0
 */
export function lex(text: string): Lexed {
  const tokens: IToken[] = [];
  const comments: IToken[] = [];
  const errors: LexError[] = [];
  let i = 0;
  let errorStart = -1;
  const n = text.length;
  while (i < n) {
    const start = i;
    const c = text.charCodeAt(i);
    let matched = true;
    if (c === 32 || c === 9 || c === 10 || c === 13) {
      i += 1;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d === 32 || d === 9 || d === 10 || d === 13) i += 1;
        else break;
      }
    } else if (c === 35) {
      let j = i + 1;
      while (j < n && text.charCodeAt(j) !== 10 && text.charCodeAt(j) !== 13) j += 1;
      comments.push(tok(T.Comment, text.slice(i, j), i));
      i = j;
    } else {
      const t = matchAt(text, i, tokens);
      if (t) {
        tokens.push(t);
        i += t.image.length;
      } else matched = false;
    }
    if (matched) {
      if (errorStart >= 0) {
        errors.push({ offset: errorStart, length: start - errorStart });
        errorStart = -1;
      }
    } else {
      if (errorStart < 0) errorStart = i;
      i += 1;
    }
  }
  if (errorStart >= 0) errors.push({ offset: errorStart, length: n - errorStart });
  return { tokens, comments, errors };
}

/**
 * Whether `text` holds no query at all: nothing but whitespace and `#` comments. Such a text
 * parses as the empty query, which matches every event of the window, so the CLI, the kernel and
 * the service refuse it (or do nothing) instead of running it.
 *
 * @example
 * isBlankQuery('  # failed logins\n')  // true
 * isBlankQuery('type:login # the event') // false
 * @since 0.1.0
 */
export function isBlankQuery(text: string): boolean {
  const { tokens, errors } = lex(text);
  return tokens.length === 0 && errors.length === 0;
}

/** One `@name` macro reference in a query text. @since 0.1.0 */
export interface MacroReference {
  readonly name: string;
  /** Offsets of the `@name` in the text. */
  readonly start: number;
  readonly end: number;
}

const MACRO_WORD = /^@([A-Za-z_][\w-]*)$/;

/**
 * The `@name` macro references of a query text: words that are an `@` and a name, outside
 * strings and comments. An `@` inside a word (`user:a@b.c`, `-1d@d`, `now@h`) is not one.
 *
 * @example
 * macroReferences('@failedLogins since 1d user:a@b.c') // [{ name: 'failedLogins', start: 0, end: 13 }]
 * @since 0.1.0
 */
export function macroReferences(text: string): MacroReference[] {
  if (!text.includes('@')) return [];
  const out: MacroReference[] = [];
  for (const t of lex(text).tokens) {
    if (t.tokenType !== T.Word) continue;
    const m = MACRO_WORD.exec(t.image);
    if (m !== null)
      out.push({ name: m[1] as string, start: t.startOffset, end: t.startOffset + t.image.length });
  }
  return out;
}
