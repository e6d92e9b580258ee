/**
 * The opaque `nextPageToken`: base64url of `institution|reverseTime|guid|criteriaHash`, like the
 * real API's BigTable row key (`Long.MAX_VALUE − epochMillis`) plus a hash of the criteria, so a
 * token resent with changed criteria (or garbage) is rejected with BAS_10206.
 * @module
 */
import { createHash } from 'node:crypto';
import type { ValidSearch } from './criteria.js';

const LONG_MAX = 9_223_372_036_854_775_807n;

/** The position of the first record of the next page. @since 0.1.0 */
export interface PagePosition {
  readonly institutionId: string;
  readonly ts: number;
  readonly guid: string;
}

/** A short hash of everything in a search except the page size and the token. @since 0.1.0 */
export function criteriaHash(search: ValidSearch): string {
  const { pageSize: _p, nextPageToken: _t, ...rest } = search;
  return createHash('sha256').update(JSON.stringify(rest)).digest('base64url').slice(0, 12);
}

/** Encodes a page token. @since 0.1.0 */
export function encodePageToken(pos: PagePosition, hash: string): string {
  const reverse = LONG_MAX - BigInt(pos.ts);
  return Buffer.from(`${pos.institutionId}|${reverse}|${pos.guid}|${hash}`).toString('base64url');
}

/** Decodes a page token, or undefined when it is not one of ours or its hash differs. @since 0.1.0 */
export function decodePageToken(
  token: string,
  institutionId: string,
  hash: string,
): PagePosition | undefined {
  if (!/^[A-Za-z0-9_-]{8,400}$/.test(token)) return undefined;
  const parts = Buffer.from(token, 'base64url').toString('utf8').split('|');
  if (parts.length !== 4) return undefined;
  const [inst, reverse, guid, h] = parts as [string, string, string, string];
  if (
    inst !== institutionId ||
    h !== hash ||
    !/^\d{1,19}$/.test(reverse) ||
    !/^[\x21-\x7e]{1,128}$/.test(guid)
  )
    return undefined;
  const ts = Number(LONG_MAX - BigInt(reverse));
  if (!Number.isSafeInteger(ts) || ts < 0) return undefined;
  return { institutionId: inst, ts, guid };
}
