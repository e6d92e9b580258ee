/**
 * `@baql/server`: the baql HTTP service on Fastify. Embed it with {@link createServer}, or run it
 * with {@link runServe} (what `baql serve` does).
 *
 * @packageDocumentation
 */
export { createServer, sendProblem, toProblem } from './app.js';
export { runServe, SERVE_HELP } from './serve.js';
export { hashKey, NO_KEY_HELP, ApiKeyConfigError, parseApiKeysEnv } from './api-keys.js';
export type { ApiKeyConfig, KeyRights, RateLimit } from './api-keys.js';
export { DEFAULT_LIMITS } from './options.js';
export type {
  BearerCaller,
  ReadyState,
  ServerLimits,
  ServerOptions,
  ServerSession,
} from './options.js';
export type {
  ServerClient,
  ServerPlan,
  ServerQueryOptions,
  ServerQueryResult,
  ServerQueryStream,
  ServerSummary,
  ServerWindow,
} from './engine.js';
export { PROBLEM_CONTENT_TYPE, PROBLEM_KINDS, problem, ProblemError } from './problem.js';
export type { Problem, ProblemKind } from './problem.js';
export type {} from './state.js';
export { upstreamClientOptions, serverMetricsPlugin, correlatingFetch } from './upstream.js';
