import * as Y from 'yjs';
import type { Board } from './board';

/** `meta` field the server sets when it erased a person (docs/schema.md). */
const ERASED_AT = 'erasedAt';

/**
 * Undo/redo for the moderator: tracks only transactions made with the
 * board's own origin, so a participant's card arriving over the network is
 * never undone. `captureTimeout: 0` makes every mutation its own step (two
 * quick drags are two undos, not one).
 *
 * When the server erases a person it sets `meta.erasedAt`: the stacks are
 * then cleared. They may hold the person's text (a card the moderator
 * deleted or edited), and undoing would write it into the board anew, as a
 * new edit the server cannot tell from any other (docs/architecture.md,
 * "Erasure"). Clearing also lets Yjs collect the items the stacks kept.
 */
export function createUndoManager(board: Board): Y.UndoManager {
  if (board.origin === null) throw new Error('undo needs a board with its own transaction origin');
  const undo = new Y.UndoManager(board.sharedTypes(), {
    trackedOrigins: new Set([board.origin]),
    captureTimeout: 0,
  });
  const onMeta = (event: Y.YMapEvent<unknown>): void => {
    if (event.keysChanged.has(ERASED_AT)) undo.clear();
  };
  board.meta.observe(onMeta);
  const destroy = undo.destroy.bind(undo);
  undo.destroy = () => {
    board.meta.unobserve(onMeta);
    destroy();
  };
  return undo;
}
