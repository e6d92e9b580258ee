/**
 * Base URL policy: https is required except on loopback; known environments have names.
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js';
import type { ConfigError } from './errors.js';

/** Candescent's hosted environments (api-notes §1). `sandbox` is the local embedded sandbox. */
export const ENVIRONMENTS: Readonly<Record<string, string>> = {
  'candescent-sandbox': 'https://api.sandbox.candescent.com',
  stage: 'https://api.stage.candescent.com',
  production: 'https://api.candescent.com',
};

/** Whether `hostname` is a loopback address (the only place plain http is allowed). */
export function isLoopback(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return (
    h === 'localhost' || h.endsWith('.localhost') || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h)
  );
}

/**
 * Validates a base URL (or an environment name from {@link ENVIRONMENTS}) and returns it without
 * a trailing slash. Refuses plain http anywhere but loopback, credentials in the URL, queries.
 */
export function resolveBaseUrl(input: string): E.Either<ConfigError, string> {
  const named = ENVIRONMENTS[input];
  const text = named ?? input;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return E.left({
      _tag: 'ConfigError',
      message: `base URL "${input}" is not a URL (or one of the environments ${Object.keys(ENVIRONMENTS).join(', ')})`,
    });
  }
  if (url.username !== '' || url.password !== '') {
    return E.left({ _tag: 'ConfigError', message: 'the base URL must not contain credentials' });
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url.hostname))) {
    return E.left({
      _tag: 'ConfigError',
      message: `base URL ${url.origin} must use https (plain http is only allowed on localhost)`,
    });
  }
  if (url.search !== '' || url.hash !== '') {
    return E.left({
      _tag: 'ConfigError',
      message: 'the base URL must not have a query or fragment',
    });
  }
  return E.right(url.href.replace(/\/+$/, ''));
}
