/**
 * Cursor offsets: the protocol counts Unicode code points, JavaScript strings count UTF-16 units.
 *
 * @since 0.1.0
 * @module
 */

/** The UTF-16 offset of code point offset `points` in `text` (clamped to the text). @since 0.1.0 */
export function codePointsToUtf16(text: string, points: number): number {
  let units = 0;
  let seen = 0;
  while (units < text.length && seen < points) {
    const code = text.codePointAt(units) ?? 0;
    units += code > 0xffff ? 2 : 1;
    seen += 1;
  }
  return units;
}

/** The code point offset of UTF-16 offset `units` in `text` (clamped to the text). @since 0.1.0 */
export function utf16ToCodePoints(text: string, units: number): number {
  return [...text.slice(0, Math.max(0, Math.min(units, text.length)))].length;
}
