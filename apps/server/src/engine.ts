/**
 * The slice of a `@baql/core` client the server uses. Any object with these methods works, so
 * embedders can wrap or decorate their client.
 *
 * @module
 */
import type { BaqlClient, QueryOptions, QueryResult, QueryStream, Summary } from '@baql/core';

/** The client operations the server calls. */
export type ServerClient = Pick<BaqlClient, 'query' | 'stream' | 'compile'> &
  Partial<Pick<BaqlClient, 'catalog' | 'authStats'>>;
/** Options the server passes for one query. */
export type ServerQueryOptions = QueryOptions;
/** The compiled plan. */
export type ServerPlan = ReturnType<BaqlClient['compile']>;
/** The result of a query. */
export type ServerQueryResult = QueryResult;
/** A streaming query. */
export type ServerQueryStream = QueryStream;
/** A query's summary. */
export type ServerSummary = Summary;
/** A resolved window. */
export type ServerWindow = ServerPlan['window'];
