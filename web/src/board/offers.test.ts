import { describe, expect, it } from 'vitest';
import { createCard, deleteCard } from './cards';
import { createCluster } from './clusters';
import { linkOffer, selectLinksOfCard, selectOffersByCluster, unlinkOffer } from './offers';
import { makeBoard } from './test-helpers';

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
