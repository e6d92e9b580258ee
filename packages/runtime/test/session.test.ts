import { mkdtempSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isBaqlError } from '@baql/core';
import { afterAll, describe, expect, it } from 'vitest';
import { openPlanningSession, openSession } from '../src/index.js';

// Loaded lazily, as the runtime loads it (the workspace's lint rule for lazy-loaded libraries).
const { startSandbox } = await import('@baql/sandbox');

// Each test's working directory; all removed when the file ends (each test closes its session).
const scratchDirs: string[] = [];
const scratch = () => {
  const dir = mkdtempSync(join(tmpdir(), 'baql-runtime-'));
  scratchDirs.push(dir);
  return dir;
};
afterAll(async () => {
  const dirs = scratchDirs.splice(0);
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true, maxRetries: 5 })));
});

describe('openSession', () => {
  it('starts the embedded sandbox when nothing is configured, and says so', async () => {
    const session = await openSession({ cwd: scratch(), env: {} });
    try {
      expect(session.profileName).toBe('sandbox');
      expect(session.sandbox).toBeDefined();
      expect(session.info.embeddedSandbox).toBe(true);
      expect(session.banner.sampleData).toBe(true);
      expect(session.banner.institutionId).toBe(session.sandbox!.institutionId);
      expect(session.banner.lines.join('\n')).toMatch(/embedded sandbox[\s\S]*not real customers/);
      expect(session.catalog.events.some((e) => e.id === 'login')).toBe(true);
      // The banner's suggestion is a first query that returns rows.
      const result = await session.client.query(session.banner.suggestion);
      expect(result.rows.length).toBeGreaterThan(0);
      // Nothing printable holds the sandbox's client secret.
      const shown = JSON.stringify({ banner: session.banner, info: session.info });
      expect(shown).not.toContain(session.sandbox!.clientSecret);
    } finally {
      await session.close();
      await session.close(); // idempotent
    }
  }, 240_000);

  it('opens a configured profile against a remote API, with the secret from the environment', async () => {
    const sandbox = await startSandbox({ port: 0, events: 5000, days: 7, db: ':memory:' });
    const cwd = scratch();
    writeFileSync(
      join(cwd, 'baql.config.json'),
      JSON.stringify({
        defaultProfile: 'staging',
        profiles: {
          staging: {
            baseUrl: sandbox.url,
            clientId: sandbox.clientId,
            institutionId: sandbox.institutionId,
            clientSecretEnv: 'STAGING_SECRET',
          },
        },
      }),
    );
    const session = await openSession({ cwd, env: { STAGING_SECRET: sandbox.clientSecret } });
    try {
      expect(session.profileName).toBe('staging');
      expect(session.sandbox).toBeUndefined();
      expect(session.info).toMatchObject({
        baseUrl: sandbox.url,
        embeddedSandbox: false,
        configPath: join(cwd, 'baql.config.json'),
      });
      expect(session.banner.sampleData).toBe(false);
      const result = await session.client.query('type:login since 7d | count');
      expect(result.rows.length).toBe(1);
      expect(JSON.stringify({ banner: session.banner, info: session.info })).not.toContain(
        sandbox.clientSecret,
      );
    } finally {
      await session.close();
      await sandbox.close();
    }
  }, 180_000);

  it('fails with a clear ConfigError for an unknown profile or a bad fault spec', async () => {
    const error = await openSession({ cwd: scratch(), env: {}, profile: 'nope' }).catch(
      (e: unknown) => e,
    );
    expect(isBaqlError(error) && error.reason._tag).toBe('ConfigError');
    expect((error as Error).message).toMatch(/unknown profile "nope"/);
    const faults = await openSession({
      cwd: scratch(),
      env: { BAQL_SANDBOX_FAULTS: 'latencyMs=abc' },
    }).catch((e: unknown) => e);
    expect(isBaqlError(faults) && faults.reason._tag).toBe('ConfigError');
    expect((faults as Error).message).toMatch(/BAQL_SANDBOX_FAULTS/);
  });

  it('turns on sandbox faults from BAQL_SANDBOX_FAULTS', async () => {
    const session = await openSession({
      cwd: scratch(),
      env: { BAQL_SANDBOX_FAULTS: 'latencyMs=400' },
      sandbox: { events: 2000, days: 3, db: ':memory:' },
    });
    try {
      const started = Date.now();
      await session.client.query('type:login since 1d | count');
      expect(Date.now() - started).toBeGreaterThanOrEqual(400);
    } finally {
      await session.close();
    }
  }, 180_000);
});

describe('openPlanningSession', () => {
  it('plans with the profile’s plugins and settings, with no secret and no sandbox', async () => {
    const cwd = scratch();
    writeFileSync(
      join(cwd, 'baql.config.json'),
      JSON.stringify({
        plugins: ['@baql/plugin-fraud'],
        defaultWindow: '7d',
        profiles: { prod: { baseUrl: 'production', clientId: 'app', institutionId: '00016' } },
      }),
    );
    const planner = await openPlanningSession({ cwd, env: {}, profile: 'prod' });
    try {
      expect(planner.profileName).toBe('prod');
      expect(Object.keys(planner.client.macros)).toContain('failedLogins');
      const now = '2026-12-01T12:00:00.000Z';
      const plan = planner.client.compile('@failedLogins', { now });
      expect(plan.window).toMatchObject({ start: '2026-11-24T12:00:00.000Z', end: now });
      expect(planner.client.explain('type:login since 1d', { now })).toMatch(/^window: /);
    } finally {
      await planner.close();
    }
    const unknown = await openPlanningSession({ cwd, env: {}, profile: 'nope' }).catch(
      (e: unknown) => e,
    );
    expect((unknown as Error).message).toMatch(/unknown profile "nope"/);
  });
});
