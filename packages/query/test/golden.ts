/** The golden corpus: queries with their expected (minimal) plans. */
import {
  defaultCatalog,
  mergeCatalog,
  type Catalog,
  type Plan,
  type PlanOptions,
} from '../src/index.js';
import queries from './fixtures/golden-queries.json' with { type: 'json' };
import expected from './fixtures/golden-plans.json' with { type: 'json' };

export const GOLDEN_NOW = '2026-11-25T12:00:00.000Z';

export interface GoldenCase {
  readonly query: string;
  readonly why: string;
  readonly options?: {
    capabilities?: { notEqual?: boolean; like?: boolean };
    catalog?: 'complete';
    maxRequests?: number;
    params?: Record<string, string | string[]>;
  };
}

export const goldenQueries = queries as readonly GoldenCase[];
export const goldenPlans = expected as Record<string, unknown>;

const completeCatalog: Catalog = mergeCatalog(defaultCatalog, { complete: true });

export function optionsOf(c: GoldenCase): PlanOptions {
  const o = c.options ?? {};
  return {
    now: GOLDEN_NOW,
    ...(o.capabilities ? { capabilities: o.capabilities } : {}),
    ...(o.catalog === 'complete' ? { catalog: completeCatalog } : {}),
    ...(o.maxRequests ? { maxRequests: o.maxRequests } : {}),
    ...(o.params ? { params: o.params } : {}),
  };
}

/** A plan in the fixture's compact form: each request without its window (checked separately). */
export function compact(p: Plan): unknown {
  return {
    window: p.window,
    requests: p.requests.map(({ startTime: _s, endTime: _e, ...rest }) => rest),
    residual: p.residual?.text ?? null,
    ...(p.earlyStop !== undefined ? { earlyStop: p.earlyStop } : {}),
  };
}

export const keyOf = (c: GoldenCase): string =>
  c.options ? `${c.query} ${JSON.stringify(c.options)}` : c.query;
