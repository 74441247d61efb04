import { describe, expect, it } from 'vitest';
import { parseRoute } from './route';

describe('parseRoute', () => {
  it('routes every view', () => {
    expect(parseRoute('/', '')).toEqual({ view: 'start' });
    expect(parseRoute('/join', '')).toEqual({ view: 'join', code: null });
    expect(parseRoute('/join/k7p2qx', '')).toEqual({ view: 'join', code: 'K7P2QX' });
    expect(parseRoute('/b/AbC_12-x/moderate', '#token=s3cr%2Bet')).toEqual({
      view: 'moderate',
      board: 'AbC_12-x',
      token: 's3cr+et',
    });
    expect(parseRoute('/b/abc/present/', '#token=v')).toEqual({ view: 'present', board: 'abc', token: 'v' });
    expect(parseRoute('/b/abc/watch', '')).toEqual({ view: 'watch', board: 'abc', token: null });
    expect(parseRoute('/b/abc/join', '#code=abcd-efgh jkmn')).toEqual({ view: 'personal', board: 'abc', code: 'ABCDEFGHJKMN' });
    expect(parseRoute('/b/abc/join', '#code=<x>')).toEqual({ view: 'personal', board: 'abc', code: null });
    expect(parseRoute('/b/abc/join', '')).toEqual({ view: 'personal', board: 'abc', code: null });
    expect(parseRoute('/organiser', '')).toEqual({ view: 'organiser', invitation: null });
    expect(parseRoute('/organiser', `#invitation=${'ab'.repeat(32)}`)).toEqual({ view: 'organiser', invitation: 'ab'.repeat(32) });
    expect(parseRoute('/organiser', '#invitation=x')).toEqual({ view: 'organiser', invitation: null });
  });

  it('refuses anything else', () => {
    expect(parseRoute('/b/abc/delete', '')).toEqual({ view: 'not-found' });
    expect(parseRoute('/b/a%2Fb/moderate', '')).toEqual({ view: 'not-found' });
    expect(parseRoute('/join/<script>', '')).toEqual({ view: 'not-found' });
    expect(parseRoute('/join/%E0%A4%A', '')).toEqual({ view: 'not-found' });
  });
});
