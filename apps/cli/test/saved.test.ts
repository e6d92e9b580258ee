import { describe, expect, it } from 'vitest';
import {
  parseAssignments,
  parseBackslash,
  splitRedirect,
  splitWords,
} from '../src/repl/backslash.js';
import { bindSavedParams, savedQueryText, usedParams } from '../src/saved.js';

// Loaded the way the CLI loads them (lazily), as the workspace's lint rules require.
const q = await import('@baql/query');

const FILE = `# name: failed-mfa
# description: Failed MFA challenges
# param user: string required -- the login id
# param days: duration = 7d

type:mfaChallenge user:$user since $days
`;

describe('saved query files (on @baql/query)', () => {
  it('binds parameters with defaults and names a missing required one', () => {
    const saved = q.parseSavedQuery(FILE);
    expect(saved.diagnostics).toEqual([]);
    expect(bindSavedParams(q, saved, {})).toEqual({ error: expect.stringContaining('$user') });
    expect(bindSavedParams(q, saved, { user: 'alice' })).toEqual({
      params: { user: 'alice', days: '7d' },
    });
    expect(bindSavedParams(q, saved, { user: 'a', days: 'soon' })).toEqual({
      error: expect.stringContaining('duration'),
    });
  });

  it('writes what \\save saves: a header declaring the parameters, read back the same', () => {
    const text = savedQueryText(q, {
      name: 'by-user',
      query: 'user:$who type:$t since 1d',
      params: { t: 'login' },
      owner: 'ana',
    });
    const saved = q.parseSavedQuery(text);
    expect(saved.diagnostics).toEqual([]);
    expect(saved.meta).toMatchObject({ name: 'by-user', owner: 'ana' });
    expect(saved.meta.params).toEqual([
      { name: 'who', type: 'string', required: true },
      { name: 't', type: 'string', required: false, default: 'login' },
    ]);
    expect(q.format(text)).toBe(text);
    const errors = q
      .checkSavedQuery(text, { now: new Date() })
      .filter((d) => d.severity === 'error');
    expect(errors).toEqual([]);
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
