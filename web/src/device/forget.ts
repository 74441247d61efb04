/**
 * What a phone forgets of a board once the person erased themselves there
 * (docs/protocol.md, "Erasing a person"): the server holds nothing of them
 * any more, so neither does the device. Their credentials, the drafts and
 * card edits in localStorage, the photos still waiting to be sent, and the
 * board's offline copy in IndexedDB (the connection's `forget`, which the
 * caller runs: it owns the connection).
 */
import type { Credentials } from '../sync/credentials';
import { persistenceName } from '../sync/offline';
import { cardDraftKey, cardEditKey, proposalDraftKey, returnedCardsKey, returnedProposalsKey } from './drafts';
import type { KeyValueStorage } from './persisted-state';
import type { PhotoStore } from './photo-queue';

export interface ForgetTarget {
  board: string;
  participantId: string;
  /** The person's own cards on the board, whose edits may wait in localStorage. */
  ownCards: readonly string[];
}

export interface DeviceStores {
  credentials: Credentials;
  /** localStorage, or null where there is none. */
  storage: KeyValueStorage | null;
  photos: Promise<PhotoStore>;
}

/** Forgets everything this device keeps of the person on the board. Never throws. */
export async function forgetBoard(target: ForgetTarget, stores: DeviceStores): Promise<void> {
  stores.credentials.forgetParticipant(target.board);
  const keys = [
    cardDraftKey(target.board),
    proposalDraftKey(target.board),
    returnedCardsKey(target.board),
    returnedProposalsKey(target.board),
    ...target.ownCards.map(cardEditKey),
  ];
  for (const key of keys) {
    try {
      stores.storage?.removeItem(key);
    } catch {
      // A storage that refuses: nothing was kept there either.
    }
  }
  try {
    const photos = await stores.photos;
    for (const photo of await photos.list(target.board, target.participantId)) await photos.remove(photo.id);
  } catch {
    // No photo store: no queued photos.
  }
}

/**
 * Deletes the offline copy of a board this page has not open (an event's
 * other boards). Never throws; a copy another tab holds open goes once
 * that tab closes (IndexedDB's own rule).
 */
export function deleteOfflineCopy(board: string, factory: IDBFactory | undefined = (globalThis as { indexedDB?: IDBFactory }).indexedDB): void {
  try {
    factory?.deleteDatabase(persistenceName(board));
  } catch {
    // No IndexedDB: no copy.
  }
}
