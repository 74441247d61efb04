import { describe, expect, it } from 'vitest';
import { DATE_PATTERN, ID_PATTERN, TIME_PATTERN, decodeFocus, isTextChar, encodeFocus, membershipKey, placementKey, splitKey, voteKey } from './schema';
import { newId } from './ids';

describe('ids and keys', () => {
  it('creates URL-safe unique ids', () => {
    const ids = new Set(Array.from({ length: 1000 }, newId));
    expect(ids.size).toBe(1000);
    for (const id of ids) {
      expect(id).toMatch(ID_PATTERN);
      expect(encodeURIComponent(id)).toBe(id);
      expect(id).toHaveLength(22);
    }
  });

  it('splits two-part keys', () => {
    expect(splitKey(voteKey('p1abcdefg', 'c1abcdefg'))).toEqual(['p1abcdefg', 'c1abcdefg']);
    expect(splitKey('nocolon')).toBeNull();
    expect(splitKey(':x')).toBeNull();
    expect(splitKey('x:')).toBeNull();
    expect(splitKey(placementKey('p1abcdefg', 'f1abcdefg'))).toEqual(['p1abcdefg', 'f1abcdefg']);
    expect(membershipKey('p1abcdefg', 'n1abcdefg')).toBe('p1abcdefg:n1abcdefg');
  });

  it('accepts 24-hour times and calendar dates only', () => {
    for (const ok of ['00:00', '09:15', '23:59']) expect(TIME_PATTERN.test(ok), ok).toBe(true);
    for (const bad of ['9:15', '24:00', '12:60', '12:30:00']) expect(TIME_PATTERN.test(bad), bad).toBe(false);
    for (const ok of ['2026-03-31', '2025-12-01']) expect(DATE_PATTERN.test(ok), ok).toBe(true);
    for (const bad of ['2026-13-01', '31.03.2026', '2026-3-31', '2026-03-32']) expect(DATE_PATTERN.test(bad), bad).toBe(false);
  });

  it('round-trips focus and falls back to the overview', () => {
    const id = newId();
    for (const focus of [
      { kind: 'overview' },
      { kind: 'groups' },
      { kind: 'votes' },
      { kind: 'cluster', id },
      { kind: 'card', id },
      { kind: 'agenda' },
      { kind: 'agreements' },
      { kind: 'networks' },
      { kind: 'gallery' },
      { kind: 'case', id },
      { kind: 'focal', id },
    ] as const) {
      expect(decodeFocus(encodeFocus(focus))).toEqual(focus);
    }
    expect(decodeFocus(undefined)).toEqual({ kind: 'overview' });
    expect(decodeFocus('cluster:<bad>')).toEqual({ kind: 'overview' });
    expect(decodeFocus(42)).toEqual({ kind: 'overview' });
    expect(encodeFocus({ kind: 'focal', id })).toBe(`focal:${id}`);
    expect(decodeFocus('spotlight:' + id)).toEqual({ kind: 'overview' });
    expect(decodeFocus('case')).toEqual({ kind: 'overview' });
  });

  it('allows in texts what the server allows', () => {
    for (const ok of ['a', '\t', '\n', '\r', 'ä', '\u007f', '\u202e', '\ufffd', '😀', '\u{10fffd}']) expect(isTextChar(ok.codePointAt(0) ?? -1)).toBe(true);
    for (const refused of [0, 1, 0x0b, 0x1f, 0xd800, 0xdfff, 0xfdd0, 0xfdef, 0xfffe, 0xffff, 0x1fffe, 0x10ffff]) expect(isTextChar(refused)).toBe(false);
  });
});
