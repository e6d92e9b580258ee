/**
 * The one module that talks to `@baql/query`'s planning API (plan, explain, residual evaluation).
 * Everything else in the core sees {@link PlanLike} and small functions.
 *
 * @module
 */
import * as Q from '@baql/query';
import * as E from 'fp-ts/lib/Either.js';
import type { BankingActivity, Catalog, Plan, PlanOptions as QueryPlanOptions } from '@baql/query';
import type { DiagnosticLike } from './errors.js';

/** A plan of `@baql/query` (window, requests, residual, pipeline, notes, kinds). */
export type PlanLike = Plan;
/** Options passed to `plan()`. */
export type PlanOptions = QueryPlanOptions;

/** Plans a query text. Warnings stay in `plan.diagnostics`; errors are the left side. */
export function planQuery(
  text: string,
  options: PlanOptions,
): E.Either<readonly DiagnosticLike[], PlanLike> {
  const r = Q.plan(text, options);
  return r._tag === 'Left' ? E.left(r.left) : E.right(r.right);
}

/** The human explanation of a plan (requests, residual, pipeline, notes), from `@baql/query`. */
export function explainPlan(plan: PlanLike): string {
  return Q.explain(plan);
}

/** The residual predicate of a plan (undefined when the requests alone are exact). */
export function residualOf(
  plan: PlanLike,
  catalog: Catalog,
): ((record: BankingActivity) => boolean) | undefined {
  const residual = plan.residual;
  if (residual === null) return undefined;
  return (record) => Q.evaluate(residual.filter, record, catalog);
}
