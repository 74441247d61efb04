import { describe, expect, it } from 'vitest';
import { groupCount, placeLateJoiners, planGroups, type GroupCandidate } from './groups';
import { SECTORS } from './schema';
import { seeded } from './test-helpers';

function people(sectors: string): GroupCandidate[] {
  // one letter per participant: s(tadtteil) b(ehoerde) t(raeger) w(irtschaft) p(olitik)
  const bySector = { s: 'stadtteil', b: 'behoerde', t: 'traeger', w: 'wirtschaft', p: 'politik' } as const;
  return sectors.split('').map((letter, index) => ({
    id: `p${index}`,
    sector: bySector[letter as keyof typeof bySector],
  }));
}

describe('planGroups', () => {
  it('makes groups of 3–5 for any size from 3 to 60', () => {
    for (let n = 3; n <= 60; n++) {
      const candidates = Array.from({ length: n }, (_, i) => ({
        id: `p${i}`,
        sector: SECTORS[i % SECTORS.length] ?? 'stadtteil',
      }));
      const groups = planGroups(candidates, seeded(n));
      expect(groups).toHaveLength(groupCount(n));
      for (const group of groups) {
        expect(group.length).toBeGreaterThanOrEqual(3);
        expect(group.length).toBeLessThanOrEqual(5);
      }
      expect(groups.flat().sort()).toEqual(candidates.map((c) => c.id).sort());
    }
  });

  it('spreads each sector over the groups', () => {
    const candidates = people('ssssssbbbtttwwpp'); // 16 people → 4 groups
    const groups = planGroups(candidates, seeded(1));
    const sectorOf = new Map(candidates.map((c) => [c.id, c.sector]));
    for (const group of groups) {
      const stadtteil = group.filter((id) => sectorOf.get(id) === 'stadtteil').length;
      expect(stadtteil).toBeLessThanOrEqual(2); // 6 over 4 groups
      expect(new Set(group.map((id) => sectorOf.get(id))).size).toBeGreaterThanOrEqual(3);
    }
  });

  it('handles tiny and empty lists', () => {
    expect(planGroups([])).toEqual([]);
    expect(planGroups(people('sb'))).toEqual([['p0', 'p1']]);
  });
});

describe('placeLateJoiners', () => {
  it('prefers a group with room that lacks the sector, then the smallest; null when all are full', () => {
    const groups = [
      { id: 'g1', members: people('sbt') },
      { id: 'g2', members: people('swpb') },
      { id: 'g3', members: people('sbtwp') },
    ];
    const placed = placeLateJoiners(groups, [
      { id: 'late1', sector: 'wirtschaft' },
      { id: 'late2', sector: 'politik' },
      { id: 'late3', sector: 'traeger' },
      { id: 'late4', sector: 'stadtteil' },
    ]);
    expect(placed.get('late1')).toBe('g1'); // g1 has no Wirtschaft, g2 has
    expect(placed.get('late2')).toBe('g1'); // g1 still lacks Politik; g3 is full
    expect(placed.get('late3')).toBe('g2'); // g2 lacks Träger
    expect(placed.get('late4')).toBeNull(); // g1 and g2 are full now
  });
});
