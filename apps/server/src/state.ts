/**
 * The per-server state shared by hooks and routes, and the request decorations.
 *
 * @module
 */
import type { ApiKey } from './api-keys.js';
import type { ServerClient, ServerPlan } from './engine.js';
import type { PlanCache } from './plan-cache.js';
import type { Describe } from './map-error.js';
import type { ServerMetrics } from './metrics.js';
import type { ReadyState, ServerLimits } from './options.js';
import type { RateLimiter } from './rate-limiter.js';
import type { TraceParent } from './tracing.js';

/** State of one server. */
export interface ServerState {
  readonly client: ServerClient;
  readonly catalog: unknown;
  readonly limits: ServerLimits;
  readonly keys: readonly ApiKey[];
  readonly limiter: RateLimiter;
  /** Compiled plans of the last second, by query text and parameters. */
  readonly planCache: PlanCache<ServerPlan>;
  readonly metrics: ServerMetrics;
  readonly queriesDir: string | undefined;
  readonly describe: Describe | undefined;
  readonly readiness: () => Promise<ReadyState>;
  /** Abort controllers of the queries running now (for shutdown and the in-flight limit). */
  readonly inFlight: Set<AbortController>;
  /** Set when graceful shutdown began: new work is refused with 503. */
  draining: boolean;
}

/** What the server tracks about one request. */
export interface RequestState {
  readonly startedAt: number;
  readonly trace: TraceParent | undefined;
  readonly transactionId: string;
  caller: ApiKey | undefined;
  /** Set once the request's completion (log line and metrics sample) was recorded. */
  completed: boolean;
  /** The status of an answer written on the raw socket (an HTTP parser error mid-request). */
  rawStatus: number | undefined;
}

declare module 'fastify' {
  interface FastifyRequest {
    baql: RequestState;
  }
  interface FastifyInstance {
    /** Stops accepting work, lets in-flight queries finish within `deadlineMs`, then aborts them and closes. */
    closeGracefully(deadlineMs?: number): Promise<void>;
  }
}
