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
import type { Board, Entry } from './board';
import type { CardKind } from './schema';
import { selectAgreements } from './agreements';
import { selectCards, selectCardsBy } from './cards';

export interface ReturnedCard {
  id: string;
  kind: CardKind;
  text: string;
}

/** An own proposal someone else removed: what was proposed, for proposing again. */
export interface ReturnedProposal {
  id: string;
  what: string;
  who: string;
  due: string | null;
}

/**
 * Watches `map` for entries the device knew as its own (`own` reads them
 * from the document) that a remote transaction removed. The last known
 * value is kept because a deleted Y.Map no longer tells.
 */
function watchReturned<T extends { id: string }>(map: Y.Map<Entry>, own: () => T[], onReturned: (entry: T) => void): () => void {
  let known = new Map<string, T>();
  const remember = (): void => {
    known = new Map(own().map((entry) => [entry.id, entry]));
  };
  remember();
  const observer = (_events: Y.YEvent<Y.AbstractType<unknown>>[], transaction: Y.Transaction): void => {
    if (!transaction.local) {
      for (const [id, entry] of known) {
        if (!map.has(id)) onReturned(entry);
      }
    }
    remember();
  };
  map.observeDeep(observer);
  return () => map.unobserveDeep(observer);
}

/** Calls `onReturned` for each own card removed by someone else; returns the unsubscribe. */
export function watchReturnedCards(board: Board, author: string, onReturned: (card: ReturnedCard) => void): () => void {
  return watchReturned(
    board.cards,
    () => selectCardsBy(board, author).map((card) => ({ id: card.id, kind: card.kind, text: card.text })),
    (card) => {
      // A challenge the moderator merged into another lives on in its text.
      const kept = card.kind === 'challenge' && selectCards(board).some((other) => other.kind === 'challenge' && other.text.includes(card.text));
      if (!kept) onReturned(card);
    },
  );
}

/**
 * Calls `onReturned` for each own proposal (still proposed) removed by
 * someone else: refused by the server (made offline after proposals
 * closed) or deleted by the moderator. Confirmed or dropped ones are the
 * moderator's decision and not returned.
 */
export function watchReturnedProposals(board: Board, author: string, onReturned: (proposal: ReturnedProposal) => void): () => void {
  return watchReturned(
    board.agreements,
    () =>
      selectAgreements(board)
        .filter((agreement) => agreement.author === author && agreement.status === 'proposed')
        .map((agreement) => ({ id: agreement.id, what: agreement.what, who: agreement.who, due: agreement.due })),
    onReturned,
  );
}
