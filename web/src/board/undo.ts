import * as Y from 'yjs';
import type { Board } from './board';

/**
 * Undo/redo for the moderator: tracks only transactions made with the
 * board's own origin, so a participant's card arriving over the network is
 * never undone. `captureTimeout: 0` makes every mutation its own step (two
 * quick drags are two undos, not one).
 */
export function createUndoManager(board: Board): Y.UndoManager {
  if (board.origin === null) throw new Error('undo needs a board with its own transaction origin');
  return new Y.UndoManager(board.sharedTypes(), {
    trackedOrigins: new Set([board.origin]),
    captureTimeout: 0,
  });
}
