/**
 * pino options of the server: JSON lines with the request id, caller, route, status and duration;
 * secrets and query results are redacted wherever they might appear.
 *
 * @module
 */
import type { LoggerOptions } from 'pino';

/** Paths pino censors in every log line. */
export const REDACT_PATHS: readonly string[] = [
  // Exact paths only: wildcard paths make every log call walk the object. The server never logs
  // headers or rows itself; these are the places a secret could still slip in.
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'headers.authorization',
  'headers["x-api-key"]',
  'authorization',
  'apiKey',
  'key',
  'token',
  'password',
  'clientSecret',
  'rows',
  'err.config',
  'err.request',
  'err.headers',
];

/** The server's pino options, merged over `overrides`. */
export function loggerOptions(overrides: LoggerOptions): LoggerOptions {
  return {
    level: 'info',
    ...overrides,
    redact: { paths: [...REDACT_PATHS], censor: '[redacted]' },
    serializers: {
      req: (req: { method?: string; url?: string; id?: string }) => ({
        method: req.method,
        url: typeof req.url === 'string' ? req.url.split('?')[0] : undefined,
        reqId: req.id,
      }),
      res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
      ...overrides.serializers,
    },
  };
}
