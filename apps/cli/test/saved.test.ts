import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bindSavedParams, parseSavedFile, savedFileText, usedParams } from '../src/saved.js';
import {
  parseAssignments,
  parseBackslash,
  splitRedirect,
  splitWords,
} from '../src/repl/backslash.js';

const FILE = `# name: failed-mfa
# description: Failed MFA challenges
# owner: support
# tags: support, mfa
# param: user (string, required) the login id
# param: days (duration, default 7d)
# a comment that belongs to the query
type:mfaChallenge user:$user
`;

describe('saved query files', () => {
  it('reads the header and the query', () => {
    const { file, problems } = parseSavedFile(FILE);
    expect(problems).toEqual([]);
    expect(file.name).toBe('failed-mfa');
    expect(file.tags).toEqual(['support', 'mfa']);
    expect(file.params).toEqual([
      { name: 'user', type: 'string', required: true, description: 'the login id' },
      { name: 'days', type: 'duration', required: false, default: '7d' },
    ]);
    expect(file.query).toBe('# a comment that belongs to the query\ntype:mfaChallenge user:$user');
    expect(file.queryLine).toBe(7);
  });

  it('names a missing required parameter', () => {
    const { file } = parseSavedFile(FILE);
    const bound = bindSavedParams(file, {});
    expect(bound).toEqual({ error: expect.stringContaining('$user') });
    expect(bindSavedParams(file, { user: 'alice' })).toEqual({
      params: { user: 'alice', days: '7d' },
    });
  });

  it('rejects values of the wrong type and unknown types, with the line', () => {
    const bad = parseSavedFile('# param: n (number)\n# param: x (colour)\nfoo:$n');
    expect(bad.problems).toHaveLength(1);
    expect(bad.problems[0]).toMatchObject({ line: 2, message: expect.stringContaining('colour') });
    expect(bindSavedParams(bad.file, { n: 'abc' })).toEqual({
      error: expect.stringContaining('number'),
    });
  });

  it('round-trips: writing a parsed file and reading it again gives the same file', () => {
    const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,12}$/);
    const param = fc.record({
      name: fc.stringMatching(/^[a-z][a-z0-9_]{0,8}$/),
      type: fc.constantFrom('string', 'number', 'duration') as fc.Arbitrary<
        'string' | 'number' | 'duration'
      >,
      required: fc.boolean(),
    });
    fc.assert(
      fc.property(
        name,
        fc.uniqueArray(param, { selector: (p) => p.name, maxLength: 3 }),
        (n, params) => {
          const text = savedFileText(
            { name: n, tags: ['a', 'b'], params, query: 'type:login', queryLine: 1 },
            (q) => q,
          );
          const again = parseSavedFile(text);
          expect(again.problems).toEqual([]);
          expect(again.file.params).toEqual(params);
          expect(savedFileText(again.file, (q) => q)).toBe(text);
        },
      ),
    );
  });

  it('finds the parameters a query uses, not those in strings or comments', () => {
    expect(usedParams('user:$user ip:"$notme" # $nor_me\n type:$t')).toEqual(['user', 't']);
  });
});

describe('backslash commands', () => {
  it('parses names and quoted words', () => {
    expect(parseBackslash('\\run daily user="a b" x=1')).toEqual({
      name: 'run',
      rest: 'daily user="a b" x=1',
      args: ['daily', 'user=a b', 'x=1'],
    });
    expect(parseBackslash('type:login')).toBeUndefined();
    expect(splitWords(`a "b c" 'd e'`)).toEqual(['a', 'b c', 'd e']);
  });

  it('reads k=v assignments and reports the rest', () => {
    expect(parseAssignments(['a=1', '$b=x=y', 'oops'])).toEqual({
      params: { a: '1', b: 'x=y' },
      invalid: ['oops'],
    });
  });

  it('splits a trailing file redirect but leaves comparisons alone', () => {
    expect(splitRedirect('type:login > out/logins.ndjson')).toEqual({
      query: 'type:login',
      file: 'out/logins.ndjson',
    });
    expect(splitRedirect('amount > 100')).toEqual({ query: 'amount > 100' });
    expect(splitRedirect('amount>100 | count')).toEqual({ query: 'amount>100 | count' });
  });
});
