import * as Y from 'yjs';
import { Board } from './board';

/** A fresh in-memory board; `origin` as the moderator view would use it. */
export function makeBoard(origin: object | null = null): Board {
  return new Board(new Y.Doc(), origin);
}

/** Exchanges the missing updates between two docs, both ways. */
export function sync(a: Y.Doc, b: Y.Doc): void {
  const toB = Y.encodeStateAsUpdate(a, Y.encodeStateVector(b));
  const toA = Y.encodeStateAsUpdate(b, Y.encodeStateVector(a));
  Y.applyUpdate(b, toB, 'remote');
  Y.applyUpdate(a, toA, 'remote');
}

/** A deterministic random source for reproducible tests. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** How many updates `doc` emits while `action` runs (one per transaction that changed something). */
export function updatesDuring(doc: Y.Doc, action: () => void): number {
  let count = 0;
  const onUpdate = (): void => {
    count++;
  };
  doc.on('update', onUpdate);
  action();
  doc.off('update', onUpdate);
  return count;
}
