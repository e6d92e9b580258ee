import { describe, expect, it } from 'vitest';
import { BaqlError, BAS_CODES, CMN_CODES, describeError, explainCode } from '../src/errors.js';
import { redact, redactHeaders, registerSecret } from '../src/redact.js';

describe('describeError', () => {
  it('explains every BAS_ and CMN_ code in words and names the transactionId', () => {
    for (const code of [...Object.keys(BAS_CODES), ...Object.keys(CMN_CODES)]) {
      const text = describeError({
        _tag: 'HttpError',
        status: 400,
        code,
        message: 'x',
        transactionId: 'tid-1',
        path: '/v1/banking-activities',
      });
      expect(text).toContain(code);
      expect(text).toContain(explainCode(code));
      expect(text).toContain('tid-1');
    }
  });
  it('keeps the server message for unknown codes', () => {
    expect(
      describeError({
        _tag: 'HttpError',
        status: 418,
        code: 'BAS_4242',
        message: 'teapot',
        transactionId: 't',
      }),
    ).toContain('teapot');
  });
  it('describes each tag', () => {
    expect(describeError({ _tag: 'Aborted' })).toBe('the query was cancelled');
    expect(describeError({ _tag: 'Timeout', scope: 'query', ms: 5 })).toContain('5 ms');
    expect(
      describeError({
        _tag: 'DecodeError',
        what: 'search response',
        paths: ['bankingActivities[0].amount: expected string, got number'],
      }),
    ).toContain('bankingActivities[0].amount');
    expect(
      describeError({
        _tag: 'PlanError',
        diagnostics: [{ severity: 'error', code: 'E1', message: 'bad' }],
      }),
    ).toBe('E1: bad');
    expect(
      describeError({ _tag: 'AuthError', message: 'm', code: 'CMN_90004', status: 401 }),
    ).toContain('invalid client credentials');
  });
  it('BaqlError carries the reason and a redacted message', () => {
    registerSecret('s3cr3t-value-xyz');
    const e = new BaqlError({
      _tag: 'NetworkError',
      message: 'failed with s3cr3t-value-xyz in it',
    });
    expect(e.reason._tag).toBe('NetworkError');
    expect(e.message).not.toContain('s3cr3t-value-xyz');
    expect(e.message).toContain('‹redacted›');
  });
});

describe('redact', () => {
  it('masks registered secrets and credential-looking fragments', () => {
    registerSecret('tok_ABCDEF123456');
    const text = redact(
      'Authorization: Bearer abc.def-ghi token=tok_ABCDEF123456 {"access_token":"zzz999","password":"pw1"} client_secret=hunter22',
    );
    for (const s of ['abc.def-ghi', 'tok_ABCDEF123456', 'zzz999', 'pw1', 'hunter22'])
      expect(text).not.toContain(s);
    expect(text).toContain('Bearer ‹redacted›');
  });
  it('masks authorization headers', () => {
    expect(redactHeaders({ Authorization: 'Basic Zm9vOmJhcg==', transactionId: 'abc' })).toEqual({
      Authorization: '‹redacted›',
      transactionId: 'abc',
    });
  });
  it('leaves ordinary text alone', () => {
    expect(redact('user:123 AND type:login since 7d')).toBe('user:123 AND type:login since 7d');
  });
  it('leaves prose about secrets readable but still masks credential values', () => {
    const advice = 'profile prod needs a client secret: set the environment variable BAQL_SECRET';
    expect(redact(advice)).toBe(advice);
    expect(redact('password: hunter2 secret: S3cr3tValue')).toBe(
      'password: ‹redacted› secret: ‹redacted›',
    );
  });
});
