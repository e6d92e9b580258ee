/**
 * Every saved query in the repository's `queries/` folder runs against the embedded sandbox, with
 * its parameters bound to the sandbox's users and stories, and finds what it is for.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import type { Session } from '@baql/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bindSavedParams, collectBaqlFiles } from '../src/saved.js';
import { ROOT } from './terminal.js';

// Loaded the way the CLI loads them (lazily), as the workspace's lint rules require.
const q = await import('@baql/query');
const { openSession } = await import('@baql/runtime');

const { files } = collectBaqlFiles(['queries'], ROOT);

describe('the saved queries in queries/', () => {
  let session: Session;
  const values: Record<string, string> = {};
  /** Per-query bindings where the generic ones would find nothing. */
  const perQuery: Record<string, Record<string, string>> = {};

  beforeAll(async () => {
    session = await openSession({ profile: 'sandbox', cwd: ROOT, env: {} });
    const sandbox = session.sandbox!;
    const story = (id: string) => sandbox.stories.find((s) => s.id === id)?.loginId;
    values.user = story('account-takeover') ?? sandbox.users[0]!.loginId;
    values.company = sandbox.companies[0]!;
    perQuery['credential-stuffing-sources'] = { user: story('credential-stuffing') ?? '' };
    // Support questions are about an active customer: the one with the most events yesterday.
    const active = await session.client.query('kind:* yesterday | top 1 user');
    const busy = String(active.rows[0]?.user ?? sandbox.users[0]!.loginId);
    const mfa = await session.client.query(
      'type:mfaChallenge result:Failure since 7d | top 1 user',
    );
    perQuery['user-yesterday'] = { user: busy };
    perQuery['user-sessions'] = { user: busy };
    perQuery['failed-mfa-for-user'] = { user: String(mfa.rows[0]?.user ?? busy) };
  }, 240_000);

  it('finds the planted credential-stuffing victim at the top of credential-stuffing', async () => {
    const path = files.find((f) => f.endsWith('credential-stuffing.baql'))!;
    const saved = q.parseSavedQuery(readFileSync(path, 'utf8'));
    const result = await session.client.query(saved.query);
    const victim = session.sandbox!.stories.find((s) => s.id === 'credential-stuffing')!.loginId;
    expect(result.rows[0]).toMatchObject({ user: victim });
  });

  afterAll(async () => {
    await session?.close();
  });

  it('has at least 12 of them, each named after its file', () => {
    expect(files.length).toBeGreaterThanOrEqual(12);
    for (const path of files) {
      const saved = q.parseSavedQuery(readFileSync(path, 'utf8'));
      expect(saved.diagnostics).toEqual([]);
      expect(`${saved.meta.name}.baql`).toBe(path.split('/').pop());
      expect(saved.meta.description?.length ?? 0).toBeGreaterThan(20);
    }
  });

  it.each(files.map((f) => [relative(ROOT, f), f]))(
    '%s runs against the sandbox and finds rows',
    async (_name, path) => {
      const saved = q.parseSavedQuery(readFileSync(path, 'utf8'));
      const given = Object.fromEntries(
        saved.meta.params
          .filter((p) => p.default === undefined)
          .map((p) => [p.name, values[p.name] ?? '']),
      );
      const bound = bindSavedParams(q, saved, { ...given, ...perQuery[saved.meta.name ?? ''] });
      if ('error' in bound) throw new Error(bound.error);
      const result = await session.client.query(saved.query, { params: bound.params });
      expect(result.rows.length, `${path} returned no rows`).toBeGreaterThan(0);
      expect(result.summary.requests).toBeGreaterThan(0);
    },
    60_000,
  );
});
