/**
 * The SQLite store: one `events` table whose indexed columns mirror the top-level search
 * criteria and whose `attrs` column holds the whole record as JSON with lowercase keys (so
 * `additionalFilters` run in SQL with `json_extract`), plus `users` and `attr_names`.
 * @module
 */
import Database from 'better-sqlite3';
import { createHash, randomBytes } from 'node:crypto';
import type { ActivityEvent } from './generator.js';

/** The schema version; bump it when the schema or the generator changes (it keys the cache). @since 0.1.0 */
export const STORE_VERSION = 5;

/** A sandbox user row. @since 0.1.0 */
export interface UserRow {
  readonly institutionId: string;
  readonly loginId: string;
  readonly memberId: string;
  readonly segment: string;
  readonly companyId: string | null;
  readonly passwordHash: string;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events (
  inst TEXT NOT NULL,
  ts INTEGER NOT NULL,
  guid TEXT NOT NULL,
  event_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  user_type TEXT,
  user_product TEXT,
  login_id TEXT,
  member TEXT,
  company_id TEXT,
  attrs TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS users (
  inst TEXT NOT NULL,
  login_id TEXT NOT NULL,
  member_id TEXT NOT NULL,
  segment TEXT NOT NULL,
  company_id TEXT,
  password_hash TEXT NOT NULL,
  PRIMARY KEY (inst, login_id)
);
CREATE TABLE IF NOT EXISTS attr_names (lc TEXT PRIMARY KEY, name TEXT NOT NULL);
`;

const INDEXES = `
CREATE INDEX IF NOT EXISTS ev_kind_time ON events (inst, kind, ts, guid);
CREATE INDEX IF NOT EXISTS ev_login_time ON events (inst, login_id, kind, ts, guid);
CREATE INDEX IF NOT EXISTS ev_member_time ON events (inst, member, kind, ts, guid);
CREATE INDEX IF NOT EXISTS ev_company_time ON events (inst, company_id, kind, ts, guid);
CREATE INDEX IF NOT EXISTS ev_event_time ON events (inst, event_id, ts, guid);
`;

/** Hashes a secret or password with a random salt (`sha256$salt$hex`). @since 0.1.0 */
export function hashSecret(secret: string, salt = randomBytes(8).toString('hex')): string {
  return `sha256$${salt}$${createHash('sha256').update(`${salt}:${secret}`).digest('hex')}`;
}

/** Checks a secret against a {@link hashSecret} hash. @since 0.1.0 */
export function verifySecret(secret: string, hash: string): boolean {
  const [alg, salt, hex] = hash.split('$');
  if (alg !== 'sha256' || salt === undefined || hex === undefined) return false;
  const candidate = hashSecret(secret, salt);
  return (
    candidate.length === hash.length &&
    createHash('sha256').update(candidate).digest('hex') ===
      createHash('sha256').update(hash).digest('hex')
  );
}

/** The open store. @since 0.1.0 */
export class Store {
  readonly db: Database.Database;
  /** lowercase attribute name → canonical spelling (for camelCase output). */
  readonly names = new Map<string, string>();
  private readonly statements = new Map<string, Database.Statement>();

  constructor(path: string, options: { readonly?: boolean } = {}) {
    this.db = new Database(path, options.readonly ? { readonly: true, fileMustExist: true } : {});
    if (!options.readonly) {
      this.db.exec(SCHEMA);
    }
    this.db.pragma('cache_size = -65536');
    this.db.pragma('mmap_size = 268435456');
    this.db.function('baql_cmp', { deterministic: true }, compareValues);
    this.loadNames();
  }

  /** Runs `sql` as a cached prepared statement. */
  prepare(sql: string): Database.Statement {
    let st = this.statements.get(sql);
    if (!st) {
      st = this.db.prepare(sql);
      if (this.statements.size >= 500) this.statements.clear(); // filter shapes vary without bound
      this.statements.set(sql, st);
    }
    return st;
  }

  private loadNames(): void {
    const rows = this.db.prepare('SELECT lc, name FROM attr_names').all() as {
      lc: string;
      name: string;
    }[];
    for (const r of rows) this.names.set(r.lc, r.name);
  }

  meta(key: string): string | undefined {
    const row = this.db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as
      { value: string } | undefined;
    return row?.value;
  }

  setMeta(key: string, value: string): void {
    this.db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run(key, value);
  }

  eventCount(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
  }

  /** The oldest and newest `ts` and the number of events. */
  range(): { start: number; end: number; events: number } {
    const r = this.db
      .prepare('SELECT min(ts) AS a, max(ts) AS b, count(*) AS n FROM events')
      .get() as { a: number | null; b: number | null; n: number };
    return { start: r.a ?? 0, end: r.b ?? 0, events: r.n };
  }

  /**
   * Inserts events (records with lowercase attribute names) in large transactions; the indexes
   * are created afterwards by {@link finish}. With `dedupe` (imports), an event whose
   * `(institution, kind, ts, guid)` is already stored is skipped (the indexes must exist).
   * Returns the number inserted.
   */
  insert(events: Iterable<ActivityEvent>, dedupe = false): number {
    const exists = dedupe
      ? this.db
          .prepare('SELECT 1 FROM events WHERE inst = ? AND kind = ? AND ts = ? AND guid = ?')
          .pluck()
      : undefined;
    const st = this.db.prepare(
      'INSERT INTO events (inst, ts, guid, event_id, kind, user_type, user_product, login_id, member, company_id, attrs) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    let count = 0;
    let batch: ActivityEvent[] = [];
    const flush = this.db.transaction((items: ActivityEvent[]) => {
      for (const e of items) {
        if (exists?.get(e.institutionId, e.kind, e.ts, e.guid) !== undefined) continue;
        const r = e.record;
        const info = st.run(
          e.institutionId,
          e.ts,
          e.guid,
          e.eventId,
          e.kind,
          r.reqctx_customertype?.toLowerCase() ?? null,
          r.reqctx_userproduct ?? null,
          r.reqctx_loginid ?? null,
          r.member ?? null,
          r.reqctx_companyid ?? null,
          JSON.stringify(r),
        );
        count += info.changes;
      }
    });
    for (const e of events) {
      batch.push(e);
      if (batch.length >= 10_000) {
        flush(batch);
        batch = [];
      }
    }
    if (batch.length > 0) flush(batch);
    return count;
  }

  /** Registers canonical spellings of attribute names (for camelCase answers). */
  registerNames(names: Iterable<string>): void {
    const st = this.db.prepare('INSERT OR IGNORE INTO attr_names (lc, name) VALUES (?, ?)');
    this.db.transaction(() => {
      for (const name of names) {
        const lc = name.toLowerCase();
        if (!this.names.has(lc)) {
          this.names.set(lc, name);
          st.run(lc, name);
        }
      }
    })();
  }

  /** Creates the indexes and refreshes statistics (call after bulk inserts). */
  finish(): void {
    this.db.exec(INDEXES);
    if (this.db.name !== ':memory:') this.db.exec('PRAGMA analysis_limit = 400; ANALYZE');
  }

  insertUsers(users: readonly UserRow[]): void {
    const st = this.db.prepare(
      'INSERT OR REPLACE INTO users (inst, login_id, member_id, segment, company_id, password_hash) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.db.transaction(() => {
      for (const u of users)
        st.run(u.institutionId, u.loginId, u.memberId, u.segment, u.companyId, u.passwordHash);
    })();
  }

  findUser(institutionId: string, loginId: string): UserRow | undefined {
    const r = this.prepare(
      'SELECT inst, login_id, member_id, segment, company_id, password_hash FROM users WHERE inst = ? AND login_id = ?',
    ).get(institutionId, loginId) as
      | {
          inst: string;
          login_id: string;
          member_id: string;
          segment: string;
          company_id: string | null;
          password_hash: string;
        }
      | undefined;
    return r
      ? {
          institutionId: r.inst,
          loginId: r.login_id,
          memberId: r.member_id,
          segment: r.segment,
          companyId: r.company_id,
          passwordHash: r.password_hash,
        }
      : undefined;
  }

  close(): void {
    this.db.close();
  }
}

const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Parses a value as a finite number the way the evaluator of `@baql/query` does: a plain decimal
 * (optional sign, digits with an optional fraction, optional exponent; no blanks, no hex, no
 * `Infinity`) whose value is finite. Returns undefined otherwise.
 * @since 0.1.0
 */
export function asFiniteNumber(text: string): number | undefined {
  if (!NUMBER.test(text)) return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
}

/**
 * The comparison of the ordering criteria (SQL function `baql_cmp(a, b)`): NULL when the
 * attribute is absent; otherwise -1/0/1, numeric when both sides parse as finite numbers, else
 * by string (UTF-16 code unit order, as JavaScript compares strings).
 * @since 0.1.0
 */
export function compareValues(a: unknown, b: unknown): number | null {
  if (a === null || a === undefined) return null;
  const sa = String(a);
  const sb = String(b);
  const na = asFiniteNumber(sa);
  const nb = asFiniteNumber(sb);
  if (na !== undefined && nb !== undefined) return na < nb ? -1 : na > nb ? 1 : 0;
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}
