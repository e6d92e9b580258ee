/**
 * Clients, secrets (stored hashed), allowed scopes and institutions of the sandbox's Auth v2,
 * from a config file or object, with a documented default client.
 * @module
 */
import { readFileSync } from 'node:fs';
import { hashSecret } from './store.js';

/** The default sandbox client id (sample data only; documented in the README). @since 0.1.0 */
export const DEFAULT_CLIENT_ID = 'baql-sandbox';
/** The default sandbox client secret (sample data only; documented in the README). @since 0.1.0 */
export const DEFAULT_CLIENT_SECRET = 'sandbox-secret';
/** The default institution id. @since 0.1.0 */
export const DEFAULT_INSTITUTION_ID = '00016';
/** The partner client used by the OIDC authorization-code flow. @since 0.1.0 */
export const PARTNER_CLIENT_ID = 'baql-partner';
/** The partner client's secret. @since 0.1.0 */
export const PARTNER_CLIENT_SECRET = 'partner-secret';

/** Every scope the default client is allowed. @since 0.1.0 */
export const DEFAULT_SCOPES: readonly string[] = [
  'banking-activities:read',
  'account:read',
  'accounts:read',
  'transactions:read',
  'institution-users:read',
];

/** One OAuth client. @since 0.1.0 */
export interface ClientConfig {
  readonly clientId: string;
  /** `sha256$salt$hex` (see `hashSecret`); a plain `secret` in a config file is hashed on load. */
  readonly secretHash: string;
  readonly scopes: readonly string[];
  readonly institutions: readonly string[];
  readonly grants: readonly string[];
}

/** The sandbox's auth configuration. @since 0.1.0 */
export interface SandboxConfig {
  readonly clients: readonly ClientConfig[];
}

/** The shape accepted in a config file (`secret` or `secretHash`). @since 0.1.0 */
export interface ClientConfigInput {
  readonly clientId: string;
  readonly secret?: string;
  readonly secretHash?: string;
  readonly scopes?: readonly string[];
  readonly institutions?: readonly string[];
  readonly grants?: readonly string[];
}

/** A config file's content. @since 0.1.0 */
export interface SandboxConfigInput {
  readonly clients?: readonly ClientConfigInput[];
}

const ALL_GRANTS = ['client_credentials', 'password', 'refresh_token', 'authorization_code'];

/** The default configuration: the sandbox client and the partner client. @since 0.1.0 */
export function defaultConfig(
  institutions: readonly string[] = [DEFAULT_INSTITUTION_ID],
): SandboxConfig {
  return {
    clients: [
      {
        clientId: DEFAULT_CLIENT_ID,
        secretHash: hashSecret(DEFAULT_CLIENT_SECRET),
        scopes: DEFAULT_SCOPES,
        institutions,
        grants: ALL_GRANTS,
      },
      {
        clientId: PARTNER_CLIENT_ID,
        secretHash: hashSecret(PARTNER_CLIENT_SECRET),
        scopes: [...DEFAULT_SCOPES, 'openid', 'profile', 'offline_access'],
        institutions,
        grants: ALL_GRANTS,
      },
    ],
  };
}

/** Result of loading a config: the config or a clear message. @since 0.1.0 */
export type ConfigResult =
  | { readonly ok: true; readonly config: SandboxConfig }
  | { readonly ok: false; readonly message: string };

/** Loads a config from a JSON file path or an object; clients without scopes get the defaults. @since 0.1.0 */
export function loadConfig(
  input: string | SandboxConfigInput | undefined,
  institutions: readonly string[],
): ConfigResult {
  if (input === undefined) return { ok: true, config: defaultConfig(institutions) };
  let raw: unknown = input;
  if (typeof input === 'string') {
    try {
      raw = JSON.parse(readFileSync(input, 'utf8'));
    } catch (e) {
      return {
        ok: false,
        message: `cannot read sandbox config ${input}: ${e instanceof Error ? e.message : String(e)}`,
      };
    }
  }
  const clients = (raw as SandboxConfigInput).clients;
  if (!Array.isArray(clients) || clients.length === 0)
    return { ok: false, message: 'sandbox config needs a non-empty "clients" array' };
  const out: ClientConfig[] = [];
  for (const c of clients as ClientConfigInput[]) {
    if (typeof c.clientId !== 'string' || c.clientId === '')
      return { ok: false, message: 'every client needs a "clientId"' };
    const secretHash =
      c.secretHash ?? (typeof c.secret === 'string' ? hashSecret(c.secret) : undefined);
    if (!secretHash)
      return { ok: false, message: `client ${c.clientId} needs "secret" or "secretHash"` };
    out.push({
      clientId: c.clientId,
      secretHash,
      scopes: c.scopes ?? DEFAULT_SCOPES,
      institutions: c.institutions ?? institutions,
      grants: c.grants ?? ALL_GRANTS,
    });
  }
  return { ok: true, config: { clients: out } };
}
