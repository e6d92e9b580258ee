/**
 * The JSON form of a plan that `baql explain --json` prints and golden plan files hold:
 * exactly the keys `window`, `requests`, `residual`, `pipeline`, `notes`.
 */
import type { Query } from '../lang.js';

/** A plan as JSON. */
export interface PlanJson {
  readonly window: unknown;
  readonly requests: unknown;
  readonly residual: unknown;
  readonly pipeline: unknown;
  readonly notes: unknown;
}

type Plan = Extract<ReturnType<Query['plan']>, { _tag: 'Right' }>['right'];

/** Picks the public keys of a plan, in a stable order. */
export function planJson(plan: Plan): PlanJson {
  const p = plan as unknown as Record<string, unknown>;
  return JSON.parse(
    JSON.stringify({
      window: p.window,
      requests: p.requests,
      residual: p.residual ?? null,
      pipeline: p.pipeline ?? [],
      notes: p.notes ?? [],
    }),
  ) as PlanJson;
}
