/**
 * Own cards that vanish without this device deleting them: the server
 * refused them (a card written offline after the moderator closed writing
 * comes back as a deletion), or the moderator removed them. Nothing typed on
 * a phone may be lost, so the app keeps their text for the person to write
 * again (PRODUCT.md: "Nothing typed on a phone is ever lost").
 *
 * A deletion arrives as a transaction that is not local (the provider's
 * update); deletions this device makes itself are local and not reported.
 */
import type * as Y from 'yjs';
import type { Board } from './board';
import type { CardKind } from './schema';
import { selectCardsBy } from './selectors';

export interface ReturnedCard {
  id: string;
  kind: CardKind;
  text: string;
}

/** Calls `onReturned` for each own card removed by someone else; returns the unsubscribe. */
export function watchReturnedCards(board: Board, author: string, onReturned: (card: ReturnedCard) => void): () => void {
  // The last known text of every own card: a deleted Y.Map no longer tells.
  let known = new Map<string, ReturnedCard>();
  const remember = (): void => {
    known = new Map(selectCardsBy(board, author).map((card) => [card.id, { id: card.id, kind: card.kind, text: card.text }]));
  };
  remember();
  const observer = (_events: Y.YEvent<Y.AbstractType<unknown>>[], transaction: Y.Transaction): void => {
    if (!transaction.local) {
      for (const [id, card] of known) {
        if (!board.cards.has(id)) onReturned(card);
      }
    }
    remember();
  };
  board.cards.observeDeep(observer);
  return () => board.cards.unobserveDeep(observer);
}
