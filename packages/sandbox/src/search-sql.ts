/**
 * Compiles a validated search into one SQL query over the `events` table: top-level criteria
 * hit indexed columns, `additionalFilters` become SQL over `json_extract(attrs, '$."name"')`
 * with the shared semantics of docs/architecture.md (see the README table).
 * @module
 */
import type { ValidFilter, ValidGroup, ValidSearch } from './criteria.js';
import type { PagePosition } from './page-token.js';

/** SQL text and its positional parameters. @since 0.1.0 */
export interface SqlQuery {
  readonly sql: string;
  readonly params: readonly (string | number)[];
}

/** The SQL expression of an attribute's value (NULL when absent); names are case-insensitive. */
function attrExpr(attributeId: string): string {
  const lc = attributeId.toLowerCase();
  if (lc.includes('"') || lc.includes('\\')) return 'NULL';
  return `json_extract(attrs, '$."${lc.replace(/'/g, "''")}"')`;
}

/** The SQL predicate of one filter; it is 0 or 1, never NULL. @since 0.1.0 */
export function filterSql(f: ValidFilter, params: (string | number)[]): string {
  const v = attrExpr(f.attributeId);
  switch (f.criteria) {
    case 'equals':
      params.push(f.value);
      return `coalesce(${v} = ?, 0)`;
    case 'notEqual':
      params.push(f.value);
      return `coalesce(${v} <> ?, 1)`;
    case 'like':
      params.push(f.value);
      return `coalesce(${v} LIKE ?, 0)`;
    case 'isPresent':
      return `coalesce(${v} <> '', 0)`;
    case 'isNotPresent':
      return `coalesce(${v} = '', 1)`;
    case 'greaterThan':
      params.push(f.value);
      return `coalesce(baql_cmp(${v}, ?) > 0, 0)`;
    case 'lessThan':
      params.push(f.value);
      return `coalesce(baql_cmp(${v}, ?) < 0, 0)`;
    case 'greaterThanEqual':
      params.push(f.value);
      return `coalesce(baql_cmp(${v}, ?) >= 0, 0)`;
    case 'lessThanEqual':
      params.push(f.value);
      return `coalesce(baql_cmp(${v}, ?) <= 0, 0)`;
  }
}

/** The SQL predicate of `additionalFilters`: `condition` joins the filters and every sub-filter. @since 0.1.0 */
export function groupSql(g: ValidGroup, params: (string | number)[]): string {
  const joiner = g.condition === 'and' ? ' AND ' : ' OR ';
  const parts = g.filters.map((f) => filterSql(f, params));
  for (const s of g.subFilters) {
    const sj = s.condition === 'and' ? ' AND ' : ' OR ';
    parts.push(`(${s.filters.map((f) => filterSql(f, params)).join(sj)})`);
  }
  return `(${parts.join(joiner)})`;
}

/**
 * The page query: rows of `attrs` (lowercase-key JSON), `ts` and `guid`, newest first, at most
 * `limit` rows, starting at `after` (inclusive: the token names the first row of the next page).
 * @since 0.1.0
 */
export function searchSql(
  institutionId: string,
  s: ValidSearch,
  after: PagePosition | undefined,
  limit: number,
  columns = 'attrs, ts, guid',
): SqlQuery {
  const where: string[] = ['inst = ?', 'ts >= ?', 'ts <= ?', 'kind = ?'];
  // With a page position, the time upper bound is the position's own time, so the index range
  // starts there (a row-value bound alone is not used by SQLite to seek and would scan from the top).
  const upper = after ? Math.min(s.end, after.ts) : s.end;
  const params: (string | number)[] = [institutionId, s.start, upper, s.eventType];
  if (s.eventIds.length > 0) {
    where.push(`event_id IN (${s.eventIds.map(() => '?').join(', ')})`);
    params.push(...s.eventIds);
  }
  if (s.userType !== undefined) {
    where.push('user_type = ?');
    params.push(s.userType);
  }
  if (s.userProduct !== undefined) {
    where.push('user_product = ?');
    params.push(s.userProduct);
  }
  if (s.userId !== undefined) {
    where.push(s.userIdType === 'memberId' ? 'member = ?' : 'login_id = ?');
    params.push(s.userId);
  }
  if (s.companyId !== undefined) {
    where.push('company_id = ?');
    params.push(s.companyId);
  }
  if (after) {
    where.push('(ts < ? OR (ts = ? AND guid <= ?))');
    params.push(after.ts, after.ts, after.guid);
  }
  if (s.additionalFilters) where.push(groupSql(s.additionalFilters, params));
  params.push(limit);
  return {
    sql: `SELECT ${columns} FROM events WHERE ${where.join(' AND ')} ORDER BY ts DESC, guid DESC LIMIT ?`,
    params,
  };
}
