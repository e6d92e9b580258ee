/**
 * API keys: configured by name with their rights and rate limit, kept only as SHA-256 hashes,
 * and checked in constant time against every configured key.
 *
 * @module
 */
import { createHash, hash as digestOf, timingSafeEqual } from 'node:crypto';

/** What a key may do. */
export interface KeyRights {
  /** Free-form querying: `/v1/query`, `:validate`, `:compile`, `:complete`. */
  readonly query: boolean;
  /** Saved queries the key may list and run: `'*'` for all. */
  readonly queries: '*' | readonly string[];
}

/** A key's rate limit: at most `max` requests per `windowMs`. */
export interface RateLimit {
  readonly max: number;
  readonly windowMs: number;
}

/** One configured API key. Give `key` (hashed at load, never kept) or its `sha256` hex hash. */
export interface ApiKeyConfig {
  /** The caller's name: logged, and the rate-limit bucket. Never a secret. */
  readonly name: string;
  readonly key?: string;
  readonly sha256?: string;
  /** Defaults to full rights: free-form querying and every saved query. */
  readonly rights?: Partial<KeyRights>;
  /** Defaults to the server's `limits.rateLimit`. */
  readonly rateLimit?: RateLimit;
}

/** A key as the server keeps it. */
export interface ApiKey {
  readonly name: string;
  readonly hash: Buffer;
  readonly rights: KeyRights;
  readonly rateLimit: RateLimit;
}

/** The SHA-256 hex hash of a key, the form to store keys in configuration. */
export function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** How to configure a key, for the error when none is. */
export const NO_KEY_HELP =
  'baql serve needs at least one API key. For development set BAQL_API_KEYS="name=secret,other=secret2"; ' +
  'in production pass apiKeys to createServer or set BAQL_API_KEYS_FILE to a JSON file of ' +
  '[{"name": "...", "sha256": "<hex>", "rights": {"query": true, "queries": "*"}, "rateLimit": {"max": 60, "windowMs": 60000}}] ' +
  '(hash a key with: baql serve --hash-key <key>).';

/** A configuration error of the keys; its message never contains a key. */
export class ApiKeyConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ApiKeyConfigError';
  }
}

const NAME = /^[A-Za-z0-9._@-]{1,64}$/;

/** Parses `BAQL_API_KEYS` (`name=key,name=key`) into key configs with full rights. */
export function parseApiKeysEnv(value: string | undefined): ApiKeyConfig[] {
  if (value === undefined || value.trim() === '') return [];
  return value
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part, index) => {
      const eq = part.indexOf('=');
      const name = eq > 0 ? part.slice(0, eq).trim() : '';
      const key = eq > 0 ? part.slice(eq + 1).trim() : '';
      if (name === '' || key === '') {
        throw new ApiKeyConfigError(
          `BAQL_API_KEYS entry ${index + 1} is not name=key (expected "name=key,name=key").`,
        );
      }
      return { name, key };
    });
}

/** Validates and hashes key configs; throws {@link ApiKeyConfigError} on a bad or empty set. */
export function loadApiKeys(
  configs: readonly ApiKeyConfig[],
  defaultRateLimit: RateLimit,
): ApiKey[] {
  if (configs.length === 0) throw new ApiKeyConfigError(NO_KEY_HELP);
  const names = new Set<string>();
  return configs.map((config) => {
    if (!NAME.test(config.name)) {
      throw new ApiKeyConfigError(
        `API key name ${JSON.stringify(config.name.slice(0, 64))} must be 1-64 of A-Z a-z 0-9 . _ @ -.`,
      );
    }
    if (names.has(config.name))
      throw new ApiKeyConfigError(`API key name "${config.name}" appears twice.`);
    names.add(config.name);
    let hex: string;
    if (config.key !== undefined) {
      if (config.key.length < 16) {
        throw new ApiKeyConfigError(`API key "${config.name}" is shorter than 16 characters.`);
      }
      hex = hashKey(config.key);
    } else if (config.sha256 !== undefined && /^[0-9a-fA-F]{64}$/.test(config.sha256)) {
      hex = config.sha256.toLowerCase();
    } else {
      throw new ApiKeyConfigError(`API key "${config.name}" needs a key or a 64-hex-digit sha256.`);
    }
    const rate = config.rateLimit ?? defaultRateLimit;
    if (!(rate.max >= 1 && rate.windowMs >= 1)) {
      throw new ApiKeyConfigError(`API key "${config.name}" has an invalid rate limit.`);
    }
    return {
      name: config.name,
      hash: Buffer.from(hex, 'hex'),
      rights: {
        query: config.rights?.query ?? true,
        queries: config.rights?.queries ?? '*',
      },
      rateLimit: rate,
    };
  });
}

/**
 * Finds the key matching `presented`. Every configured hash is compared in constant time, with no
 * early exit, so the timing says nothing about which key (or how much of one) matched.
 */
export function authenticate(keys: readonly ApiKey[], presented: string): ApiKey | undefined {
  // One-shot hex digest (Node ≥ 20.12), then bytes: measured half the cost of a Hash object or
  // of the one-shot digest straight to a Buffer, on every request.
  const hash = Buffer.from(digestOf('sha256', presented), 'hex');
  let found: ApiKey | undefined;
  for (const key of keys) {
    if (timingSafeEqual(key.hash, hash) && found === undefined) found = key;
  }
  return found;
}

/** The credential a request presents, and whether it came as a bearer token. */
export function presentedCredential(
  headers: Readonly<Record<string, string | string[] | undefined>>,
): { readonly value: string; readonly bearer: boolean } | undefined {
  const value = presentedKey(headers);
  if (value === undefined) return undefined;
  return {
    value,
    bearer: typeof headers['x-api-key'] !== 'string' || headers['x-api-key'].trim() === '',
  };
}

/** The key a request presents: `Authorization: Bearer <key>` or `X-API-Key: <key>`. */
export function presentedKey(
  headers: Readonly<Record<string, string | string[] | undefined>>,
): string | undefined {
  const auth = headers['authorization'];
  if (typeof auth === 'string') {
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(auth);
    if (match?.[1] !== undefined) return match[1];
  }
  const header = headers['x-api-key'];
  if (typeof header === 'string' && header.trim() !== '') return header.trim();
  return undefined;
}

/** Whether `key` may run the saved query `name`. */
export function maySaved(key: ApiKey, name: string): boolean {
  return key.rights.queries === '*' || key.rights.queries.includes(name);
}
