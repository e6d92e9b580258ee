/**
 * The deterministic activity generator: sessions of retail and business users with daily and
 * weekly rhythms, failures, system events (alerts, API use) and three planted stories.
 * It streams day by day, so it scales to millions of events without holding them in memory.
 * @module
 */
import {
  makeDevice,
  makePopulation,
  type Company,
  type Device,
  type Person,
  type Population,
} from './population.js';
import { createRng, type Rng } from './rng.js';
import { formatOffset, localIso, offsetAt, uuidV1 } from './time.js';

/** Event ids that are system events (`eventType: system`); every other id is a user event. @since 0.1.0 */
export const SYSTEM_EVENT_IDS: ReadonlySet<string> = new Set(['alertSent', 'apiUse']);

/** The event ids the generator produces. @since 0.1.0 */
export const GENERATED_EVENT_IDS: readonly string[] = [
  'login',
  'logout',
  'mfaChallenge',
  'mfaEnrollment',
  'passwordChange',
  'profileUpdate',
  'transfer',
  'billPay',
  'managePayee',
  'managePayment',
  'alertSent',
  'apiUse',
];

/** The kind of an event id (`system` for alertSent and apiUse). @since 0.1.0 */
export function eventKind(eventId: string): 'user' | 'system' {
  return SYSTEM_EVENT_IDS.has(eventId) ? 'system' : 'user';
}

/** One activity event: the record (lowercase attribute names, as the API answers; string values) and its keys. @since 0.1.0 */
export interface ActivityEvent {
  readonly institutionId: string;
  /** Epoch milliseconds of `timeStamp`. */
  readonly ts: number;
  readonly guid: string;
  readonly eventId: string;
  readonly kind: 'user' | 'system';
  readonly record: Readonly<Record<string, string>>;
}

/** A planted story analysts can look for. @since 0.1.0 */
export interface Story {
  readonly id: 'credential-stuffing' | 'new-device-payee-payment' | 'account-takeover';
  readonly title: string;
  readonly institutionId: string;
  readonly loginId: string;
  /** ISO instant the story starts. */
  readonly start: string;
  readonly description: string;
}

/** Options of {@link generateEvents}. @since 0.1.0 */
export interface GenerateOptions {
  /** Seed of the generator (default 42). */
  readonly seed?: number;
  /** About how many events (default 200 000). */
  readonly events?: number;
  /** Days of history before `end` (default 90). */
  readonly days?: number;
  /** The newest instant, epoch ms (default now). */
  readonly end?: number;
  /** Institutions (default `['00016']`); the first gets the stories and most users. */
  readonly institutions?: readonly string[];
}

/** The generated data set: the population, the stories and a streaming iterator of events. @since 0.1.0 */
export interface GeneratedData {
  readonly populations: readonly Population[];
  readonly stories: readonly Story[];
  readonly start: number;
  readonly end: number;
  /** Streams every event (oldest day first; within a day in no particular order). */
  events(): Generator<ActivityEvent>;
}

/** Default password of every generated user (documented in the README; sample data only). @since 0.1.0 */
export const DEFAULT_USER_PASSWORD = 'Sandbox@123';

const DAY = 86_400_000;
const MIN = 60_000;

const RETAIL_HOURS = [
  1, 0.6, 0.4, 0.3, 0.4, 1, 2.5, 5, 7, 8, 8, 8.5, 9, 8.5, 7.5, 7, 7, 7.5, 8.5, 9.5, 9.5, 8, 5.5,
  2.5,
];
const BUSINESS_HOURS = [
  0.1, 0.1, 0.1, 0.1, 0.1, 0.3, 1.5, 5, 9, 10, 10, 9, 7, 8.5, 9.5, 9, 7, 4, 2, 1, 0.7, 0.5, 0.3,
  0.2,
];
const RETAIL_WEEK = [0.8, 1.05, 1.05, 1, 1, 1.1, 0.85]; // Sun..Sat
const BUSINESS_WEEK = [0.12, 1.1, 1.05, 1, 1, 1.05, 0.2];

interface Session {
  readonly person: Person;
  readonly device: Device;
  readonly ip: string;
  readonly country: string;
  readonly city: string;
  readonly locale: string;
  readonly sessionId: string;
  readonly newDevice: boolean;
}

const HOSTS = [
  'usp-prod-7c9f8d6b5-2xkqp',
  'usp-prod-7c9f8d6b5-8mzt4',
  'usp-prod-7c9f8d6b5-q7lnw',
  'bbp-prod-5fb5c95ccc-xdmvq',
];
const PAYEES = [
  'Pacific Gas & Electric',
  'Comcast',
  'Verizon Wireless',
  'State Farm',
  'Chase Card Services',
  'City Water Dept',
  'Geico',
  'AT&T',
  'Spectrum',
  'Discover Card',
  'Toyota Financial',
  'Sallie Mae',
  'Rent - Oak Apartments',
];
const VENDORS = [
  'Staples Business',
  'Grainger Industrial',
  'ADP Payroll',
  'Uline',
  'Sysco Foods',
  'FedEx Freight',
  'Office Depot',
  'Cintas',
];
const ALERTS = [
  'LOWBAL',
  'LARGETXN',
  'NEWDEVICE',
  'PWDCHANGE',
  'PAYMENTSENT',
  'BBPTRNSAPRVNT',
  'DEPOSIT',
];
const API_PATHS = [
  '/accounts/v1/accounts',
  '/transactions/v1/transactions',
  '/accounts/v1/balances',
  '/images/v1/checks',
];

function appFor(
  person: Person,
  device: Device,
): { channel: string; source: string; appId: string; product: string; glappid: string } {
  const mobile = device.kind !== 'web';
  if (person.segment === 'business') {
    return {
      channel: mobile ? 'MOBILE' : 'ONLINE',
      source:
        device.kind === 'android'
          ? 'AndroidBizBankingApp'
          : device.kind === 'ios'
            ? 'iOSBizBankingApp'
            : 'Web',
      appId: mobile ? 'BBPaymentsApp' : 'ServicesGatewayApp',
      product: 'BBPAYMENTS',
      glappid: 'BBP',
    };
  }
  return {
    channel: mobile ? 'MOBILE' : 'ONLINE',
    source: device.kind === 'android' ? 'AndroidApp' : device.kind === 'ios' ? 'iOSApp' : 'Web',
    appId: mobile ? 'MobileBankingApp' : 'USP',
    product: mobile ? 'Common Mobile Services' : 'Consumer Banking',
    glappid: 'USP',
  };
}

const money = (n: number): string => (Math.round(n * 100) / 100).toFixed(2);

/** Canonical (camelCase) spellings of the attributes the generator writes; records use lowercase keys. @since 0.1.0 */
export const CANONICAL_NAMES: readonly string[] = [
  'eventId',
  'timeStamp',
  'guid',
  'ReqCtx_id',
  'eventType',
  'eventDate',
  'result',
  'channel',
  'source',
  'glappid',
  'member',
  'ReqCtx_userId',
  'ReqCtx_loginId',
  'ReqCtx_sessionId',
  'ReqCtx_customerType',
  'ReqCtx_userType',
  'ReqCtx_userProduct',
  'ReqCtx_featureName',
  'ReqCtx_canonicalId',
  'ReqCtx_homeId',
  'ReqCtx_bcId',
  'ReqCtx_bcIndex',
  'ReqCtx_onBehalfOf',
  'ReqCtx_region',
  'ReqCtx_ipAddress',
  'ReqCtx_userAgent',
  'ReqCtx_deviceId',
  'ReqCtx_locale',
  'ReqCtx_timezone',
  'ReqCtx_tzOffset',
  'ReqCtx_appId',
  'ReqCtx_offeringId',
  'ReqCtx_transId',
  'ReqCtx_hostName',
  'ReqCtx_userProductVersion',
  'ReqCtx_companyId',
  'ReqCtx_requestUri',
  'clientVersion',
  'geoCountry',
  'geoCity',
  'businessName',
  'errorCode',
  'errorMessage',
  'authMethod',
  'newDevice',
  'reason',
  'cdiChallenged',
  'cdiMode',
  'challengeStatus',
  'challengeType',
  'invalidAttempts',
  'passcodeSent',
  'step',
  'action',
  'phone',
  'type',
  'fieldName',
  'newValue',
  'amount',
  'transferType',
  'fromAccount',
  'fromAccountType',
  'toAccount',
  'toAccountType',
  'confNo',
  'trnUid',
  'payeeName',
  'payeeId',
  'paymentId',
  'paymentDate',
  'paymentTiming',
  'payeeHold',
  'accountNumber',
  'routingNumber',
  'accountType',
  'nickname',
  'fee',
  'transactionType',
  'payeeCount',
  'achCompanyId',
  'taxIdName',
  'layoutId',
  'subscriptionId',
  'email',
  'productCode',
  'httpMethod',
  'statusCode',
  'responseTimeMs',
];

type Rec = Record<string, string>;

/** Builds events for one institution; shared by the normal traffic and the stories. */
class Builder {
  private readonly consts = new WeakMap<Session, { common: Rec; device: Rec }>();
  constructor(
    private readonly rng: Rng,
    private readonly institutionId: string,
    private readonly node: string,
  ) {}

  private sessionConst(s: Session): { common: Rec; device: Rec } {
    let c = this.consts.get(s);
    if (c) return c;
    const p = s.person;
    const app = appFor(p, s.device);
    const inst = this.institutionId;
    const common: Rec = {
      channel: app.channel,
      source: app.source,
      glappid: app.glappid,
      member: p.memberId,
      reqctx_userid: p.memberId,
      reqctx_loginid: p.loginId,
      reqctx_sessionid: s.sessionId,
      reqctx_customertype: p.segment === 'business' ? 'BUSINESS' : 'RETAIL',
      reqctx_usertype: p.userType,
      reqctx_userproduct: app.product,
      reqctx_canonicalid: inst,
      reqctx_homeid: inst,
      reqctx_bcid: inst,
      reqctx_bcindex: String(Number(inst)),
      reqctx_onbehalfof: inst,
      reqctx_region: 'prod-us-west1',
      reqctx_ipaddress: s.ip,
      reqctx_useragent: s.device.userAgent,
      reqctx_locale: s.locale,
      reqctx_timezone: p.zone.name,
      reqctx_appid: app.appId,
      reqctx_offeringid: app.appId === 'USP' ? 'USPServer' : app.appId,
      reqctx_userproductversion: s.device.appVersion,
      clientversion: s.device.appVersion,
    };
    if (p.companyId) {
      common.reqctx_companyid = p.companyId;
      common.businessname = p.businessName ?? '';
    }
    const device: Rec = { reqctx_deviceid: s.device.id, geocountry: s.country, geocity: s.city };
    c = { common, device };
    this.consts.set(s, c);
    return c;
  }

  base(
    s: Session,
    eventId: string,
    ms: number,
    feature: string,
    ok = true,
    withDevice = true,
  ): Rec {
    const offset = offsetAt(s.person.zone, ms);
    const iso = localIso(ms, offset);
    const reqId = this.rng.uuid();
    const c = this.sessionConst(s);
    const r: Rec = {
      eventid: eventId,
      timestamp: iso,
      guid: uuidV1(ms, this.rng, this.node),
      reqctx_id: reqId,
      eventtype: 'Audit',
      eventdate: iso.slice(0, 10),
      result: ok ? 'Success' : 'Failure',
      ...c.common,
      ...(withDevice ? c.device : {}),
      reqctx_featurename: feature,
      reqctx_tzoffset: formatOffset(offset, false),
      reqctx_transid: reqId,
      reqctx_hostname: HOSTS[this.rng.int(HOSTS.length)] as string,
    };
    return r;
  }

  event(rec: Rec, ms: number): ActivityEvent {
    const eventId = rec.eventid ?? '';
    return {
      institutionId: this.institutionId,
      ts: ms,
      guid: rec.guid ?? '',
      eventId,
      kind: eventKind(eventId),
      record: rec,
    };
  }

  fail(rec: Rec, code: string, message: string): Rec {
    rec.result = 'Failure';
    rec.errorcode = code;
    rec.errormessage = message;
    return rec;
  }

  login(s: Session, ms: number, ok: boolean, authMethod = 'PASSWORD'): ActivityEvent {
    const r = this.base(s, 'login', ms, 'Login', ok);
    r.authmethod = authMethod;
    if (s.newDevice) r.newdevice = 'true';
    if (!ok) this.fail(r, 'INVALID_CREDENTIALS', 'Invalid username or password');
    return this.event(r, ms);
  }

  logout(s: Session, ms: number, reason = 'USER'): ActivityEvent {
    const r = this.base(s, 'logout', ms, 'Logout');
    r.reason = reason;
    return this.event(r, ms);
  }

  mfa(s: Session, ms: number, ok: boolean, type: string, reason: string): ActivityEvent {
    const r = this.base(s, 'mfaChallenge', ms, 'MFA', ok);
    r.cdichallenged = 'true';
    r.cdimode = 'RISK_BASED';
    r.challengestatus = ok ? 'PASSED' : 'FAILED';
    r.challengetype = type;
    r.invalidattempts = ok ? '0' : String(this.rng.range(1, 3));
    r.passcodesent = type === 'TOTP' ? 'false' : 'true';
    r.reason = reason;
    r.step = ok ? 'VERIFY' : 'VERIFY_FAILED';
    if (!ok) this.fail(r, 'MFA_FAILED', 'One-time passcode did not match');
    return this.event(r, ms);
  }

  mfaEnrollment(s: Session, ms: number, type: string, phone: string): ActivityEvent {
    const r = this.base(s, 'mfaEnrollment', ms, 'MFA');
    r.action = 'ENROLL';
    r.challengetype = type;
    r.phone = phone;
    return this.event(r, ms);
  }

  passwordChange(s: Session, ms: number, reason: string): ActivityEvent {
    const r = this.base(s, 'passwordChange', ms, 'Security');
    r.reason = reason;
    return this.event(r, ms);
  }

  profileUpdate(s: Session, ms: number, field: string, value: string): ActivityEvent {
    const r = this.base(s, 'profileUpdate', ms, 'Profile');
    r.action = 'UPDATE';
    r.type = field;
    r.fieldname = field.toLowerCase();
    r.newvalue = value;
    return this.event(r, ms);
  }

  transfer(s: Session, ms: number, amount: number, external: boolean, ok = true): ActivityEvent {
    const p = s.person;
    const r = this.base(s, 'transfer', ms, 'Transfers', ok);
    r.amount = money(amount);
    r.type = external ? 'EXTERNAL' : 'INTERNAL';
    r.transfertype = external ? 'EXTERNAL' : 'INTERNAL';
    r.fromaccount = `*${p.checking}`;
    r.fromaccounttype = p.segment === 'business' ? 'BUSINESS_CHECKING' : 'CHECKING';
    r.toaccount = external ? `*${this.rng.digits(4)}` : `*${p.savings}`;
    r.toaccounttype = external ? 'EXTERNAL_CHECKING' : 'SAVINGS';
    r.confno = this.rng.hex(8).toUpperCase();
    r.trnuid = this.rng.uuid();
    if (!ok) this.fail(r, 'INSUFFICIENT_FUNDS', 'Available balance is insufficient');
    return this.event(r, ms);
  }

  billPay(s: Session, ms: number): ActivityEvent {
    const p = s.person;
    const ok = this.rng.chance(0.97);
    const r = this.base(s, 'billPay', ms, 'BillPay', ok);
    r.amount = money(this.rng.logNormal(p.segment === 'business' ? 900 : 120, 0.8));
    r.payeename = this.rng.pick(p.segment === 'business' ? VENDORS : PAYEES);
    r.payeeid = this.rng.uuid();
    r.paymentid = this.rng.uuid();
    r.paymentdate = new Date(ms + this.rng.range(0, 5) * DAY).toISOString().slice(0, 10);
    r.paymenttiming = this.rng.chance(0.3) ? 'RECURRING' : 'ONCE';
    r.fromaccount = `*${p.checking}`;
    r.confno = this.rng.hex(8).toUpperCase();
    if (!ok) this.fail(r, 'PAYMENT_REJECTED', 'Payment could not be scheduled');
    return this.event(r, ms);
  }

  managePayee(
    s: Session,
    ms: number,
    action: string,
    name: string,
    payeeId: string,
  ): ActivityEvent {
    const p = s.person;
    const r = this.base(s, 'managePayee', ms, p.segment === 'business' ? 'ACH' : 'BillPay');
    r.action = action;
    r.type = p.segment === 'business' ? 'ACH Payment' : 'Bill Payee';
    r.payeename = name;
    r.payeeid = payeeId;
    r.payeehold = 'false';
    r.accountnumber = this.rng.digits(4);
    r.routingnumber = `${this.rng.range(1, 3)}${this.rng.digits(8)}`;
    r.accounttype = p.segment === 'business' ? 'BUSINESS_CHECKING' : 'CHECKING';
    r.nickname = name.split(' ')[0]?.toLowerCase() ?? 'payee';
    return this.event(r, ms);
  }

  managePayment(
    s: Session,
    ms: number,
    action: string,
    amount: number,
    payee: string,
    paymentId: string,
  ): ActivityEvent {
    const p = s.person;
    const r = this.base(s, 'managePayment', ms, 'ACH');
    r.action = action;
    r.type = 'ACH Payment';
    r.amount = money(amount);
    r.fee = amount > 10_000 ? '25.00' : '9.00';
    r.transactiontype = this.rng.chance(0.8) ? 'COMMERCIAL_CCD' : 'PPD';
    r.payeecount = '1';
    r.payeename = payee;
    r.paymentid = paymentId;
    r.paymenttiming = 'ONCE';
    r.paymentdate = new Date(ms + DAY).toISOString().slice(0, 10);
    r.fromaccount = `*${p.checking}`;
    r.fromaccounttype = 'BUSINESS_CHECKING';
    r.achcompanyid = p.achCompanyId ?? '';
    r.taxidname = p.businessName ?? '';
    r.confno = this.rng.hex(8).toUpperCase();
    return this.event(r, ms);
  }

  alert(s: Session, ms: number, type: string): ActivityEvent {
    const p = s.person;
    const r = this.base(s, 'alertSent', ms, 'Events', true, false);
    r.channel = this.rng.weighted(['EMAIL', 'SMS', 'PUSH'], [60, 25, 15]);
    r.glappid = 'MAI';
    r.type = type;
    r.layoutid = String(34_000 + ALERTS.indexOf(type) * 17);
    r.subscriptionid = this.rng.chance(0.5) ? 'NA' : this.rng.hex(12);
    r.email = p.email;
    r.accountnumber = 'NA';
    r.source = 'AlertService';
    r.reqctx_appid = 'AlertService';
    r.reqctx_useragent = 'Apache-HttpClient/5.4.4 (Java/17.0.4.1)';
    r.reqctx_ipaddress = '100.68.131.161';
    r.reqctx_requesturi = `/mais/v1/fis/${this.institutionId}/fiCustomers/${p.memberId}/events`;
    return this.event(r, ms);
  }

  apiUse(s: Session, ms: number, aggregator: string): ActivityEvent {
    const r = this.base(s, 'apiUse', ms, 'API', true, false);
    const path = this.rng.pick(API_PATHS);
    const ok = this.rng.chance(0.96);
    r.channel = 'API';
    r.source = aggregator;
    r.glappid = 'APX';
    r.productcode = 'APX';
    r.reqctx_appid = aggregator;
    r.reqctx_useragent = `${aggregator}/2.4`;
    r.reqctx_requesturi = path;
    r.httpmethod = 'GET';
    r.statuscode = ok ? '200' : this.rng.pick(['401', '429', '503']);
    r.responsetimems = String(Math.round(this.rng.logNormal(180, 0.6)));
    if (!ok) this.fail(r, 'API_ERROR', 'Upstream call failed');
    return this.event(r, ms);
  }
}

const AGGREGATORS = ['PlaidLink', 'MXConnect', 'FinicityAPI', 'YodleeAgg'];
const STUFFING_NETS = [
  '185.220.101',
  '45.155.205',
  '91.219.236',
  '193.32.162',
  '5.188.206',
  '89.248.165',
];

function localHourAndDay(person: Person, ms: number): [number, number] {
  const local = new Date(ms + offsetAt(person.zone, ms) * MIN);
  return [local.getUTCHours(), local.getUTCDay()];
}

/**
 * Generates a deterministic data set: about `events` activity events over `days` days ending at
 * `end`, for one or more institutions, with three planted stories in the first institution.
 * @since 0.1.0
 */
export function generateEvents(options: GenerateOptions = {}): GeneratedData {
  const seed = options.seed ?? 42;
  const target = Math.max(1, Math.floor(options.events ?? 200_000));
  const days = Math.max(1, options.days ?? 90);
  const end = options.end ?? Date.now();
  const start = end - days * DAY;
  const institutions =
    options.institutions && options.institutions.length > 0 ? options.institutions : ['00016'];
  const popRng = createRng(seed);
  const userCount = Math.max(40, Math.round(target / 70));
  const populations = institutions.map((inst, i) =>
    makePopulation(popRng, inst, Math.max(20, Math.round(i === 0 ? userCount : userCount / 5))),
  );
  const main = populations[0] as Population;
  const retail = main.people.filter((p) => p.segment === 'retail');
  const business = main.people.filter((p) => p.segment === 'business');
  const stuffingVictim = retail[1] as Person;
  const takeoverVictim = retail[2] as Person;
  const payeeVictim = business[0] as Person;
  const storyTimes = {
    stuffing: end - Math.round(days * DAY * 0.05) - 3 * 3600_000,
    payee: end - Math.round(days * DAY * 0.12) - 5 * 3600_000,
    takeover: end - Math.round(days * DAY * 0.08) - 7 * 3600_000,
  };
  const stories: Story[] = [
    {
      id: 'credential-stuffing',
      title: 'Credential-stuffing burst',
      institutionId: main.institutionId,
      loginId: stuffingVictim.loginId,
      start: new Date(storyTimes.stuffing).toISOString(),
      description:
        'About 80 failed logins in 25 minutes from dozens of proxy IPs with a scripted user agent.',
    },
    {
      id: 'new-device-payee-payment',
      title: 'New device, new payee, large payment',
      institutionId: main.institutionId,
      loginId: payeeVictim.loginId,
      start: new Date(storyTimes.payee).toISOString(),
      description:
        'Login from a never-seen device, then a new ACH payee and a 48,500.00 payment to it within minutes.',
    },
    {
      id: 'account-takeover',
      title: 'Account takeover from a new country',
      institutionId: main.institutionId,
      loginId: takeoverVictim.loginId,
      start: new Date(storyTimes.takeover).toISOString(),
      description:
        'Login from Romania on a new device, email and password changed, new MFA phone, external transfer.',
    },
  ];

  function* events(): Generator<ActivityEvent> {
    const rng = createRng(seed ^ 0x5eed);
    for (let pi = 0; pi < populations.length; pi += 1) {
      const pop = populations[pi] as Population;
      const share = pi === 0 ? 1 : 0.2;
      const instTarget =
        (pi === 0 ? target : target * 0.2) /
        (populations.length > 1 ? 1 + 0.2 * (populations.length - 1) : 1);
      const node = rng.hex(12);
      const b = new Builder(rng, pop.institutionId, node);
      const people = pop.people;
      const cumulative: number[] = [];
      let acc = 0;
      for (const p of people) {
        acc += p.activity * (p.segment === 'business' ? 1.4 : 1);
        cumulative.push(acc);
      }
      const pickPerson = (): Person => {
        const r = rng.next() * acc;
        let lo = 0;
        let hi = cumulative.length - 1;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if ((cumulative[mid] ?? 0) < r) lo = mid + 1;
          else hi = mid;
        }
        return people[lo] as Person;
      };
      const aggregators = people.filter((p) => p.aggregator);
      const apiPerDay = aggregators.length > 0 ? (instTarget * 0.08) / days : 0;
      const sessionsPerDay = (instTarget * 0.92) / days / 3.9;
      void share;
      for (let d = days - 1; d >= 0; d -= 1) {
        const dayStart = end - (d + 1) * DAY;
        const weekday = new Date(dayStart + DAY / 2 - 6 * 3600_000).getUTCDay(); // local (US) weekday of the window
        const dayFactor = 0.8 * (RETAIL_WEEK[weekday] ?? 1) + 0.2 * (BUSINESS_WEEK[weekday] ?? 1);
        const sessions = Math.round(sessionsPerDay * dayFactor * (0.9 + rng.next() * 0.2));
        for (let i = 0; i < sessions; i += 1) {
          let person = pickPerson();
          for (let tries = 0; tries < 10; tries += 1) {
            const week = person.segment === 'business' ? BUSINESS_WEEK : RETAIL_WEEK;
            if (rng.next() * 1.1 < (week[weekday] ?? 1)) break;
            person = pickPerson();
          }
          const hours = person.segment === 'business' ? BUSINESS_HOURS : RETAIL_HOURS;
          let ms = dayStart + rng.int(DAY);
          for (let tries = 0; tries < 12; tries += 1) {
            const [h] = localHourAndDay(person, ms);
            if (rng.next() * 10 < (hours[h] ?? 1)) break;
            ms = dayStart + rng.int(DAY);
          }
          for (const e of session(b, rng, person, ms)) if (e.ts <= end) yield e;
        }
        const calls = Math.round(apiPerDay * (0.8 + rng.next() * 0.4));
        for (let i = 0; i < calls; i += 1) {
          const person = rng.pick(aggregators);
          const agg =
            AGGREGATORS[person.memberId.charCodeAt(0) % AGGREGATORS.length] ?? 'PlaidLink';
          const ms = dayStart + rng.int(DAY);
          const s: Session = {
            person,
            device: person.devices[0] as Device,
            ip: `34.${rng.range(64, 127)}.${rng.range(1, 254)}.${rng.range(1, 254)}`,
            country: 'US',
            city: 'Ashburn',
            locale: person.locale,
            sessionId: rng.hex(32),
            newDevice: false,
          };
          if (ms <= end) yield b.apiUse(s, ms, agg);
        }
      }
      if (pi === 0) {
        yield* credentialStuffing(b, rng, stuffingVictim, storyTimes.stuffing);
        yield* newDevicePayee(b, rng, payeeVictim, storyTimes.payee);
        yield* takeover(b, rng, takeoverVictim, storyTimes.takeover);
      }
    }
  }
  return { populations, stories, start, end, events };
}

function normalSession(rng: Rng, person: Person): Session {
  const device = rng.weighted(
    person.devices,
    person.devices.map((_, i) => (i === 0 ? 6 : 2)),
  );
  const mobile = device.kind !== 'web';
  const travel = rng.chance(0.02);
  return {
    person,
    device,
    ip:
      mobile && rng.chance(0.5)
        ? person.mobileIp
        : travel
          ? `${rng.range(11, 99)}.${rng.range(1, 254)}.${rng.range(1, 254)}.${rng.range(1, 254)}`
          : person.homeIp,
    country: 'US',
    city: travel ? rng.pick(['Las Vegas', 'Orlando', 'Austin', 'Nashville']) : person.city,
    locale: person.locale,
    sessionId: rng.hex(32),
    newDevice: false,
  };
}

function* session(b: Builder, rng: Rng, person: Person, start: number): Generator<ActivityEvent> {
  let s = normalSession(rng, person);
  if (rng.chance(0.01)) {
    const device = makeDevice(rng);
    s = { ...s, device, newDevice: true };
  }
  let t = start;
  if (rng.chance(0.045)) {
    const n = rng.weighted([1, 2, 3], [70, 22, 8]);
    for (let i = 0; i < n; i += 1) {
      yield b.login(s, t, false);
      t += rng.range(8_000, 60_000);
    }
    if (rng.chance(0.15)) return;
  }
  const bio = s.device.kind !== 'web' && rng.chance(0.5);
  yield b.login(s, t, true, bio ? 'BIOMETRIC' : 'PASSWORD');
  if (s.newDevice) {
    t += rng.range(1_000, 5_000);
    yield b.alert(s, t + rng.range(2_000, 20_000), 'NEWDEVICE');
  }
  if (s.newDevice || rng.chance(0.12)) {
    t += rng.range(15_000, 90_000);
    const ok = rng.chance(0.93);
    yield b.mfa(
      s,
      t,
      ok,
      rng.weighted(['SMS', 'EMAIL', 'TOTP', 'VOICE'], [55, 25, 15, 5]),
      s.newDevice ? 'NEW_DEVICE' : 'RISK_SCORE',
    );
    if (!ok) {
      t += rng.range(20_000, 90_000);
      yield b.mfa(s, t, true, 'SMS', 'RETRY');
    }
  }
  const actions = rng.weighted([0, 1, 2, 3, 4], [18, 34, 26, 14, 8]);
  for (let i = 0; i < actions; i += 1) {
    t += rng.range(20_000, 240_000);
    if (person.segment === 'business') {
      const what = rng.weighted(
        ['payment', 'payee', 'transfer', 'billPay', 'profile', 'password'],
        [40, 12, 22, 18, 5, 3],
      );
      if (what === 'payment') {
        const amount = rng.logNormal(4_500, 1.1);
        const id = rng.uuid();
        const payee = rng.pick(VENDORS);
        yield b.managePayment(s, t, 'ADD', amount, payee, id);
        if (rng.chance(0.6)) {
          t += rng.range(30_000, 600_000);
          yield b.managePayment(s, t, 'APPROVE', amount, payee, id);
          if (rng.chance(0.5)) yield b.alert(s, t + rng.range(1_000, 30_000), 'BBPTRNSAPRVNT');
        }
      } else if (what === 'payee')
        yield b.managePayee(
          s,
          t,
          rng.weighted(['ADD', 'UPDATE', 'DELETE'], [50, 35, 15]),
          rng.pick(VENDORS),
          rng.uuid(),
        );
      else if (what === 'transfer')
        yield b.transfer(s, t, rng.logNormal(3_000, 1), false, rng.chance(0.98));
      else if (what === 'billPay') yield b.billPay(s, t);
      else if (what === 'profile')
        yield b.profileUpdate(s, t, rng.pick(['PHONE', 'ADDRESS', 'EMAIL']), 'updated');
      else yield b.passwordChange(s, t, rng.pick(['USER_INITIATED', 'EXPIRED']));
    } else {
      const what = rng.weighted(
        ['transfer', 'billPay', 'payee', 'profile', 'password', 'enroll'],
        [42, 36, 10, 7, 4, 1],
      );
      if (what === 'transfer') {
        const external = rng.chance(0.15);
        const amount = rng.logNormal(external ? 400 : 250, 0.9);
        yield b.transfer(s, t, amount, external, rng.chance(0.97));
        if (amount > 2_000 && rng.chance(0.7))
          yield b.alert(s, t + rng.range(1_000, 30_000), 'LARGETXN');
      } else if (what === 'billPay') {
        yield b.billPay(s, t);
        if (rng.chance(0.2)) yield b.alert(s, t + rng.range(1_000, 60_000), 'PAYMENTSENT');
      } else if (what === 'payee')
        yield b.managePayee(
          s,
          t,
          rng.weighted(['ADD', 'UPDATE', 'DELETE'], [45, 40, 15]),
          rng.pick(PAYEES),
          rng.uuid(),
        );
      else if (what === 'profile')
        yield b.profileUpdate(s, t, rng.pick(['PHONE', 'ADDRESS', 'EMAIL']), 'updated');
      else if (what === 'password') {
        yield b.passwordChange(s, t, rng.pick(['USER_INITIATED', 'FORGOT_PASSWORD', 'EXPIRED']));
        yield b.alert(s, t + rng.range(1_000, 20_000), 'PWDCHANGE');
      } else yield b.mfaEnrollment(s, t, rng.pick(['SMS', 'TOTP']), `***-***-${rng.digits(4)}`);
    }
  }
  if (rng.chance(0.1))
    yield b.alert(s, t + rng.range(60_000, 3_600_000), rng.pick(['LOWBAL', 'DEPOSIT']));
  if (rng.chance(0.7)) yield b.logout(s, t + rng.range(10_000, 300_000));
}

function* credentialStuffing(
  b: Builder,
  rng: Rng,
  victim: Person,
  start: number,
): Generator<ActivityEvent> {
  const agents = [
    'python-requests/2.31.0',
    'Go-http-client/1.1',
    'Mozilla/5.0 (compatible; MSIE 9.0; Windows NT 6.1)',
  ];
  const ips = Array.from({ length: 42 }, () => `${rng.pick(STUFFING_NETS)}.${rng.range(2, 254)}`);
  let t = start;
  for (let i = 0; i < 80; i += 1) {
    const device: Device = {
      id: rng.hex(16),
      kind: 'web',
      userAgent: rng.pick(agents),
      appVersion: '5.6.0',
    };
    const s: Session = {
      person: victim,
      device,
      ip: rng.pick(ips),
      country: rng.pick(['NL', 'DE', 'RU', 'SC']),
      city: 'unknown',
      locale: 'en_US',
      sessionId: rng.hex(32),
      newDevice: true,
    };
    const e = b.login(s, t, false);
    const rec = e.record as Record<string, string>;
    if (i >= 74) {
      rec.errorcode = 'ACCOUNT_LOCKED';
      rec.errormessage = 'Account locked after repeated failures';
    }
    yield e;
    t += rng.range(4_000, 35_000);
  }
  const s: Session = { ...normalSession(rng, victim) };
  yield b.alert(s, t + 5_000, 'PWDCHANGE');
}

function* newDevicePayee(
  b: Builder,
  rng: Rng,
  victim: Person,
  start: number,
): Generator<ActivityEvent> {
  const device: Device = {
    id: rng.hex(16),
    kind: 'web',
    userAgent:
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0',
    appVersion: '5.6.0',
  };
  const s: Session = {
    person: victim,
    device,
    ip: `104.28.${rng.range(1, 254)}.${rng.range(1, 254)}`,
    country: 'US',
    city: 'Miami',
    locale: 'en_US',
    sessionId: rng.hex(32),
    newDevice: true,
  };
  let t = start;
  yield b.login(s, t, true);
  yield b.alert(s, t + 4_000, 'NEWDEVICE');
  t += 40_000;
  yield b.mfa(s, t, true, 'SMS', 'NEW_DEVICE');
  t += 95_000;
  const payeeId = rng.uuid();
  yield b.managePayee(s, t, 'ADD', 'Quick Supply LLC', payeeId);
  t += 150_000;
  const paymentId = rng.uuid();
  yield b.managePayment(s, t, 'ADD', 48_500, 'Quick Supply LLC', paymentId);
  t += 45_000;
  yield b.managePayment(s, t, 'APPROVE', 48_500, 'Quick Supply LLC', paymentId);
  yield b.alert(s, t + 3_000, 'BBPTRNSAPRVNT');
  yield b.logout(s, t + 30_000);
}

function* takeover(b: Builder, rng: Rng, victim: Person, start: number): Generator<ActivityEvent> {
  const device: Device = {
    id: rng.hex(16),
    kind: 'android',
    userAgent: 'DigitalBanking/5.2.1 (Linux; Android 11; SM-A125F)',
    appVersion: '5.2.1',
  };
  const s: Session = {
    person: victim,
    device,
    ip: `86.121.${rng.range(1, 254)}.${rng.range(1, 254)}`,
    country: 'RO',
    city: 'Bucharest',
    locale: 'en_US',
    sessionId: rng.hex(32),
    newDevice: true,
  };
  let t = start;
  yield b.login(s, t, false);
  t += 50_000;
  yield b.login(s, t, true);
  t += 30_000;
  yield b.mfa(s, t, true, 'EMAIL', 'NEW_DEVICE');
  t += 120_000;
  yield b.profileUpdate(s, t, 'EMAIL', 'secure.banking.help@protonmail.com');
  yield b.alert({ ...s }, t + 5_000, 'PWDCHANGE');
  t += 60_000;
  yield b.passwordChange(s, t, 'USER_INITIATED');
  t += 80_000;
  yield b.mfaEnrollment(s, t, 'SMS', '+40-7**-***-318');
  t += 140_000;
  yield b.managePayee(s, t, 'ADD', 'R. Ionescu', rng.uuid());
  t += 200_000;
  yield b.transfer(s, t, 9_800, true);
  yield b.alert(s, t + 6_000, 'LARGETXN');
  yield b.logout(s, t + 60_000);
}

/** Companies of every population. @since 0.1.0 */
export function allCompanies(data: GeneratedData): Company[] {
  return data.populations.flatMap((p) => [...p.companies]);
}
