/**
 * The device's offline store: every board document is kept in the
 * browser's IndexedDB (y-indexeddb), so a card typed while the venue Wi-Fi
 * is down survives a reload and is sent when the connection is back (Yjs
 * merges it). Drafts not yet written to the document are kept separately,
 * in localStorage (device/).
 */
import { IndexeddbPersistence } from 'y-indexeddb';
import type * as Y from 'yjs';

/** How long the app waits for IndexedDB before it works online only. */
const LOCAL_OPEN_TIMEOUT_MS = 4000;

/** y-indexeddb's object store of updates (not exported by the package). */
const UPDATES_STORE = 'updates';

/** IndexedDB database name of a board (one per board, so boards never mix). */
export function persistenceName(board: string): string {
  return `kartenwand-board-${board}`;
}

export interface OfflineStore {
  /**
   * Settles once the stored copy is loaded into the doc (true), or when
   * this device keeps no copy (false: no IndexedDB, it failed, or it did
   * not answer within LOCAL_OPEN_TIMEOUT_MS).
   */
  readonly stores: Promise<boolean>;
  /**
   * Resolves once every change made so far is written to IndexedDB: true
   * then, false when the device keeps no copy.
   */
  whenStored(): Promise<boolean>;
  destroy(): void;
  /** Closes the store and deletes this board's copy from the device. */
  clear(): Promise<void>;
}

/** Keeps `doc` in this device's IndexedDB, or (without IndexedDB) in memory only. */
export function openOfflineStore(board: string, doc: Y.Doc): OfflineStore {
  let persistence: IndexeddbPersistence | null = null;
  // Whether this device keeps a copy: settled once IndexedDB is loaded, has
  // failed, or has not answered within LOCAL_OPEN_TIMEOUT_MS.
  let stores: Promise<boolean> = Promise.resolve(false);
  try {
    const opening = new IndexeddbPersistence(persistenceName(board), doc);
    persistence = opening;
    stores = new Promise<boolean>((resolve) => {
      void opening.whenSynced.then(() => resolve(true));
      // y-indexeddb's whenSynced never settles when the database cannot be
      // opened (storage full, some in-app and private browsers), and some
      // browsers leave the open request pending: never wait for ever.
      opening._db.catch(() => resolve(false));
      setTimeout(() => resolve(false), LOCAL_OPEN_TIMEOUT_MS);
    });
  } catch {
    // No IndexedDB at all: work online only.
  }

  // y-indexeddb writes each update in a readwrite transaction it opens on
  // the update event, and reports nothing when it commits. IndexedDB starts a
  // transaction only after the earlier ones on the same store have finished,
  // so a read on that store completes after every write before it.
  const whenStored = async (): Promise<boolean> => {
    if (!(await stores)) return false;
    const db = persistence?.db;
    if (!db) return false;
    return new Promise<boolean>((resolve) => {
      try {
        const transaction = db.transaction([UPDATES_STORE], 'readonly');
        transaction.objectStore(UPDATES_STORE).count();
        transaction.oncomplete = () => resolve(true);
        transaction.onabort = () => resolve(false);
      } catch {
        resolve(false);
      }
    });
  };

  return {
    stores,
    whenStored,
    destroy() {
      void persistence?.destroy();
    },
    async clear() {
      try {
        await persistence?.clearData();
      } catch {
        // The database was never opened (no IndexedDB): nothing is kept.
      }
    },
  };
}
