/**
 * Fetches one page of `POST /v1/banking-activities`: bearer auth through the strategy's hook
 * (401 → refresh once), a concurrency slot from the limiter, decoding with the codecs (204 → an
 * empty page), canonical keys, order keys. Retries happen inside the transport, so a retried page
 * is the same criteria with the same `nextPageToken`: nothing skipped, nothing repeated.
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js';
import type { BankingActivity, SearchCriteria, SearchResponse } from '@baql/query';
import type { Auth } from './auth.js';
import { SearchResponseC, decodeWith, isSearchResponse } from './codecs.js';
import type { BaqlReason } from './errors.js';
import type { Limiter } from './limiter.js';
import { toRow, type Row } from './records.js';
import { peekErrorBody, type Transport, type TransportEvents } from './transport.js';

/** One decoded page. */
export interface Page {
  readonly rows: readonly Row[];
  readonly nextPageToken?: string;
  readonly bytes: number;
}

/** Counters of a query, updated as pages arrive. */
export interface QueryCounters {
  requests: number;
  pages: number;
  records: number;
  retries: number;
  bytes: number;
}

/** Fetches one page. */
export type PageFetcher = (
  criteria: SearchCriteria,
  signal: AbortSignal,
  /** Whether the consumer is waiting for this page (it goes before queued prefetches). */
  urgent?: boolean,
) => Promise<E.Either<BaqlReason, Page>>;

/** The search path of the current API. */
export const SEARCH_PATH = '/v1/banking-activities';

/** Options of {@link createPageFetcher}. */
export interface PageFetcherOptions {
  readonly transport: Transport;
  readonly auth: Auth;
  readonly limiter: Limiter;
  readonly counters: QueryCounters;
  /** Maps received keys to the catalog's spelling. */
  readonly canonicalize: (record: BankingActivity) => BankingActivity;
  readonly onPage?: () => void;
}

/** Creates the page fetcher of one query. */
export function createPageFetcher(options: PageFetcherOptions): PageFetcher {
  const { transport, auth, limiter, counters } = options;
  const events: TransportEvents = {
    onRetry(info) {
      counters.retries += 1;
      if (info.throttled) limiter.throttled();
    },
  };
  return async (criteria, signal, urgent = false) => {
    const body = JSON.stringify(criteria);
    let sent;
    try {
      sent = await limiter.run(
        () =>
          auth.hook(
            (authorization) =>
              transport.send(
                {
                  method: 'POST',
                  path: SEARCH_PATH,
                  headers: { Authorization: authorization, 'Content-Type': 'application/json' },
                  body,
                  signal,
                  expectJson: true,
                },
                events,
              ),
            signal,
          )(),
        signal,
        urgent,
      );
    } catch {
      return E.left({ _tag: 'Aborted' } as const);
    }
    if (E.isLeft(sent)) return sent;
    const res = sent.right;
    counters.bytes += res.bytes;
    if (res.status === 204 || (res.status === 200 && res.json === undefined)) {
      limiter.succeeded();
      counters.pages += 1;
      options.onPage?.();
      return E.right({ rows: [], bytes: res.bytes });
    }
    if (res.status !== 200) {
      const { code, message } = peekErrorBody(res.body);
      return E.left({
        _tag: 'HttpError',
        status: res.status,
        message: message ?? `HTTP ${res.status}`,
        transactionId: res.transactionId,
        method: 'POST',
        path: SEARCH_PATH,
        ...(code === undefined ? {} : { code }),
      });
    }
    let page: SearchResponse;
    if (isSearchResponse(res.json)) page = res.json;
    else {
      const decoded = decodeWith(SearchResponseC, 'search response', res.json, res.transactionId);
      if (E.isLeft(decoded)) return decoded;
      page = decoded.right;
    }
    limiter.succeeded();
    const rows = page.bankingActivities.map((r) => toRow(options.canonicalize(r)));
    counters.pages += 1;
    counters.records += rows.length;
    options.onPage?.();
    return E.right(
      page.nextPageToken === undefined || page.nextPageToken === ''
        ? { rows, bytes: res.bytes }
        : { rows, nextPageToken: page.nextPageToken, bytes: res.bytes },
    );
  };
}
