/**
 * Every write to the board document goes through this module. Each mutation
 * runs in exactly one `doc.transact` (one update on the wire, one undo step),
 * writes only the fields docs/schema.md lists, and keeps references
 * consistent (deleting a cluster also unclusters its cards, drops its offer
 * links and its votes).
 *
 * Mutations do not know who is calling: the views only offer a participant
 * the actions docs/schema.md allows them, and the server enforces it.
 */
import * as Y from 'yjs';
import { BoardError, cleanText, entry, existing, now } from './write';
import { type Board, readCard, readCluster, readMeta } from './board';
import { MAX_GROUP_SIZE, placeLateJoiners, planGroups } from './groups';
import { selectGroupMembers, selectGroups, selectParticipants } from './selectors';
import { newId } from './ids';
import {
  COLOURS,
  LIMITS,
  SCHEMA_VERSION,
  type CardKind,
  type ClusterScope,
  type Colour,
  type Focus,
  type Locale,
  type Sector,
  encodeFocus,
  offerLinkKey,
  splitKey,
  voteKey,
} from './schema';

export { BoardError };

// ---------------------------------------------------------------- meta

export interface BoardSetup {
  title: string;
  district: string;
  date?: string | null;
  locale?: Locale;
  joinCode?: string | null;
}

/**
 * Fills the meta fields that are still missing (the server may already have
 * written them at creation). Idempotent: a second moderator device calling it
 * changes nothing.
 */
export function initBoard(board: Board, setup: BoardSetup): void {
  board.transactOutsideUndo(() => {
    const meta = board.meta;
    const setMissing = (key: string, value: string | number | null | undefined): void => {
      if (value !== null && value !== undefined && !meta.has(key)) meta.set(key, value);
    };
    setMissing('schemaVersion', SCHEMA_VERSION);
    setMissing('title', cleanText(setup.title, LIMITS.title, 'title'));
    setMissing('district', cleanText(setup.district, LIMITS.district, 'district', true));
    setMissing('date', setup.date);
    setMissing('locale', setup.locale ?? 'de');
    setMissing('joinCode', setup.joinCode);
  });
}

/** The join code now valid (after the moderator had the server issue a new one). */
export function setJoinCode(board: Board, joinCode: string): void {
  board.transactOutsideUndo(() => board.meta.set('joinCode', joinCode));
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

export function setWritingOpen(board: Board, open: boolean): void {
  board.transact(() => board.meta.set('writingOpen', open));
}

export function setRevealed(board: Board, revealed: boolean): void {
  board.transact(() => board.meta.set('revealed', revealed));
}

export function setFocus(board: Board, focus: Focus): void {
  board.transact(() => board.meta.set('focus', encodeFocus(focus)));
}

// ---------------------------------------------------------------- participants

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

// ---------------------------------------------------------------- groups

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

// ---------------------------------------------------------------- cards

export interface NewCard {
  text: string;
  kind: CardKind;
  /** The participant id issued by the server, or MODERATOR_AUTHOR (schema.ts). */
  author: string;
  group?: string | null;
}

export function createCard(board: Board, card: NewCard): string {
  const id = newId();
  const text = cleanText(card.text, LIMITS.cardText, 'card text');
  board.transact(() => {
    const fields: Record<string, string | number> = {
      text,
      kind: card.kind,
      author: card.author,
      createdAt: now(),
    };
    if (card.group) fields.group = card.group;
    board.cards.set(id, entry(fields));
  });
  return id;
}

export function editCard(board: Board, cardId: string, change: { text?: string; kind?: CardKind }): void {
  const text = change.text === undefined ? undefined : cleanText(change.text, LIMITS.cardText, 'card text');
  board.transact(() => {
    const card = existing(board.cards, cardId, 'card');
    let changed = false;
    if (text !== undefined && card.get('text') !== text) {
      card.set('text', text);
      changed = true;
    }
    if (change.kind !== undefined && card.get('kind') !== change.kind) {
      card.set('kind', change.kind);
      changed = true;
    }
    if (changed) card.set('editedAt', now());
  });
}

/**
 * Deletes a card. Offer links that pointed at it are left alone: they belong
 * to the moderator, so a participant deleting their own offer could not
 * remove them, and the selectors ignore links to missing cards.
 */
export function deleteCard(board: Board, cardId: string): void {
  board.transact(() => board.cards.delete(cardId));
}

/** Drops a card into a cluster, or back onto the unsorted wall (null). */
export function setCardCluster(board: Board, cardId: string, clusterId: string | null): void {
  board.transact(() => {
    const card = existing(board.cards, cardId, 'card');
    if (clusterId === null) card.delete('cluster');
    else {
      existing(board.clusters, clusterId, 'cluster');
      if (card.get('cluster') !== clusterId) card.set('cluster', clusterId);
    }
  });
}

// ---------------------------------------------------------------- clusters

/**
 * Creates a cluster; `cards` are moved into it in the same transaction (a
 * card dropped on "new cluster" is one undo step, not two).
 */
export function createCluster(
  board: Board,
  title: string,
  options: { colour?: Colour; cards?: readonly string[] } = {},
): string {
  const id = newId();
  const clean = cleanText(title, LIMITS.title, 'cluster title');
  const { colour } = options;
  board.transact(() => {
    let order = 0;
    for (const [clusterId, value] of board.clusters.entries()) {
      order = Math.max(order, (readCluster(clusterId, value)?.order ?? 0) + 1);
    }
    board.clusters.set(
      id,
      entry({
        title: clean,
        colour: colour ?? COLOURS[board.clusters.size % COLOURS.length] ?? 'yellow',
        order,
        createdAt: now(),
      }),
    );
    for (const cardId of options.cards ?? []) existing(board.cards, cardId, 'card').set('cluster', id);
  });
  return id;
}

export function renameCluster(board: Board, clusterId: string, title: string): void {
  const clean = cleanText(title, LIMITS.title, 'cluster title');
  board.transact(() => existing(board.clusters, clusterId, 'cluster').set('title', clean));
}

export function recolourCluster(board: Board, clusterId: string, colour: Colour): void {
  board.transact(() => existing(board.clusters, clusterId, 'cluster').set('colour', colour));
}

/** District-specific or overarching; null means not decided yet. */
export function setClusterScope(board: Board, clusterId: string, scope: ClusterScope | null): void {
  board.transact(() => {
    const cluster = existing(board.clusters, clusterId, 'cluster');
    if (scope === null) cluster.delete('scope');
    else cluster.set('scope', scope);
  });
}

/** Removes everything that points at a cluster (not the cluster itself). */
function detachCluster(board: Board, clusterId: string, moveTo: string | null): void {
  for (const card of board.cards.values()) {
    if (!(card instanceof Y.Map) || card.get('cluster') !== clusterId) continue;
    if (moveTo === null) card.delete('cluster');
    else card.set('cluster', moveTo);
  }
  for (const key of [...board.offerLinks.keys()]) {
    const parts = splitKey(key);
    if (parts?.[1] !== clusterId) continue;
    board.offerLinks.delete(key);
    if (moveTo !== null) board.offerLinks.set(offerLinkKey(parts[0], moveTo), true);
  }
  for (const [key, count] of [...board.votes.entries()]) {
    const parts = splitKey(key);
    if (parts?.[1] !== clusterId) continue;
    board.votes.delete(key);
    if (moveTo !== null) {
      const target = voteKey(parts[0], moveTo);
      board.votes.set(target, (board.votes.get(target) ?? 0) + count);
    }
  }
}

/** Moves the source cluster's cards, offer links and votes into the target, then deletes the source. */
export function mergeClusters(board: Board, sourceId: string, targetId: string): void {
  if (sourceId === targetId) throw new BoardError('invalid', 'cannot merge a cluster into itself');
  board.transact(() => {
    existing(board.clusters, sourceId, 'cluster');
    existing(board.clusters, targetId, 'cluster');
    detachCluster(board, sourceId, targetId);
    board.clusters.delete(sourceId);
  });
}

/** Deletes a cluster; its cards go back to the unsorted wall, never lost. */
export function deleteCluster(board: Board, clusterId: string): void {
  board.transact(() => {
    detachCluster(board, clusterId, null);
    board.clusters.delete(clusterId);
  });
}

// ---------------------------------------------------------------- offers

/** Links an offer card to a need cluster ("this offer already exists for it"). */
export function linkOffer(board: Board, cardId: string, clusterId: string): void {
  board.transact(() => {
    const card = readCard(cardId, board.cards.get(cardId));
    if (card === null) throw new BoardError('not-found', `card ${cardId} not found`);
    if (card.kind !== 'offer') throw new BoardError('invalid', 'only offer cards can be linked');
    existing(board.clusters, clusterId, 'cluster');
    board.offerLinks.set(offerLinkKey(cardId, clusterId), true);
  });
}

export function unlinkOffer(board: Board, cardId: string, clusterId: string): void {
  board.transact(() => board.offerLinks.delete(offerLinkKey(cardId, clusterId)));
}

// ---------------------------------------------------------------- voting

/** Starts a round of dot voting: clears earlier votes, sets the budget. */
export function startVoting(board: Board, budget: number): void {
  if (!Number.isInteger(budget) || budget < 1 || budget > LIMITS.voteBudgetMax) {
    throw new BoardError('invalid', `budget must be 1–${LIMITS.voteBudgetMax}`);
  }
  board.transact(() => {
    board.votes.clear();
    board.meta.set('voteBudget', budget);
    board.meta.set('votingOpen', true);
  });
}

/** Ends voting; the votes stay as the result. */
export function stopVoting(board: Board): void {
  board.transact(() => board.meta.set('votingOpen', false));
}

function votesUsed(board: Board, participantId: string): number {
  let used = 0;
  for (const [key, count] of board.votes.entries()) {
    if (splitKey(key)?.[0] === participantId) used += count;
  }
  return used;
}

/** Adds one dot. Returns false (and writes nothing) when voting is closed or the budget is spent. */
export function castVote(board: Board, participantId: string, clusterId: string): boolean {
  let cast = false;
  board.transact(() => {
    const meta = readMeta(board.meta);
    if (!meta.votingOpen || !board.clusters.has(clusterId)) return;
    if (votesUsed(board, participantId) >= meta.voteBudget) return;
    const key = voteKey(participantId, clusterId);
    board.votes.set(key, (board.votes.get(key) ?? 0) + 1);
    cast = true;
  });
  return cast;
}

/** Takes one dot back. Returns false when there was none or voting is closed. */
export function retractVote(board: Board, participantId: string, clusterId: string): boolean {
  let retracted = false;
  board.transact(() => {
    if (!readMeta(board.meta).votingOpen) return;
    const key = voteKey(participantId, clusterId);
    const count = board.votes.get(key) ?? 0;
    if (count <= 0) return;
    if (count === 1) board.votes.delete(key);
    else board.votes.set(key, count - 1);
    retracted = true;
  });
  return retracted;
}
