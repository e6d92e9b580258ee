/**
 * The official Postman collections (../shared/reference/postman) run with newman against a
 * sandbox, with an environment built here (the collections' variable names) pointing at it.
 * Accounts and Customers calls of the OAuth V2 collection belong to APIs the sandbox does not
 * emulate: they are removed from the run explicitly (listed below), and the environment gets the
 * values those calls would have looked up.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../src/index.js';
import { assertConforms } from './openapi.js';

const require = createRequire(import.meta.url);
const newman = require('newman') as {
  run: (options: object, done: (err: Error | null, summary: Summary) => void) => void;
};

interface Execution {
  item: { name: string };
  request: { method: string; url: { getPath: () => string; toString: () => string } };
  response?: { code: number; stream?: Buffer };
  requestError?: Error;
  assertions?: { assertion: string; error?: { message: string } }[];
}
interface Summary {
  run: {
    executions: Execution[];
    failures: { error: { message: string }; source?: { name?: string } }[];
  };
}
interface Item {
  name: string;
  item?: Item[];
  request?: { url: { raw: string } };
}

const postmanDir = fileURLToPath(new URL('../../../../shared/reference/postman/', import.meta.url));
const load = (name: string) =>
  JSON.parse(readFileSync(`${postmanDir}${name}`, 'utf8')) as { item: Item[] };

/** Calls to APIs the sandbox does not emulate (Accounts, Customers): excluded from the run. */
const NOT_EMULATED = /^\{\{apigee_base_url\}\}\/v1\/(accounts|customers)\b/;

function without(items: Item[], excluded: string[], path = ''): Item[] {
  return items.flatMap((it) => {
    if (it.item) return [{ ...it, item: without(it.item, excluded, `${path}${it.name} / `) }];
    if (it.request && NOT_EMULATED.test(it.request.url.raw)) {
      excluded.push(`${path}${it.name}`);
      return [];
    }
    return [it];
  });
}

const env = (values: Record<string, string>) => ({
  id: 'baql-sandbox',
  name: 'baql-sandbox',
  values: Object.entries(values).map(([key, value]) => ({
    key,
    value,
    type: 'default',
    enabled: true,
  })),
});

function run(collection: object, environment: object): Promise<Summary> {
  return new Promise((resolve, reject) => {
    newman.run(
      { collection, environment, reporters: [], timeoutRequest: 20_000 },
      (err, summary) => (err ? reject(err) : resolve(summary)),
    );
  });
}

/** Validates every response newman received against the contract. */
function validateAll(summary: Summary): void {
  for (const ex of summary.run.executions) {
    if (!ex.response) continue;
    const path = ex.request.url.getPath();
    assertConforms(
      path,
      ex.request.method,
      ex.response.code,
      ex.response.stream?.toString('utf8') ?? '',
    );
  }
}

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox({ port: 0, events: 4000, seed: 5 });
});
afterAll(async () => {
  await sb.close();
});

describe('official Postman collections with newman', () => {
  it('Banking Activities: every request answers 200 (or 204) and the next-page request really pages', async () => {
    const retail = sb.users.find((u) => u.segment === 'retail');
    const business = sb.users.find((u) => u.segment === 'business');
    const summary = await run(
      load('banking-activities.postman_collection.json'),
      env({
        apigee_base_url: sb.url,
        client_id: sb.clientId,
        client_secret: sb.clientSecret,
        institution_id: sb.institutionId,
        retail_user_login_id: retail?.loginId ?? '',
        business_user_login_id: business?.loginId ?? '',
        company_id: business?.companyId ?? '',
      }),
    );
    expect(summary.run.failures.map((f) => `${f.source?.name ?? ''}: ${f.error.message}`)).toEqual(
      [],
    );
    const ex = summary.run.executions;
    const names = new Set(ex.map((e) => e.item.name));
    expect(names.size).toBe(11);
    for (const e of ex) {
      expect(e.requestError, e.item.name).toBeUndefined();
      expect(
        [200, 204],
        `${e.item.name}: ${e.response?.stream?.toString().slice(0, 200) ?? ''}`,
      ).toContain(e.response?.code);
    }
    validateAll(summary);
    const body = (name: string) => {
      const e = ex.find((x) => x.item.name.startsWith(name));
      return JSON.parse(e?.response?.stream?.toString() ?? '{}') as {
        count: number;
        nextPageToken?: string;
        bankingActivities: Record<string, string>[];
      };
    };
    const first = body('2a.');
    const second = body('2b.');
    expect(first.count).toBe(1000);
    expect(first.nextPageToken).toBeDefined();
    expect(second.count).toBeGreaterThan(0);
    const firstGuids = new Set(first.bankingActivities.map((r) => r.guid));
    expect(second.bankingActivities.some((r) => firstGuids.has(r.guid))).toBe(false);
    const last = Date.parse(first.bankingActivities.at(-1)?.timestamp ?? '');
    expect(Date.parse(second.bankingActivities[0]?.timestamp ?? '')).toBeLessThanOrEqual(last);
    const retailPage = body('2e.');
    expect(retailPage.bankingActivities.every((r) => r.reqctx_loginid === retail?.loginId)).toBe(
      true,
    );
    const companyPage = body('2f.');
    expect(
      companyPage.bankingActivities.every((r) => r.reqctx_companyid === business?.companyId),
    ).toBe(true);
    expect(
      body('2d.').bankingActivities.every(
        (r) => r.eventid === 'alertSent' || r.eventid === 'apiUse',
      ),
    ).toBe(true);
  }, 60_000);

  it('OAuth V2: every token, refresh, revoke and OIDC request succeeds (Accounts/Customers calls excluded)', async () => {
    const excluded: string[] = [];
    const full = load('oauth-v2.postman_collection.json');
    const collection = { ...full, item: without(full.item, excluded) };
    expect(excluded.length).toBeGreaterThan(10);
    expect(
      excluded.every((name) =>
        /Accounts|Customer|Business Entity|Institution ID|Verify/i.test(name),
      ),
    ).toBe(true);
    const retail = sb.users.find((u) => u.segment === 'retail');
    const business = sb.users.find((u) => u.segment === 'business');
    const summary = await run(
      collection,
      env({
        apigee_base_url: sb.url,
        client_id: sb.clientId,
        client_secret: sb.clientSecret,
        authorized_client_id: sb.partnerClientId,
        authorized_client_secret: sb.partnerClientSecret,
        institution_id: sb.institutionId,
        retail_user_login_id: retail?.loginId ?? '',
        retail_user_password: retail?.password ?? '',
        retail_user_institution_user_id: retail?.memberId ?? '',
        business_user_login_id: business?.loginId ?? '',
        business_user_password: business?.password ?? '',
        business_tin: business?.companyId ?? '',
        business_user_institution_user_id: business?.memberId ?? '',
      }),
    );
    expect(summary.run.failures.map((f) => `${f.source?.name ?? ''}: ${f.error.message}`)).toEqual(
      [],
    );
    const ex = summary.run.executions;
    const names = ex.map((e) => e.item.name);
    for (const wanted of [
      'Generate Access Token',
      'Generate Refresh Token',
      'Revoke Access Token',
      'Client Authorization',
      'Generate Authorization Code',
      'Exchange Code for Tokens',
    ]) {
      expect(names.filter((n) => n.includes(wanted)).length, wanted).toBeGreaterThan(0);
    }
    for (const e of ex) {
      const expected = e.request.method === 'DELETE' ? 204 : 200;
      expect(
        e.response?.code,
        `${e.item.name}: ${e.response?.stream?.toString().slice(0, 200) ?? ''}`,
      ).toBe(expected);
    }
    validateAll({
      ...summary,
      run: {
        ...summary.run,
        executions: ex.filter((e) => e.request.url.getPath().startsWith('/oauth2/')),
      },
    });
  }, 60_000);
});
