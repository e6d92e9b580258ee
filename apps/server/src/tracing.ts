/**
 * Request ids and W3C trace context: accept a caller's `X-Request-Id` (or generate a UUID),
 * accept `traceparent`, and derive the upstream `transactionId` (a UUID, as the activity API
 * requires) so one id follows a request from the caller to the upstream logs and back.
 *
 * @module
 */
import { randomBytes, randomUUID } from 'node:crypto';

const SAFE_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** The request id: the caller's `X-Request-Id` when it is a safe token, else a new UUID. */
export function requestIdFrom(header: unknown): string {
  if (typeof header === 'string' && SAFE_ID.test(header)) return header;
  return randomUUID();
}

/** A parsed `traceparent` header. */
export interface TraceParent {
  readonly version: string;
  readonly traceId: string;
  readonly parentId: string;
  readonly flags: string;
}

/** Parses a `traceparent` header (W3C Trace Context level 1); `undefined` when invalid. */
export function parseTraceParent(header: unknown): TraceParent | undefined {
  if (typeof header !== 'string') return undefined;
  const m = TRACEPARENT.exec(header.trim().toLowerCase());
  if (m === null) return undefined;
  const [, version, traceId, parentId, flags] = m as unknown as [
    string,
    string,
    string,
    string,
    string,
  ];
  if (version === 'ff' || /^0+$/.test(traceId) || /^0+$/.test(parentId)) return undefined;
  return { version, traceId, parentId, flags };
}

/** The `traceparent` of this server's span: same trace, a new span id. */
export function childTraceParent(parent: TraceParent): string {
  return `00-${parent.traceId}-${randomBytes(8).toString('hex')}-${parent.flags}`;
}

/**
 * The upstream `transactionId` of a request: the caller's `X-Request-Id` when it is a UUID, else
 * the trace id of the caller's `traceparent` formatted as a UUID, else the request id when it is a
 * UUID (generated ids are), else a new UUID.
 */
export function transactionIdFor(
  requestId: string,
  trace: TraceParent | undefined,
  callerGaveId = true,
): string {
  if (callerGaveId && UUID.test(requestId)) return requestId.toLowerCase();
  if (trace !== undefined) {
    const t = trace.traceId;
    return `${t.slice(0, 8)}-${t.slice(8, 12)}-${t.slice(12, 16)}-${t.slice(16, 20)}-${t.slice(20)}`;
  }
  if (UUID.test(requestId)) return requestId.toLowerCase();
  return randomUUID();
}
