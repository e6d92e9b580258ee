/**
 * The wire format: `[identities…, "<IDS|MSG>", signature, header, parent_header, metadata,
 * content, buffers…]`. Decoding never throws: a bad frame list is a tagged {@link WireError}.
 *
 * @since 0.1.0
 * @module
 */
import * as E from 'fp-ts/lib/Either.js';
import { jsonFrame } from './json-bytes.js';
import type { Signer } from './signer.js';
import { DELIMITER, type Header, type JsonObject, type Message } from './types.js';

/** Why an incoming frame list is not a message. @since 0.1.0 */
export type WireError =
  | { readonly _tag: 'NoDelimiter' }
  | { readonly _tag: 'TooFewFrames'; readonly frames: number }
  | { readonly _tag: 'BadSignature'; readonly msgType: string | undefined }
  | { readonly _tag: 'BadJson'; readonly part: string; readonly message: string }
  | { readonly _tag: 'BadHeader'; readonly message: string };

const delimiter = Buffer.from(DELIMITER, 'utf8');
const PARTS = ['header', 'parent_header', 'metadata', 'content'] as const;

/** A human sentence for a {@link WireError}, for the kernel log. @since 0.1.0 */
export function describeWireError(error: WireError): string {
  switch (error._tag) {
    case 'NoDelimiter':
      return 'message without the <IDS|MSG> delimiter';
    case 'TooFewFrames':
      return `message with ${error.frames} frame(s) after the delimiter (need 5)`;
    case 'BadSignature':
      return `invalid signature on ${error.msgType ?? 'a message'}; message dropped`;
    case 'BadJson':
      return `the ${error.part} frame is not a JSON object: ${error.message}`;
    case 'BadHeader':
      return `bad header: ${error.message}`;
  }
}

/** `{}`, the usual parent header and metadata of a request: no need to parse it. */
const EMPTY_OBJECT = 0x7b7d;

const parseObject = (part: string, frame: Buffer): E.Either<WireError, JsonObject> => {
  if (frame.length === 2 && frame.readUInt16BE(0) === EMPTY_OBJECT) return E.right({});
  let value: unknown;
  try {
    value = JSON.parse(frame.toString('utf8'));
  } catch (error) {
    return E.left({ _tag: 'BadJson', part, message: (error as Error).message });
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? E.right(value as JsonObject)
    : E.left({ _tag: 'BadJson', part, message: 'not an object' });
};

const validHeader = (header: JsonObject): E.Either<WireError, Header> => {
  for (const key of ['msg_id', 'msg_type'] as const) {
    if (typeof header[key] !== 'string' || header[key] === '') {
      return E.left({ _tag: 'BadHeader', message: `${key} must be a non-empty string` });
    }
  }
  // A client's header has every field already: it is used as it is, not copied.
  if (
    typeof header['session'] === 'string' &&
    typeof header['username'] === 'string' &&
    typeof header['date'] === 'string' &&
    typeof header['version'] === 'string'
  )
    return E.right(header as unknown as Header);
  const text = (key: string, fallback: string): string =>
    typeof header[key] === 'string' ? (header[key] as string) : fallback;
  return E.right({
    ...header,
    msg_id: header['msg_id'] as string,
    msg_type: header['msg_type'] as string,
    session: text('session', ''),
    username: text('username', ''),
    date: text('date', ''),
    version: text('version', ''),
  });
};

/**
 * Decodes a received frame list, checking its signature with `signer`. Never throws.
 *
 * @since 0.1.0
 */
export function decode(frames: readonly Buffer[], signer: Signer): E.Either<WireError, Message> {
  const at = frames.findIndex((f) => f.equals(delimiter));
  if (at < 0) return E.left({ _tag: 'NoDelimiter' });
  const rest = frames.slice(at + 1);
  if (rest.length < 5) return E.left({ _tag: 'TooFewFrames', frames: rest.length });
  const [signature, ...signed] = rest as [Buffer, Buffer, Buffer, Buffer, Buffer, ...Buffer[]];
  const parts = signed.slice(0, 4);
  if (!signer.verify(signature.toString('latin1'), parts)) {
    let msgType: string | undefined;
    try {
      const header: unknown = JSON.parse(parts[0]?.toString('utf8') ?? '');
      const type = (header as { msg_type?: unknown } | null)?.msg_type;
      msgType = typeof type === 'string' ? type.slice(0, 64) : undefined;
    } catch (_error) {
      msgType = undefined;
    }
    return E.left({ _tag: 'BadSignature', msgType });
  }
  const objects: JsonObject[] = [];
  for (let i = 0; i < 4; i += 1) {
    const parsed = parseObject(PARTS[i] as string, parts[i] as Buffer);
    if (E.isLeft(parsed)) return parsed;
    objects.push(parsed.right);
  }
  const [header, parent, metadata, content] = objects as [
    JsonObject,
    JsonObject,
    JsonObject,
    JsonObject,
  ];
  return E.map((h: Header) => ({
    identities: frames.slice(0, at),
    header: h,
    parent_header: parent,
    metadata,
    content,
    buffers: signed.slice(4),
  }))(validHeader(header));
}

/**
 * The serialized parent headers of recent requests: every message a request causes (busy,
 * execute_input, outputs, reply, idle) carries the same parent header, serialized once.
 */
const parents = new WeakMap<object, string>();
const parentJson = (parent: object): string => {
  let json = parents.get(parent);
  if (json === undefined) {
    json = JSON.stringify(parent);
    parents.set(parent, json);
  }
  return json;
};

/**
 * Encodes a message into frames for a socket, signed with `signer`: small frames as strings,
 * large content as bytes. Strings because zeromq.js sends a Buffer over 128 bytes without
 * copying and then hands it back to the main thread through an async wake-up, one more thread
 * switch per message; copying a header-sized string is cheaper. {@link encode} is the same as
 * Buffers.
 *
 * @since 0.1.0
 */
export function encodeFrames(message: Message, signer: Signer): (Buffer | string)[] {
  const parts = [
    JSON.stringify(message.header),
    parentJson(message.parent_header),
    JSON.stringify(message.metadata),
    jsonFrame(message.content),
  ];
  return [...message.identities, DELIMITER, signer.sign(parts), ...parts, ...message.buffers];
}

/**
 * Encodes a message into frames, signed with `signer`.
 *
 * @since 0.1.0
 */
export function encode(message: Message, signer: Signer): Buffer[] {
  return encodeFrames(message, signer).map((frame) =>
    typeof frame === 'string' ? Buffer.from(frame, 'utf8') : frame,
  );
}
