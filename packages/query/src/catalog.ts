/**
 * The catalog: the fields, aliases, attributes, event ids and enum values the language knows.
 * It is data, so plugins and configuration can extend it with {@link mergeCatalog}.
 *
 * @since 0.1.0
 * @module
 */
import type { BankingActivity, EventType } from './contract.js';

/**
 * What a field means to the planner.
 * - `user` / `member`: `userId` with `userIdType` `loginId` / `memberId`;
 * - `event`: `eventIds`; `segment`: `userType`; `company`: `companyId`; `product`: `userProduct`;
 * - `kind`: `eventType`; `attribute`: a record attribute, pushed into `additionalFilters`.
 * @since 0.1.0
 */
export type FieldTarget =
  'user' | 'member' | 'event' | 'segment' | 'company' | 'product' | 'kind' | 'attribute';

/** A friendly field name (with its aliases) and the record attribute it reads. @since 0.1.0 */
export interface FieldDef {
  readonly name: string;
  readonly aliases?: readonly string[];
  readonly target: FieldTarget;
  /** The record attribute (catalog spelling); `kind` has none (derived from `eventId`). */
  readonly attribute?: string;
  readonly description: string;
  /** Closed set of values (`segment`, `kind`). */
  readonly values?: readonly string[];
}

/** A record attribute the catalog knows (attribute names are case-insensitive). @since 0.1.0 */
export interface AttributeDef {
  readonly name: string;
  readonly description?: string;
  /** Value type, for completion and explain. */
  readonly type?: 'string' | 'number' | 'time';
  /** Values seen, offered by completion. */
  readonly examples?: readonly string[];
}

/** An event id of the institution. @since 0.1.0 */
export interface EventDef {
  readonly id: string;
  readonly kind: EventType;
  readonly description: string;
  /** Attributes typically present on this event. */
  readonly attributes?: readonly string[];
}

/**
 * Everything the language knows about an institution's data.
 * `complete` says whether `events` lists every event id the institution emits: only then can
 * `NOT type:x` be planned as the complement list.
 * @since 0.1.0
 */
export interface Catalog {
  readonly fields: readonly FieldDef[];
  readonly attributes: readonly AttributeDef[];
  readonly events: readonly EventDef[];
  readonly complete: boolean;
}

const attr = (
  name: string,
  description?: string,
  extra: Partial<AttributeDef> = {},
): AttributeDef => ({
  name,
  ...(description === undefined ? {} : { description }),
  ...extra,
});

/** The attributes of api-notes §3.10, in their catalog spelling. */
const ATTRIBUTES: readonly AttributeDef[] = [
  attr('eventId', 'event identifier'),
  attr('timeStamp', 'time of the event (ISO 8601 with offset)', { type: 'time' }),
  attr('guid', 'unique record id (v1 UUID)'),
  attr('ReqCtx_id', 'request id'),
  attr('channel', 'channel', { examples: ['ONLINE', 'MOBILE', 'EMAIL'] }),
  attr('errorCode', 'error code'),
  attr('errorMessage', 'error message'),
  attr('glappid', 'application id', { examples: ['BBP', 'MAI'] }),
  attr('member', 'member id'),
  attr('ReqCtx_bcIndex'),
  attr('ReqCtx_canonicalId'),
  attr('ReqCtx_companyId', 'business company id'),
  attr('ReqCtx_customerType', 'customer type', { examples: ['RETAIL', 'BUSINESS'] }),
  attr('ReqCtx_featureName', 'feature', { examples: ['ACH', 'Events'] }),
  attr('ReqCtx_homeId'),
  attr('ReqCtx_ipAddress', 'client IP address'),
  attr('ReqCtx_locale', 'locale', { examples: ['en_US'] }),
  attr('ReqCtx_loginId', 'login id'),
  attr('ReqCtx_onBehalfOfUser'),
  attr('ReqCtx_region', 'region'),
  attr('ReqCtx_sessionId', 'session id'),
  attr('ReqCtx_userAgent', 'user agent'),
  attr('ReqCtx_userId', 'user id'),
  attr('ReqCtx_userProduct', 'user product', { examples: ['BBPAYMENTS', 'BBPaymentsApp'] }),
  attr('ReqCtx_userType', 'user type', { examples: ['PRIMARY_ADMIN', 'PRIMARY'] }),
  attr('result', 'outcome', { examples: ['Success', 'Failure'] }),
  attr('source', 'source application', { examples: ['Web', 'AndroidBizBankingApp'] }),
  attr('ReqCtx_appId', 'application', { examples: ['USP'] }),
  attr('ReqCtx_offeringId'),
  attr('ReqCtx_onBehalfOf'),
  attr('ReqCtx_requestURI'),
  attr('ReqCtx_bcId'),
  attr('ReqCtx_hostname'),
  attr('ReqCtx_timezone'),
  attr('ReqCtx_tzOffset'),
  attr('ReqCtx_userProductVersion'),
  attr('ReqCtx_transId'),
  attr('ReqCtx_callingHost'),
  attr('ReqCtx_request_userId'),
  attr('ReqCtx_request_fiId'),
  attr('eventType', 'record event type', { examples: ['Audit'] }),
  attr('eventDate'),
  attr('trnUid'),
  attr('clientVersion'),
  attr('memo'),
  attr('type', 'event-specific type'),
  attr('action', 'action', { examples: ['ADD', 'PAYMENT'] }),
  attr('amount', 'amount', { type: 'number' }),
  attr('fee', 'fee', { type: 'number' }),
  attr('accountType'),
  attr('accountNumber'),
  attr('accountNumberHashed'),
  attr('routingNumber'),
  attr('payeeName'),
  attr('payeeId'),
  attr('payeeHold'),
  attr('payeeCount', undefined, { type: 'number' }),
  attr('paymentId'),
  attr('paymentDate'),
  attr('paymentTiming'),
  attr('transactionType', undefined, { examples: ['COMMERCIAL_CCD'] }),
  attr('confNo'),
  attr('fromAccount'),
  attr('fromAccountType'),
  attr('fromAccountHashed'),
  attr('achCompanyId'),
  attr('taxIdName'),
  attr('businessName'),
  attr('nickname'),
  attr('comment'),
  attr('layoutId'),
  attr('subscriptionId'),
  attr('email'),
  attr('reason'),
  attr('productCode', undefined, { examples: ['APX'] }),
  attr('cdiChallenged'),
  attr('cdiMode'),
  attr('challengeStatus'),
  attr('challengeType'),
  attr('invalidAttempts', undefined, { type: 'number' }),
  attr('passcodeSent'),
  attr('step'),
];

const FIELDS: readonly FieldDef[] = [
  {
    name: 'user',
    target: 'user',
    attribute: 'ReqCtx_loginId',
    description: 'login id (userId, userIdType loginId)',
  },
  {
    name: 'member',
    target: 'member',
    attribute: 'member',
    description: 'member id (userId, userIdType memberId)',
  },
  {
    name: 'type',
    aliases: ['event'],
    target: 'event',
    attribute: 'eventId',
    description: 'event id (eventIds)',
  },
  {
    name: 'segment',
    target: 'segment',
    attribute: 'ReqCtx_customerType',
    description: 'customer segment (userType)',
    values: ['retail', 'business'],
  },
  {
    name: 'company',
    target: 'company',
    attribute: 'ReqCtx_companyId',
    description: 'business company id (companyId)',
  },
  {
    name: 'product',
    target: 'product',
    attribute: 'ReqCtx_userProduct',
    description: 'user product (userProduct)',
  },
  {
    name: 'kind',
    target: 'kind',
    description: 'event kind (eventType)',
    values: ['user', 'system'],
  },
  {
    name: 'ip',
    target: 'attribute',
    attribute: 'ReqCtx_ipAddress',
    description: 'client IP address',
  },
  { name: 'app', target: 'attribute', attribute: 'ReqCtx_appId', description: 'application id' },
  {
    name: 'session',
    target: 'attribute',
    attribute: 'ReqCtx_sessionId',
    description: 'session id',
  },
  {
    name: 'channel',
    target: 'attribute',
    attribute: 'channel',
    description: 'ONLINE, MOBILE, EMAIL…',
  },
  { name: 'source', target: 'attribute', attribute: 'source', description: 'source application' },
  { name: 'result', target: 'attribute', attribute: 'result', description: 'outcome (Success…)' },
  { name: 'locale', target: 'attribute', attribute: 'ReqCtx_locale', description: 'locale' },
  {
    name: 'feature',
    target: 'attribute',
    attribute: 'ReqCtx_featureName',
    description: 'feature name',
  },
  { name: 'amount', target: 'attribute', attribute: 'amount', description: 'amount (number)' },
  {
    name: 'agent',
    aliases: ['ua'],
    target: 'attribute',
    attribute: 'ReqCtx_userAgent',
    description: 'user agent',
  },
  { name: 'region', target: 'attribute', attribute: 'ReqCtx_region', description: 'region' },
  { name: 'error', target: 'attribute', attribute: 'errorCode', description: 'error code' },
  { name: 'action', target: 'attribute', attribute: 'action', description: 'action' },
  { name: 'time', target: 'attribute', attribute: 'timeStamp', description: 'event time' },
];

const ev = (
  id: string,
  kind: EventType,
  description: string,
  attributes?: readonly string[],
): EventDef => ({
  id,
  kind,
  description,
  ...(attributes ? { attributes } : {}),
});

const EVENTS: readonly EventDef[] = [
  ev('login', 'user', 'sign-in', [
    'channel',
    'source',
    'result',
    'ReqCtx_ipAddress',
    'ReqCtx_sessionId',
  ]),
  ev('logout', 'user', 'sign-out', ['channel', 'source', 'ReqCtx_sessionId']),
  ev('mfaChallenge', 'user', 'MFA challenge', [
    'cdiChallenged',
    'cdiMode',
    'challengeStatus',
    'challengeType',
    'invalidAttempts',
    'passcodeSent',
    'reason',
    'source',
    'step',
  ]),
  ev('mfaEnrollment', 'user', 'MFA enrollment', ['challengeType', 'result']),
  ev('transfer', 'user', 'funds transfer', ['amount', 'fromAccount', 'accountType', 'confNo']),
  ev('billPay', 'user', 'bill payment', ['amount', 'payeeName', 'payeeId', 'paymentDate']),
  ev('managePayee', 'user', 'business ACH payee management', [
    'action',
    'payeeName',
    'payeeId',
    'payeeHold',
  ]),
  ev('managePayment', 'user', 'business ACH payment', [
    'action',
    'amount',
    'transactionType',
    'paymentId',
  ]),
  ev('passwordChange', 'user', 'password change', ['result']),
  ev('profileUpdate', 'user', 'profile update', ['email', 'nickname']),
  ev('alertSent', 'system', 'alert delivery', ['channel', 'glappid', 'email']),
  ev('apiUse', 'system', 'API usage', ['productCode']),
];

/**
 * The built-in catalog: the event ids and attributes of api-notes §3.9–3.10 plus the common
 * banking events. `complete` is `false`: no institution publishes its full list.
 * @since 0.1.0
 */
export const defaultCatalog: Catalog = {
  fields: FIELDS,
  attributes: ATTRIBUTES,
  events: EVENTS,
  complete: false,
};

/** Additions to a catalog (from a plugin or configuration). @since 0.1.0 */
export interface CatalogExtension {
  readonly fields?: readonly FieldDef[];
  readonly attributes?: readonly AttributeDef[];
  readonly events?: readonly EventDef[];
  readonly complete?: boolean;
}

/**
 * Merges extensions into a catalog: later definitions replace earlier ones with the same
 * (case-insensitive) name or id; `complete` is taken from the last extension that sets it.
 * @since 0.1.0
 */
export function mergeCatalog(base: Catalog, ...extensions: readonly CatalogExtension[]): Catalog {
  const merge = <T>(a: readonly T[], b: readonly T[] | undefined, key: (t: T) => string): T[] => {
    if (!b || b.length === 0) return [...a];
    const out = new Map<string, T>();
    for (const t of a) out.set(key(t).toLowerCase(), t);
    for (const t of b) out.set(key(t).toLowerCase(), t);
    return [...out.values()];
  };
  let result = base;
  for (const ext of extensions) {
    result = {
      fields: merge(result.fields, ext.fields, (f) => f.name),
      attributes: merge(result.attributes, ext.attributes, (a) => a.name),
      events: merge(result.events, ext.events, (e) => e.id),
      complete: ext.complete ?? result.complete,
    };
  }
  return result;
}

/** Fast lookups over a catalog, computed once per catalog object. @since 0.1.0 */
export interface CatalogIndex {
  readonly catalog: Catalog;
  /** Field by lowercase name or alias. */
  readonly fields: ReadonlyMap<string, FieldDef>;
  /** Canonical attribute spelling by lowercase name. */
  readonly attributes: ReadonlyMap<string, string>;
  /** Event by id (exact). */
  readonly events: ReadonlyMap<string, EventDef>;
  /** Field that reads an attribute (lowercase attribute → field), for friendly printing. */
  readonly fieldOfAttribute: ReadonlyMap<string, FieldDef>;
  /** Lowercase names of the attributes of type `time` (compared as instants, not as text). */
  readonly timeAttributes: ReadonlySet<string>;
  /** The kind of an event id: the catalog's, else `user`. */
  kindOf(eventId: string | undefined): EventType;
}

const indexes = new WeakMap<Catalog, CatalogIndex>();

/** The (cached) index of a catalog. @since 0.1.0 */
export function indexCatalog(catalog: Catalog): CatalogIndex {
  const cached = indexes.get(catalog);
  if (cached) return cached;
  const fields = new Map<string, FieldDef>();
  const fieldOfAttribute = new Map<string, FieldDef>();
  for (const f of catalog.fields) {
    fields.set(f.name.toLowerCase(), f);
    for (const a of f.aliases ?? []) fields.set(a.toLowerCase(), f);
    if (f.attribute && !fieldOfAttribute.has(f.attribute.toLowerCase()))
      fieldOfAttribute.set(f.attribute.toLowerCase(), f);
  }
  const attributes = new Map<string, string>();
  for (const a of catalog.attributes) attributes.set(a.name.toLowerCase(), a.name);
  for (const f of catalog.fields)
    if (f.attribute && !attributes.has(f.attribute.toLowerCase()))
      attributes.set(f.attribute.toLowerCase(), f.attribute);
  const events = new Map<string, EventDef>();
  for (const e of catalog.events) events.set(e.id, e);
  const timeAttributes = new Set(
    catalog.attributes.filter((a) => a.type === 'time').map((a) => a.name.toLowerCase()),
  );
  const index: CatalogIndex = {
    catalog,
    fields,
    attributes,
    events,
    fieldOfAttribute,
    timeAttributes,
    kindOf: (id) => (id === undefined ? 'user' : (events.get(id)?.kind ?? 'user')),
  };
  indexes.set(catalog, index);
  return index;
}

/**
 * Rewrites a record's keys to the catalog's spelling (case-insensitively): `eventid` →
 * `eventId`, `reqctx_loginid` → `ReqCtx_loginId`. Unknown keys are kept as received.
 * @since 0.1.0
 */
export function canonicalizeRecord(
  record: BankingActivity,
  catalog: Catalog = defaultCatalog,
): BankingActivity {
  const { attributes } = indexCatalog(catalog);
  const out: Record<string, string> = {};
  for (const key of Object.keys(record)) {
    const canonical = attributes.get(key.toLowerCase()) ?? key;
    out[canonical] = record[key] as string;
  }
  return out;
}
