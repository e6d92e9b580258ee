/**
 * What the BAQL language needs from the rest of baql, as narrow structural types: a session (a
 * client and its catalog) and the query toolkit (completion, completeness, diagnostics, saved
 * queries, error descriptions). `baql-wiring.ts` fills them from `@baql/runtime`, `@baql/core`
 * and `@baql/query`; keeping them narrow keeps the kernel's dependence on those APIs explicit.
 *
 * @since 0.1.0
 * @module
 */
import type { AttributeDef, Catalog, Diagnostic, EventDef, FieldDef, Position } from '@baql/query';

/** A position in query text (`@baql/query`'s `Position`). @since 0.1.0 */
export type PositionLike = Position;

/** A diagnostic (`@baql/query`'s shape). @since 0.1.0 */
export type DiagnosticLike = Diagnostic;

/** A field of the catalog. @since 0.1.0 */
export type FieldLike = FieldDef;

/** An attribute of the catalog. @since 0.1.0 */
export type AttributeLike = AttributeDef;

/** An event id of the catalog. @since 0.1.0 */
export type EventLike = EventDef;

/** The catalog (`@baql/query`'s `Catalog`, of which the kernel reads fields, attributes and events). @since 0.1.0 */
export type CatalogLike = Pick<Catalog, 'fields' | 'attributes' | 'events'>;

/** Progress of a running query (`@baql/core`'s progress events). @since 0.1.0 */
export interface ProgressLike {
  readonly requestsDone?: number;
  readonly requestsTotal?: number;
  readonly pages?: number;
  readonly records?: number;
  readonly retries?: number;
  readonly elapsedMs?: number;
}

/** A parameter value (`@baql/query`'s `ParamValue`). @since 0.1.0 */
export type ParamValueLike = string | number | readonly string[];

/** Query options the kernel passes. @since 0.1.0 */
export interface QueryOptionsLike {
  readonly params?: Readonly<Record<string, ParamValueLike>>;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: ProgressLike) => void;
}

/** A client (`@baql/core`'s `BaqlClient`, the parts the kernel uses). @since 0.1.0 */
export interface ClientLike {
  query(text: string, options: QueryOptionsLike): Promise<unknown>;
  explain(text: string, options: QueryOptionsLike): string | Promise<string>;
  compile(text: string, options: QueryOptionsLike): unknown;
}

/** An open session (`@baql/runtime`'s `Session`, the parts the kernel uses). @since 0.1.0 */
export interface SessionLike {
  readonly client: ClientLike;
  readonly catalog: CatalogLike;
  readonly profileName: string;
  close(): Promise<void>;
}

/** A completion item, whatever its spelling (`label`/`text`/`insertText`/`value`). @since 0.1.0 */
export type CompletionItemLike =
  | string
  | {
      readonly label?: string;
      readonly text?: string;
      readonly insertText?: string;
      readonly value?: string;
      readonly kind?: string;
      readonly detail?: string;
    };

/** A saved query ready to run: its query and bound parameters, or why it cannot run. @since 0.1.0 */
export type PreparedQuery =
  | {
      readonly ok: true;
      readonly query: string;
      readonly params: Readonly<Record<string, ParamValueLike>>;
    }
  | { readonly ok: false; readonly message: string; readonly details: readonly string[] };

/** Why a thrown error failed a query: a tagged reason, when it is a `BaqlError`. @since 0.1.0 */
export interface ReasonLike {
  readonly _tag: string;
  readonly diagnostics?: readonly DiagnosticLike[];
}

/** The query-language functions the kernel calls. @since 0.1.0 */
export interface QueryToolkit {
  complete(
    text: string,
    offset: number,
    catalog: CatalogLike,
  ): {
    readonly items: readonly CompletionItemLike[];
    readonly replace: { readonly start: number; readonly end: number };
  };
  isComplete(text: string): { readonly complete: boolean; readonly indent: string };
  renderDiagnostic(text: string, diagnostic: DiagnosticLike): string;
  /** Parses a saved query file and binds `given` values (strings) to its declared parameters. */
  prepareSavedQuery(fileText: string, given: Readonly<Record<string, string>>): PreparedQuery;
  /** The tagged reason of a thrown `BaqlError`, or `undefined` for any other throw. */
  reasonOf(error: unknown): ReasonLike | undefined;
  /** Human text for a reason (never a secret). */
  describeReason(reason: ReasonLike): string;
}
