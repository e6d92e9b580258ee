import { createClient, expandMacros } from '@baql/core';
import { describe, expect, it } from 'vitest';
import plugin, { fraudMacros } from '../src/index.js';

// Planning needs no network: the client is never asked to send anything here.
const client = createClient({
  baseUrl: 'http://127.0.0.1:9',
  clientId: 'c',
  clientSecret: 'not-used',
  institutionId: '00016',
  plugins: [plugin],
});
const now = new Date('2026-11-01T12:00:00Z');

describe('@baql/plugin-fraud', () => {
  it('every macro plans to real requests with the plugin catalog', () => {
    for (const name of Object.keys(fraudMacros)) {
      const plan = client.compile(`@${name} since 1d`, { now });
      expect(plan.requests.length, name).toBeGreaterThan(0);
    }
  });

  it('macros compose and push their event ids into the requests', () => {
    const plan = client.compile('@failedLogins since 1d | count by user', { now });
    expect(plan.requests.every((r) => r.eventIds?.includes('login'))).toBe(true);
    const expanded = expandMacros('@accountTakeover', fraudMacros);
    expect(expanded._tag === 'Right' && expanded.right).toContain('type:login newDevice:true');
    const takeover = client.compile('@accountTakeover since 3d', { now });
    const ids = new Set(takeover.requests.flatMap((r) => r.eventIds ?? []));
    for (const id of ['login', 'passwordChange', 'managePayee']) expect(ids.has(id), id).toBe(true);
  });

  it('adds its fields to the catalog', () => {
    expect(client.catalog.fields.some((f) => f.name === 'device')).toBe(true);
    expect(client.macros['failedLogins']?.description).toContain('failed sign-ins');
  });
});
