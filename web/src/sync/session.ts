import * as Y from 'yjs';
import { Board } from '../board';
import { type Connection, connect } from './connection';

/** One open board: its document, the typed wrapper and the connection. */
export interface Session {
  board: Board;
  connection: Connection;
}

/**
 * Opens a board with a token. `origin` is the moderator's undo origin (null
 * for everyone else). The caller awaits `connection.localReady` before
 * rendering so a reload shows the cards stored on the device at once.
 */
export function openSession(boardId: string, token: string, origin: object | null = null): Session {
  const doc = new Y.Doc();
  const board = new Board(doc, origin);
  const connection = connect({ board: boardId, token, doc });
  return { board, connection };
}
