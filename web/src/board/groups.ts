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
