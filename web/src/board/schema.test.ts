import { describe, expect, it } from 'vitest';
import { ID_PATTERN, decodeFocus, encodeFocus, splitKey, voteKey } from './schema';
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
  });

  it('round-trips focus and falls back to the overview', () => {
    const id = newId();
    for (const focus of [
      { kind: 'overview' },
      { kind: 'groups' },
      { kind: 'votes' },
      { kind: 'cluster', id },
      { kind: 'card', id },
    ] as const) {
      expect(decodeFocus(encodeFocus(focus))).toEqual(focus);
    }
    expect(decodeFocus(undefined)).toEqual({ kind: 'overview' });
    expect(decodeFocus('cluster:<bad>')).toEqual({ kind: 'overview' });
    expect(decodeFocus(42)).toEqual({ kind: 'overview' });
  });
});
