import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import {
  BoardError,
  assignGroup,
  castVote,
  createCard,
  createCluster,
  createGroup,
  deleteCard,
  deleteCluster,
  deleteGroup,
  editCard,
  addToGroups,
  formGroups,
  markRemoved,
  initBoard,
  linkOffer,
  mergeClusters,
  recolourCluster,
  renameCluster,
  retractVote,
  setCardCluster,
  setClusterScope,
  setFocus,
  setProfile,
  setRevealed,
  setWritingOpen,
  startVoting,
  stopVoting,
  unlinkOffer,
} from './mutations';
import {
  selectCards,
  selectClusters,
  selectGroupMembers,
  selectGroups,
  selectLinksOfCard,
  selectMeta,
  selectOffersByCluster,
  selectOwnVotes,
  selectParticipant,
  selectParticipants,
  selectVoteTotals,
} from './selectors';
import { LIMITS, MODERATOR_AUTHOR, SCHEMA_VERSION } from './schema';
import { makeBoard, seeded } from './test-helpers';

function updatesDuring(doc: Y.Doc, action: () => void): number {
  let count = 0;
  const count1 = (): void => {
    count++;
  };
  doc.on('update', count1);
  action();
  doc.off('update', count1);
  return count;
}

describe('meta', () => {
  it('initialises missing fields once, with the schema version', () => {
    const board = makeBoard();
    initBoard(board, { title: ' Sandow ', district: 'Sandow', date: '2025-03-04', joinCode: 'K7P2QX' });
    initBoard(board, { title: 'Other', district: 'Other' });
    const meta = selectMeta(board);
    expect(meta).toMatchObject({
      schemaVersion: SCHEMA_VERSION,
      title: 'Sandow',
      district: 'Sandow',
      date: '2025-03-04',
      locale: 'de',
      joinCode: 'K7P2QX',
      writingOpen: true,
      revealed: false,
      votingOpen: false,
      focus: { kind: 'overview' },
    });
    expect(board.meta.get('schemaVersion')).toBe(1);
  });

  it('toggles writing, reveal and focus', () => {
    const board = makeBoard();
    setWritingOpen(board, false);
    setRevealed(board, true);
    setFocus(board, { kind: 'groups' });
    expect(selectMeta(board)).toMatchObject({ writingOpen: false, revealed: true, focus: { kind: 'groups' } });
  });
});

describe('cards', () => {
  it('creates, edits and deletes a card in one update each', () => {
    const board = makeBoard();
    let id = '';
    expect(updatesDuring(board.doc, () => (id = createCard(board, { text: ' Kita-Plätze fehlen ', kind: 'need', author: 'p1abcdefgh', group: 'g1abcdefgh' })))).toBe(1);
    expect(selectCards(board)).toEqual([
      expect.objectContaining({ id, text: 'Kita-Plätze fehlen', kind: 'need', author: 'p1abcdefgh', group: 'g1abcdefgh', cluster: null, editedAt: null }),
    ]);
    // The stored entry is a nested Y.Map with primitive fields.
    const stored = board.cards.get(id);
    expect(stored).toBeInstanceOf(Y.Map);
    expect(stored?.toJSON()).toMatchObject({ text: 'Kita-Plätze fehlen', kind: 'need', author: 'p1abcdefgh' });

    expect(updatesDuring(board.doc, () => editCard(board, id, { text: 'Zu wenige Kita-Plätze', kind: 'situation' }))).toBe(1);
    expect(selectCards(board)[0]).toMatchObject({ text: 'Zu wenige Kita-Plätze', kind: 'situation' });
    expect(selectCards(board)[0]?.editedAt).toBeTypeOf('number');

    expect(updatesDuring(board.doc, () => deleteCard(board, id))).toBe(1);
    expect(selectCards(board)).toEqual([]);
  });

  it('rejects empty and over-long text', () => {
    const board = makeBoard();
    expect(() => createCard(board, { text: '   ', kind: 'need', author: MODERATOR_AUTHOR })).toThrow(BoardError);
    expect(() => createCard(board, { text: 'x'.repeat(LIMITS.cardText + 1), kind: 'need', author: MODERATOR_AUTHOR })).toThrow(/longer/);
    expect(board.cards.size).toBe(0);
  });

  it('keeps the card text as a plain string (never markup)', () => {
    const board = makeBoard();
    const id = createCard(board, { text: '<img src=x onerror=alert(1)>', kind: 'note', author: 'p1abcdefgh' });
    expect(board.cards.get(id)?.get('text')).toBe('<img src=x onerror=alert(1)>');
  });
});

describe('clusters', () => {
  it('creates, renames, recolours, scopes and orders clusters', () => {
    const board = makeBoard();
    const a = createCluster(board, 'Wohnen');
    const b = createCluster(board, 'Sprache', { colour: 'blue' });
    renameCluster(board, a, 'Wohnraum');
    recolourCluster(board, a, 'green');
    setClusterScope(board, a, 'district');
    setClusterScope(board, b, 'overarching');
    setClusterScope(board, b, null);
    expect(selectClusters(board)).toEqual([
      expect.objectContaining({ id: a, title: 'Wohnraum', colour: 'green', scope: 'district', order: 0 }),
      expect.objectContaining({ id: b, title: 'Sprache', colour: 'blue', scope: null, order: 1 }),
    ]);
  });

  it('creates a cluster with a dropped card in one update', () => {
    const board = makeBoard();
    const card = createCard(board, { text: 'Wohnungen fehlen', kind: 'need', author: 'p1abcdefgh' });
    let cluster = '';
    expect(updatesDuring(board.doc, () => (cluster = createCluster(board, 'Neuer Cluster', { cards: [card] })))).toBe(1);
    expect(selectCards(board)[0]?.cluster).toBe(cluster);
  });

  it('clusters cards and refuses unknown clusters', () => {
    const board = makeBoard();
    const cluster = createCluster(board, 'Wohnen');
    const card = createCard(board, { text: 'Wohnungen fehlen', kind: 'need', author: 'p1abcdefgh' });
    setCardCluster(board, card, cluster);
    expect(selectCards(board)[0]?.cluster).toBe(cluster);
    expect(() => setCardCluster(board, card, 'missingcluster')).toThrow(BoardError);
    setCardCluster(board, card, null);
    expect(selectCards(board)[0]?.cluster).toBeNull();
  });

  it('merges cards, offer links and votes into the target', () => {
    const board = makeBoard();
    const source = createCluster(board, 'Wohnungen');
    const target = createCluster(board, 'Wohnen');
    const need = createCard(board, { text: 'Wohnungen fehlen', kind: 'need', author: 'p1abcdefgh' });
    const offer = createCard(board, { text: 'Wohnungsbörse', kind: 'offer', author: 'p2abcdefgh' });
    setCardCluster(board, need, source);
    linkOffer(board, offer, source);
    startVoting(board, 3);
    castVote(board, 'p1abcdefgh', source);
    castVote(board, 'p1abcdefgh', target);
    castVote(board, 'p2abcdefgh', source);

    mergeClusters(board, source, target);

    expect(selectClusters(board).map((c) => c.id)).toEqual([target]);
    expect(selectCards(board).find((c) => c.id === need)?.cluster).toBe(target);
    expect(selectLinksOfCard(board, offer)).toEqual([target]);
    expect(selectVoteTotals(board).get(target)).toBe(3);
    expect(selectOwnVotes(board, 'p1abcdefgh').byCluster.get(target)).toBe(2);
    expect(() => mergeClusters(board, target, target)).toThrow(BoardError);
  });

  it('deleting a cluster puts its cards back on the wall and drops its links and votes', () => {
    const board = makeBoard();
    const cluster = createCluster(board, 'Arbeit');
    const card = createCard(board, { text: 'Arbeitsmarktzugang', kind: 'need', author: 'p1abcdefgh' });
    const offer = createCard(board, { text: 'Jobcenter-Sprechstunde', kind: 'offer', author: 'p2abcdefgh' });
    setCardCluster(board, card, cluster);
    linkOffer(board, offer, cluster);
    startVoting(board, 2);
    castVote(board, 'p1abcdefgh', cluster);
    deleteCluster(board, cluster);
    expect(selectCards(board)).toHaveLength(2);
    expect(selectCards(board).every((c) => c.cluster === null)).toBe(true);
    expect(board.offerLinks.size).toBe(0);
    expect(board.votes.size).toBe(0);
  });
});

describe('offers', () => {
  it('links only offer cards, unlinks, and ignores links of deleted cards', () => {
    const board = makeBoard();
    const cluster = createCluster(board, 'Sprache');
    const need = createCard(board, { text: 'Sprachkurse', kind: 'need', author: 'p1abcdefgh' });
    const offer = createCard(board, { text: 'Sprachcafé', kind: 'offer', author: 'p1abcdefgh' });
    expect(() => linkOffer(board, need, cluster)).toThrow(/offer/);
    linkOffer(board, offer, cluster);
    expect(board.offerLinks.toJSON()).toEqual({ [`${offer}:${cluster}`]: true });
    unlinkOffer(board, offer, cluster);
    expect(board.offerLinks.size).toBe(0);
    linkOffer(board, offer, cluster);
    deleteCard(board, offer);
    expect(selectOffersByCluster(board).get(cluster)).toEqual([]);
    expect(selectLinksOfCard(board, offer)).toEqual([]);
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

  it('writes the own profile and updates it in place', () => {
    const board = makeBoard();
    setProfile(board, 'pa00000001', { name: 'Anna', organisation: 'Kita', sector: 'stadtteil' });
    const group = createGroup(board, 'Gruppe 1');
    assignGroup(board, 'pa00000001', group);
    setProfile(board, 'pa00000001', { name: 'Anna K.', organisation: 'Kita', sector: 'stadtteil' });
    expect(selectParticipant(board, 'pa00000001')).toMatchObject({ name: 'Anna K.', group });
    expect(Object.keys(board.participants.get('pa00000001')?.toJSON() ?? {}).sort()).toEqual(
      ['group', 'joinedAt', 'name', 'organisation', 'sector'],
    );
  });

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

describe('dot voting', () => {
  it('casts and retracts within the budget, only while open', () => {
    const board = makeBoard();
    const a = createCluster(board, 'Wohnen');
    const b = createCluster(board, 'Sprache');
    expect(castVote(board, 'pa00000001', a)).toBe(false); // not started
    startVoting(board, 2);
    expect(castVote(board, 'pa00000001', a)).toBe(true);
    expect(castVote(board, 'pa00000001', a)).toBe(true);
    expect(castVote(board, 'pa00000001', b)).toBe(false); // budget spent
    expect(board.votes.toJSON()).toEqual({ [`pa00000001:${a}`]: 2 });
    expect(retractVote(board, 'pa00000001', a)).toBe(true);
    expect(castVote(board, 'pa00000001', b)).toBe(true);
    expect(selectOwnVotes(board, 'pa00000001')).toMatchObject({ used: 2, remaining: 0 });
    expect(retractVote(board, 'pa00000001', 'nothing-here')).toBe(false);
    stopVoting(board);
    expect(castVote(board, 'pa00000002', a)).toBe(false);
    expect(retractVote(board, 'pa00000001', a)).toBe(false);
    expect(selectVoteTotals(board)).toEqual(new Map([[a, 1], [b, 1]]));
    // A new round starts from zero.
    startVoting(board, 3);
    expect(board.votes.size).toBe(0);
    expect(() => startVoting(board, 0)).toThrow(BoardError);
  });

  it('removes the key when the last dot is retracted', () => {
    const board = makeBoard();
    const a = createCluster(board, 'Wohnen');
    startVoting(board, 1);
    castVote(board, 'pa00000001', a);
    retractVote(board, 'pa00000001', a);
    expect(board.votes.size).toBe(0);
  });
});
