import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isBlankQuery, lex } from '../src/lexer.js';
import { baqlLexer } from '../src/tokens.js';
import { queryArb } from './generators.js';

function reference(text: string): unknown {
  const r = baqlLexer.tokenize(text);
  return {
    tokens: r.tokens.map((t) => [t.tokenType.name, t.image, t.startOffset]),
    comments: (r.groups['comments'] ?? []).map((t) => [t.image, t.startOffset]),
    errors: covered(r.errors),
  };
}

/** The offsets flagged as errors (chevrotain sometimes splits a run of unknown characters in two). */
function covered(errors: readonly { offset: number; length: number }[]): number[] {
  return errors.flatMap((e) => Array.from({ length: e.length }, (_, k) => e.offset + k));
}

function fast(text: string): unknown {
  const r = lex(text);
  return {
    tokens: r.tokens.map((t) => [t.tokenType.name, t.image, t.startOffset]),
    comments: r.comments.map((t) => [t.image, t.startOffset]),
    errors: covered(r.errors),
  };
}

const pieces = fc.constantFrom(
  ...'ab:()[]"\' |,-!*?$#=&<>.@/_+~{}\n\t'.split(''),
  'AND',
  'or',
  'Not',
  'in',
  'to',
  'today',
  'since',
  'count',
  'by',
  'top',
  'timechart',
  'desc',
  '7d',
  '-24h',
  '2026-11-01T10:00:00+02:00',
  '10.0.0.1',
  'fe80::1',
  'user',
  'type',
  '$p',
  '"x y"',
  "'q'",
  'é',
  '12',
);

describe('fast lexer', () => {
  it('produces exactly the chevrotain lexer tokens, comments and errors (property)', () => {
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 30 }), (parts) => {
        const text = parts.join('');
        expect(fast(text)).toEqual(reference(text));
      }),
      { numRuns: 3000 },
    );
    fc.assert(
      fc.property(queryArb, (q) => {
        expect(fast(q)).toEqual(reference(q));
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (s) => {
        expect(fast(s)).toEqual(reference(s));
      }),
      { numRuns: 1000 },
    );
  });
});

describe('isBlankQuery', () => {
  it('is true for whitespace and comments only, false once any token or stray character is there', () => {
    for (const blank of ['', '  \n\t', '# note', '  # a\n# b\r\n'])
      expect(isBlankQuery(blank)).toBe(true);
    for (const query of ['type:login # note', '# note\nsince 1d', '| count', '"# quoted"', '%'])
      expect(isBlankQuery(query)).toBe(false);
  });
});
