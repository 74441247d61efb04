/**
 * The `groups` map: the mixed small groups of 3–5 the moderator forms (or
 * makes by hand), and each participant's `group` field. planGroups and
 * placeLateJoiners plan who goes where (pure); the mutations write it.
 */
import * as Y from 'yjs';
import type { Board, Entry } from './board';
import { newId } from './ids';
import { selectParticipants } from './participants';
import { num, str } from './read';
import { COLOURS, LIMITS, SECTORS, type Colour, type Group, type Participant, type Sector, isColour } from './schema';
import { cleanText, entry, existing, now } from './write';

export function readGroup(id: string, stored: unknown): Group | null {
  if (!(stored instanceof Y.Map)) return null;
  const e = stored as Entry;
  const colour = e.get('colour');
  return {
    id,
    name: str(e, 'name') ?? '',
    colour: isColour(colour) ? colour : 'grey',
    createdAt: num(e, 'createdAt') ?? 0,
  };
}

// ---------------------------------------------------------------- planning

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

// ---------------------------------------------------------------- mutations

export function createGroup(board: Board, name: string, colour?: Colour): string {
  const id = newId();
  const clean = cleanText(name, LIMITS.title, 'group name');
  board.transact(() => {
    const chosen = colour ?? COLOURS[board.groups.size % COLOURS.length] ?? 'grey';
    board.groups.set(id, entry({ name: clean, colour: chosen, createdAt: now() }));
  });
  return id;
}

export function renameGroup(board: Board, groupId: string, name: string): void {
  const clean = cleanText(name, LIMITS.title, 'group name');
  board.transact(() => existing(board.groups, groupId, 'group').set('name', clean));
}

export function deleteGroup(board: Board, groupId: string): void {
  board.transact(() => {
    for (const participant of board.participants.values()) {
      if (participant instanceof Y.Map && participant.get('group') === groupId) participant.delete('group');
    }
    board.groups.delete(groupId);
  });
}

/** Puts a participant into a group (or none). Moderator, or the participant. */
export function assignGroup(board: Board, participantId: string, groupId: string | null): void {
  board.transact(() => {
    const participant = existing(board.participants, participantId, 'participant');
    if (groupId === null) participant.delete('group');
    else {
      existing(board.groups, groupId, 'group');
      participant.set('group', groupId);
    }
  });
}

/**
 * Replaces all groups with freshly formed mixed groups of 3–5. `groupName`
 * gets the 1-based number (the moderator's locale names the groups).
 * Returns the new group ids in order.
 */
export function formGroups(
  board: Board,
  groupName: (number: number) => string,
  random: () => number = Math.random,
): string[] {
  const plan = planGroups(selectParticipants(board), random);
  const ids: string[] = [];
  board.transact(() => {
    for (const id of [...board.groups.keys()]) board.groups.delete(id);
    plan.forEach((members, index) => {
      const id = newId();
      ids.push(id);
      board.groups.set(
        id,
        entry({ name: groupName(index + 1), colour: COLOURS[index % COLOURS.length] ?? 'grey', createdAt: now() }),
      );
      for (const participantId of members) {
        const participant = board.participants.get(participantId);
        if (participant instanceof Y.Map) participant.set('group', id);
      }
    });
  });
  return ids;
}

/**
 * Puts everyone without a group into the existing groups (mixed by sector,
 * at most five), opening new groups only when all are full. Nobody who has
 * a group is moved. Returns how many were placed.
 */
export function addToGroups(board: Board, groupName: (number: number) => string): number {
  const members = selectGroupMembers(board);
  const late = members.get(null) ?? [];
  if (late.length === 0) return 0;
  const groups = selectGroups(board).map((g) => ({ id: g.id, members: members.get(g.id) ?? [] }));
  const placed = placeLateJoiners(groups, late);
  board.transact(() => {
    let opened: string | null = null;
    let openedSize = 0;
    for (const person of late) {
      let groupId = placed.get(person.id) ?? null;
      if (groupId === null) {
        if (opened === null || openedSize >= MAX_GROUP_SIZE) {
          opened = newId();
          openedSize = 0;
          const index = board.groups.size;
          board.groups.set(opened, entry({ name: groupName(index + 1), colour: COLOURS[index % COLOURS.length] ?? 'grey', createdAt: now() }));
        }
        groupId = opened;
        openedSize += 1;
      }
      existing(board.participants, person.id, 'participant').set('group', groupId);
    }
  });
  return late.length;
}

// ---------------------------------------------------------------- read side

export function selectGroups(board: Board): Group[] {
  return [...board.groups.entries()]
    .map(([id, value]) => readGroup(id, value))
    .filter((g) => g !== null)
    .sort((a, b) => a.createdAt - b.createdAt || a.name.localeCompare(b.name, 'de', { numeric: true }));
}

/** Members per group id; participants whose group no longer exists are under null. */
export function selectGroupMembers(board: Board): Map<string | null, Participant[]> {
  const members = new Map<string | null, Participant[]>([[null, []]]);
  for (const group of selectGroups(board)) members.set(group.id, []);
  for (const participant of selectParticipants(board)) {
    const list = members.get(participant.group) ?? members.get(null);
    list?.push(participant);
  }
  return members;
}
