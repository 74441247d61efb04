import { describe, expect, it } from 'vitest';
import { createCard, createCluster, linkOffer, setCardCluster, setProfile, setRevealed } from './mutations';
import {
  selectCardsBy,
  selectCardsByCluster,
  selectOffersByCluster,
  selectPublicCards,
  selectSectorsPerCluster,
  selectVoteRanking,
} from './selectors';
import { makeBoard } from './test-helpers';

describe('selectors', () => {
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

  it('hides cards from shared screens until revealed', () => {
    const board = makeBoard();
    createCard(board, { text: 'geheim', kind: 'need', author: 'pa00000001' });
    expect(selectPublicCards(board)).toEqual([]);
    setRevealed(board, true);
    expect(selectPublicCards(board)).toHaveLength(1);
  });

  it('ranks clusters by votes', () => {
    const board = makeBoard();
    const a = createCluster(board, 'A-Cluster');
    const b = createCluster(board, 'B-Cluster');
    board.votes.set(`pa00000001:${b}`, 2);
    board.votes.set(`pa00000002:${a}`, 1);
    board.votes.set('pa00000002:deletedcluster', 5);
    expect(selectVoteRanking(board).map((r) => [r.cluster.id, r.votes])).toEqual([
      [b, 2],
      [a, 1],
    ]);
  });
});
