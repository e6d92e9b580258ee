import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { format, parse, parseSavedQuery } from '../src/index.js';
import { queryArb } from './generators.js';
import { stripRanges } from './strip.js';

/** A query with comments and line breaks sprinkled at its spaces. */
const noisyArb = fc
  .tuple(queryArb, fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 40, maxLength: 40 }))
  .map(([q, picks]) => {
    let n = 0;
    return q.replace(/ /g, () => {
      const pick = picks[n % picks.length] ?? 0;
      n += 1;
      if (pick === 1) return `  # note ${n}\n`;
      if (pick === 2) return '\n  ';
      return ' ';
    });
  });

const tree = (q: string): unknown => stripRanges(parse(q).ast);
const comments = (q: string): string[] =>
  parse(q)
    .ast.comments.map((c) => c.text.trimEnd())
    .sort();

describe('format', () => {
  it('prints the canonical form', () => {
    expect(
      format('user:123 (type:login or type:transfer) -segment:retail since 7d|count by type'),
    ).toBe(
      'user:123 AND (type:login OR type:transfer) AND NOT segment:retail since 7d | count by type',
    );
    expect(format('since 1d type:[login,logout] !ip:* | top 3 user')).toBe(
      'type:(login OR logout) AND NOT ip:* since 1d | top 3 user',
    );
    expect(format("attr['x y']:'a\"b' amount>=5 user:$u")).toBe(
      'attr["x y"]:"a\\"b" AND amount >= 5 AND user:$u',
    );
  });

  it('goes multi-line with comments, keeping each comment', () => {
    expect(
      format('# failed logins\ntype:login   # the event\n  result:Failure\n| count # total'),
    ).toBe(
      ['# failed logins', 'type:login  # the event', 'AND result:Failure', '| count  # total'].join(
        '\n',
      ),
    );
  });

  it('returns a text with syntax errors unchanged', () => {
    expect(format('type:(login')).toBe('type:(login');
  });

  it('keeps a saved-query header canonical', () => {
    const file =
      '#name:x\n# tags: b,a\n# param  user :string   required--who\n#owner: me\n\nuser:$user  type:login\n';
    const out = format(file);
    expect(out).toBe(
      '# name: x\n# owner: me\n# tags: b, a\n# param user: string required -- who\n\nuser:$user AND type:login\n',
    );
    expect(format(out)).toBe(out);
    expect(parseSavedQuery(out).meta).toEqual(parseSavedQuery(file).meta);
  });

  it('is idempotent, keeps the meaning and keeps every comment (property)', () => {
    fc.assert(
      fc.property(noisyArb, (q) => {
        const once = format(q);
        expect(format(once)).toBe(once);
        expect(tree(once)).toEqual(tree(q));
        expect(comments(once)).toEqual(comments(q));
      }),
      { numRuns: 1500 },
    );
  });
});
