import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { basicComplete, basicIsComplete, basicParseSavedQuery } from '../src/basic-assist.js';
import type { CatalogLike } from '../src/ports.js';

const catalog: CatalogLike = {
  fields: [
    {
      name: 'type',
      aliases: ['event'],
      target: 'event',
      attribute: 'eventId',
      description: 'event id',
    },
    { name: 'segment', target: 'segment', description: 'segment', values: ['retail', 'business'] },
    { name: 'channel', target: 'attribute', attribute: 'channel', description: 'channel' },
  ],
  attributes: [{ name: 'channel', examples: ['ONLINE', 'MOBILE'] }],
  events: [
    { id: 'login', kind: 'user', description: 'sign-in' },
    { id: 'logout', kind: 'user', description: 'sign-out' },
  ],
};

describe('basicIsComplete', () => {
  it('open brackets and quotes are incomplete; dangling operators too', () => {
    expect(basicIsComplete('type:login AND (user:a')).toEqual({ complete: false, indent: '  ' });
    expect(basicIsComplete('((a')).toEqual({ complete: false, indent: '    ' });
    expect(basicIsComplete('note:"a(b')).toEqual({ complete: false, indent: '' });
    expect(basicIsComplete('type:login |')).toEqual({ complete: false, indent: '' });
    expect(basicIsComplete('type:login AND')).toMatchObject({ complete: false });
    expect(basicIsComplete('note:"(" # (')).toEqual({ complete: true, indent: '' });
    expect(basicIsComplete('type:login since 1d | count by channel')).toEqual({
      complete: true,
      indent: '',
    });
  });

  it('balanced text of letters and parentheses is complete exactly when balanced (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('(', ')', 'a', ' ')), (chars) => {
        const text = chars.join('');
        let depth = 0;
        for (const c of text)
          depth = c === '(' ? depth + 1 : c === ')' ? Math.max(0, depth - 1) : depth;
        expect(basicIsComplete(text).complete).toBe(depth === 0);
      }),
    );
  });
});

describe('basicComplete', () => {
  it('completes fields, event ids, values and stages', () => {
    expect(basicComplete('seg', 3, catalog)).toEqual({
      items: [{ label: 'segment', kind: 'field' }],
      replace: { start: 0, end: 3 },
    });
    expect(basicComplete('type:lo', 7, catalog)).toEqual({
      items: [
        { label: 'login', kind: 'event' },
        { label: 'logout', kind: 'event' },
      ],
      replace: { start: 5, end: 7 },
    });
    expect(basicComplete('channel:M', 9, catalog).items).toEqual([
      { label: 'MOBILE', kind: 'value' },
    ]);
    expect(basicComplete('type:login | ti', 15, catalog).items).toEqual([
      { label: 'timechart', kind: 'stage' },
    ]);
  });
});

describe('basicParseSavedQuery', () => {
  it('reads the header parameters with their defaults, then the query', () => {
    expect(
      basicParseSavedQuery(
        '# name: q\n# param: user (string, required) who\n# param: days (duration, default 7d)\nuser:$user since $days\n',
      ),
    ).toEqual({
      query: 'user:$user since $days',
      params: { user: undefined, days: '7d' },
      title: 'q',
    });
    expect(basicParseSavedQuery('# name: empty\n')).toEqual({
      error: 'the file has no query after its header',
    });
  });
});
