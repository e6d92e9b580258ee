/**
 * Saved-query routes: `GET /v1/queries` and `POST /v1/queries/{name}:run`.
 *
 * @module
 */
import { bindParams, isBlankQuery, isLeft, type ParamValue } from '@baql/query';
import type { FastifyInstance } from 'fastify';
import { maySaved } from '../api-keys.js';
import { acceptJson } from '../negotiate.js';
import { ProblemError } from '../problem.js';
import { runQuery } from '../run-query.js';
import { describeProblems, listSaved, loadSaved } from '../saved-queries.js';
import { routeSchemas } from '../schemas.js';
import type { ServerState } from '../state.js';

interface RunBody {
  readonly params?: Readonly<Record<string, string | number | readonly string[]>>;
  readonly limit?: number;
  readonly format?: 'json' | 'ndjson';
}

/** Registers the saved-query routes. */
export function registerSavedRoutes(api: FastifyInstance, state: ServerState): void {
  const schemas = routeSchemas(state.limits);

  api.get('/v1/queries', { schema: schemas.listSaved }, async (request) => {
    acceptJson(request);
    const caller = request.baql.caller;
    const all = (await listSaved(state.queriesDir)).filter(
      (q) => caller !== undefined && maySaved(caller, q.name),
    );
    for (const q of all) {
      if (q.problems.length > 0)
        request.log.warn(
          { savedQuery: q.name },
          `saved query "${q.name}" is refused when run: ${describeProblems(q.problems)}`,
        );
    }
    return {
      queries: all.map((q) => ({
        name: q.name,
        ...(q.description === undefined ? {} : { description: q.description }),
        ...(q.owner === undefined ? {} : { owner: q.owner }),
        tags: q.tags,
        params: q.params,
        query: q.query,
        ...(q.problems.length === 0 ? {} : { problems: q.problems }),
      })),
    };
  });

  api.post<{ Params: { name: string }; Body: RunBody | undefined }>(
    '/v1/queries/:name(^[A-Za-z0-9_.-]+)::run',
    {
      schema: schemas.runSaved,
      // The body is optional (`{params?, limit?, format?}`): none at all is `{}`.
      preValidation: (request, _reply, done) => {
        if (request.body === undefined || request.body === null) request.body = {};
        done();
      },
    },
    async (request, reply) => {
      const { name } = request.params;
      const caller = request.baql.caller;
      if (caller === undefined || !maySaved(caller, name)) {
        throw new ProblemError('forbidden', `This API key may not run the saved query "${name}".`);
      }
      const saved = await loadSaved(state.queriesDir, name);
      if (saved === undefined)
        throw new ProblemError('not-found', `There is no saved query "${name}".`);
      if (saved.problems.length > 0) {
        throw new ProblemError(
          'bad-query',
          `The saved query "${name}" cannot be read: ${describeProblems(saved.problems)}.`,
          { errors: saved.problems },
        );
      }
      if (isBlankQuery(saved.query)) {
        throw new ProblemError(
          'bad-query',
          `The saved query "${name}" holds no query, only blanks and comments.`,
        );
      }
      const body = request.body ?? {};
      const given = body.params ?? {};
      const known = new Set(saved.params.map((p) => p.name));
      const errors: { parameter: string; message: string }[] = [];
      for (const key of Object.keys(given)) {
        if (!known.has(key))
          errors.push({
            parameter: key,
            message: `parameter \`$${key}\` is not declared (known: ${[...known].join(', ') || 'none'})`,
          });
      }
      // One spec at a time through the shared binder, so each error names its parameter.
      const params: Record<string, ParamValue> = {};
      for (const p of saved.params) {
        const raw = Object.hasOwn(given, p.name) ? given[p.name] : undefined;
        const value =
          raw === undefined ? {} : { [p.name]: typeof raw === 'number' ? String(raw) : raw };
        const bound = bindParams([p], value);
        if (isLeft(bound)) {
          errors.push(...bound.left.map((d) => ({ parameter: p.name, message: d.message })));
          continue;
        }
        const v = bound.right[p.name];
        if (v !== undefined) params[p.name] = v;
      }
      if (errors.length > 0) {
        throw new ProblemError('unknown-parameter', errors.map((e) => e.message).join('; '), {
          errors,
        });
      }
      return runQuery(state, request, reply, {
        text: saved.query,
        params,
        limit: body.limit,
        format: body.format,
        mode: 'saved',
      });
    },
  );
}
