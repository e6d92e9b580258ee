import { runPipeline, type Row, type Stage } from '@baql/query';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createBoundedPipeline } from '../src/top-k.js';

const field = (name: string) => ({ name, attr: name });

function bounded(stages: readonly Stage[], rows: readonly Row[]): Row[] {
  const out: Row[] = [];
  const sink = createBoundedPipeline(stages, {}, (r) => {
    out.push(r);
  });
  for (const r of rows) if (!sink.push(r)) break;
  sink.end();
  return out;
}

describe('sort | limit in bounded memory', () => {
  it('gives exactly what the query package pipeline gives (property)', () => {
    const value = fc.option(fc.constantFrom('1', '2', '10', 'a', 'B', 'b', '-3', '2.5'), {
      nil: undefined,
    });
    const row = fc.record({ x: value, y: value, id: fc.string({ maxLength: 3 }) });
    const direction = fc.constantFrom('asc' as const, 'desc' as const);
    fc.assert(
      fc.property(
        fc.array(row, { maxLength: 60 }),
        fc.array(fc.tuple(fc.constantFrom('x', 'y'), direction), { minLength: 1, maxLength: 2 }),
        fc.integer({ min: 0, max: 20 }),
        fc.boolean(),
        (raw, keys, n, project) => {
          const rows = raw.map(
            (r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)) as Row,
          );
          const stages: Stage[] = [
            { op: 'sort', keys: keys.map(([k, d]) => ({ field: field(k), direction: d })) },
            { op: 'limit', count: n },
            ...(project ? [{ op: 'fields' as const, fields: [field('id'), field('x')] }] : []),
          ];
          expect(bounded(stages, rows)).toEqual(runPipeline(stages, rows));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('keeps only n rows whatever the input size', () => {
    const stages: Stage[] = [
      { op: 'sort', keys: [{ field: field('x'), direction: 'desc' }] },
      { op: 'limit', count: 3 },
    ];
    const rows = Array.from({ length: 100_000 }, (_, i) => ({ x: String(i % 1000), i: String(i) }));
    const out = bounded(stages, rows);
    expect(out.map((r) => r['x'])).toEqual(['999', '999', '999']);
    expect(out.map((r) => r['i'])).toEqual(['999', '1999', '2999']);
  });
});
