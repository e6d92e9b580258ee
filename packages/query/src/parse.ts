/**
 * `parse(text)`: lex and parse a query into its tree plus every diagnostic, never an exception.
 *
 * @since 0.1.0
 * @module
 */
import { EOF, tokenMatcher, type IRecognitionException, type IToken } from 'chevrotain';
import type { QueryNode } from './ast.js';
import { diagnosticAt, LineIndex, type Diagnostic } from './diagnostic.js';
import { baqlParser } from './grammar.js';
import { lex } from './lexer.js';
import * as T from './tokens.js';

/** The result of {@link parse}: the tree (partial when there are errors) and the diagnostics. @since 0.1.0 */
export interface ParseResult {
  readonly ast: QueryNode;
  readonly diagnostics: readonly Diagnostic[];
}

const found = (t: IToken | undefined): string =>
  !t || t.tokenType === EOF || t.image === '' ? 'the end of the query' : `\`${t.image}\``;

const STAGES = 'fields, sort, limit, count, top, dedup, timechart';

/** Foreign pipeline commands and their BAQL spelling. */
const FOREIGN_STAGES: Readonly<Record<string, string>> = {
  stats: 'count by <field>',
  head: 'limit <n>',
  tail: 'sort time asc | limit <n>',
  table: 'fields <a>, <b>',
  project: 'fields <a>, <b>',
  select: 'fields <a>, <b>',
  take: 'limit <n>',
  summarize: 'count by <field>',
  where: 'put the condition before the first `|`',
  search: 'put the condition before the first `|`',
  order: 'sort <field> desc',
  uniq: 'dedup <field>',
  distinct: 'dedup <field>',
  bin: 'timechart <interval>',
  rename: 'fields <a>, <b>',
};

/** Stage names, for completion and did-you-mean. @since 0.1.0 */
export const STAGE_NAMES: readonly string[] = [
  'fields',
  'sort',
  'limit',
  'count',
  'top',
  'dedup',
  'timechart',
];

function tokenBefore(tokens: readonly IToken[], t: IToken | undefined): IToken | undefined {
  if (!t || !Number.isFinite(t.startOffset)) return tokens[tokens.length - 1];
  let prev: IToken | undefined;
  for (const x of tokens) {
    if (x.startOffset >= t.startOffset) break;
    prev = x;
  }
  return prev;
}

function explainError(
  e: IRecognitionException,
  tokens: readonly IToken[],
  text: string,
): { message: string; start: number; end: number; hints: string[] } {
  const tok = e.token;
  const atEnd = !tok || tok.tokenType === EOF || !Number.isFinite(tok.startOffset);
  const start = atEnd ? text.trimEnd().length : tok.startOffset;
  const end = atEnd ? start : tok.startOffset + Math.max(1, tok.image.length);
  const prev = tokenBefore(tokens, atEnd ? undefined : tok);
  const prev2 = prev ? tokenBefore(tokens, prev) : undefined;
  const rules = e.context?.ruleStack ?? [];
  const rule = rules[rules.length - 1] ?? '';
  const hints: string[] = [];
  const f = found(atEnd ? undefined : tok);

  if (tok && tokenMatcher(tok, T.Comma) && !rules.includes('stage') && !rules.includes('valueList'))
    hints.push('a list is written `field:[a, b]` or `field IN (a, b)`');

  if (prev && tokenMatcher(prev, T.Colon) && ['valueSpec', 'value', 'term'].includes(rule)) {
    const field = prev2 ? `${prev2.image}:` : ':';
    if (tok && tokenMatcher(tok, T.Comma))
      hints.push(`write \`${prev2?.image ?? 'field'}:[a, b]\``);
    return {
      message: `expected a value after \`${field}\`, found ${f}`,
      start,
      end,
      hints: [...hints, 'e.g. `type:login`, `ip:"10.0.0.1"`, `amount:*`'],
    };
  }
  if (prev && tokenMatcher(prev, T.CompOp) && rule === 'value')
    return {
      message: `expected a value after \`${prev2?.image ?? ''} ${prev.image}\`, found ${f}`,
      start,
      end,
      hints,
    };
  if (
    rule === 'timeValue' ||
    (prev && T.TIME_KEYWORDS.some((k) => tokenMatcher(prev, k)) && rule === 'timeClause')
  )
    return {
      message: `expected a time after \`${prev?.image ?? 'since'}\`, found ${f}`,
      start,
      end,
      hints: ['e.g. `7d`, `24h`, `2026-11-01`, `2026-11-01T08:00:00Z`, `now-1d@d`'],
    };
  if (rule === 'timeClause' && prev && tokenMatcher(prev, T.Word) && rules.includes('timeClause'))
    return {
      message: `expected \`and\` in \`between <time> and <time>\`, found ${f}`,
      start,
      end,
      hints: ['e.g. `between 2026-11-01 and 2026-11-07`'],
    };
  if (rule === 'term' && prev) {
    const isBare = prev && tokenMatcher(prev, T.Word);
    if (isBare)
      hints.push(
        `BAQL has no free-text search: write \`field:value\`, e.g. \`type:${prev.image}\` or \`user:${prev.image}\``,
      );
    return {
      message: `expected \`:\` or a comparison after \`${prev.image}\`, found ${f}`,
      start,
      end,
      hints,
    };
  }
  if (rule === 'stage' && prev && (tokenMatcher(prev, T.Limit) || tokenMatcher(prev, T.Timechart)))
    return {
      message: `expected ${tokenMatcher(prev, T.Limit) ? 'a number' : 'an interval such as `1h`'} after \`${prev.image}\`, found ${f}`,
      start,
      end,
      hints,
    };
  if (rule === 'stage' && prev && (tokenMatcher(prev, T.StageWord) || tokenMatcher(prev, T.Comma)))
    return {
      message: `expected a field name after \`${prev.image}\`, found ${f}`,
      start,
      end,
      hints,
    };
  if (rule === 'stage' || (prev && tokenMatcher(prev, T.Pipe)))
    return {
      message: `expected a pipeline stage after \`|\` (${STAGES}), found ${f}`,
      start,
      end,
      hints,
    };
  if (rule === 'fieldRef' || rule === 'fieldList' || rule === 'sortKey')
    return {
      message: `expected a field name after \`${prev?.image ?? ''}\`, found ${f}`,
      start,
      end,
      hints,
    };
  if (rule === 'numberValue')
    return {
      message: `expected a number after \`${prev?.image ?? ''}\`, found ${f}`,
      start,
      end,
      hints,
    };
  if (e.name === 'MismatchedTokenException') {
    if (/RParen|`\)`/.test(e.message))
      return { message: `expected a closing \`)\`, found ${f}`, start, end, hints };
    if (/RBracket|`]`/.test(e.message))
      return { message: `expected a closing \`]\`, found ${f}`, start, end, hints };
  }
  if (e.name === 'NotAllInputParsedException') {
    if (tok && tokenMatcher(tok, T.RParen))
      return { message: 'this `)` has no matching `(`', start, end, hints };
    return { message: `unexpected ${f}`, start, end, hints };
  }
  if (
    tok &&
    T.TIME_KEYWORDS.some((k) => tokenMatcher(tok, k)) &&
    tokenBefore(tokens, tok) &&
    rule !== 'primary'
  )
    return { message: `unexpected ${f}`, start, end, hints };
  if (tok && tokenMatcher(tok, T.Keyword) && (rule === 'primary' || rule === 'unary'))
    return {
      message: `\`${tok.image}\` is a keyword and cannot start a condition here`,
      start,
      end,
      hints: [
        `to search an attribute named \`${tok.image}\`, write \`attr["${tok.image}"]:value\``,
      ],
    };
  const timeBefore = tokens.find(
    (x) => x.startOffset < start && T.TIME_KEYWORDS.some((k) => tokenMatcher(x, k)),
  );
  if (
    timeBefore &&
    tok &&
    tokenMatcher(tok, T.Word) &&
    !tokens.some((x) => tokenMatcher(x, T.Pipe) && x.startOffset < start)
  )
    return {
      message: `unexpected ${f}: the time clause (\`${timeBefore.image} …\`) goes before or after the whole condition`,
      start,
      end,
      hints: ['move the time clause to the end, e.g. `user:1 type:login since 7d`'],
    };
  return {
    message: `expected a condition such as \`field:value\`, a \`(\` or a time clause, found ${f}`,
    start,
    end,
    hints,
  };
}

/** The tree of a query that could not be read: no condition, time or stages. */
const emptyQuery = (end: number): QueryNode => ({
  type: 'query',
  time: [],
  stages: [],
  comments: [],
  range: { start: 0, end },
});

/** The deepest parenthesis nesting a query may have (the parser is recursive). */
const MAX_NESTING = 100;

/** The offset of the first `(` past {@link MAX_NESTING} levels, if any. */
function nestingTooDeep(tokens: readonly IToken[]): number | undefined {
  let depth = 0;
  for (const t of tokens) {
    if (t.tokenType === T.LParen) {
      depth += 1;
      if (depth > MAX_NESTING) return t.startOffset;
    } else if (t.tokenType === T.RParen && depth > 0) depth -= 1;
  }
  return undefined;
}

/**
 * Parses a query. Never throws: syntax errors (several at once, thanks to error recovery),
 * foreign syntax (`type=login`, `&&`, `earliest=-7d`) and lexical errors come back as
 * diagnostics; the tree is partial when there are errors.
 *
 * @example
 * ```ts
 * const { ast, diagnostics } = parse('user:123 type:login since 7d | count by type');
 * ```
 * @since 0.1.0
 */
export function parse(text: string): ParseResult {
  const index = new LineIndex(text);
  const lexed = lex(text);
  const diagnostics: Diagnostic[] = [];
  for (const err of lexed.errors) {
    // One character, not half of a surrogate pair (`😀`).
    const ch = String.fromCodePoint(text.codePointAt(err.offset) ?? 0xfffd);
    const hints: string[] = [];
    if (ch === '&') hints.push('write `AND`');
    if (ch === '~') hints.push('BAQL has no fuzzy search: use wildcards, e.g. `user:ab*`');
    if (ch === '{' || ch === '}') hints.push('ranges are written `field:[a TO b]` or `field:a..b`');
    diagnostics.push(
      diagnosticAt(
        index,
        'error',
        'BAQL_SYNTAX',
        `unexpected character \`${ch}\``,
        err.offset,
        err.offset + Math.max(1, err.length),
        hints,
      ),
    );
  }
  const tooDeep = nestingTooDeep(lexed.tokens);
  if (tooDeep !== undefined) {
    diagnostics.push(
      diagnosticAt(
        index,
        'error',
        'BAQL_TOO_DEEP',
        `the query nests parentheses more than ${MAX_NESTING} deep`,
        tooDeep,
        tooDeep + 1,
        ['write the groups flat: `a OR b OR c` needs no nesting'],
      ),
    );
    return { ast: emptyQuery(text.length), diagnostics };
  }
  const parser = baqlParser;
  let ast: QueryNode;
  try {
    // Fast path: most queries are valid, and recovery costs time on every rule. Only when there
    // are errors, parse again with recovery on to report all of them.
    parser.setRecovery(false);
    parser.input = lexed.tokens;
    parser.notes = [];
    let first = parser.query();
    if (parser.errors.length > 0) {
      parser.setRecovery(true);
      parser.input = lexed.tokens;
      parser.notes = [];
      first = parser.query();
    }
    ast = first ?? {
      type: 'query',
      time: [],
      stages: [],
      comments: [],
      range: { start: 0, end: 0 },
    };
  } catch (e) {
    // Defensive: a grammar action tripped on a recovered node. Report it; never throw.
    // (Never the exception's own text: it is about the parser, not the query.)
    diagnostics.push(
      e instanceof RangeError
        ? diagnosticAt(
            index,
            'error',
            'BAQL_TOO_DEEP',
            'the query is nested too deeply',
            0,
            text.length,
            ['write long chains flat: `a OR b OR c`, one `NOT`'],
          )
        : diagnosticAt(
            index,
            'error',
            'BAQL_SYNTAX',
            'this query could not be read',
            0,
            text.length,
          ),
    );
    return { ast: emptyQuery(text.length), diagnostics };
  }
  // `errors` is a getter that clones the list: read it once.
  const errors = parser.errors;
  const seen = errors.length > 0 ? new Set<string>() : undefined;
  for (const e of errors) {
    const x = explainError(e, lexed.tokens, text);
    const key = `${x.start}:${x.message}`;
    if (seen?.has(key)) continue;
    seen?.add(key);
    diagnostics.push(
      diagnosticAt(index, 'error', 'BAQL_SYNTAX', x.message, x.start, x.end, x.hints),
    );
  }
  for (const n of parser.notes)
    diagnostics.push(diagnosticAt(index, 'error', n.code, n.message, n.start, n.end, n.hints));
  for (const st of ast.stages) {
    if (st.type !== 'unknown' || st.name === '') continue;
    const lower = st.name.toLowerCase();
    const foreign = FOREIGN_STAGES[lower];
    const hints = foreign ? [`write \`| ${foreign}\``] : suggestStage(lower);
    diagnostics.push(
      diagnosticAt(
        index,
        'error',
        foreign ? 'BAQL_FOREIGN_SYNTAX' : 'BAQL_UNKNOWN_STAGE',
        `unknown pipeline stage \`${st.name}\` (stages: ${STAGES})`,
        st.range.start,
        st.range.start + st.name.length,
        hints,
      ),
    );
  }
  const comments = lexed.comments.map((t) => ({
    text: t.image,
    range: { start: t.startOffset, end: t.startOffset + t.image.length },
  }));
  if (diagnostics.length > 1) diagnostics.sort((a, b) => a.span.start.offset - b.span.start.offset);
  // Built by assignment (not a spread): this runs for every query.
  const range = { start: 0, end: text.length };
  const out: QueryNode = ast.filter
    ? { type: 'query', filter: ast.filter, time: ast.time, stages: ast.stages, comments, range }
    : { type: 'query', time: ast.time, stages: ast.stages, comments, range };
  return { ast: out, diagnostics };
}

function suggestStage(word: string): string[] {
  const best = STAGE_NAMES.filter((s) => s.startsWith(word.slice(0, 2)) || levenshtein1(s, word));
  return best.slice(0, 2).map((s) => `did you mean \`${s}\`?`);
}

function levenshtein1(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 2) return false;
  let diff = 0;
  for (let i = 0; i < Math.max(a.length, b.length); i += 1) if (a[i] !== b[i]) diff += 1;
  return diff <= 2;
}

/** The lexer's tokens of a text (for tools that need them). @since 0.1.0 */
export function tokenize(text: string): { tokens: IToken[]; comments: IToken[] } {
  const lexed = lex(text);
  return { tokens: lexed.tokens, comments: lexed.comments };
}
