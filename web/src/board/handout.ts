/**
 * The city's handout (docs/schema.md: `handout`): contact persons,
 * procedures and steering instruments, plain text the moderator writes
 * and every documentation export prints as its last section. Moderator only.
 */
import type * as Y from 'yjs';
import type { Board } from './board';
import { str } from './read';
import { HANDOUT_FIELDS, type Handout } from './schema';

export function readHandout(handout: Y.Map<unknown>): Handout {
  return {
    contacts: str(handout, 'contacts') ?? '',
    procedures: str(handout, 'procedures') ?? '',
    steering: str(handout, 'steering') ?? '',
  };
}

/**
 * Changes the given fields; writes only what changed. An empty text removes
 * the field (absent and empty mean the same, and the exports leave it out).
 * There is no length limit of its own: only the document's size limit.
 */
export function editHandout(board: Board, change: Partial<Handout>): void {
  board.transact(() => {
    for (const field of HANDOUT_FIELDS) {
      const value = change[field];
      if (value === undefined) continue;
      const text = value.trim();
      if (text === '') {
        if (board.handout.has(field)) board.handout.delete(field);
      } else if (board.handout.get(field) !== text) board.handout.set(field, text);
    }
  });
}

export function selectHandout(board: Board): Handout {
  return readHandout(board.handout);
}
