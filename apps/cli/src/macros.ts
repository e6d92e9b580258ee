/**
 * `@name` macros of the profile's plugins, as the client expands them before planning: the CLI
 * expands them the same way to check and format saved queries, and to show a diagnostic under
 * the text it refers to.
 */
import type { BaqlClient, DiagnosticLike } from '@baql/core';

/** A query with its macros expanded, or the expansion's problems (spans: offsets in the query). */
export type Expansion =
  { readonly text: string } | { readonly diagnostics: readonly DiagnosticLike[] };

/** Expands the `@macros` of `text` with the client's (a text without `@` is returned as is). */
export async function expandQuery(
  client: Pick<BaqlClient, 'macros'>,
  text: string,
): Promise<Expansion> {
  if (!text.includes('@')) return { text };
  const { expandMacros } = await import('@baql/core');
  const expanded = expandMacros(text, client.macros);
  return expanded._tag === 'Right' ? { text: expanded.right } : { diagnostics: expanded.left };
}

/**
 * The text the client plans for `text` (its macros expanded): what the spans of the plan's
 * diagnostics refer to. When the macros cannot be expanded, the diagnostics are the expansion's,
 * which refer to `text` itself.
 */
export async function plannedText(
  client: Pick<BaqlClient, 'macros'>,
  text: string,
): Promise<string> {
  const expansion = await expandQuery(client, text);
  return 'text' in expansion ? expansion.text : text;
}
