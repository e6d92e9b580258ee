/**
 * Every error the sandbox can answer, with the HTTP status and message of the contract
 * (Candescent DI API 1.11.0: the BAS_ table of Banking Activities and the CMN_ table of OAuth V2).
 * @module
 */

/** An error answer: HTTP status and the contract's `{code, message}` body. @since 0.1.0 */
export interface ApiError {
  readonly _tag: 'ApiError';
  readonly status: number;
  readonly code: string;
  readonly message: string;
  /** Extra response headers (e.g. `Retry-After`). */
  readonly headers?: Readonly<Record<string, string>>;
}

const table = {
  BAS_10001: [400, 'The given start date must be earlier than end Date.'],
  BAS_10002: [400, 'The given start date must be within last three months.'],
  BAS_10004: [500, 'BigTable rows could not be read.'],
  BAS_10005: [400, 'Invalid arguments passed in the request; Failed to read HTTP message'],
  BAS_10006: [400, 'Http Message not readable'],
  BAS_10007: [400, 'NOT EQUAL and LIKE criterias not supported at this time.'],
  BAS_10008: [400, 'Additional filters condition and sub filter condition cannot be the same.'],
  BAS_10009: [400, 'Invalid UserType requested.'],
  BAS_10010: [400, 'Invalid UserIdType requested.'],
  BAS_10011: [400, 'UserIdType must be present if userId is given.'],
  BAS_10012: [400, 'Invalid EventType requested.'],
  BAS_10021: [400, 'BigTable Query is invalid.'],
  BAS_10101: [401, 'Full authentication was not provided in the request.'],
  BAS_10102: [401, 'Authentication token sent in the request is invalid.'],
  BAS_10103: [400, 'The authentication provided does not authorize this request.'],
  BAS_10104: [401, 'The jwt token is invalid.'],
  BAS_10105: [400, 'Unauthorized access.'],
  BAS_10201: [400, 'Request should only contain printable ASCII characters'],
  BAS_10202: [400, 'transactionId header is too long'],
  BAS_10203: [400, 'One or more header values are invalid'],
  BAS_10204: [400, 'Invalid Request body'],
  BAS_10205: [400, 'One or more header values are too long'],
  BAS_10206: [400, 'nextPageToken is invalid'],
  BAS_10207: [400, 'Requested method type is invalid'],
  BAS_99999: [500, 'Internal server error'],
  CMN_90000: [500, 'Internal server error'],
  CMN_90001: [401, 'Client not authorized to access this resource'],
  CMN_90002: [500, 'Spike limit violation'],
  CMN_90004: [401, 'Invalid credentials'],
  CMN_90005: [400, 'Header institutionId is invalid'],
  CMN_90006: [403, 'Not authorized to access this resource'],
  CMN_90007: [400, 'Invalid grant type'],
  CMN_90008: [400, 'Header transactionId is invalid'],
  CMN_90009: [400, 'Access blocked'],
  CMN_90010: [400, 'Header is invalid'],
  CMN_90011: [400, 'Request is invalid'],
  CMN_90012: [400, 'Request is invalid'],
  CMN_90013: [400, 'Username is invalid'],
  CMN_90014: [400, 'Password is invalid'],
  CMN_90015: [401, 'Invalid user credentials'],
  CMN_90016: [400, 'Invalid token'],
  CMN_90017: [400, 'Request contains non printable ASCII characters'],
  CMN_90018: [400, 'Invalid token'],
  CMN_90020: [400, 'App cannot authorize itself'],
} as const satisfies Record<string, readonly [number, string]>;

/** Every error code the sandbox can produce. @since 0.1.0 */
export type ErrorCode = keyof typeof table;

/** Every error code the sandbox can produce, with its status and default message. @since 0.1.0 */
export const ERROR_CODES: Readonly<Record<ErrorCode, readonly [number, string]>> = table;

/**
 * The error answer for a code, with the contract's status and message (or an override of either).
 * @since 0.1.0
 */
export function apiError(
  code: ErrorCode,
  override: { status?: number; message?: string; headers?: Record<string, string> } = {},
): ApiError {
  const [status, message] = table[code];
  return {
    _tag: 'ApiError',
    status: override.status ?? status,
    code,
    message: override.message ?? message,
    ...(override.headers ? { headers: override.headers } : {}),
  };
}

/** A value or an {@link ApiError}. @since 0.1.0 */
export type Result<A> =
  { readonly ok: true; readonly value: A } | { readonly ok: false; readonly error: ApiError };

/** A successful {@link Result}. @since 0.1.0 */
export const ok = <A>(value: A): Result<A> => ({ ok: true, value });
/** A failed {@link Result}. @since 0.1.0 */
export const fail = <A = never>(error: ApiError): Result<A> => ({ ok: false, error });

/** True when every character of `s` is printable ASCII (space to `~`). @since 0.1.0 */
export function isPrintableAscii(s: string): boolean {
  for (let i = 0; i < s.length; i += 1) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}
