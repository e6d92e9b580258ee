/**
 * A self-contained HTML docs page rendered from the OpenAPI document: every operation with its
 * request and response schemas, and every problem type (the anchors problem `type` URIs point at).
 * No script, no external asset: it works offline and under a strict content security policy.
 *
 * @module
 */
import { PROBLEM_KINDS } from './problem.js';

const escape = (s: string): string =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

const pre = (value: unknown): string => `<pre>${escape(JSON.stringify(value, null, 2))}</pre>`;

/** Renders the docs page of `doc` (an OpenAPI 3.1 document). */
export function renderDocsPage(doc: Record<string, unknown>): string {
  const info = (doc['info'] ?? {}) as { title?: string; version?: string; description?: string };
  const paths = (doc['paths'] ?? {}) as Record<string, Record<string, Record<string, unknown>>>;
  const ops: string[] = [];
  for (const [path, methods] of Object.entries(paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const body = (
        op['requestBody'] as { content?: Record<string, { schema?: unknown }> } | undefined
      )?.content;
      const responses = (op['responses'] ?? {}) as Record<
        string,
        { description?: string; content?: Record<string, { schema?: unknown }> }
      >;
      ops.push(
        `<section id="op-${escape(String(op['operationId'] ?? path))}"><h3><code>${escape(method.toUpperCase())} ${escape(path)}</code></h3>` +
          `<p><strong>${escape(String(op['summary'] ?? ''))}</strong></p>` +
          (typeof op['description'] === 'string' ? `<p>${escape(op['description'])}</p>` : '') +
          (body === undefined
            ? ''
            : Object.entries(body)
                .map(
                  ([type, media]) => `<h4>Request body (${escape(type)})</h4>${pre(media.schema)}`,
                )
                .join('')) +
          Object.entries(responses)
            .map(
              ([status, r]) =>
                `<h4>${escape(status)}: ${escape(r.description ?? '')}</h4>` +
                Object.entries(r.content ?? {})
                  .map(
                    ([type, media]) =>
                      `<details><summary>${escape(type)}</summary>${pre(media.schema)}</details>`,
                  )
                  .join(''),
            )
            .join('') +
          '</section>',
      );
    }
  }
  const problems = Object.entries(PROBLEM_KINDS)
    .map(
      ([slug, p]) =>
        `<tr id="problem-${slug}"><td><code>${slug}</code></td><td>${p.status}</td><td>${escape(p.title)}</td></tr>`,
    )
    .join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(info.title ?? 'baql')}</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}pre{background:#f5f5f5;padding:.5rem;overflow:auto}code{background:#f5f5f5}section{border-top:1px solid #ddd;margin-top:1.5rem}table{border-collapse:collapse}td{border:1px solid #ddd;padding:.2rem .5rem}</style>
</head><body><h1>${escape(info.title ?? 'baql')} <small>${escape(info.version ?? '')}</small></h1>
<p>${escape(info.description ?? '')}</p><p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1). Operations: <code>/livez</code>, <code>/readyz</code>, <code>/metrics</code>.</p>
<h2>Operations</h2>${ops.join('\n')}
<h2 id="problems">Problem types</h2><p>Every error is <code>application/problem+json</code> (RFC 9457); its <code>type</code> links here.</p>
<table><tr><th>code</th><th>status</th><th>title</th></tr>${problems}</table></body></html>`;
}
