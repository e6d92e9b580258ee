/**
 * `baql sandbox import events.ndjson`: loads real exported events (one JSON record per line, any
 * key casing, as the API returns them) into a sandbox database.
 * @module
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { DEFAULT_INSTITUTION_ID } from './config.js';
import { eventKind, type ActivityEvent } from './generator.js';
import { createHash } from 'node:crypto';
import { createRng } from './rng.js';
import { Store } from './store.js';
import { parseIsoDateTime, uuidV1 } from './time.js';

/** Options of {@link importNdjson}. @since 0.1.0 */
export interface ImportOptions {
  /** The SQLite file to import into (created if missing). */
  readonly db: string;
  /** Institution the events belong to (default `00016`). */
  readonly institutionId?: string;
}

/** What an import did. @since 0.1.0 */
export interface ImportResult {
  readonly imported: number;
  /** Lines skipped, with the reason (line numbers are 1-based); at most 20 are listed. */
  readonly skipped: number;
  readonly problems: readonly string[];
}

/**
 * Turns one exported record into an event: keys are lowercased (their first spelling is kept for
 * camelCase answers), every value becomes a string, and a missing `guid` gets a v1 UUID derived
 * from the record (so a re-import finds it again).
 * Returns a reason when the record has no `eventId` or no valid `timeStamp`.
 * @since 0.1.0
 */
export function recordToEvent(
  value: unknown,
  institutionId: string,
  names: Map<string, string>,
): ActivityEvent | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return 'not a JSON object';
  const rec: Record<string, string> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (v === null || v === undefined) continue;
    const lc = k.toLowerCase();
    if (!names.has(lc)) names.set(lc, k);
    rec[lc] = typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
  }
  const eventId = rec.eventid;
  if (!eventId) return 'no eventId';
  const ts = rec.timestamp ? parseIsoDateTime(rec.timestamp) : undefined;
  if (ts === undefined) return 'no valid timeStamp';
  if (!rec.guid) {
    // derived from the content, so importing the same record twice gives the same guid
    const digest = createHash('sha256').update(JSON.stringify(rec)).digest();
    rec.guid = uuidV1(
      ts,
      createRng(digest.readUInt32LE(0)),
      digest.subarray(4, 10).toString('hex'),
    );
  }
  return { institutionId, ts, guid: rec.guid, eventId, kind: eventKind(eventId), record: rec };
}

/** Imports an NDJSON file of exported records into a sandbox database. @since 0.1.0 */
export async function importNdjson(file: string, options: ImportOptions): Promise<ImportResult> {
  const institutionId = options.institutionId ?? DEFAULT_INSTITUTION_ID;
  const store = new Store(options.db);
  store.finish(); // indexes first: the import skips events already stored
  const names = new Map<string, string>();
  const problems: string[] = [];
  let skipped = 0;
  let imported = 0;
  let lineNo = 0;
  let batch: ActivityEvent[] = [];
  try {
    const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
    for await (const line of lines) {
      lineNo += 1;
      if (line.trim() === '') continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        parsed = undefined;
      }
      const e =
        parsed === undefined ? 'not valid JSON' : recordToEvent(parsed, institutionId, names);
      if (typeof e === 'string') {
        skipped += 1;
        if (problems.length < 20) problems.push(`line ${lineNo}: ${e}`);
        continue;
      }
      batch.push(e);
      if (batch.length >= 10_000) {
        imported += store.insert(batch, true);
        batch = [];
      }
    }
    if (batch.length > 0) imported += store.insert(batch, true);
    store.registerNames(names.values());
    store.finish();
  } finally {
    store.close();
  }
  return { imported, skipped, problems };
}
