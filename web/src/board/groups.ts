import { SECTORS, type Sector } from './schema';

export interface GroupCandidate {
  id: string;
  sector: Sector;
}

/** Number of groups so that every group has 3–5 members (when n ≥ 3). */
export function groupCount(participants: number): number {
  return Math.max(1, Math.ceil(participants / 5));
}

/**
 * Plans mixed small groups: participants are ordered by sector (largest
 * sector first, shuffled within a sector) and dealt round-robin, so each
 * sector is spread as evenly as possible over the groups and group sizes
 * differ by at most one. Pure: the caller writes the result.
 */
export function planGroups(
  participants: readonly GroupCandidate[],
  random: () => number = Math.random,
): string[][] {
  if (participants.length === 0) return [];
  const bySector = new Map<Sector, string[]>();
  for (const sector of SECTORS) bySector.set(sector, []);
  for (const p of participants) bySector.get(p.sector)?.push(p.id);
  const ordered = [...bySector.values()]
    .filter((ids) => ids.length > 0)
    .sort((a, b) => b.length - a.length)
    .flatMap((ids) => shuffle(ids, random));
  const count = groupCount(participants.length);
  const groups: string[][] = Array.from({ length: count }, () => []);
  ordered.forEach((id, index) => groups[index % count]?.push(id));
  return groups;
}

/** Largest small group (seed 000: groups of 3–5). */
export const MAX_GROUP_SIZE = 5;

/**
 * Places people who came late (or have no group) into the existing groups
 * without reshuffling anyone: each goes to the group with room that lacks
 * their sector, else the smallest with room; `null` when every group is
 * full (the caller opens a new one). Pure: the caller writes the result.
 */
export function placeLateJoiners(
  groups: readonly { id: string; members: readonly GroupCandidate[] }[],
  late: readonly GroupCandidate[],
): Map<string, string | null> {
  const state = groups.map((g) => ({ id: g.id, size: g.members.length, sectors: new Set(g.members.map((m) => m.sector)) }));
  const placed = new Map<string, string | null>();
  for (const person of late) {
    const open = state.filter((g) => g.size < MAX_GROUP_SIZE);
    open.sort((a, b) => Number(a.sectors.has(person.sector)) - Number(b.sectors.has(person.sector)) || a.size - b.size);
    const chosen = open[0];
    placed.set(person.id, chosen?.id ?? null);
    if (chosen) {
      chosen.size += 1;
      chosen.sectors.add(person.sector);
    }
  }
  return placed;
}

function shuffle<T>(items: readonly T[], random: () => number): T[] {
  const result = [...items];
  for (let i = result.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const a = result[i] as T;
    result[i] = result[j] as T;
    result[j] = a;
  }
  return result;
}
