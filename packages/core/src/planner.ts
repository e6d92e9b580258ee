/**
 * The one module that talks to `@baql/query`'s planning API (plan, explain, residual evaluation,
 * pipeline accumulators). Everything else in the core sees the small {@link Planner} interface.
 *
 * @module
 */
import * as Q from '@baql/query';
import * as E from 'fp-ts/lib/Either.js';
import type { BankingActivity, SearchCriteria } from '@baql/query';
import type { DiagnosticLike } from './errors.js';

/** The parts of a `@baql/query` plan the core uses. */
export interface PlanLike {
  readonly window: { readonly start: string; readonly end: string; readonly defaulted?: boolean };
  readonly requests: readonly SearchCriteria[];
  readonly residual?: unknown;
  readonly pipeline?: readonly unknown[];
  readonly notes?: readonly unknown[];
}

/** Options passed to `plan()`. */
export interface PlanOptions {
  readonly now: Date;
  readonly timeZone?: string;
  readonly catalog?: unknown;
  readonly capabilities?: unknown;
  readonly maxRequests?: number;
  readonly params?: Readonly<Record<string, unknown>>;
  readonly defaultWindow?: unknown;
}

type QueryApi = {
  plan(
    text: string,
    options: PlanOptions,
  ): { _tag: 'Left'; left: readonly DiagnosticLike[] } | { _tag: 'Right'; right: PlanLike };
  explain(plan: PlanLike): string;
  evaluate(query: unknown, record: BankingActivity): boolean;
};

const api = Q as unknown as Partial<QueryApi>;

const missing = (what: string): DiagnosticLike[] => [
  {
    severity: 'error',
    code: 'planner-unavailable',
    message: `@baql/query does not provide ${what} yet`,
  },
];

/** Plans a query text. */
export function planQuery(
  text: string,
  options: PlanOptions,
): E.Either<readonly DiagnosticLike[], PlanLike> {
  if (typeof api.plan !== 'function') return E.left(missing('plan()'));
  const r = api.plan(text, options);
  return r._tag === 'Left' ? E.left(r.left) : E.right(r.right);
}

/** The human explanation of a plan. */
export function explainPlan(plan: PlanLike): string {
  return typeof api.explain === 'function'
    ? api.explain(plan)
    : JSON.stringify(plan.requests, null, 2);
}

/** The residual predicate of a plan (undefined when the requests alone are exact). */
export function residualOf(plan: PlanLike): ((record: BankingActivity) => boolean) | undefined {
  const residual = plan.residual;
  if (residual === undefined || residual === null || residual === true) return undefined;
  if (
    typeof residual === 'object' &&
    (residual as { t?: string; value?: unknown }).t === 'const' &&
    (residual as { value?: unknown }).value === true
  ) {
    return undefined;
  }
  const evaluate = api.evaluate;
  if (typeof evaluate !== 'function') return undefined;
  return (record) => evaluate(residual, record);
}
