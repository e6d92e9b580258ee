/**
 * Free-form query routes: `POST /v1/query`, `:validate`, `:compile`, `:complete`.
 *
 * @module
 */
import type { ParamValue } from '@baql/query';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { explainPlan, complete } from '../language.js';
import { reasonOf } from '../map-error.js';
import { ProblemError } from '../problem.js';
import { acceptJson } from '../negotiate.js';
import { compileChecked, requireQueryText, runQuery, type QueryJob } from '../run-query.js';
import { routeSchemas } from '../schemas.js';
import type { ServerPlan } from '../engine.js';
import type { ServerState } from '../state.js';

interface QueryBody {
  readonly query: string;
  readonly params?: Readonly<Record<string, ParamValue>>;
  readonly limit?: number;
  readonly format?: 'json' | 'ndjson';
}

interface CompleteBody {
  readonly text: string;
  readonly offset: number;
}

/** Refuses a caller whose key has no free-form querying right. */
export function requireQueryRight(request: FastifyRequest): void {
  if (request.baql.caller?.rights.query !== true) {
    throw new ProblemError(
      'forbidden',
      'This API key may run saved queries only, not free-form queries.',
    );
  }
}

/** The `:compile` answer of a plan, as sent. */
interface CompileAnswer {
  readonly window: unknown;
  readonly requests: unknown;
  readonly residual: unknown;
  readonly pipeline: unknown;
  readonly notes: readonly string[];
  readonly explain?: string;
}

const compileAnswers = new WeakMap<object, string>();

/**
 * The `:compile` answer of a plan as JSON text, built once per plan object: plans are cached for
 * a second, and a dashboard asks for the same one over and over, so the explanation and the
 * serialisation (most of the route's own work) are not redone for each request.
 */
function compileAnswerJson(plan: ServerPlan): string {
  let json = compileAnswers.get(plan);
  if (json === undefined) {
    const explain = explainPlan(plan);
    const answer: CompileAnswer = {
      window: plan.window,
      requests: plan.requests,
      residual: plan.residual ?? null,
      pipeline: plan.pipeline ?? [],
      notes: (plan.notes ?? []).map((n) => (typeof n === 'string' ? n : JSON.stringify(n))),
      ...(explain === undefined ? {} : { explain }),
    };
    json = JSON.stringify(answer);
    compileAnswers.set(plan, json);
  }
  return json;
}

/** The job of `:validate` and `:compile`: a free-form query compiled, never run. */
function compileJob(text: string, params: QueryBody['params']): QueryJob {
  return { text, params, limit: undefined, format: undefined, mode: 'query' };
}

/** Registers the free-form query routes. */
export function registerQueryRoutes(api: FastifyInstance, state: ServerState): void {
  const schemas = routeSchemas(state.limits);

  api.post<{ Body: QueryBody }>('/v1/query', { schema: schemas.query }, async (request, reply) => {
    const { query, params, limit, format } = request.body;
    requireQueryText(query);
    requireQueryRight(request);
    return runQuery(state, request, reply, { text: query, params, limit, format, mode: 'query' });
  });

  api.post<{ Body: QueryBody }>(
    '/v1/query::validate',
    { schema: schemas.validate },
    async (request) => {
      const { query, params } = request.body;
      requireQueryText(query);
      requireQueryRight(request);
      acceptJson(request);
      try {
        const plan = await compileChecked(state, request, compileJob(query, params));
        const warnings: unknown = (plan as { diagnostics?: unknown }).diagnostics;
        const notes = Array.isArray(warnings) ? warnings : [];
        return { valid: true, diagnostics: notes, window: plan.window };
      } catch (error) {
        const reason = reasonOf(error);
        if (reason?._tag === 'PlanError') {
          return {
            valid: false,
            diagnostics: Array.isArray(reason.diagnostics) ? reason.diagnostics : [],
          };
        }
        if (error instanceof ProblemError && error.problem.code === 'limit-exceeded') {
          return {
            valid: false,
            diagnostics: [
              {
                severity: 'error',
                code: error.problem.limit ?? 'limit',
                message: error.problem.detail ?? error.problem.title,
              },
            ],
          };
        }
        throw error;
      }
    },
  );

  api.post<{ Body: QueryBody }>(
    '/v1/query::compile',
    { schema: schemas.compile },
    async (request, reply) => {
      const { query, params } = request.body;
      requireQueryText(query);
      requireQueryRight(request);
      acceptJson(request);
      const plan = await compileChecked(state, request, compileJob(query, params));
      // Sent as JSON text (with its content type, Fastify does not serialise it again).
      return reply.type('application/json; charset=utf-8').send(compileAnswerJson(plan));
    },
  );

  api.post<{ Body: CompleteBody }>(
    '/v1/query::complete',
    { schema: schemas.complete },
    async (request) => {
      requireQueryRight(request);
      acceptJson(request);
      const { text, offset } = request.body;
      if (offset > text.length) {
        throw new ProblemError(
          'invalid-request',
          `offset ${offset} is past the end of the text (${text.length} characters).`,
        );
      }
      const result = complete(text, offset, state.catalog);
      return {
        items: result.items,
        replace: { start: result.replace.start, end: result.replace.end },
      };
    },
  );
}
