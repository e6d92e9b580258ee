/**
 * The BAQL lexer: one chevrotain lexer, built once, shared by the parser, completion, the
 * highlighter and `isComplete`.
 *
 * Bare words are matched by a context-aware matcher: a word may contain `:` only in a value
 * position (right after `:` or a comparison) or when it starts with a digit (times such as
 * `2026-11-01T10:00:00+02:00`), so `user:123` lexes as field, colon, value.
 *
 * @since 0.1.0
 * @module
 */
import { createToken, Lexer, type IToken, type TokenType } from 'chevrotain';

/** Every keyword (reserved: not a field name; still allowed as a value). */
export const Keyword = createToken({ name: 'Keyword', pattern: Lexer.NA });
/** Pipeline words: allowed as field names too. */
export const StageWord = createToken({ name: 'StageWord', pattern: Lexer.NA });
/** Comparison operators. */
export const CompOp = createToken({ name: 'CompOp', pattern: Lexer.NA });
/** Quoted strings (terminated or not). */
export const StringLit = createToken({
  name: 'StringLit',
  pattern: Lexer.NA,
  label: 'a quoted string',
});

const BASE = new Uint8Array(128);
for (const c of 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.@/*?')
  BASE[c.charCodeAt(0)] = 1;
/** Letters, digits and `_ . @ / * ?` (and any character from U+00C0 up). */
/** Letters, digits and `_ . @ / * ?` (and any character from U+00C0 up); NaN (past the end) is not. */
const isBase = (code: number): boolean => (code < 128 ? BASE[code] === 1 : code >= 0xc0);
const isDigit = (code: number): boolean => code >= 48 && code <= 57;

/**
 * Where the bare word starting at `offset` ends (exclusive), or -1 when none starts there.
 * `previous` is the type of the token before it: after `:` or a comparison (a value position) a
 * word may contain `:`. Character codes, not one-character strings: this runs for every word.
 * `letters` says how many characters from `offset` the caller already knows to be ASCII letters
 * (they are not scanned again).
 */
export function wordEnd(
  text: string,
  offset: number,
  previous: TokenType | undefined,
  letters = 0,
): number {
  const first = text.charCodeAt(offset);
  let i = offset;
  if (first === 45 /* - */ || first === 43 /* + */) {
    // A signed number or relative time (`-24h`, `+1h`); `-type:x` is NOT, not a word.
    if (!isDigit(text.charCodeAt(offset + 1))) return -1;
    i += 1;
  } else if (!isBase(first)) return -1;
  const startsWithDigit = isDigit(text.charCodeAt(i));
  const valuePosition =
    previous !== undefined &&
    (previous === Colon ||
      previous === Ge ||
      previous === Le ||
      previous === Ne ||
      previous === Gt ||
      previous === Lt ||
      previous === Eq);
  if (letters > 1) i = offset + letters;
  for (;;) {
    const c = text.charCodeAt(i);
    if (isBase(c) || c === 45 /* - */) i += 1;
    else if (c === 43 /* + */ && (startsWithDigit || isDigit(text.charCodeAt(i + 1)))) i += 1;
    else if (
      c === 58 /* : */ &&
      ((valuePosition && (isBase(text.charCodeAt(i + 1)) || text.charCodeAt(i + 1) === 58)) ||
        (startsWithDigit && isDigit(text.charCodeAt(i + 1))))
    )
      i += 1;
    else break;
  }
  return i;
}

/** The custom matcher of {@link Word} (chevrotain's custom pattern signature). */
export function matchWord(text: string, offset: number, tokens: IToken[]): [string] | null {
  const end = wordEnd(text, offset, tokens[tokens.length - 1]?.tokenType);
  return end < 0 ? null : [text.slice(offset, end)];
}

/** A bare word: field name, value, number, duration, time, wildcard pattern. */
export const Word = createToken({
  name: 'Word',
  pattern: { exec: matchWord },
  line_breaks: false,
  start_chars_hint: [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.@/*?-+'],
  label: 'a value',
});

const kw = (name: string, word: string, categories: TokenType[] = [Keyword]): TokenType =>
  createToken({
    name,
    pattern: new RegExp(`${word}(?![A-Za-z0-9_.@/*?\\-])`, 'i'),
    longer_alt: Word,
    categories,
    label: `\`${word.toUpperCase() === word ? word : word}\``,
  });

export const And = kw('And', 'and');
export const Or = kw('Or', 'or');
export const Not = kw('Not', 'not');
export const In = kw('In', 'in');
export const To = kw('To', 'to');
export const Since = kw('Since', 'since');
export const Last = kw('Last', 'last');
export const Between = kw('Between', 'between');
export const From = kw('From', 'from');
export const Until = kw('Until', 'until');
export const Today = kw('Today', 'today');
export const Yesterday = kw('Yesterday', 'yesterday');

export const Fields = kw('Fields', 'fields', [StageWord]);
export const Sort = kw('Sort', 'sort', [StageWord]);
export const Limit = kw('Limit', 'limit', [StageWord]);
export const Count = kw('Count', 'count', [StageWord]);
export const By = kw('By', 'by', [StageWord]);
export const Top = kw('Top', 'top', [StageWord]);
export const Dedup = kw('Dedup', 'dedup', [StageWord]);
export const Timechart = kw('Timechart', 'timechart', [StageWord]);
export const Asc = kw('Asc', 'asc', [StageWord]);
export const Desc = kw('Desc', 'desc', [StageWord]);

export const Param = createToken({
  name: 'Param',
  pattern: /\$[A-Za-z_][A-Za-z0-9_]*/,
  label: 'a parameter',
});
export const DqString = createToken({
  name: 'DqString',
  pattern: /"(?:[^"\\\r\n]|\\.)*"/,
  categories: [StringLit],
});
export const SqString = createToken({
  name: 'SqString',
  pattern: /'(?:[^'\\\r\n]|\\.)*'/,
  categories: [StringLit],
});
/** A string missing its closing quote (reported, then read as a string). */
export const BadString = createToken({
  name: 'BadString',
  pattern: /["'](?:[^"'\\\r\n]|\\.)*/,
  categories: [StringLit],
});

export const Ge = createToken({ name: 'Ge', pattern: />=/, categories: [CompOp], label: '`>=`' });
export const Le = createToken({ name: 'Le', pattern: /<=/, categories: [CompOp], label: '`<=`' });
export const Ne = createToken({ name: 'Ne', pattern: /!=/, categories: [CompOp], label: '`!=`' });
export const Gt = createToken({ name: 'Gt', pattern: />/, categories: [CompOp], label: '`>`' });
export const Lt = createToken({ name: 'Lt', pattern: /</, categories: [CompOp], label: '`<`' });
/** Foreign `=`/`==` (Splunk, SQL): parsed so the diagnostic can offer the BAQL spelling. */
export const Eq = createToken({ name: 'Eq', pattern: /==?/, label: '`=`' });
export const AmpAmp = createToken({ name: 'AmpAmp', pattern: /&&/, label: '`&&`' });
export const PipePipe = createToken({ name: 'PipePipe', pattern: /\|\|/, label: '`||`' });
export const Pipe = createToken({ name: 'Pipe', pattern: /\|/, label: '`|`' });
export const Bang = createToken({ name: 'Bang', pattern: /!/, label: '`!`' });
export const Minus = createToken({ name: 'Minus', pattern: /-/, label: '`-`' });
export const Colon = createToken({ name: 'Colon', pattern: /:/, label: '`:`' });
export const Comma = createToken({ name: 'Comma', pattern: /,/, label: '`,`' });
export const LParen = createToken({ name: 'LParen', pattern: /\(/, label: '`(`' });
export const RParen = createToken({ name: 'RParen', pattern: /\)/, label: '`)`' });
export const LBracket = createToken({ name: 'LBracket', pattern: /\[/, label: '`[`' });
export const RBracket = createToken({ name: 'RBracket', pattern: /]/, label: '`]`' });
export const Comment = createToken({ name: 'Comment', pattern: /#[^\r\n]*/, group: 'comments' });
export const WhiteSpace = createToken({
  name: 'WhiteSpace',
  pattern: /[ \t\r\n]+/,
  group: Lexer.SKIPPED,
  line_breaks: true,
});

/** Everything but `|`: the arguments of an unknown pipeline stage, skipped after its diagnostic. */
export const AnyArg = createToken({ name: 'AnyArg', pattern: Lexer.NA });

/** The keywords that start a time clause. */
export const TIME_KEYWORDS: readonly TokenType[] = [
  Since,
  Last,
  Between,
  From,
  Until,
  Today,
  Yesterday,
];

/** Every token type, in matching order. */
export const allTokens: TokenType[] = [
  WhiteSpace,
  Comment,
  And,
  Or,
  Not,
  In,
  To,
  Since,
  Last,
  Between,
  From,
  Until,
  Today,
  Yesterday,
  Fields,
  Sort,
  Limit,
  Count,
  By,
  Top,
  Dedup,
  Timechart,
  Asc,
  Desc,
  Word,
  Param,
  DqString,
  SqString,
  BadString,
  Ge,
  Le,
  Ne,
  Gt,
  Lt,
  Eq,
  AmpAmp,
  PipePipe,
  Pipe,
  Bang,
  Minus,
  Colon,
  Comma,
  LParen,
  RParen,
  LBracket,
  RBracket,
  Keyword,
  StageWord,
  CompOp,
  StringLit,
];

for (const t of allTokens) {
  if ([Pipe, WhiteSpace, Comment, AnyArg, Keyword, StageWord, CompOp, StringLit].includes(t))
    continue;
  t.CATEGORIES = [...(t.CATEGORIES ?? []), AnyArg];
}
allTokens.push(AnyArg);

/** The lexer, built once. @since 0.1.0 */
export const baqlLexer = new Lexer(allTokens, {
  positionTracking: 'onlyOffset',
  ensureOptimizations: false,
  errorMessageProvider: {
    buildUnexpectedCharactersMessage: (text, offset, length) =>
      `unexpected character \`${text.slice(offset, offset + Math.max(1, length)).slice(0, 1)}\``,
    buildUnableToPopLexerModeMessage: () => 'internal lexer error',
  },
});
