import { writeFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { plan } from '../src/index.js';
import { compact, goldenPlans, goldenQueries, keyOf, optionsOf } from './golden.js';

it('keeps the golden plans in step with the golden queries (GEN_GOLDEN=1 regenerates them)', () => {
  if (process.env['GEN_GOLDEN']) {
    const out: Record<string, unknown> = {};
    for (const c of goldenQueries) {
      const r = plan(c.query, optionsOf(c));
      out[keyOf(c)] =
        r._tag === 'Right' ? compact(r.right) : { diagnostics: r.left.map((d) => d.message) };
    }
    writeFileSync(
      new URL('./fixtures/golden-plans.json', import.meta.url),
      JSON.stringify(out, null, 2) + '\n',
    );
    return;
  }
  expect(Object.keys(goldenPlans).sort()).toEqual(goldenQueries.map(keyOf).sort());
});
