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

  it('routes the event pages, tokens from the fragment', () => {
    expect(parseRoute('/e/0a1b2c3d4e5f60718293', '')).toEqual({ view: 'event', event: '0a1b2c3d4e5f60718293' });
    expect(parseRoute('/e/ev1/', '#token=ignored')).toEqual({ view: 'event', event: 'ev1' });
    expect(parseRoute('/e/ev1/organise', '#token=kwo_abc')).toEqual({ view: 'event-organise', event: 'ev1', token: 'kwo_abc' });
    expect(parseRoute('/e/ev1/organise', '')).toEqual({ view: 'event-organise', event: 'ev1', token: null });
    expect(parseRoute('/e/ev1/present', '#token=kwv_x')).toEqual({ view: 'event-present', event: 'ev1', token: 'kwv_x' });
    expect(parseRoute('/e/ev1/moderate', '#token=x')).toEqual({ view: 'not-found' });
    expect(parseRoute('/e', '')).toEqual({ view: 'not-found' });
    expect(parseRoute('/e/<x>', '')).toEqual({ view: 'not-found' });
    expect(parseRoute('/e/ev1/present/more', '')).toEqual({ view: 'not-found' });
  });

  it('routes a series page, the token from the fragment', () => {
    expect(parseRoute('/s/0a1b2c3d4e5f60718293', '#token=kws_abc')).toEqual({ view: 'series', series: '0a1b2c3d4e5f60718293', token: 'kws_abc' });
    expect(parseRoute('/s/se1', '')).toEqual({ view: 'series', series: 'se1', token: null });
    expect(parseRoute('/s/se1/more', '')).toEqual({ view: 'not-found' });
    expect(parseRoute('/s', '')).toEqual({ view: 'not-found' });
  });

  it('refuses anything else', () => {
    expect(parseRoute('/b/abc/delete', '')).toEqual({ view: 'not-found' });
    expect(parseRoute('/b/a%2Fb/moderate', '')).toEqual({ view: 'not-found' });
    expect(parseRoute('/join/<script>', '')).toEqual({ view: 'not-found' });
    expect(parseRoute('/join/%E0%A4%A', '')).toEqual({ view: 'not-found' });
  });
});
