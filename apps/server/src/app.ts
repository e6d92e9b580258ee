/**
 * `createServer`: the Fastify app of the baql HTTP service, ready to `listen` or embed.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { describeError, type BaqlReason } from '@baql/core';
import swagger from '@fastify/swagger';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import {
  type ApiKey,
  type RateLimit,
  presentedCredential,
  authenticate,
  loadApiKeys,
  parseApiKeysEnv,
  ApiKeyConfigError,
  type ApiKeyConfig,
} from './api-keys.js';
import type { ServerClient } from './engine.js';
import { loggerOptions } from './logging.js';
import { reasonOf, toProblem, type Describe } from './map-error.js';
import { codeLabel, createMetrics } from './metrics.js';
import { resolveLimits, type ReadyState, type ServerOptions } from './options.js';
import { PROBLEM_CONTENT_TYPE, ProblemError, type Problem } from './problem.js';
import { PlanCache } from './plan-cache.js';
import { RateLimiter } from './rate-limiter.js';
import { registerOpsRoutes } from './routes/ops.js';
import { registerQueryRoutes } from './routes/query.js';
import { registerSavedRoutes } from './routes/saved.js';
import { problemSchema } from './schemas.js';
import { apiSecurityHeaders } from './security-headers.js';
import type { RequestState, ServerState } from './state.js';
import { childTraceParent, parseTraceParent, requestIdFrom, transactionIdFor } from './tracing.js';
import { SERVER_VERSION } from './version.js';

const OPS_PATHS = new Set(['/livez', '/readyz', '/metrics']);

/** The caller a bearer-token verifier vouches for, as a key without a hash; failures refuse. */
async function bearerCaller(
  verify: NonNullable<ServerOptions['verifyBearer']>,
  token: string,
  defaultRate: RateLimit,
): Promise<ApiKey | undefined> {
  let who;
  try {
    who = await verify(token);
  } catch {
    return undefined;
  }
  if (who === undefined || typeof who.name !== 'string' || who.name === '') return undefined;
  return {
    name: `token:${who.name}`,
    hash: Buffer.alloc(0),
    rights: { query: who.rights?.query ?? false, queries: who.rights?.queries ?? [] },
    rateLimit: who.rateLimit ?? defaultRate,
  };
}

function keysFromFile(path: string | undefined): ApiKeyConfig[] {
  if (path === undefined || path === '') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    throw new ApiKeyConfigError(`BAQL_API_KEYS_FILE ${path} could not be read as JSON.`);
  }
  if (!Array.isArray(parsed))
    throw new ApiKeyConfigError(`BAQL_API_KEYS_FILE ${path} must hold a JSON array of keys.`);
  return parsed as ApiKeyConfig[];
}

/** The query `/readyz` runs: it needs a token and one upstream search (at most one row). */
export const READY_QUERY = 'since 1m';

function defaultReadiness(client: ServerClient): () => Promise<ReadyState> {
  return async () => {
    try {
      await client.query(READY_QUERY, { limit: 1, timeoutMs: 5000 });
      return { ready: true, checks: { token: 'ok', upstream: 'ok' } };
    } catch (error) {
      const reason = reasonOf(error);
      const status = typeof reason?.status === 'number' ? reason.status : undefined;
      if (reason?._tag === 'AuthError' || status === 401 || status === 403) {
        return { ready: false, checks: { token: 'failed', upstream: 'unknown' } };
      }
      return {
        ready: false,
        checks: { token: 'ok', upstream: reason?._tag === 'Timeout' ? 'timeout' : 'failed' },
      };
    }
  };
}

/** Human detail of a client failure: core's `describeError` (explains BAS_/CMN_ codes, never a secret). */
const describe: Describe = (reason) => describeError(reason as unknown as BaqlReason);

/** Route label for metrics and logs: the route template, never the raw URL. */
function routeOf(request: FastifyRequest): string {
  return request.routeOptions.url ?? 'unmatched';
}

/**
 * Sends `problem` as `application/problem+json`, with `Retry-After` when it says when to retry.
 */
export function sendProblem(
  request: FastifyRequest,
  reply: FastifyReply,
  problem: Problem,
): FastifyReply {
  const body: Problem = {
    ...problem,
    instance: request.url.split('?')[0] ?? request.url,
    requestId: request.id,
  };
  if (problem.retryAfter !== undefined) reply.header('retry-after', String(problem.retryAfter));
  if (problem.transactionId !== undefined)
    reply.header('x-upstream-transaction-id', problem.transactionId);
  return reply.code(problem.status).type(PROBLEM_CONTENT_TYPE).send(body);
}

/**
 * Creates the baql HTTP service. Throws an `ApiKeyConfigError` (whose message says how to
 * configure one) when no API key is configured.
 *
 * @example
 * const session = await openSession({ profile: 'sandbox' });
 * const app = createServer({ session, apiKeys: [{ name: 'dash', key: process.env.DASH_KEY! }] });
 * await app.listen({ port: 8080 });
 */
export function createServer(options: ServerOptions): FastifyInstance {
  const client = options.session?.client ?? options.client;
  if (client === undefined) throw new TypeError('createServer needs a session or a client.');
  const env = options.env ?? process.env;
  const limits = resolveLimits(options.limits);
  const keyConfigs = [
    ...(options.apiKeys ?? []),
    ...keysFromFile(env['BAQL_API_KEYS_FILE']),
    ...parseApiKeysEnv(env['BAQL_API_KEYS']),
  ];
  // With a bearer-token verifier configured, API keys are optional; with neither, refuse to start.
  const keys =
    keyConfigs.length === 0 && options.verifyBearer !== undefined
      ? []
      : loadApiKeys(keyConfigs, limits.rateLimit);
  const metrics = createMetrics(options.metricsPrefix);
  const state: ServerState = {
    client,
    catalog:
      options.catalog ?? options.session?.catalog ?? (client as { catalog?: unknown }).catalog,
    limits,
    keys,
    limiter: new RateLimiter(),
    planCache: new PlanCache(),
    metrics,
    queriesDir: options.queriesDir,
    describe,
    readiness: options.readiness ?? defaultReadiness(client),
    inFlight: new Set(),
    draining: false,
  };

  const logger = options.logger ?? false;
  const loggerConfig =
    typeof logger === 'object' && typeof (logger as FastifyBaseLogger).child === 'function'
      ? { loggerInstance: logger as FastifyBaseLogger }
      : { logger: logger === false ? false : loggerOptions(logger === true ? {} : logger) };

  const app = Fastify({
    ...loggerConfig,
    bodyLimit: limits.bodyBytes,
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    requestTimeout: limits.timeoutMs + 30_000,
    genReqId: (req) => requestIdFrom(req.headers['x-request-id']),
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: false } },
    routerOptions: { maxParamLength: 200 },
    // Router-level failures (a bad URL encoding, an over-long path parameter) answer problems too.
    frameworkErrors: (error, request, reply) => {
      for (const [name, value] of Object.entries(apiSecurityHeaders)) reply.header(name, value);
      reply.header('x-request-id', request.id);
      const kind =
        (error as { code?: string }).code === 'FST_ERR_MAX_PARAM_LENGTH'
          ? 'uri-too-long'
          : 'invalid-request';
      return sendProblem(
        request,
        reply,
        new ProblemError(
          kind,
          kind === 'uri-too-long' ? 'A path segment is too long.' : 'The URL is not valid.',
        ).problem,
      );
    },
  });

  // JSON only: a text/plain body is a 415, not a string that fails the schema.
  app.removeContentTypeParser('text/plain');
  app.decorateRequest('baql', null as unknown as RequestState);
  app.addSchema(problemSchema);

  // Callback-style hooks: no promise per request on the hot path.
  app.addHook('onRequest', (request, reply, done) => {
    const trace = parseTraceParent(request.headers['traceparent']);
    request.baql = {
      startedAt: performance.now(),
      trace,
      transactionId: transactionIdFor(
        request.id,
        trace,
        request.headers['x-request-id'] === request.id,
      ),
      caller: undefined,
    };
    reply.header('x-request-id', request.id);
    reply.header('x-transaction-id', request.baql.transactionId);
    if (trace !== undefined) reply.header('traceparent', childTraceParent(trace));
    reply.headers(apiSecurityHeaders);
    if (state.draining && !OPS_PATHS.has(request.url.split('?')[0] ?? '')) {
      reply.header('connection', 'close');
      done(new ProblemError('unavailable', 'The service is shutting down.', { retryAfter: 1 }));
      return;
    }
    done();
  });

  app.addHook('onResponse', (request, reply, done) => {
    const route = routeOf(request);
    const status = String(reply.statusCode);
    const labels = { method: request.method, route, status };
    const seconds = (performance.now() - (request.baql?.startedAt ?? performance.now())) / 1000;
    metrics.httpRequests.inc(labels);
    metrics.httpDuration.observe(labels, seconds);
    // `reqId` is already bound to `request.log` by Fastify: not repeated (no duplicate JSON key).
    request.log.info(
      {
        transactionId: request.baql?.transactionId,
        caller: request.baql?.caller?.name,
        method: request.method,
        route,
        status: reply.statusCode,
        durationMs: Math.round(seconds * 1e4) / 10,
      },
      'request completed',
    );
    done();
  });

  app.setErrorHandler((error, request, reply) => {
    const problem = toProblem(error, state.describe);
    if (problem.status >= 500)
      request.log.error({ err: error, problem: problem.code }, 'request failed');
    else
      request.log.info(
        { problem: problem.code, upstreamCode: problem.upstreamCode },
        'request refused',
      );
    if (
      request.routeOptions.url?.startsWith('/v1/query') ||
      request.routeOptions.url?.startsWith('/v1/queries/')
    ) {
      metrics.queryErrors.inc({ kind: problem.code });
    }
    if (problem.upstreamCode !== undefined)
      metrics.upstreamErrors.inc({ code: codeLabel(problem.upstreamCode) });
    return sendProblem(request, reply, problem);
  });

  app.setNotFoundHandler((request, reply) =>
    sendProblem(
      request,
      reply,
      new ProblemError(
        'not-found',
        `No route ${request.method} ${request.url.split('?')[0] ?? ''}.`,
      ).problem,
    ),
  );

  app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'baql HTTP service',
        version: SERVER_VERSION,
        description:
          'Queries over the Candescent Banking Activity API as a service. Errors are RFC 9457 problem documents ' +
          '(application/problem+json). Authenticate with `Authorization: Bearer <key>` or `X-API-Key: <key>`.',
      },
      components: {
        securitySchemes: {
          bearerAuth: {
            type: 'http',
            scheme: 'bearer',
            description: 'An API key as a bearer token.',
          },
          apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
        },
      },
    },
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) =>
        typeof json.$id === 'string' ? json.$id : `def-${i}`,
    },
  });

  // Authentication, rate limits and rights for the API routes.
  app.register(async (api) => {
    const admit = (request: FastifyRequest, reply: FastifyReply, key: ApiKey | undefined): void => {
      if (key === undefined) {
        metrics.authFailures.inc({ reason: 'invalid' });
        reply.header('www-authenticate', 'Bearer realm="baql", error="invalid_token"');
        throw new ProblemError('unauthenticated', 'The API key is not valid.');
      }
      request.baql.caller = key;
      const decision = state.limiter.take(key.name, key.rateLimit);
      reply.header('ratelimit-limit', String(decision.limit));
      reply.header('ratelimit-remaining', String(decision.remaining));
      reply.header('ratelimit-reset', String(decision.resetSeconds));
      if (!decision.allowed) {
        metrics.rateLimited.inc();
        throw new ProblemError(
          'rate-limited',
          `This API key may send ${key.rateLimit.max} requests per ${key.rateLimit.windowMs / 1000} s.`,
          { retryAfter: decision.resetSeconds },
        );
      }
    };
    api.addHook('onRequest', (request, reply, done) => {
      try {
        const presented = presentedCredential(request.headers);
        if (presented === undefined) {
          metrics.authFailures.inc({ reason: 'missing' });
          reply.header('www-authenticate', 'Bearer realm="baql"');
          throw new ProblemError(
            'unauthenticated',
            'Send an API key as "Authorization: Bearer <key>" or "X-API-Key: <key>".',
          );
        }
        const key = authenticate(state.keys, presented.value);
        if (key === undefined && options.verifyBearer !== undefined && presented.bearer) {
          bearerCaller(options.verifyBearer, presented.value, limits.rateLimit).then(
            (caller) => {
              try {
                admit(request, reply, caller);
                done();
              } catch (error) {
                done(error as Error);
              }
            },
            (error: unknown) => done(error as Error),
          );
          return;
        }
        admit(request, reply, key);
        done();
      } catch (error) {
        done(error as Error);
      }
    });
    registerQueryRoutes(api, state);
    registerSavedRoutes(api, state);
  });

  app.register(async (ops) => registerOpsRoutes(ops, state));

  app.addHook('onClose', async () => {
    if (options.closeSession === true) await options.session?.close?.();
  });

  app.decorate(
    'closeGracefully',
    async function closeGracefully(this: FastifyInstance, deadlineMs = limits.shutdownMs) {
      // Drain first: refuse new work (503), let running queries and streams finish until the
      // deadline, then abort the rest (a stream ends with an `error` line) and close.
      state.draining = true;
      const deadline = performance.now() + deadlineMs;
      while (state.inFlight.size > 0 && performance.now() < deadline) await sleep(20);
      for (const controller of state.inFlight) controller.abort(new Error('shutdown'));
      const grace = performance.now() + 2000;
      while (state.inFlight.size > 0 && performance.now() < grace) await sleep(20);
      await this.close();
    },
  );

  return app;
}

/** The problem a thrown value maps to (for embedders answering errors the same way). */
export { toProblem };
