/**
 * JSON as UTF-8 bytes, the way `Buffer.from(JSON.stringify(value))` makes them, but with the
 * large strings near the top (a result's `text/plain`, `text/html`, …) encoded each on its own.
 *
 * Why: V8 keeps a string as one byte per character only while every character fits in Latin-1,
 * and UTF-8 encoding a two-byte string is several times slower. One `…` in a text table made the
 * whole ~70 KB JSON of a result two-byte, so a single `JSON.stringify` of the content paid the slow
 * path for the HTML and JSON parts too. Encoded apart, only the part that needs it pays.
 *
 * @since 0.1.0
 * @module
 */

/** Strings at least this long are encoded apart. */
const LARGE = 2048;

/** How many {@link rememberJsonString} entries are kept (a result has two large strings). */
const REMEMBERED = 8;

/**
 * Large strings whose JSON encoding their producer already knows, oldest first. A short list
 * compared with `===` rather than a Map: the string a renderer remembered is the very string the
 * encoder meets, and V8 compares a string with itself by reference, where a Map would first hash
 * all of its characters.
 */
const remembered: { text: string; json: string }[] = [];

/**
 * Tells {@link jsonFrame} the JSON encoding of a large string it is about to serialise, so it
 * skips `JSON.stringify` of that string: a renderer that escaped every cell as it wrote it knows
 * its output needs no JSON escapes but its newlines, and serialising a 10 KB table again costs as
 * much as rendering it. `json` must be exactly `JSON.stringify(text)`; strings shorter than the
 * large-string threshold are ignored. Only the last few strings are kept, and each is used once.
 *
 * @example
 * rememberJsonString(table, `"${lines.join('\\n')}"`);
 * @since 0.1.0
 */
export function rememberJsonString(text: string, json: string): void {
  if (text.length < LARGE) return;
  if (remembered.length >= REMEMBERED) remembered.shift();
  remembered.push({ text, json });
}

/** `JSON.stringify` of a large string, from {@link rememberJsonString} when its producer said. */
const largeStringJson = (text: string): string => {
  for (let i = remembered.length - 1; i >= 0; i -= 1) {
    const entry = remembered[i] as { text: string; json: string };
    if (entry.text === text) {
      remembered.splice(i, 1);
      return entry.json;
    }
  }
  return JSON.stringify(text);
};

/** Objects this deep or deeper are stringified whole (`content.data[mime]` is at depth 2). */
const MAX_DEPTH = 3;

const isPlainObject = (value: unknown): value is Record<string, unknown> => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return (
    (proto === Object.prototype || proto === null) &&
    typeof (value as { toJSON?: unknown }).toJSON !== 'function'
  );
};

/** Whether every value of `object` is a primitive, and no string among them is large. */
const flat = (object: Record<string, unknown>): boolean => {
  for (const key of Object.keys(object)) {
    const item = object[key];
    if (typeof item === 'object' ? item !== null : typeof item === 'string' && item.length >= LARGE)
      return false;
  }
  return true;
};

/** Values `JSON.stringify` leaves out of an object. */
const skipped = (value: unknown): boolean =>
  value === undefined || typeof value === 'function' || typeof value === 'symbol';

/**
 * `JSON.stringify(value)` of a JSON object as a frame: the string itself when it holds no large
 * string, else its UTF-8 bytes with the large strings encoded each on their own. Either is byte
 * for byte `JSON.stringify(value)` in UTF-8. Throws what `JSON.stringify` throws (a cycle, a
 * BigInt).
 *
 * @example
 * jsonFrame({ a: 1 }) // '{"a":1}'
 * jsonFrame({ data: { 'text/plain': 'x'.repeat(5000) } }) // a Buffer
 * @since 0.1.0
 */
export function jsonFrame(value: unknown): Buffer | string {
  // Most messages (status, execute_input, replies without payload) are one level of small
  // values: `JSON.stringify` of those is the same string, made in one call.
  if (isPlainObject(value) && flat(value)) return JSON.stringify(value);
  // The JSON as a list of strings: the large ones each on its own, the small pieces between them
  // joined. The bytes are then written once into one buffer: no buffer per piece and no second
  // copy to join them (a result's frame is tens of kilobytes, and fresh memory is what costs).
  const pieces: string[] = [];
  let large = false;
  let pending = '';
  const write = (v: unknown, depth: number): void => {
    if (typeof v === 'string' && v.length >= LARGE) {
      if (pending !== '') pieces.push(pending);
      pending = '';
      pieces.push(largeStringJson(v));
      large = true;
    } else if (depth < MAX_DEPTH && isPlainObject(v)) {
      pending += '{';
      let first = true;
      for (const key of Object.keys(v)) {
        const item = v[key];
        if (skipped(item)) continue;
        pending += `${first ? '' : ','}${JSON.stringify(key)}:`;
        first = false;
        write(item, depth + 1);
      }
      pending += '}';
    } else {
      // Skipped values never get here inside an object; at the top, undefined becomes `null`.
      pending += JSON.stringify(v) ?? 'null';
    }
  };
  write(value, 0);
  if (!large) return pending;
  if (pending !== '') pieces.push(pending);
  let size = 0;
  for (const piece of pieces) size += Buffer.byteLength(piece, 'utf8');
  const frame = Buffer.allocUnsafeSlow(size);
  let at = 0;
  for (const piece of pieces) at += frame.write(piece, at, 'utf8');
  return frame;
}

/**
 * The UTF-8 bytes of `JSON.stringify(value)` for a JSON object (byte for byte the same), encoded
 * faster when it holds large strings (see {@link jsonFrame}).
 *
 * @example
 * jsonBytes({ data: { 'text/plain': 'a…' } }).toString() // '{"data":{"text/plain":"a…"}}'
 * @since 0.1.0
 */
export function jsonBytes(value: unknown): Buffer {
  const frame = jsonFrame(value);
  return typeof frame === 'string' ? Buffer.from(frame, 'utf8') : frame;
}
