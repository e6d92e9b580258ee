/**
 * `@baql/core`: the one client every baql app runs queries through — OAuth2 (Auth API v2),
 * a retrying node-fetch transport, io-ts codecs of the contract, the streaming executor, plugins
 * and configuration profiles.
 *
 * Plain async facade: {@link createClient}. The fp-ts building blocks (transport, auth,
 * executor, `*E` config functions returning `Either`) are exported for those who compose them.
 *
 * @example
 * ```ts
 * import { createClient } from '@baql/core';
 * const client = createClient({ baseUrl: 'production', clientId, clientSecret, institutionId: '00016' });
 * const { rows, summary } = await client.query('type:login since 1d | count by channel');
 * for await (const row of client.stream('user:alice since 7d')) console.log(row);
 * await client.close();
 * ```
 * @module
 */
export { createClient } from './client.js';
export type {
  BaqlClient,
  ClientOptions,
  QueryOptions,
  QueryResult,
  QueryStream,
  Summary,
} from './client.js';
export type { ProgressEvent, Execution, ExecuteOptions, ExecutorContext } from './executor.js';
export { execute } from './executor.js';
export type { OutputRow, PipelineRun } from './pipeline.js';
export type { PlanLike } from './planner.js';

export {
  BaqlError,
  describeError,
  explainCode,
  isBaqlError,
  BAS_CODES,
  CMN_CODES,
} from './errors.js';
export type {
  Aborted,
  AuthError,
  BaqlReason,
  ConfigError,
  DecodeError,
  DiagnosticLike,
  HttpError,
  NetworkError,
  PlanError,
  StorageError,
  Timeout,
} from './errors.js';
export { DEFAULT_SORT_MEMORY_ROWS } from './external-sort.js';
export { redact, redactHeaders, registerSecret } from './redact.js';

export { createAuth, isInvalidToken, TokenCache } from './auth.js';
export type {
  Auth,
  AuthOptions,
  AuthStats,
  ClientCredentialsGrant,
  Grant,
  PasswordGrant,
  TokenEntry,
} from './auth.js';
export { abortable, createTransport, peekErrorBody } from './transport.js';
export type {
  FetchInitLike,
  FetchLike,
  FetchResponseLike,
  HttpRequest,
  HttpResponse,
  Logger,
  RequestInfo,
  ResponseInfo,
  Timeouts,
  Transport,
  TransportMiddleware,
  TransportOptions,
} from './transport.js';
export { DEFAULT_RETRY, backoffMs, isRetryable, isThrottle, parseRetryAfter } from './retry.js';
export type { RetryPolicy } from './retry.js';
export { ENVIRONMENTS, isLoopback, resolveBaseUrl } from './base-url.js';
export { Limiter } from './limiter.js';

export {
  AccessTokenRequestC,
  AccessTokenResponseC,
  AdditionalFiltersC,
  BankingActivityC,
  ErrorResponseC,
  RevokeRequestC,
  SearchCriteriaC,
  SearchResponseC,
  ServiceFilterC,
  SubFilterC,
  decodeWith,
} from './codecs.js';

export {
  configCandidates,
  loadConfig,
  loadConfigE,
  readSecretFile,
  resolveProfile,
  resolveProfileE,
  resolvePlanningProfileE,
} from './config.js';
export type {
  ConfigFile,
  LoadConfigOptions,
  LoadedConfig,
  ProfileConfig,
  PlanningProfile,
  ProfileSettings,
  ResolvedProfile,
} from './config.js';

export {
  collectMacros,
  collectRenderers,
  definePlugin,
  expandMacros,
  loadPlugin,
  loadPlugins,
} from './plugins.js';
export type { BaqlPlugin, CatalogContribution, Macro, RenderInput, Renderer } from './plugins.js';
