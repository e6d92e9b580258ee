import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compareNewestFirst,
  defaultCatalog,
  evaluate,
  matchesCriteria,
  mergeCatalog,
  plan,
  resolve,
  runPipeline,
  type BankingActivity,
  type Catalog,
  type Plan,
  type Row,
  type SearchCriteria,
} from '../src/index.js';
import { NOW, queryArb, recordsArb } from './generators.js';

const completeCatalog: Catalog = mergeCatalog(defaultCatalog, { complete: true });

/** Executes a plan the way the contract defines it: requests, union, dedupe by guid, residual, pipeline. */
function executePlan(p: Plan, records: readonly BankingActivity[], catalog: Catalog): Row[] {
  const byGuid = new Map<string, BankingActivity>();
  for (const req of p.requests) {
    for (const r of records) {
      if (!matchesCriteria(req, r, catalog)) continue;
      const projected = req.requestedAttributes
        ? Object.fromEntries(
            Object.entries(r).filter(([k]) =>
              req.requestedAttributes?.some((a) => a.toLowerCase() === k.toLowerCase()),
            ),
          )
        : r;
      const guid = (projected['guid'] ?? projected['GUID']) as string;
      byGuid.set(guid, projected);
    }
  }
  const rows = [...byGuid.values()].filter((r) =>
    p.residual ? evaluate(p.residual.filter, r, catalog) : true,
  );
  rows.sort(compareNewestFirst);
  return runPipeline(p.pipeline, rows, { catalog, window: p.window, timeZone: 'UTC' });
}

/** Checks a request obeys the contract's rules (the API would reject it otherwise). */
function checkRequest(req: SearchCriteria, caps: { notEqual: boolean; like: boolean }): void {
  expect(Date.parse(req.startTime)).toBeLessThan(Date.parse(req.endTime));
  if (req.userId !== undefined) expect(req.userIdType).toBeDefined();
  const af = req.additionalFilters;
  if (af) {
    for (const s of af.subFilters ?? []) {
      expect(s.condition).not.toBe(af.condition);
      expect(s.filters.length).toBeGreaterThan(0);
    }
    const all = [...(af.filters ?? []), ...(af.subFilters ?? []).flatMap((s) => s.filters)];
    for (const f of all) {
      if (f.criteria === 'notEqual') expect(caps.notEqual).toBe(true);
      if (f.criteria === 'like') expect(caps.like).toBe(true);
    }
  }
}

describe('plan ≡ direct evaluation', () => {
  it('holds for random queries × random records × capabilities × catalogs', () => {
    fc.assert(
      fc.property(
        queryArb,
        fc.record({ notEqual: fc.boolean(), like: fc.boolean() }),
        fc.integer({ min: 1, max: 8 }),
        fc.boolean().chain((complete) => fc.tuple(fc.constant(complete), recordsArb(!complete))),
        (query, capabilities, maxRequests, [complete, records]) => {
          const catalog = complete ? completeCatalog : defaultCatalog;
          const options = { now: NOW, catalog, capabilities, maxRequests };
          const resolved = resolve(query, options);
          const planned = plan(query, options);
          expect(planned._tag).toBe(resolved._tag);
          if (resolved._tag === 'Left' || planned._tag === 'Left') {
            expect(
              resolved._tag === 'Left' && resolved.left.some((d) => d.severity === 'error'),
            ).toBe(true);
            return;
          }
          const direct = records
            .filter((r) => evaluate(resolved.right, r))
            .sort(compareNewestFirst);
          const expected = runPipeline(resolved.right.pipeline, direct, {
            catalog,
            window: resolved.right.window,
            timeZone: 'UTC',
          });
          for (const req of planned.right.requests) checkRequest(req, capabilities);
          expect(executePlan(planned.right, records, catalog)).toEqual(expected);
        },
      ),
      { numRuns: 2500 },
    );
  });
});
