/**
 * Saved-query routes: `GET /v1/queries` and `POST /v1/queries/{name}:run`.
 *
 * @module
 */
import type { FastifyInstance } from 'fastify';
import { maySaved } from '../api-keys.js';
import { ProblemError } from '../problem.js';
import { runQuery } from '../run-query.js';
import { listSaved, loadSaved } from '../saved-queries.js';
import { routeSchemas } from '../schemas.js';
import type { ServerState } from '../state.js';

interface RunBody {
  readonly params?: Readonly<Record<string, unknown>>;
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
        .filter((q) => caller !== undefined && maySaved(caller, q.name ?? ''))
        .map((q) => ({
          name: q.name ?? '',
          ...(q.description === undefined ? {} : { description: q.description }),
          params: q.params,
          query: q.query,
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
      const body = request.body ?? {};
      const given = body.params ?? {};
      const known = new Set(saved.params.map((p) => p.name));
      const unknown = Object.keys(given).filter((k) => !known.has(k));
      if (unknown.length > 0) {
        throw new ProblemError(
          'unknown-parameter',
          `The saved query "${name}" has no parameter ${unknown.map((u) => `"${u}"`).join(', ')}.`,
          {
            errors: unknown.map((u) => ({
              parameter: u,
              message: 'unknown parameter',
              known: [...known],
            })),
          },
        );
      }
      const params: Record<string, unknown> = {};
      const missing: string[] = [];
      for (const p of saved.params) {
        if (Object.hasOwn(given, p.name)) params[p.name] = given[p.name];
        else if (p['default'] !== undefined) params[p.name] = p['default'];
        else if (p['required'] !== false) missing.push(p.name);
      }
      if (missing.length > 0) {
        throw new ProblemError(
          'unknown-parameter',
          `The saved query "${name}" needs ${missing.map((m) => `"${m}"`).join(', ')}.`,
          {
            errors: missing.map((m) => ({ parameter: m, message: 'missing parameter' })),
          },
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
