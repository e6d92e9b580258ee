/**
 * Answers to requests Node's HTTP parser refuses before Fastify sees them (an over-long request
 * line or header, a request line that is not HTTP, a bad `Content-Length`, a bad chunked body, a
 * request that does not arrive in time): problem documents written on the raw socket, with the
 * security headers of every other answer, then the connection is closed.
 *
 * @module
 */
import { maxHeaderSize, STATUS_CODES } from 'node:http';
import { problem, PROBLEM_CONTENT_TYPE, type Problem } from './problem.js';
import { apiSecurityHeaders } from './security-headers.js';

/** The problem of a `clientError` (an error of Node's HTTP parser), by its code. */
export function rawProblemOf(error: { readonly code?: unknown }): Problem {
  const code = typeof error.code === 'string' ? error.code : undefined;
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return problem(
        'headers-too-large',
        `The request line and headers exceed this service's limit of ${maxHeaderSize} bytes.`,
      );
    case 'ERR_HTTP_REQUEST_TIMEOUT':
    case 'ERR_HTTP_REQUEST_HEADERS_TIMEOUT':
      return problem('request-timeout', 'The request did not arrive in time.');
    default:
      return problem(
        'invalid-request',
        `The request is not valid HTTP/1.1${code?.startsWith('HPE_') === true ? ` (${code})` : ''}.`,
      );
  }
}

/** The bytes of a complete HTTP/1.1 answer carrying `body`, closing the connection. */
export function rawProblemAnswer(body: Problem, requestId: string): string {
  const json = JSON.stringify(body);
  const headers: Record<string, string> = {
    'content-type': PROBLEM_CONTENT_TYPE,
    'content-length': String(Buffer.byteLength(json)),
    connection: 'close',
    'x-request-id': requestId,
    ...apiSecurityHeaders,
  };
  const head = Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  return `HTTP/1.1 ${body.status} ${STATUS_CODES[body.status] ?? ''}\r\n${head}\r\n${json}`;
}
