/**
 * Fault soak: 200 mixed queries with the sandbox's faults on (10 % 500s, 5 % 429 with
 * Retry-After, 2 % connection resets, 1 % truncated bodies, access tokens dying every 2 s) return
 * exactly the results of the same queries with faults off — nothing lost, nothing duplicated.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type BaqlClient, type QueryResult } from '../src/client.js';
import { clientOptions, sandbox, type Sandbox } from './helpers.js';

let sb: Sandbox;
beforeAll(async () => {
  sb = await sandbox();
});
afterAll(async () => {
  await sb.close();
});

function mixedQueries(users: readonly string[]): string[] {
  const shapes = [
    (u: string) => `user:${u} since 7d`,
    (u: string) => `user:${u} since 30d | count by type`,
    () => 'type:login since 6h',
    () => 'type:(login OR logout) channel:MOBILE since 12h',
    () => 'kind:* result:Failure since 2d',
    (u: string) => `user:${u} OR type:transfer since 2d | fields time, user, type`,
    () => 'type:login since 2d | top 3 channel',
    () => 'kind:system since 1d | timechart 1h',
    () => 'type:transfer amount>500 since 10d | sort amount desc | limit 20',
    () => 'kind:* since 3d | dedup user | count',
  ];
  const out: string[] = [];
  for (let i = 0; i < 200; i += 1)
    out.push(
      (shapes[i % shapes.length] as (u: string) => string)(users[i % users.length] as string),
    );
  return out;
}

async function runAll(
  client: BaqlClient,
  queries: readonly string[],
  now: Date,
  parallel: number,
): Promise<QueryResult['rows'][]> {
  const results: QueryResult['rows'][] = new Array(queries.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < queries.length) {
        const i = next;
        next += 1;
        results[i] = (await client.query(queries[i] as string, { now })).rows;
      }
    }),
  );
  return results;
}

describe('fault soak', () => {
  it(
    '200 mixed queries under faults return exactly the fault-free results',
    { timeout: 90_000 },
    async () => {
      const now = new Date(Date.parse(sb.dataRange.end) + 1000);
      const queries = mixedQueries(sb.users.slice(0, 20).map((u) => u.loginId));
      const options = { ...clientOptions(sb), pageSize: 100 };
      const clean = createClient(options);
      const expected = await runAll(clean, queries, now, 8);
      await clean.close();
      expect(expected.some((rows) => rows.length > 50)).toBe(true);

      sb.setFaults({
        errorRate: 0.1,
        rateLimitRate: 0.05,
        resetRate: 0.02,
        truncateRate: 0.01,
        tokenTtlSeconds: 2,
      });
      const started = performance.now();
      const faulty = createClient({ ...options, retry: { baseMs: 50, capMs: 1000 } });
      let retries = 0;
      try {
        const results: QueryResult['rows'][] = new Array(queries.length);
        let next = 0;
        await Promise.all(
          Array.from({ length: 16 }, async () => {
            while (next < queries.length) {
              const i = next;
              next += 1;
              const r = await faulty.query(queries[i] as string, { now });
              retries += r.summary.retries;
              results[i] = r.rows;
            }
          }),
        );
        for (let i = 0; i < queries.length; i += 1)
          expect(results[i], queries[i]).toEqual(expected[i]);
      } finally {
        sb.setFaults({});
        await faulty.close();
      }
      expect(retries).toBeGreaterThan(20);
      expect(faulty.authStats.tokenRequests).toBeGreaterThan(1);
      expect(performance.now() - started).toBeLessThan(60_000);
    },
  );
});
