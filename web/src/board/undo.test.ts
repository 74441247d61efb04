import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { Board } from './board';
import { createCard, deleteCard, selectCards, setCardCluster } from './cards';
import { createCluster, mergeClusters, selectClusters } from './clusters';
import { selectGroupMembers } from './groups';
import { initBoard, selectMeta, setJoinCode } from './meta';
import { markRemoved, selectParticipant, selectParticipants, setProfile } from './participants';
import { createUndoManager } from './undo';
import { sync } from './test-helpers';

describe('moderator undo', () => {
  it('undoes and redoes own steps one at a time', () => {
    const board = new Board(new Y.Doc(), {});
    const undo = createUndoManager(board);
    const cluster = createCluster(board, 'Wohnen');
    const card = createCard(board, { text: 'Wohnungen fehlen', kind: 'need', author: 'moderator' });
    setCardCluster(board, card, cluster);
    setCardCluster(board, card, null);

    undo.undo();
    expect(selectCards(board)[0]?.cluster).toBe(cluster);
    undo.undo();
    expect(selectCards(board)[0]?.cluster).toBeNull();
    undo.redo();
    expect(selectCards(board)[0]?.cluster).toBe(cluster);
  });

  it('undoes a merge completely', () => {
    const board = new Board(new Y.Doc(), {});
    const undo = createUndoManager(board);
    const a = createCluster(board, 'A-Cluster');
    const b = createCluster(board, 'B-Cluster');
    const card = createCard(board, { text: 'x', kind: 'need', author: 'moderator' });
    setCardCluster(board, card, a);
    mergeClusters(board, a, b);
    expect(selectClusters(board)).toHaveLength(1);
    undo.undo();
    expect(selectClusters(board).map((c) => c.title)).toEqual(['A-Cluster', 'B-Cluster']);
    expect(selectCards(board)[0]?.cluster).toBe(a);
  });

  it('never undoes a participant card that arrived meanwhile', () => {
    const moderator = new Board(new Y.Doc(), {});
    const phone = new Board(new Y.Doc());
    const undo = createUndoManager(moderator);
    createCluster(moderator, 'Sprache');
    createCard(phone, { text: 'Sprachkurse fehlen', kind: 'need', author: 'pa00000001' });
    sync(moderator.doc, phone.doc);
    undo.undo();
    expect(selectClusters(moderator)).toHaveLength(0);
    expect(selectCards(moderator)).toHaveLength(1);
    expect(undo.undoStack).toHaveLength(0);
  });

  it('never undoes the set-up or the join code the server issued', () => {
    const board = new Board(new Y.Doc(), {});
    const undo = createUndoManager(board);
    initBoard(board, { title: 'Konferenz', district: 'Sandow', joinCode: 'K7P2QX' });
    setJoinCode(board, 'NEW123');
    expect(undo.undoStack).toHaveLength(0);
    undo.undo();
    expect(selectMeta(board)).toMatchObject({ title: 'Konferenz', joinCode: 'NEW123' });
  });

  it('takes a removed participant out of every list but keeps their cards named', () => {
    const board = new Board(new Y.Doc(), {});
    setProfile(board, 'pa00000001', { name: 'Anna', organisation: 'Kita', sector: 'stadtteil' });
    createCard(board, { text: 'Kita-Plätze', kind: 'need', author: 'pa00000001' });
    markRemoved(board, 'pa00000001');
    expect(selectParticipants(board)).toEqual([]);
    expect([...selectGroupMembers(board).values()].flat()).toEqual([]);
    expect(selectParticipant(board, 'pa00000001')).toMatchObject({ name: 'Anna', removed: true, group: null });
    expect(selectCards(board)[0]?.author).toBe('pa00000001');
  });

  it('refuses a board without its own origin', () => {
    expect(() => createUndoManager(new Board(new Y.Doc()))).toThrow(/origin/);
  });

  it('forgets every step when the server erased a person, so no undo writes their text anew', () => {
    const laptop = new Board(new Y.Doc(), {});
    const server = new Board(new Y.Doc(), null);
    const undo = createUndoManager(laptop);
    const card = createCard(laptop, { text: 'Kanarienvogel-Karte', kind: 'need', author: 'pa00000001' });
    sync(laptop.doc, server.doc);
    deleteCard(laptop, card);
    expect(undo.undoStack).toHaveLength(2);
    // The server's erasure: the person's entries go and meta.erasedAt is set.
    server.doc.transact(() => server.meta.set('erasedAt', 1_741_079_400_000));
    sync(laptop.doc, server.doc);
    expect(undo.canUndo()).toBe(false);
    const sent: Uint8Array[] = [];
    laptop.doc.on('update', (update: Uint8Array) => sent.push(update));
    undo.undo();
    expect(selectCards(laptop)).toEqual([]);
    expect(sent, 'nothing goes out to the server').toEqual([]);
    // Steps after the erasure are undone as before.
    createCluster(laptop, 'Wohnen');
    undo.undo();
    expect(selectClusters(laptop)).toEqual([]);
    undo.destroy();
  });
});
