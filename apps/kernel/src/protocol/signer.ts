/**
 * Message signatures: HMAC over the four serialized dicts, with the algorithm the connection file
 * names in `signature_scheme` (`hmac-sha256` by default). An empty key means no signing: the
 * signature is the empty string and incoming signatures are not checked (as the spec says).
 *
 * @since 0.1.0
 * @module
 */
import { createHmac, createSecretKey, getHashes, timingSafeEqual } from 'node:crypto';
import * as E from 'fp-ts/lib/Either.js';

/** Signs and verifies the signed frames of a message. @since 0.1.0 */
export interface Signer {
  /** Whether messages are signed at all (false for an empty key). */
  readonly enabled: boolean;
  /**
   * The lowercase hex signature of `parts` (header, parent header, metadata, content; strings
   * count as their UTF-8 bytes); `''` when disabled.
   */
  sign(parts: readonly (Buffer | string)[]): string;
  /** Whether `signature` is right for `parts`, compared in constant time; always true when disabled. */
  verify(signature: string, parts: readonly (Buffer | string)[]): boolean;
}

/** Why a signer cannot be made. @since 0.1.0 */
export interface UnsupportedScheme {
  readonly _tag: 'UnsupportedScheme';
  readonly scheme: string;
}

/**
 * Makes the signer for a connection file's `signature_scheme` and `key`.
 *
 * @example
 * const signer = createSigner('hmac-sha256', 'secret'); // Right(signer)
 * @since 0.1.0
 */
export function createSigner(scheme: string, key: string): E.Either<UnsupportedScheme, Signer> {
  const match = /^hmac-([a-z0-9-]+)$/i.exec(scheme.trim());
  const algorithm = match?.[1]?.toLowerCase();
  if (algorithm === undefined || !getHashes().includes(algorithm)) {
    return E.left({ _tag: 'UnsupportedScheme', scheme });
  }
  if (key.length === 0) {
    return E.right({ enabled: false, sign: () => '', verify: () => true });
  }
  // A key object made once: cheaper than handing the string to every createHmac.
  const secret = createSecretKey(Buffer.from(key, 'utf8'));
  const hmacOf = (parts: readonly (Buffer | string)[]) => {
    const hmac = createHmac(algorithm, secret);
    for (const part of parts) hmac.update(part);
    return hmac;
  };
  return E.right({
    enabled: true,
    sign: (parts) => hmacOf(parts).digest('hex'),
    verify: (signature, parts) => {
      // Compared as bytes: the digest against the signature's hex (either case). A signature of
      // the wrong length, or with a character that is not hex (decoding stops there), never
      // matches. Lengths are public (fixed by the algorithm); contents are compared in constant
      // time.
      const expected = hmacOf(parts).digest();
      if (signature.length !== expected.length * 2) return false;
      const actual = Buffer.from(signature, 'hex');
      return actual.length === expected.length && timingSafeEqual(actual, expected);
    },
  });
}
