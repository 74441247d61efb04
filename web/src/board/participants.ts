/**
 * The `participants` map: one entry per person who joined, keyed by the
 * participant id the server issued. A participant writes their own profile;
 * the moderator marks removed people. Groups are assigned in groups.ts.
 */
import * as Y from 'yjs';
import type { Board, Entry } from './board';
import { num, str } from './read';
import { LIMITS, type Participant, type Sector, isSector } from './schema';
import { cleanText, entry, existing, now } from './write';

export function readParticipant(id: string, stored: unknown): Participant | null {
  if (!(stored instanceof Y.Map)) return null;
  const e = stored as Entry;
  const sector = e.get('sector');
  const name = str(e, 'name');
  if (name === null || !isSector(sector)) return null;
  return {
    id,
    name,
    organisation: str(e, 'organisation') ?? '',
    sector,
    group: str(e, 'group'),
    joinedAt: num(e, 'joinedAt') ?? 0,
    removed: e.get('removed') === true,
  };
}

export interface Profile {
  name: string;
  organisation: string;
  sector: Sector;
}

/**
 * Writes the participant's own entry. Called once right after the server
 * issued the participant id; later calls update the fields in place (never
 * replace the nested map, which would drop a group the moderator assigned).
 */
export function setProfile(board: Board, participantId: string, profile: Profile): void {
  const name = cleanText(profile.name, LIMITS.name, 'name');
  const organisation = cleanText(profile.organisation, LIMITS.organisation, 'organisation', true);
  board.transact(() => {
    const current = board.participants.get(participantId);
    if (current instanceof Y.Map) {
      current.set('name', name);
      current.set('organisation', organisation);
      current.set('sector', profile.sector);
    } else {
      board.participants.set(
        participantId,
        entry({ name, organisation, sector: profile.sector, joinedAt: now() }),
      );
    }
  });
}

/**
 * Marks a participant the moderator removed (their token was revoked on the
 * server): out of their group and out of every list; their cards stay.
 */
export function markRemoved(board: Board, participantId: string): void {
  board.transact(() => {
    const participant = existing(board.participants, participantId, 'participant');
    participant.set('removed', true);
    participant.delete('group');
  });
}

// ---------------------------------------------------------------- read side

export function selectParticipants(board: Board): Participant[] {
  return [...board.participants.entries()]
    .map(([id, value]) => readParticipant(id, value))
    .filter((p): p is Participant => p !== null && !p.removed)
    .sort((a, b) => a.joinedAt - b.joinedAt || a.id.localeCompare(b.id));
}

/** A participant by id, removed ones too (their cards still name them). */
export function selectParticipant(board: Board, participantId: string): Participant | null {
  return readParticipant(participantId, board.participants.get(participantId));
}
