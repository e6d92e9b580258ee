/**
 * Saved-query routes: `GET /v1/queries` and `POST /v1/queries/{name}:run`.
 *
 * @module
 */
import type { FastifyInstance } from 'fastify';
import { maySaved } from '../api-keys.js';
import { ProblemError } from '../problem.js';
import { runQuery } from '../run-query.js';
import { checkParam, listSaved, loadSaved } from '../saved-queries.js';
import { routeSchemas } from '../schemas.js';
import type { ServerState } from '../state.js';

interface RunBody {
  readonly params?: Readonly<
    Record<string, string | number | boolean | readonly (string | number)[]>
  >;
  readonly limit?: number;
  readonly format?: 'json' | 'ndjson';
}

/** Registers the saved-query routes. */
export function registerSavedRoutes(api: FastifyInstance, state: ServerState): void {
  const schemas = routeSchemas(state.limits);

  api.get('/v1/queries', { schema: schemas.listSaved }, async (request) => {
    const caller = request.baql.caller;
    const all = await listSaved(state.queriesDir);
    return {
      queries: all
        .filter((q) => caller !== undefined && maySaved(caller, q.name))
        .map((q) => ({
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
    { schema: schemas.runSaved },
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
          `The saved query "${name}" has header problems: ${saved.problems.join('; ')}.`,
          {
            errors: saved.problems.map((message) => ({
              severity: 'error',
              code: 'saved-header',
              message,
            })),
          },
        );
      }
      const body = request.body ?? {};
      const given = body.params ?? {};
      const known = new Map(saved.params.map((p) => [p.name, p]));
      const errors: { parameter: string; message: string }[] = [];
      for (const key of Object.keys(given)) {
        if (!known.has(key))
          errors.push({
            parameter: key,
            message: `unknown parameter (known: ${[...known.keys()].join(', ') || 'none'})`,
          });
      }
      const params: Record<string, string> = {};
      for (const p of saved.params) {
        const raw = Object.hasOwn(given, p.name) ? given[p.name] : p.default;
        if (raw === undefined) {
          if (p.required) errors.push({ parameter: p.name, message: 'missing required parameter' });
          continue;
        }
        const value = Array.isArray(raw) ? raw.map(String).join(',') : String(raw);
        const bad = checkParam(p, value);
        if (bad !== undefined) errors.push({ parameter: p.name, message: bad });
        else params[p.name] = value;
      }
      if (errors.length > 0) {
        throw new ProblemError(
          'unknown-parameter',
          errors.map((e) => `$${e.parameter}: ${e.message}`).join('; '),
          { errors },
        );
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
