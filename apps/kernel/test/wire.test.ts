import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { createHmac } from 'node:crypto';
import { createSigner, type Signer } from '../src/protocol/signer.js';
import { jsonBytes } from '../src/protocol/json-bytes.js';
import { decode, describeWireError, encode, encodeFrames } from '../src/protocol/wire.js';
import { request } from './support.js';

const signer = (key: string, scheme = 'hmac-sha256'): Signer => {
  const made = createSigner(scheme, key);
  if (E.isLeft(made)) throw new Error('no signer');
  return made.right;
};

describe('signer', () => {
  it('signs with HMAC-SHA256 over the four frames, as hex', () => {
    const parts = ['{"a":1}', '{}', '{}', '{"code":"x"}'].map((s) => Buffer.from(s));
    const expected = createHmac('sha256', 'k').update(Buffer.concat(parts)).digest('hex');
    expect(signer('k').sign(parts)).toBe(expected);
    expect(signer('k').verify(expected, parts)).toBe(true);
    expect(signer('k').verify(expected.toUpperCase(), parts)).toBe(true);
    expect(signer('k').verify(expected.slice(0, -1) + '0', parts)).toBe(expected.endsWith('0'));
    expect(signer('k').verify('short', parts)).toBe(false);
    // Compared as bytes: a valid prefix with more after it, or a character that is not hex
    // (where hex decoding would stop), never matches.
    expect(signer('k').verify(`${expected}0`, parts)).toBe(false);
    expect(signer('k').verify(`${expected.slice(0, -2)}zz`, parts)).toBe(false);
    expect(signer('k').verify(`${expected.slice(0, -2)} ${expected.slice(-1)}`, parts)).toBe(false);
    expect(signer('other').verify(expected, parts)).toBe(false);
  });

  it('honours signature_scheme', () => {
    const parts = [Buffer.from('{}')];
    const sha512 = createHmac('sha512', 'k').update(parts[0]!).digest('hex');
    expect(signer('k', 'hmac-sha512').sign(parts)).toBe(sha512);
    expect(createSigner('hmac-nope', 'k')).toEqual(
      E.left({ _tag: 'UnsupportedScheme', scheme: 'hmac-nope' }),
    );
    expect(E.isLeft(createSigner('rsa', 'k'))).toBe(true);
  });

  it('an empty key means an empty signature and no checking', () => {
    const s = signer('');
    expect(s.enabled).toBe(false);
    expect(s.sign([Buffer.from('{}')])).toBe('');
    expect(s.verify('anything', [Buffer.from('{}')])).toBe(true);
  });
});

describe('wire format', () => {
  it('round-trips a message through encode and decode', () => {
    const s = signer('secret');
    const msg = {
      ...request('execute_request', { code: 'type:login' }),
      buffers: [Buffer.from([1, 2])],
    };
    const frames = encode(msg, s);
    expect(frames[0]!.toString()).toBe('client-1');
    expect(frames[1]!.toString()).toBe('<IDS|MSG>');
    const decoded = decode(frames, s);
    expect(E.isRight(decoded) && decoded.right.content).toEqual({ code: 'type:login' });
    expect(E.isRight(decoded) && decoded.right.buffers).toEqual([Buffer.from([1, 2])]);
    expect(E.isRight(decoded) && decoded.right.identities).toEqual([Buffer.from('client-1')]);
  });

  it('rejects a bad signature, naming the message type', () => {
    const frames = encode(request('execute_request', { code: 'x' }), signer('secret'));
    const result = decode(frames, signer('wrong'));
    expect(result).toEqual(E.left({ _tag: 'BadSignature', msgType: 'execute_request' }));
    if (E.isLeft(result)) expect(describeWireError(result.left)).toMatch(/invalid signature/);
  });

  it('rejects a tampered content frame', () => {
    const s = signer('secret');
    const frames = encode(request('execute_request', { code: 'x' }), s);
    frames[6] = Buffer.from('{"code":"y"}');
    expect(E.isLeft(decode(frames, s))).toBe(true);
  });

  it('reports malformed messages as values', () => {
    const none = signer('');
    expect(decode([Buffer.from('x')], none)).toEqual(E.left({ _tag: 'NoDelimiter' }));
    expect(decode([Buffer.from('<IDS|MSG>'), Buffer.from('')], none)).toEqual(
      E.left({ _tag: 'TooFewFrames', frames: 1 }),
    );
    const bad = ['<IDS|MSG>', '', '{not json', '{}', '{}', '{}'].map((s) => Buffer.from(s));
    expect(decode(bad, none)).toMatchObject(E.left({ _tag: 'BadJson', part: 'header' }));
    const array = ['<IDS|MSG>', '', '{"msg_id":"1","msg_type":"x"}', '{}', '{}', '[]'].map((s) =>
      Buffer.from(s),
    );
    expect(decode(array, none)).toMatchObject(E.left({ _tag: 'BadJson', part: 'content' }));
    const noType = ['<IDS|MSG>', '', '{"msg_id":"1"}', '{}', '{}', '{}'].map((s) => Buffer.from(s));
    expect(decode(noType, none)).toMatchObject(E.left({ _tag: 'BadHeader' }));
  });

  it('never throws, whatever the frames (property)', () => {
    const frame = fc.oneof(
      fc.constant(Buffer.from('<IDS|MSG>')),
      fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a)),
      fc.json().map((j) => Buffer.from(j)),
    );
    fc.assert(
      fc.property(fc.array(frame, { maxLength: 10 }), fc.boolean(), (frames, keyed) => {
        const result = decode(frames, signer(keyed ? 'k' : ''));
        expect(E.isLeft(result) || typeof result.right.header.msg_type === 'string').toBe(true);
      }),
    );
  });

  it('decode(encode(m)) = m for any JSON content (property)', () => {
    const s = signer('key');
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (content) => {
        const msg = request('x_request', content);
        const decoded = decode(encode(msg, s), s);
        expect(E.isRight(decoded) && decoded.right.content).toEqual(
          JSON.parse(JSON.stringify(content)),
        );
      }),
    );
  });
});

describe('jsonBytes', () => {
  it('is byte for byte Buffer.from(JSON.stringify(value)) (property)', () => {
    // Large strings (encoded apart) with wide characters, nested up to the depth it splits at.
    const big = fc
      .tuple(fc.string({ maxLength: 20 }), fc.constantFrom('…', '→', '·', 'é', '😀', '"', '\n'))
      .map(([s, c]) => `${s}${c}`.repeat(400));
    const leaf = fc.oneof(
      fc.jsonValue({ maxDepth: 2 }),
      big,
      fc.constant(undefined),
      fc.constant(Number.NaN),
    );
    const value = fc.dictionary(
      fc.string(),
      fc.oneof(leaf, fc.dictionary(fc.string(), fc.oneof(leaf, fc.dictionary(fc.string(), leaf)))),
    );
    fc.assert(
      fc.property(value, (v) => {
        expect(jsonBytes(v).equals(Buffer.from(JSON.stringify(v), 'utf8'))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('keeps what JSON.stringify does with toJSON, arrays and dates', () => {
    const value = {
      data: { 'text/plain': `${'x'.repeat(3000)}…`, when: new Date(0), list: [undefined, 1] },
      custom: { toJSON: () => 'custom' },
    };
    expect(jsonBytes(value).toString('utf8')).toBe(JSON.stringify(value));
  });
});

describe('encodeFrames', () => {
  it('small frames as strings, a large content as bytes, signed over the same UTF-8 bytes', () => {
    const s = signer('secret');
    const msg = request('execute_result', {
      data: { 'text/plain': `${'row '.repeat(1000)}…`, 'text/html': '<table></table>' },
    });
    const frames = encodeFrames(msg, s);
    expect(frames.slice(1, 7).map((f) => typeof f)).toEqual([
      'string', // delimiter
      'string', // signature
      'string', // header
      'string', // parent header
      'string', // metadata
      'object', // content: a Buffer
    ]);
    const bytes = frames.map((f) => (typeof f === 'string' ? Buffer.from(f, 'utf8') : f));
    expect(bytes).toEqual(encode(msg, s));
    const decoded = decode(bytes, s);
    expect(E.isRight(decoded) && decoded.right.content).toEqual(msg.content);
  });
});
