import { describe, expect, it } from 'vitest';
import { bindParams, explain, parseSavedQuery, plan, renderDiagnostic } from '../src/index.js';

const FILE = [
  '# name: failed-logins',
  '# description: Failed logins of one user',
  '# owner: fraud-team',
  '# tags: fraud, login',
  '# param user: string required -- the login id',
  '# param window: duration = 7d',
  '# param types: list = login, logout',
  '',
  '# the query itself',
  'user:$user type:$types result:Failure since $window',
  '',
].join('\n');

describe('saved queries', () => {
  it('reads the header and the query', () => {
    const s = parseSavedQuery(FILE);
    expect(s.diagnostics).toEqual([]);
    expect(s.meta).toEqual({
      name: 'failed-logins',
      description: 'Failed logins of one user',
      owner: 'fraud-team',
      tags: ['fraud', 'login'],
      params: [
        { name: 'user', type: 'string', required: true, description: 'the login id' },
        { name: 'window', type: 'duration', default: '7d', required: false },
        { name: 'types', type: 'list', default: 'login, logout', required: false },
      ],
    });
    expect(s.query).toBe(
      '# the query itself\nuser:$user type:$types result:Failure since $window\n',
    );
    expect(FILE.slice(s.queryOffset)).toBe(s.query);
  });

  it('binds typed parameters with defaults and plans the query', () => {
    const s = parseSavedQuery(FILE);
    const bound = bindParams(s.meta.params, { user: 'alice' });
    expect(bound).toEqual({
      _tag: 'Right',
      right: { user: 'alice', window: '7d', types: ['login', 'logout'] },
    });
    if (bound._tag !== 'Right') return;
    const p = plan(s.query, { now: '2026-11-25T12:00:00Z', params: bound.right });
    expect(p._tag === 'Right' && p.right.requests[0]).toMatchObject({
      userId: 'alice',
      eventIds: ['login', 'logout'],
    });
    if (p._tag === 'Right') expect(explain(p.right)).toContain('userId "alice" (loginId)');
  });

  it('reports missing required parameters and values of the wrong type', () => {
    const s = parseSavedQuery(FILE);
    const missing = bindParams(s.meta.params, {});
    expect(missing._tag === 'Left' && missing.left[0]?.message).toBe(
      'parameter `$user` (string) is required',
    );
    const wrong = bindParams(s.meta.params, { user: 'a', window: 'soon' });
    expect(wrong._tag === 'Left' && wrong.left[0]?.message).toContain('`soon` is not a duration');
  });

  it('reports header mistakes with their line', () => {
    const bad = '# name: x\n# param n: integer\n# param w: duration = later\ntype:login';
    const s = parseSavedQuery(bad);
    expect(s.diagnostics.map((d) => [d.span.start.line, d.message])).toEqual([
      [2, '`integer` is not a parameter type (string, number, duration, time, list)'],
      [3, 'default of `w`: `later` is not a duration such as `7d`'],
    ]);
    expect(renderDiagnostic(bad, s.diagnostics[0] as never)).toContain('  2 | # param n: integer');
    expect(parseSavedQuery('# name: x\n# ownr: me\ntype:login').diagnostics[0]?.hints).toContain(
      'did you mean `owner`?',
    );
  });

  it('treats a plain query (no header) as all query', () => {
    const s = parseSavedQuery('# just a comment\ntype:login');
    expect(s.queryOffset).toBe(0);
    expect(s.meta).toEqual({ tags: [], params: [] });
  });
});

describe('checkSavedQuery', () => {
  it('reports query problems at their line in the file, and undeclared parameters', async () => {
    const { checkSavedQuery } = await import('../src/index.js');
    const file = '# name: x\n# param user: string required\n\nuser:$user\n  type=login';
    const ds = checkSavedQuery(file, { now: '2026-11-25T12:00:00Z' });
    expect(ds.map((d) => [d.code, d.span.start.line, d.span.start.column])).toEqual([
      ['BAQL_FOREIGN_SYNTAX', 5, 7],
    ]);
    const unbound = checkSavedQuery('# name: x\n\nuser:$who', { now: '2026-11-25T12:00:00Z' });
    expect(unbound.map((d) => [d.code, d.span.start.line])).toEqual([['BAQL_UNBOUND_PARAM', 3]]);
    expect(checkSavedQuery(FILE, { now: '2026-11-25T12:00:00Z' })).toEqual([]);
  });
});
