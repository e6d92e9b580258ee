/**
 * Operational routes: `/livez`, `/readyz`, `/metrics`, `/openapi.json` and the `/docs` page.
 * None needs an API key; none reveals a secret or a caller.
 *
 * @module
 */
import type { FastifyInstance } from 'fastify';
import { renderDocsPage } from '../docs-page.js';
import { ProblemError } from '../problem.js';
import { routeSchemas } from '../schemas.js';
import { docsContentSecurityPolicy } from '../security-headers.js';
import type { ServerState } from '../state.js';

/** How long a readiness answer is reused, so probes cannot hammer the upstream. */
const READY_CACHE_MS = 5000;

/** Registers the operational routes. */
export function registerOpsRoutes(app: FastifyInstance, state: ServerState): void {
  const schemas = routeSchemas(state.limits);
  let cached:
    | { at: number; value: Promise<{ ready: boolean; checks: Readonly<Record<string, string>> }> }
    | undefined;

  app.get('/livez', { schema: schemas.livez }, async () => ({ status: 'ok' }));

  app.get('/readyz', { schema: schemas.readyz }, async () => {
    if (state.draining)
      throw new ProblemError('unavailable', 'The service is shutting down.', { retryAfter: 1 });
    const now = performance.now();
    if (cached === undefined || now - cached.at > READY_CACHE_MS) {
      cached = {
        at: now,
        value: state.readiness().catch(() => ({ ready: false, checks: { readiness: 'failed' } })),
      };
    }
    const result = await cached.value;
    if (!result.ready) {
      const failing = Object.entries(result.checks)
        .filter(([, v]) => v !== 'ok')
        .map(([k, v]) => `${k}: ${v}`);
      throw new ProblemError(
        'unavailable',
        `Not ready (${failing.join(', ') || 'dependency check failed'}).`,
        { retryAfter: 5 },
      );
    }
    return { status: 'ok', checks: result.checks };
  });

  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    const text = await state.metrics.registry.metrics();
    return reply.type(state.metrics.registry.contentType).send(text);
  });

  app.get('/openapi.json', { schema: { hide: true } }, async (_request, reply) =>
    reply.type('application/json').send(app.swagger()),
  );

  app.get('/docs', { schema: { hide: true } }, async (_request, reply) =>
    reply
      .header('content-security-policy', docsContentSecurityPolicy)
      .type('text/html; charset=utf-8')
      .send(renderDocsPage(app.swagger() as unknown as Record<string, unknown>)),
  );
}
