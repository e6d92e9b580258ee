/**
 * `createServer`: the Fastify app of the baql HTTP service, ready to `listen` or embed.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
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
import { rawProblemAnswer, rawProblemOf } from './client-error.js';
import {
  CLIENT_CLOSED_STATUS,
  ClientClosedError,
  PROBLEM_CONTENT_TYPE,
  ProblemError,
  type Problem,
} from './problem.js';
import { PlanCache } from './plan-cache.js';
import { RateLimiter } from './rate-limiter.js';
import { registerOpsRoutes } from './routes/ops.js';
import { registerQueryRoutes } from './routes/query.js';
import { registerSavedRoutes } from './routes/saved.js';
import { OPTIONAL_BODIES, problemSchema } from './schemas.js';
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

const routeLabels = new Map<string, string>();

/**
 * The documented spelling of a Fastify route template: `::` is a literal `:` and a parameter
 * (`:name` with an optional `(regex)`) is `{name}`, as in the OpenAPI document:
 * `/v1/queries/:name(^[A-Za-z0-9_.-]+)::run` is `/v1/queries/{name}:run`.
 */
export function routeLabel(template: string): string {
  let label = routeLabels.get(template);
  if (label === undefined) {
    label = template
      .split('::')
      .map((part) => part.replace(/:([A-Za-z_$][\w$]*)(\((?:\\.|[^\\)])*\))?/g, '{$1}'))
      .join(':');
    routeLabels.set(template, label);
  }
  return label;
}

/** Route label for metrics and logs: the documented route template, never the raw URL. */
function routeOf(request: FastifyRequest): string {
  const template = request.routeOptions.url;
  return template === undefined ? 'unmatched' : routeLabel(template);
}

/** Whether a request is a query (its failures count in `baql_query_errors_total`). */
function isQueryRoute(request: FastifyRequest): boolean {
  const url = request.routeOptions.url;
  return url !== undefined && (url.startsWith('/v1/query') || url.startsWith('/v1/queries/'));
}

/** The methods a route may be refused with 405 for. */
const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

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

  // The reply in progress on each connection, for parser errors in the middle of a request.
  const liveReplies = new WeakMap<Socket, FastifyReply>();

  /**
   * Records that a request ended (once): the `request completed` log line and the
   * `baql_http_requests_total`/duration sample, for answered requests, for requests whose client
   * disconnected (status 499, after a `client disconnected` line) and for requests refused on the
   * raw socket.
   */
  const complete = (request: FastifyRequest, reply: FastifyReply, clientClosed: boolean): void => {
    const baql = request.baql as RequestState | null;
    if (baql !== null) {
      if (baql.completed) return;
      baql.completed = true;
      if (liveReplies.get(request.raw.socket) === reply) liveReplies.delete(request.raw.socket);
    }
    const raw = baql?.rawStatus;
    const statusCode = raw ?? (clientClosed ? CLIENT_CLOSED_STATUS : reply.statusCode);
    const route = routeOf(request);
    const status = String(statusCode);
    const labels = { method: request.method, route, status };
    const seconds = (performance.now() - (baql?.startedAt ?? performance.now())) / 1000;
    metrics.httpRequests.inc(labels);
    metrics.httpDuration.observe(labels, seconds);
    // `reqId` is already bound to `request.log` by Fastify: not repeated (no duplicate JSON key).
    const fields = {
      transactionId: baql?.transactionId,
      caller: baql?.caller?.name,
      method: request.method,
      route,
      status: statusCode,
      durationMs: Math.round(seconds * 1e4) / 10,
    };
    if (clientClosed && raw === undefined) {
      if (isQueryRoute(request)) metrics.queryErrors.inc({ kind: 'client-closed' });
      request.log.info(
        { ...fields, problem: 'client-closed' },
        'client disconnected before the answer ended',
      );
    }
    request.log.info(fields, 'request completed');
  };

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
    // Errors of Node's HTTP parser (431, 408, 400) are problem documents too.
    clientErrorHandler: (error, socket) => {
      if ((error as { code?: string }).code === 'ECONNRESET' || socket.destroyed) return;
      const reply = liveReplies.get(socket);
      if (reply !== undefined && reply.raw.headersSent) {
        // The answer has begun: it cannot be replaced, only cut.
        socket.destroy(error);
        return;
      }
      const request = reply?.request;
      const body: Problem = {
        ...rawProblemOf(error),
        ...(request === undefined ? {} : { instance: request.url.split('?')[0] ?? request.url }),
        requestId: request?.id ?? requestIdFrom(undefined),
      };
      if (socket.writable) socket.write(rawProblemAnswer(body, body.requestId ?? ''));
      if (request !== undefined && request.baql !== null) {
        // The request's own completion (when its socket closes) reports the answer sent.
        request.baql.rawStatus = body.status;
      } else {
        metrics.httpRequests.inc({
          method: 'unknown',
          route: 'unmatched',
          status: String(body.status),
        });
        app.log.info(
          {
            reqId: body.requestId,
            status: body.status,
            problem: body.code,
            parserCode: (error as { code?: string }).code,
          },
          'request refused by the HTTP parser',
        );
      }
      socket.destroy(error);
    },
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

  // The methods of every route, by template: another method on a known path is a 405 with
  // `Allow`, not a 404 (see the refusing routes registered last).
  const routeMethods = new Map<string, Set<string>>();
  let collecting = true;
  app.addHook('onRoute', (route) => {
    if (!collecting) return;
    const methods = routeMethods.get(route.url) ?? new Set<string>();
    for (const method of [route.method].flat()) methods.add(method);
    if (methods.has('GET')) methods.add('HEAD');
    routeMethods.set(route.url, methods);
  });

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
      completed: false,
      rawStatus: undefined,
    };
    liveReplies.set(request.raw.socket, reply);
    // A client that leaves before the answer ended still gets its completion line and sample.
    reply.raw.once('close', () => {
      if (!reply.raw.writableFinished) complete(request, reply, true);
    });
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
    complete(request, reply, false);
    done();
  });

  app.setErrorHandler((error, request, reply) => {
    if (error instanceof ClientClosedError) {
      // The client is gone: nothing can be sent; its completion logged and counted it.
      request.log.debug('query stopped: the client disconnected');
      return reply.code(CLIENT_CLOSED_STATUS).send();
    }
    const problem = toProblem(error, state.describe);
    if (problem.status >= 500 && !(error instanceof ProblemError))
      request.log.error({ err: error, problem: problem.code }, 'request failed');
    else if (problem.status >= 500)
      // Our own refusals (in-flight cap, shutdown, time limit): expected, so no stack.
      request.log.warn({ problem: problem.code, detail: problem.detail }, 'request refused');
    else
      request.log.info(
        { problem: problem.code, upstreamCode: problem.upstreamCode },
        'request refused',
      );
    if (isQueryRoute(request)) metrics.queryErrors.inc({ kind: problem.code });
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
    // @fastify/swagger marks every body required; some may be left out (see OPTIONAL_BODIES).
    transformObject: (documents) => {
      const doc = (documents as { openapiObject: { paths?: Record<string, object> } })
        .openapiObject;
      for (const path of Object.values(doc.paths ?? {})) {
        for (const op of Object.values(path) as { operationId?: string; requestBody?: object }[]) {
          const optional = op.operationId !== undefined && OPTIONAL_BODIES.has(op.operationId);
          if (optional && op.requestBody !== undefined)
            Object.assign(op.requestBody, { required: false });
        }
      }
      return doc as never;
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

  // Last: each known path answers its other methods with 405 and `Allow` (before any body is read).
  app.register(async (refuse) => {
    collecting = false;
    for (const [url, methods] of routeMethods) {
      const allowed = HTTP_METHODS.filter((m) => methods.has(m));
      const others = HTTP_METHODS.filter((m) => !methods.has(m));
      if (others.length === 0) continue;
      const allow = allowed.join(', ');
      refuse.route({
        method: others,
        url,
        exposeHeadRoute: false,
        schema: { hide: true },
        onRequest: (request, reply, done) => {
          reply.header('allow', allow);
          done(
            new ProblemError(
              'method-not-allowed',
              `${request.method} is not allowed on ${routeLabel(url)}; it answers ${allow}.`,
            ),
          );
        },
        handler: async () => undefined,
      });
    }
  });

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
