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
import {
  createBaqlLanguage,
  type BaqlLanguage,
  type BaqlLanguageOptions,
} from './baql-language.js';
import type { CatalogLike, DiagnosticLike, QueryToolkit, SessionLike } from './ports.js';

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Whether `text` ends inside a string: `@baql/query`'s `isComplete` reads an unclosed quote as a
 * (reported) string, but in a console the analyst is still typing it.
 */
export function endsInString(text: string): boolean {
  let quote: string | undefined;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i] as string;
    if (quote !== undefined) {
      if (c === '\\') i += 1;
      else if (c === quote || c === '\n') quote = undefined;
    } else if (c === '#') {
      while (i < text.length && text[i] !== '\n') i += 1;
    } else if (c === '"' || c === "'") {
      quote = c;
    }
  }
  return quote !== undefined;
}

const render = (text: string, diagnostics: readonly query.Diagnostic[]) =>
  diagnostics.map((d) => query.renderDiagnostic(text, d));

/** The query toolkit over `@baql/query` and `@baql/core`. @since 0.1.0 */
export const baqlToolkit: QueryToolkit = {
  complete: (text, offset, catalog) => query.complete(text, offset, catalog as query.Catalog),
  isComplete: (text) => {
    const answer = query.isComplete(text);
    if (!answer.complete) return { complete: false, indent: ' '.repeat(answer.indent) };
    return endsInString(text) ? { complete: false, indent: '' } : { complete: true, indent: '' };
  },
  renderDiagnostic: (text, diagnostic) =>
    query.renderDiagnostic(text, diagnostic as query.Diagnostic),
  prepareSavedQuery: (fileText, given) => {
    const saved = query.parseSavedQuery(fileText);
    const errors = saved.diagnostics.filter((d) => d.severity === 'error');
    if (errors.length > 0) {
      return {
        ok: false,
        message: errors[0]?.message ?? 'invalid saved query',
        details: render(fileText, errors),
      };
    }
    const bound = query.bindParams(saved.meta.params, given);
    if (query.isLeft(bound)) {
      return {
        ok: false,
        message: bound.left.map((d) => d.message).join('; '),
        details: bound.left.flatMap((d) => [d.message, ...d.hints.map((h) => `  hint: ${h}`)]),
      };
    }
    return { ok: true, query: saved.query.trim(), params: bound.right };
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
  /** See {@link BaqlLanguageOptions.progressDelayMs} (default: `BAQL_KERNEL_PROGRESS_DELAY_MS`). */
  readonly progressDelayMs?: number;
  readonly env?: NodeJS.ProcessEnv;
}

/** `BAQL_KERNEL_PROGRESS_DELAY_MS` as a number of milliseconds (unset or invalid: the default). */
const progressDelayFromEnv = (env: NodeJS.ProcessEnv): number | undefined => {
  const raw = env['BAQL_KERNEL_PROGRESS_DELAY_MS']?.trim();
  if (raw === undefined || !/^\d+$/.test(raw)) return undefined;
  return Number(raw);
};

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
  const progressDelayMs = options.progressDelayMs ?? progressDelayFromEnv(env);
  return createBaqlLanguage({
    toolkit: baqlToolkit,
    openSession: async (profile, extraEnv = {}): Promise<SessionLike> => {
      const session = await openSession({
        env: { ...env, ...extraEnv },
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
    ...(progressDelayMs === undefined ? {} : { progressDelayMs }),
  });
}
