/**
 * The wiring of the BAQL language to the packages: sessions from `@baql/runtime`, completion,
 * completeness, diagnostics and saved queries from `@baql/query`, error reasons from
 * `@baql/core`.
 *
 * @since 0.1.0
 * @module
 */
import { describeError, isBaqlError, type BaqlReason } from '@baql/core';
import * as query from '@baql/query';
import { openSession } from '@baql/runtime';
import { basicComplete, basicIsComplete, basicParseSavedQuery } from './basic-assist.js';
import {
  createBaqlLanguage,
  type BaqlLanguage,
  type BaqlLanguageOptions,
} from './baql-language.js';
import type {
  CatalogLike,
  DiagnosticLike,
  QueryToolkit,
  SavedQueryLike,
  SessionLike,
} from './ports.js';

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Reads what `parseSavedQuery` returns (a saved query, or an Either of one) into the kernel's
 * shape: the query and each declared parameter with its default.
 */
const toSaved = (
  value: unknown,
): { ok: true; saved: SavedQueryLike } | { ok: false; message: string } => {
  let v = value;
  if (isRecord(v) && v['_tag'] === 'Left') {
    const left = v['left'];
    const first = Array.isArray(left) ? left[0] : left;
    const message =
      isRecord(first) && typeof first['message'] === 'string'
        ? first['message']
        : 'invalid saved query';
    return { ok: false, message };
  }
  if (isRecord(v) && v['_tag'] === 'Right') v = v['right'];
  if (!isRecord(v) || typeof v['query'] !== 'string')
    return { ok: false, message: 'not a saved query file' };
  const params: Record<string, string | undefined> = {};
  const declared = v['params'] ?? v['parameters'];
  if (Array.isArray(declared)) {
    for (const p of declared) {
      if (!isRecord(p) || typeof p['name'] !== 'string') continue;
      const fallback = p['default'] ?? p['defaultValue'];
      params[p['name']] =
        fallback === undefined || fallback === null ? undefined : String(fallback);
    }
  }
  const title = v['name'] ?? v['title'];
  return {
    ok: true,
    saved: { query: v['query'], params, ...(typeof title === 'string' ? { title } : {}) },
  };
};

/** The assist functions of `@baql/query` the kernel prefers, when the installed version has them. */
interface QueryAssist {
  complete?: (
    text: string,
    offset: number,
    catalog?: query.Catalog,
  ) => ReturnType<QueryToolkit['complete']>;
  isComplete?: (text: string) => ReturnType<QueryToolkit['isComplete']>;
  parseSavedQuery?: (text: string) => unknown;
}
const assist = query as unknown as QueryAssist;

/** The query toolkit over `@baql/query` and `@baql/core`. @since 0.1.0 */
export const baqlToolkit: QueryToolkit = {
  complete: (text, offset, catalog) =>
    assist.complete !== undefined
      ? assist.complete(text, offset, catalog as query.Catalog)
      : basicComplete(text, offset, catalog),
  isComplete: (text) =>
    assist.isComplete !== undefined ? assist.isComplete(text) : basicIsComplete(text),
  renderDiagnostic: (text, diagnostic) =>
    query.renderDiagnostic(text, diagnostic as query.Diagnostic),
  parseSavedQuery: (text) => {
    try {
      if (assist.parseSavedQuery === undefined) {
        const parsed = basicParseSavedQuery(text);
        return 'error' in parsed
          ? { ok: false, message: parsed.error }
          : { ok: true, saved: parsed };
      }
      return toSaved(assist.parseSavedQuery(text));
    } catch (error) {
      return { ok: false, message: error instanceof Error ? error.message : String(error) };
    }
  },
  reasonOf: (error) => {
    if (!isBaqlError(error)) return undefined;
    const reason = error.reason as BaqlReason & { diagnostics?: readonly DiagnosticLike[] };
    return reason;
  },
  describeReason: (reason) => describeError(reason as BaqlReason),
};

/** Options of {@link openBaqlLanguage}. @since 0.1.0 */
export interface OpenBaqlLanguageOptions {
  readonly profile?: string;
  readonly log?: BaqlLanguageOptions['log'];
  /** Options for the embedded sandbox (default: `BAQL_KERNEL_SANDBOX`, a JSON object). */
  readonly sandbox?: Readonly<Record<string, unknown>>;
  readonly queryDirs?: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
}

const sandboxFromEnv = (env: NodeJS.ProcessEnv): Readonly<Record<string, unknown>> | undefined => {
  const raw = env['BAQL_KERNEL_SANDBOX'];
  if (raw === undefined || raw.trim() === '') return undefined;
  try {
    const parsed: unknown = JSON.parse(raw);
    return isRecord(parsed) ? parsed : undefined;
  } catch (_error) {
    return undefined;
  }
};

/**
 * The BAQL language on a `@baql/runtime` session (the embedded sandbox for the `sandbox` profile).
 *
 * @since 0.1.0
 */
export function openBaqlLanguage(options: OpenBaqlLanguageOptions = {}): BaqlLanguage {
  const env = options.env ?? process.env;
  const sandbox = options.sandbox ?? sandboxFromEnv(env);
  const queryPath = env['BAQL_QUERY_PATH']?.split(':').filter((d) => d !== '');
  const queryDirs =
    options.queryDirs ?? (queryPath && queryPath.length > 0 ? queryPath : undefined);
  return createBaqlLanguage({
    toolkit: baqlToolkit,
    openSession: async (profile): Promise<SessionLike> => {
      const session = await openSession({
        ...(profile === undefined ? {} : { profile }),
        ...(sandbox === undefined ? {} : { sandbox }),
      });
      return {
        client: session.client,
        catalog: session.catalog as CatalogLike,
        profileName: session.profileName,
        close: () => session.close(),
      };
    },
    ...(options.profile === undefined ? {} : { profile: options.profile }),
    ...(options.log === undefined ? {} : { log: options.log }),
    ...(queryDirs === undefined ? {} : { queryDirs }),
  });
}
