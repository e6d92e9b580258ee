import { writeFileSync } from 'node:fs';
import { it } from 'vitest';
import { plan } from '../src/index.js';
import { compact, goldenQueries, keyOf, optionsOf } from './golden.js';
it.skipIf(!process.env['GEN_GOLDEN'])('regenerates the golden plans (GEN_GOLDEN=1)', () => {
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
});
