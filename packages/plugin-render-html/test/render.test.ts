import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import plugin, { escapeHtml, renderHtml, renderMarkdown } from '../src/index.js';

describe('@baql/plugin-render-html', () => {
  const input = {
    columns: ['channel', 'count'],
    rows: [
      { channel: 'MOBILE', count: 12 },
      { channel: '<script>alert(1)</script>', count: 3 },
      { channel: 'a|b', count: 1 },
    ],
    kind: 'aggregate' as const,
    summary: { rows: 3, elapsedMs: 41.7 },
  };
  it('renders an escaped HTML table with numbers marked', () => {
    const html = renderHtml(input);
    expect(html).toContain('<th>channel</th><th>count</th>');
    expect(html).toContain('<td>MOBILE</td><td class="num">12</td>');
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;');
    expect(html).toContain('3 rows in 42 ms');
  });
  it('renders a markdown table with right-aligned numeric columns and escaped pipes', () => {
    expect(renderMarkdown(input)).toBe(
      '| channel | count |\n| --- | ---: |\n| MOBILE | 12 |\n| <script>alert(1)</script> | 3 |\n| a\\|b | 1 |\n\n_3 rows in 42 ms_\n',
    );
  });
  it('never lets markup through (property)', () => {
    fc.assert(
      fc.property(
        fc.string(),
        (s) =>
          !/[<>"']/.test(escapeHtml(s)) &&
          renderHtml({ columns: ['x'], rows: [{ x: s }], kind: 'rows' }).split('<td>').length === 2,
      ),
    );
  });
  it('is a plugin with html and markdown renderers', () => {
    expect(plugin.name).toBe('@baql/plugin-render-html');
    expect(Object.keys(plugin.renderers ?? {})).toEqual(['html', 'markdown']);
    expect(plugin.renderers?.['html']?.mediaType).toBe('text/html');
  });
});
