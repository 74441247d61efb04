import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { createCard, deleteCard, editCard, selectCards, selectHiddenCardCount, selectPublicCards } from './cards';
import { setRevealed } from './meta';
import { LIMITS, MODERATOR_AUTHOR } from './schema';
import { makeBoard, updatesDuring } from './test-helpers';
import { BoardError } from './write';

describe('cards', () => {
  it('counts the cards that arrived without their text (hidden until the reveal) and shows none of them', () => {
    const board = makeBoard();
    createCard(board, { text: 'Meine Karte', kind: 'need', author: 'p1abcdefgh' });
    // What a phone of another group receives: the entry without `text`.
    board.doc.transact(() => {
      const hidden = new Y.Map<unknown>();
      hidden.set('kind', 'offer');
      hidden.set('author', 'p2abcdefgh');
      board.cards.set('hiddenCard01', hidden);
    });
    expect(selectCards(board).map((card) => card.text)).toEqual(['Meine Karte']);
    expect(selectHiddenCardCount(board)).toBe(1);
  });

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

  it('drops the characters the server refuses (controls, noncharacters, lone surrogates)', () => {
    const board = makeBoard();
    const id = createCard(board, { text: 'Kita\u000b-Plätze\uffff \ud800fehlen\u{1fffe}\tjetzt 😀', kind: 'need', author: 'p1abcdefgh' });
    expect(board.cards.get(id)?.get('text')).toBe('Kita-Plätze fehlen\tjetzt 😀');
    expect(() => createCard(board, { text: '\u0001\ufffe', kind: 'need', author: 'p1abcdefgh' })).toThrow(/empty/);
  });

  it('keeps the card text as a plain string (never markup)', () => {
    const board = makeBoard();
    const id = createCard(board, { text: '<img src=x onerror=alert(1)>', kind: 'note', author: 'p1abcdefgh' });
    expect(board.cards.get(id)?.get('text')).toBe('<img src=x onerror=alert(1)>');
  });
});

describe('cards on shared screens', () => {
  it('hides cards from shared screens until revealed', () => {
    const board = makeBoard();
    createCard(board, { text: 'geheim', kind: 'need', author: 'pa00000001' });
    expect(selectPublicCards(board)).toEqual([]);
    setRevealed(board, true);
    expect(selectPublicCards(board)).toHaveLength(1);
  });
});
