/**
 * The slice of a baql client the server uses. Structural on purpose: `@baql/core`'s `BaqlClient`
 * satisfies it, and so can any embedder's own client.
 *
 * @module
 */

/** A diagnostic of a bad query (the one error shape for bad queries, see docs/architecture.md). */
export interface ServerDiagnostic {
  readonly severity?: string;
  readonly code?: string;
  readonly message: string;
  readonly span?: unknown;
  readonly hints?: readonly string[];
}

/** The resolved time window of a plan. */
export interface ServerWindow {
  readonly start: string;
  readonly end: string;
  readonly defaulted?: boolean;
}

/** What the server reads from a compiled plan. */
export interface ServerPlan {
  readonly window: ServerWindow;
  readonly requests: readonly unknown[];
  readonly [key: string]: unknown;
}

/** Options the server passes to the client for one query. */
export interface ServerQueryOptions {
  readonly params?: Readonly<Record<string, unknown>>;
  readonly limit?: number;
  readonly signal?: AbortSignal;
  readonly transactionId?: string;
}

/** The summary of an executed query. */
export interface ServerSummary {
  readonly rows: number;
  readonly requests?: number;
  readonly pages?: number;
  readonly retries?: number;
  readonly bytes?: number;
  readonly elapsedMs?: number;
  readonly truncated?: boolean;
  readonly [key: string]: unknown;
}

/** The result of `query`. */
export interface ServerQueryResult {
  readonly rows: readonly Readonly<Record<string, unknown>>[];
  readonly columns?: readonly string[];
  readonly summary: ServerSummary;
  readonly window: ServerWindow;
  readonly kind?: string;
}

/** A running query streamed row by row. */
export interface ServerQueryStream extends AsyncIterable<Readonly<Record<string, unknown>>> {
  readonly summary: Promise<ServerSummary>;
}

/** The client operations the server calls. */
export interface ServerClient {
  query(text: string, options: ServerQueryOptions): Promise<ServerQueryResult>;
  stream(text: string, options: ServerQueryOptions): ServerQueryStream;
  compile(text: string, options: ServerQueryOptions): ServerPlan | Promise<ServerPlan>;
}
