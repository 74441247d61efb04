import { describe, expect, it } from 'vitest';
import { createCard, selectCards, selectCardsBy, setCardCluster } from './cards';
import {
  createCluster,
  deleteCluster,
  mergeClusters,
  recolourCluster,
  renameCluster,
  selectCardsByCluster,
  selectClusters,
  selectSectorsPerCluster,
  setClusterScope,
} from './clusters';
import { linkOffer, selectLinksOfCard, selectOffersByCluster } from './offers';
import { setProfile } from './participants';
import { makeBoard, updatesDuring } from './test-helpers';
import { castVote, selectOwnVotes, selectVoteTotals, startVoting } from './votes';
import { BoardError } from './write';

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

describe('clusters on the wall', () => {
  it('shows per cluster which sectors share a need', () => {
    const board = makeBoard();
    setProfile(board, 'pa00000001', { name: 'Anna', organisation: 'Kita', sector: 'stadtteil' });
    setProfile(board, 'pa00000002', { name: 'Ben', organisation: 'Jobcenter', sector: 'behoerde' });
    setProfile(board, 'pa00000003', { name: 'Cem', organisation: 'Schule', sector: 'stadtteil' });
    const cluster = createCluster(board, 'Kinderbetreuung');
    for (const [author, text] of [
      ['pa00000002', 'Betreuung für Kursteilnehmende'],
      ['pa00000001', 'Kita-Plätze'],
      ['pa00000001', 'Wartelisten'],
      ['pa00000003', 'Hort'],
      ['moderator', 'Notiz'],
    ] as const) {
      setCardCluster(board, createCard(board, { text, kind: 'need', author }), cluster);
    }
    expect(selectSectorsPerCluster(board).get(cluster)).toEqual([
      { sector: 'stadtteil', participants: 2 },
      { sector: 'behoerde', participants: 1 },
    ]);
  });

  it('groups cards by cluster and finds own cards and offers', () => {
    const board = makeBoard();
    const cluster = createCluster(board, 'Sprache');
    const mine = createCard(board, { text: 'Sprachcafé', kind: 'offer', author: 'pa00000001' });
    createCard(board, { text: 'Kurse fehlen', kind: 'need', author: 'pa00000002' });
    setCardCluster(board, mine, cluster);
    linkOffer(board, mine, cluster);
    const { unclustered, byCluster } = selectCardsByCluster(board);
    expect(unclustered.map((c) => c.text)).toEqual(['Kurse fehlen']);
    expect(byCluster.get(cluster)?.map((c) => c.id)).toEqual([mine]);
    expect(selectCardsBy(board, 'pa00000001').map((c) => c.id)).toEqual([mine]);
    expect(selectOffersByCluster(board).get(cluster)?.map((c) => c.id)).toEqual([mine]);
  });
});
