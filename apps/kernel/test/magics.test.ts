import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { parseCell, splitWords } from '../src/magics.js';

const parsed = (code: string) => {
  const result = parseCell(code);
  if (E.isLeft(result)) throw new Error(result.left.message);
  return result.right;
};

describe('magics', () => {
  it('splits leading magic lines from the query', () => {
    const cell = parsed(
      '%profile sandbox\n%param user=alice\n\n%as logins\ntype:login user:$user\n| count by channel',
    );
    expect(cell.magics).toEqual([
      { _tag: 'Profile', name: 'sandbox' },
      { _tag: 'Param', name: 'user', value: 'alice' },
      { _tag: 'As', name: 'logins' },
    ]);
    expect(cell.query).toBe('type:login user:$user\n| count by channel');
    expect(cell.queryOffset).toBe('%profile sandbox\n%param user=alice\n\n%as logins\n'.length);
  });

  it('a query without magics is the whole cell; % inside a query is not a magic', () => {
    const cell = parsed('  type:login\n%values channel');
    expect(cell.magics).toEqual([]);
    expect(cell.query).toBe('type:login\n%values channel');
    expect(cell.queryOffset).toBe(2);
  });

  it('skips comment lines among the magics; a cell of only comments has no query', () => {
    const cell = parsed('# weekly check\n%as logins\n  # the query:\ntype:login # inline\n# end');
    expect(cell.magics).toEqual([{ _tag: 'As', name: 'logins' }]);
    expect(cell.query).toBe('type:login # inline\n# end');
    expect(cell.queryOffset).toBe('# weekly check\n%as logins\n  # the query:\n'.length);
    for (const blank of ['# just a comment', '  # indented\n\n', '%as y\n# note', '\n#a\n#b\n'])
      expect(parsed(blank).query).toBe('');
  });

  it('parses every magic', () => {
    expect(parsed('%explain\n%fields\n%events\n%values channel\n%help\n%param').magics).toEqual([
      { _tag: 'Explain' },
      { _tag: 'Fields' },
      { _tag: 'Events' },
      { _tag: 'Values', field: 'channel' },
      { _tag: 'Help' },
      { _tag: 'Params' },
    ]);
    expect(parsed('%run failed-logins user="bob smith" days=7').magics).toEqual([
      { _tag: 'Run', name: 'failed-logins', params: { user: 'bob smith', days: '7' } },
    ]);
    expect(parsed('%param window=').magics).toEqual([{ _tag: 'Param', name: 'window', value: '' }]);
    expect(parsed('%%as x').magics).toEqual([{ _tag: 'As', name: 'x' }]);
    expect(parsed('%json off\n%json on').magics).toEqual([
      { _tag: 'Json', on: false },
      { _tag: 'Json', on: true },
    ]);
    expect(E.isLeft(parseCell('%json maybe'))).toBe(true);
  });

  it('parses %display settings and rejects bad ones with the usage', () => {
    expect(parsed('%display').magics).toEqual([{ _tag: 'Display' }]);
    expect(parsed('%display rows=10 columns=all').magics).toEqual([
      { _tag: 'Display', rows: 10, columns: 'all' },
    ]);
    expect(parsed('%display columns=default').magics).toEqual([
      { _tag: 'Display', columns: 'default' },
    ]);
    for (const bad of ['%display rows=0', '%display columns=-3', '%display cols=5', '%display 5']) {
      const result = parseCell(bad);
      expect(E.isLeft(result) && result.left.hints[0]).toMatch(/^usage: %display rows=N/);
    }
  });

  it('reports bad magics with the line and a hint', () => {
    expect(parseCell('%fieldz')).toEqual(
      E.left({
        _tag: 'MagicError',
        line: 1,
        message: 'unknown magic %fieldz',
        hints: ['did you mean %fields?'],
      }),
    );
    const missing = parseCell('%explain\n%values');
    expect(E.isLeft(missing) && missing.left).toMatchObject({
      line: 2,
      message: '%values needs one field name',
    });
    expect(E.isLeft(parseCell('%param user'))).toBe(true);
    expect(E.isLeft(parseCell('%run q a="open'))).toBe(true);
    expect(E.isLeft(parseCell('%profile'))).toBe(true);
    expect(E.isLeft(parseCell('%as a b'))).toBe(true);
  });

  it('splitWords honours quotes and escapes', () => {
    expect(splitWords(`a "b c" 'd "e"' f\\ g x="y \\" z" ""`)).toEqual(
      E.right(['a', 'b c', 'd "e"', 'f\\', 'g', 'x=y " z', '']),
    );
  });

  it('never throws, and a cell without magics or leading comments keeps its query (property)', () => {
    fc.assert(
      fc.property(fc.string(), (code) => {
        const result = parseCell(code);
        if (E.isRight(result)) {
          expect(code.slice(result.right.queryOffset).trim()).toBe(result.right.query);
        }
        const first = code.trimStart();
        if (!first.startsWith('%') && !first.startsWith('#'))
          expect(result).toEqual(
            E.right({
              magics: [],
              query: code.trim(),
              queryOffset: code.length - code.trimStart().length,
            }),
          );
      }),
    );
  });
});
