import { describe, expect, it } from 'vitest';
import {
  type GroupCandidate,
  addToGroups,
  assignGroup,
  deleteGroup,
  formGroups,
  groupCount,
  placeLateJoiners,
  planGroups,
  selectGroupMembers,
  selectGroups,
} from './groups';
import { markRemoved, selectParticipant, selectParticipants, setProfile } from './participants';
import { SECTORS } from './schema';
import { makeBoard, seeded } from './test-helpers';

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

describe('participants and groups', () => {
  const profiles = [
    ['pa00000001', 'Anna', 'Kita Sonnenschein', 'stadtteil'],
    ['pa00000002', 'Ben', 'Jobcenter', 'behoerde'],
    ['pa00000003', 'Cem', 'AWO', 'traeger'],
    ['pa00000004', 'Dana', 'GWC', 'wirtschaft'],
    ['pa00000005', 'Eva', 'Stadtverordnete', 'politik'],
    ['pa00000006', 'Finn', 'Grundschule', 'stadtteil'],
    ['pa00000007', 'Gül', 'Migrationssozialarbeit', 'stadtteil'],
  ] as const;

  it('forms mixed groups and reassigns by hand', () => {
    const board = makeBoard();
    for (const [id, name, organisation, sector] of profiles) setProfile(board, id, { name, organisation, sector });
    const ids = formGroups(board, (n) => `Gruppe ${n}`, seeded(7));
    expect(ids).toHaveLength(2);
    expect(selectGroups(board).map((g) => g.name)).toEqual(['Gruppe 1', 'Gruppe 2']);
    const members = selectGroupMembers(board);
    expect(members.get(null)).toEqual([]);
    for (const id of ids) {
      const list = members.get(id) ?? [];
      expect(list.length).toBeGreaterThanOrEqual(3);
      expect(list.filter((p) => p.sector === 'stadtteil').length).toBeLessThanOrEqual(2);
    }
    const [first, second] = ids as [string, string];
    const moved = members.get(first)?.[0]?.id ?? '';
    assignGroup(board, moved, second);
    expect(selectParticipant(board, moved)?.group).toBe(second);
    // Forming again replaces the old groups.
    formGroups(board, (n) => `G${n}`, seeded(8));
    expect(selectGroups(board).map((g) => g.name)).toEqual(['G1', 'G2']);
    // Deleting a group leaves its members without a group.
    const groupId = selectGroups(board)[0]?.id ?? '';
    deleteGroup(board, groupId);
    expect(selectGroupMembers(board).get(null)?.length).toBeGreaterThan(0);
  });

  it('puts late joiners into the existing groups without moving anyone, and leaves removed people out', () => {
    const board = makeBoard();
    for (const [id, name, organisation, sector] of profiles) setProfile(board, id, { name, organisation, sector });
    setProfile(board, 'pa0000gone', { name: 'Weg', organisation: '', sector: 'politik' });
    markRemoved(board, 'pa0000gone');
    const ids = formGroups(board, (n) => `Gruppe ${n}`, seeded(7));
    const before = new Map(selectParticipants(board).map((p) => [p.id, p.group]));
    expect(selectParticipant(board, 'pa0000gone')?.group).toBeNull();

    // Eight late joiners from one sector: the two groups fill up to five,
    // then a third group opens for the rest.
    for (let i = 0; i < 8; i++) setProfile(board, `pa1000000${i}`, { name: `Spät ${i}`, organisation: '', sector: 'traeger' });
    expect(addToGroups(board, (n) => `Gruppe ${n}`)).toBe(8);
    const members = selectGroupMembers(board);
    expect(members.get(null)).toEqual([]);
    for (const [id, group] of before) expect(selectParticipant(board, id)?.group).toBe(group);
    for (const id of ids) expect(members.get(id)?.length).toBe(5);
    expect(selectGroups(board).map((g) => g.name)).toEqual(['Gruppe 1', 'Gruppe 2', 'Gruppe 3']);
    expect(addToGroups(board, (n) => `Gruppe ${n}`)).toBe(0);
  });
});
