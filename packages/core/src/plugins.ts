/**
 * The plugin API, one for every app. A plugin may contribute catalog entries, macros (named query
 * fragments such as `@failedLogins`), result renderers and transport middleware. Plugins load from
 * the config by package name or by path (relative to the config file).
 *
 * @module
 */
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LineIndex, macroReferences } from '@baql/query';
import * as E from 'fp-ts/lib/Either.js';
import type { ConfigError, DiagnosticLike } from './errors.js';
import type { TransportMiddleware } from './transport.js';

/** A named query fragment. Use it in a query as `@name`; it expands to `(query)`. */
export interface Macro {
  /** The BAQL fragment, e.g. `type:login result:failure`. May use other macros. */
  readonly query: string;
  /** One line shown by completion and `help`. */
  readonly description?: string;
}

/** What a renderer gets: the columns and rows of a result (rows are flat string maps). */
export interface RenderInput {
  readonly columns: readonly string[];
  readonly rows: readonly Readonly<Record<string, unknown>>[];
  readonly kind: 'rows' | 'aggregate';
  readonly title?: string;
  readonly summary?: { readonly rows: number; readonly elapsedMs: number };
}

/** A result renderer (`--format <name>` in the CLI, `?format=` in the server, a MIME bundle in the kernel). */
export interface Renderer {
  /** The MIME type of the output, e.g. `text/html`. */
  readonly mediaType: string;
  readonly description?: string;
  render(input: RenderInput): string;
}

/**
 * Catalog contributions, merged into the query catalog with `mergeCatalog` of `@baql/query`
 * (event ids, fields, aliases, value lists). Kept structural here so plugins need no import of
 * the query package's internals.
 */
export type CatalogContribution = Readonly<Record<string, unknown>>;

/** A baql plugin. */
export interface BaqlPlugin {
  /** A unique name, e.g. `@baql/plugin-fraud`. */
  readonly name: string;
  readonly description?: string;
  readonly catalog?: CatalogContribution;
  /** Macros by name (without the `@`). */
  readonly macros?: Readonly<Record<string, Macro>>;
  /** Renderers by format name. */
  readonly renderers?: Readonly<Record<string, Renderer>>;
  /** Transport hooks, run around every HTTP attempt. */
  readonly middleware?: readonly TransportMiddleware[];
}

/** Identity helper that type-checks a plugin definition. */
export function definePlugin(plugin: BaqlPlugin): BaqlPlugin {
  return plugin;
}

const isPlugin = (u: unknown): u is BaqlPlugin =>
  typeof u === 'object' && u !== null && typeof (u as { name?: unknown }).name === 'string';

/** Loads one plugin module by package name or path; it must export a plugin as `default` or `plugin`. */
export async function loadPlugin(
  spec: string,
  baseDir: string,
): Promise<E.Either<ConfigError, BaqlPlugin>> {
  const isPath = spec.startsWith('.') || isAbsolute(spec);
  const target = isPath ? pathToFileURL(resolve(baseDir, spec)).href : spec;
  let mod: Record<string, unknown>;
  try {
    mod = (await import(target)) as Record<string, unknown>;
  } catch (error) {
    return E.left({
      _tag: 'ConfigError',
      message: `cannot load plugin "${spec}": ${(error as Error).message.split('\n')[0] ?? ''}`,
    });
  }
  const candidate = mod['default'] ?? mod['plugin'];
  const value = typeof candidate === 'function' ? (candidate as () => unknown)() : candidate;
  if (!isPlugin(value)) {
    return E.left({
      _tag: 'ConfigError',
      message: `"${spec}" is not a baql plugin (export a plugin object with a name as default)`,
    });
  }
  return E.right(value);
}

/** Loads plugins in order; fails on the first that cannot be loaded, or on two with the same name. */
export async function loadPlugins(
  specs: readonly string[],
  baseDir: string,
): Promise<E.Either<ConfigError, BaqlPlugin[]>> {
  const out: BaqlPlugin[] = [];
  for (const spec of specs) {
    const p = await loadPlugin(spec, baseDir);
    if (E.isLeft(p)) return p;
    if (out.some((q) => q.name === p.right.name)) {
      return E.left({
        _tag: 'ConfigError',
        message: `plugin "${p.right.name}" is configured twice`,
      });
    }
    out.push(p.right);
  }
  return E.right(out);
}

/** All macros of `plugins` (a later plugin may not silently replace an earlier one's macro). */
export function collectMacros(
  plugins: readonly BaqlPlugin[],
): E.Either<ConfigError, Record<string, Macro>> {
  const out: Record<string, Macro> = {};
  const owner: Record<string, string> = {};
  for (const p of plugins) {
    for (const [name, macro] of Object.entries(p.macros ?? {})) {
      if (!/^[A-Za-z_][\w-]*$/.test(name))
        return E.left({
          _tag: 'ConfigError',
          message: `plugin "${p.name}": macro name "${name}" is not an identifier`,
        });
      if (owner[name] !== undefined) {
        return E.left({
          _tag: 'ConfigError',
          message: `macro @${name} is defined by both "${owner[name]}" and "${p.name}"`,
        });
      }
      out[name] = macro;
      owner[name] = p.name;
    }
  }
  return E.right(out);
}

/** All renderers of `plugins` by format name. */
export function collectRenderers(plugins: readonly BaqlPlugin[]): Record<string, Renderer> {
  const out: Record<string, Renderer> = {};
  for (const p of plugins) Object.assign(out, p.renderers ?? {});
  return out;
}

/**
 * Expands `@name` macros in a query text to `(fragment)`, recursively. A macro is a word that is
 * an `@` and a name, outside strings and comments (`macroReferences` of `@baql/query`): an `@`
 * inside a value (`user:a@b.c`) or a time (`-1d@d`) is left alone. Unknown macros and cycles are
 * diagnostics with the line, column and span of the `@name`.
 */
export function expandMacros(
  text: string,
  macros: Readonly<Record<string, Macro>>,
  stack: readonly string[] = [],
): E.Either<DiagnosticLike[], string> {
  const refs = macroReferences(text);
  if (refs.length === 0) return E.right(text);
  const lines = new LineIndex(text);
  let out = '';
  let at = 0;
  const problems: DiagnosticLike[] = [];
  for (const ref of refs) {
    out += text.slice(at, ref.start);
    at = ref.end;
    const { name } = ref;
    const macro = macros[name];
    const span = lines.span(ref.start, ref.end);
    if (macro === undefined) {
      const known = Object.keys(macros);
      problems.push({
        severity: 'error',
        code: 'unknown-macro',
        message: `unknown macro @${name}`,
        span,
        hints:
          known.length === 0
            ? [
                'no macros are loaded; add a plugin such as @baql/plugin-fraud to the config',
                `a value that starts with @ is written in quotes: "@${name}"`,
              ]
            : [`known macros: ${known.map((k) => `@${k}`).join(', ')}`],
      });
    } else if (stack.includes(name)) {
      problems.push({
        severity: 'error',
        code: 'macro-cycle',
        message: `macro @${name} uses itself (${[...stack, name].map((s) => `@${s}`).join(' → ')})`,
        span,
      });
    } else {
      const inner = expandMacros(macro.query, macros, [...stack, name]);
      if (E.isLeft(inner)) problems.push(...inner.left.map((d) => ({ ...d, span })));
      else out += `(${inner.right})`;
    }
  }
  out += text.slice(at);
  return problems.length > 0 ? E.left(problems) : E.right(out);
}
