/** Test helper: a syntax tree without its spans (to compare trees of different texts). */
export function stripRanges(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripRanges);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value))
      if (k !== 'range' && k !== 'comments') out[k] = stripRanges(v);
    return out;
  }
  return value;
}
