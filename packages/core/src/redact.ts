/**
 * Redaction: secrets (client secrets, passwords, access and refresh tokens) never reach a log,
 * an error message or `explain` output. Auth registers every secret it handles; {@link redact}
 * replaces registered values and anything that looks like a credential.
 *
 * @module
 */

const MASK = '‹redacted›';
const MAX_SECRETS = 512;
/** Registered secret values (insertion-ordered so the oldest are dropped first). */
const secrets = new Set<string>();

/** Registers a secret so that {@link redact} masks it wherever it appears. Short values are ignored. */
export function registerSecret(value: string | undefined): void {
  if (value === undefined || value.length < 4) return;
  secrets.delete(value);
  secrets.add(value);
  if (secrets.size > MAX_SECRETS) {
    const oldest = secrets.values().next().value;
    if (oldest !== undefined) secrets.delete(oldest);
  }
}

const PATTERNS: readonly RegExp[] = [
  /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi,
  /\b(access_token|refresh_token|id_token|client_secret|password|token|secret)(["']?\s*[:=]\s*["']?)([^"'&\s,}]+)/gi,
];

/**
 * Prose such as "needs a client secret: set BAQL_SECRET" is not a credential: an unquoted
 * `key: word` whose value is a short plain word is left alone (registered secrets are still masked).
 */
function looksLikeProse(separator: string, value: string): boolean {
  return /^:\s+$/.test(separator) && /^[A-Za-z]{1,15}$/.test(value);
}

/** Returns `text` with every registered secret and credential-looking fragment masked. */
export function redact(text: string): string {
  let out = text;
  for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join(MASK);
  out = out.replace(PATTERNS[0] as RegExp, (_m, scheme: string) => `${scheme} ${MASK}`);
  out = out.replace(PATTERNS[1] as RegExp, (match, key: string, sep: string, value: string) =>
    looksLikeProse(sep, value) ? match : `${key}${sep}${MASK}`,
  );
  return out;
}

/** Returns a copy of `headers` safe to log (Authorization and cookies masked). */
export function redactHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    out[k] = /^(authorization|cookie|set-cookie|proxy-authorization)$/i.test(k) ? MASK : redact(v);
  }
  return out;
}
