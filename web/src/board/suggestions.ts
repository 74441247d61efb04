/**
 * The server's suggestions of cards that look alike (docs/protocol.md,
 * "Suggestions"), and what the moderator does with one: accept it (a
 * cluster of those cards, named by the suggestion) or dismiss it (the
 * `dismissals` map: its cards are never suggested together again). Both
 * are one undo step.
 */
import type { Board } from './board';
import { createCluster } from './clusters';
import { newId } from './ids';
import { ID_PATTERN, LIMITS } from './schema';
import { entry, now } from './write';

/** One suggestion as the server sends it. */
export interface Suggestion {
  cards: string[];
  label: string;
}

/** Suggestions whose cards all still exist (one may have been deleted since the server looked). */
export function liveSuggestions(board: Board, suggestions: readonly Suggestion[]): Suggestion[] {
  return suggestions
    .map((suggestion) => ({ ...suggestion, cards: suggestion.cards.filter((id) => board.cards.has(id)) }))
    .filter((suggestion) => suggestion.cards.length >= 2);
}

/** Makes a cluster of the suggestion's cards, named by its label (or `fallback`). */
export function acceptSuggestion(board: Board, suggestion: Suggestion, fallback: string): string {
  const title = suggestion.label.trim().slice(0, LIMITS.title) || fallback;
  return createCluster(board, title, { cards: suggestion.cards.filter((id) => board.cards.has(id)) });
}

/** Records that these cards do not belong together; returns the dismissal's id. */
export function dismissSuggestion(board: Board, suggestion: Suggestion): string {
  const id = newId();
  const cards = suggestion.cards.filter((card) => ID_PATTERN.test(card));
  board.transact(() => board.dismissals.set(id, entry({ cards: cards.join(' '), createdAt: now() })));
  return id;
}
