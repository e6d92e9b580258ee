/**
 * The generated population of an institution: retail and business users, companies, devices,
 * home IPs, locales and time zones. Deterministic for a seed.
 * @module
 */
import type { Rng } from './rng.js';
import { ZONES, ZONE_WEIGHTS, type Zone } from './time.js';

/** A device a user signs in from. @since 0.1.0 */
export interface Device {
  readonly id: string;
  readonly kind: 'web' | 'ios' | 'android';
  readonly userAgent: string;
  readonly appVersion: string;
}

/** A generated sandbox user. @since 0.1.0 */
export interface Person {
  readonly institutionId: string;
  readonly loginId: string;
  readonly memberId: string;
  readonly segment: 'retail' | 'business';
  readonly userType: string;
  readonly companyId?: string;
  readonly businessName?: string;
  readonly achCompanyId?: string;
  readonly zone: Zone;
  readonly locale: string;
  readonly homeIp: string;
  readonly mobileIp: string;
  readonly city: string;
  readonly devices: readonly Device[];
  readonly email: string;
  /** Relative activity level (sessions are drawn by this weight). */
  readonly activity: number;
  readonly aggregator: boolean;
  readonly checking: string;
  readonly savings: string;
}

/** A generated business. @since 0.1.0 */
export interface Company {
  readonly companyId: string;
  readonly name: string;
  readonly achCompanyId: string;
}

const FIRST = [
  'james',
  'mary',
  'robert',
  'patricia',
  'john',
  'jennifer',
  'michael',
  'linda',
  'david',
  'elizabeth',
  'william',
  'barbara',
  'richard',
  'susan',
  'joseph',
  'jessica',
  'thomas',
  'sarah',
  'carlos',
  'karen',
  'daniel',
  'lisa',
  'matthew',
  'nancy',
  'anthony',
  'sandra',
  'mark',
  'ashley',
  'paul',
  'emily',
  'kevin',
  'donna',
  'brian',
  'michelle',
  'george',
  'carol',
  'luis',
  'amanda',
  'wei',
  'melissa',
  'priya',
  'deborah',
];
const LAST = [
  'smith',
  'johnson',
  'williams',
  'brown',
  'jones',
  'garcia',
  'miller',
  'davis',
  'rodriguez',
  'martinez',
  'hernandez',
  'lopez',
  'gonzalez',
  'wilson',
  'anderson',
  'thomas',
  'taylor',
  'moore',
  'jackson',
  'martin',
  'lee',
  'perez',
  'thompson',
  'white',
  'harris',
  'sanchez',
  'clark',
  'ramirez',
  'lewis',
  'robinson',
  'walker',
  'young',
  'allen',
  'king',
  'wright',
  'scott',
  'nguyen',
  'hill',
  'flores',
  'green',
  'patel',
  'chen',
];
const BIZ_A = [
  'Acme',
  'Summit',
  'Blue Ridge',
  'Harbor',
  'Pioneer',
  'Cascade',
  'Redwood',
  'Granite',
  'Lakeside',
  'Evergreen',
  'Keystone',
  'Prairie',
  'Coastal',
  'Northstar',
  'Ironwood',
  'Silver Creek',
  'Maple',
  'Frontier',
  'Golden Gate',
  'Riverbend',
];
const BIZ_B = [
  'Supply Co',
  'Dental Group',
  'Logistics LLC',
  'Landscaping',
  'Bakery',
  'Auto Repair',
  'Consulting',
  'Plumbing Inc',
  'Veterinary Clinic',
  'Construction',
  'Realty',
  'Coffee Roasters',
  'Printing',
  'Electric',
  'Outfitters',
  'Farms',
];
const CITIES: Record<string, readonly string[]> = {
  'America/New_York': ['New York', 'Boston', 'Atlanta', 'Miami', 'Philadelphia'],
  'America/Chicago': ['Chicago', 'Dallas', 'Houston', 'Minneapolis', 'Kansas City'],
  'America/Denver': ['Denver', 'Salt Lake City', 'Boise'],
  'America/Phoenix': ['Phoenix', 'Tucson'],
  'America/Los_Angeles': ['Los Angeles', 'San Diego', 'Seattle', 'Portland', 'San Jose'],
  'Pacific/Honolulu': ['Honolulu'],
};
const HOME_NETS = ['73', '98', '24', '71', '76', '68', '108', '174', '67', '99'];
const MOBILE_NETS = ['172.56', '172.58', '174.203', '166.205', '107.77'];

const CHROME = (v: number) =>
  `Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${v}.0.0.0 Safari/537.36`;
const SAFARI = (v: number) =>
  `Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/${v}.1 Safari/605.1.15`;
const IOS = (v: string) => `DigitalBanking/${v} (iPhone; iOS 17.5; Scale/3.00)`;
const ANDROID = (v: string) => `DigitalBanking/${v} (Linux; Android 14; Pixel 8)`;

/** Builds one device. @since 0.1.0 */
export function makeDevice(rng: Rng, kind?: Device['kind']): Device {
  const k = kind ?? rng.weighted<Device['kind']>(['web', 'ios', 'android'], [45, 33, 22]);
  const appVersion = `${rng.range(5, 6)}.${rng.range(0, 9)}.${rng.range(0, 20)}`;
  const userAgent =
    k === 'web'
      ? rng.chance(0.6)
        ? CHROME(rng.range(118, 131))
        : SAFARI(rng.range(16, 18))
      : k === 'ios'
        ? IOS(appVersion)
        : ANDROID(appVersion);
  return { id: rng.hex(16), kind: k, userAgent, appVersion };
}

const ip = (rng: Rng, prefix: string): string => {
  const parts = prefix.split('.').length;
  let out = prefix;
  for (let i = parts; i < 4; i += 1) out += `.${rng.range(1, 254)}`;
  return out;
};

/** A population: users (retail and business) and companies of one institution. @since 0.1.0 */
export interface Population {
  readonly institutionId: string;
  readonly people: readonly Person[];
  readonly companies: readonly Company[];
}

/** Generates `count` users of one institution (about 15% business, grouped into companies). @since 0.1.0 */
export function makePopulation(rng: Rng, institutionId: string, count: number): Population {
  const people: Person[] = [];
  const companies: Company[] = [];
  const logins = new Set<string>();
  const unique = (base: string): string => {
    let id = base;
    while (logins.has(id)) id = `${base}${rng.range(1, 999)}`;
    logins.add(id);
    return id;
  };
  const businessCount = Math.max(4, Math.round(count * 0.15));
  const retailCount = Math.max(4, count - businessCount);
  const basePerson = (
    loginId: string,
    segment: Person['segment'],
    userType: string,
    extra: Partial<Person>,
  ): Person => {
    const zone = rng.weighted(ZONES, ZONE_WEIGHTS);
    const deviceCount = rng.weighted([1, 2, 3], [50, 38, 12]);
    const devices = Array.from({ length: deviceCount }, () => makeDevice(rng));
    return {
      institutionId,
      loginId,
      memberId: rng.hex(32),
      segment,
      userType,
      zone,
      locale: rng.chance(0.08) ? 'es_US' : 'en_US',
      homeIp: ip(rng, rng.pick(HOME_NETS)),
      mobileIp: ip(rng, rng.pick(MOBILE_NETS)),
      city: rng.pick(CITIES[zone.name] ?? ['Springfield']),
      devices,
      email: `${loginId.replace(/[^a-z0-9]/g, '')}@example.com`,
      activity: rng.logNormal(1, 0.9),
      aggregator: rng.chance(0.18),
      checking: rng.digits(4),
      savings: rng.digits(4),
      ...extra,
    };
  };
  for (let i = 0; i < retailCount; i += 1) {
    const first = rng.pick(FIRST);
    const last = rng.pick(LAST);
    const style = rng.int(3);
    const base =
      style === 0
        ? `${first[0]}${last}`
        : style === 1
          ? `${first}.${last}`
          : `${first}${last[0]}${rng.range(1, 99)}`;
    people.push(basePerson(unique(base), 'retail', 'PRIMARY', {}));
  }
  let made = 0;
  while (made < businessCount) {
    const name = `${rng.pick(BIZ_A)} ${rng.pick(BIZ_B)}`;
    const company: Company = {
      companyId: `${rng.range(1, 9)}${rng.digits(9)}`,
      name,
      achCompanyId: `${rng.range(1, 9)}${rng.digits(9)}`,
    };
    companies.push(company);
    const slug = name
      .toLowerCase()
      .replace(/[^a-z]+/g, '')
      .slice(0, 12);
    const size = Math.min(
      businessCount - made,
      rng.weighted([1, 2, 3, 4, 6], [20, 30, 25, 15, 10]),
    );
    for (let j = 0; j < size; j += 1) {
      const role = j === 0 ? 'admin' : rng.pick(['ap', 'treasury', 'ops', 'clerk']);
      people.push(
        basePerson(unique(`${slug}_${role}`), 'business', j === 0 ? 'PRIMARY_ADMIN' : 'SECONDARY', {
          companyId: company.companyId,
          businessName: company.name,
          achCompanyId: company.achCompanyId,
        }),
      );
      made += 1;
    }
  }
  return { institutionId, people, companies };
}
