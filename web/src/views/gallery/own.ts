/**
 * The phone's own photos in one list: those still on the device (the
 * queue: sending, waiting for a connection, refused) and those the server
 * has (waiting for approval, shown, hidden), oldest first.
 */
import type { QueueEntry } from '../../device/photo-queue';
import type { BoardPhoto } from '../../sync/photos';

export type OwnPhoto =
  | { where: 'device'; entry: QueueEntry }
  | { where: 'server'; photo: BoardPhoto };

export function ownPhotos(queued: readonly QueueEntry[], listed: readonly BoardPhoto[] | null, participantId: string): OwnPhoto[] {
  const onServer: OwnPhoto[] = (listed ?? []).filter((p) => p.author === participantId).map((photo) => ({ where: 'server', photo }));
  // What is still on the device came after what the server has.
  const onDevice: OwnPhoto[] = [...queued].sort((a, b) => a.createdAt - b.createdAt).map((entry) => ({ where: 'device', entry }));
  return [...onServer, ...onDevice];
}

/** The shown photos of the board, for the gallery of everyone. */
export function shownPhotos(listed: readonly BoardPhoto[] | null): BoardPhoto[] {
  return (listed ?? []).filter((p) => p.status === 'shown');
}
