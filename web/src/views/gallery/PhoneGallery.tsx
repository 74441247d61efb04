/**
 * The phone's gallery screen: take a photo with the camera, see the own
 * photos (sending, waiting for a connection, waiting for approval, shown)
 * and the board's shown photos. The photo queue (device/photo-queue.ts)
 * lives as long as the participant's board is open, whatever screen it
 * shows, so a photo taken offline is sent when the connection is back even
 * if the person has moved on to write cards.
 */
import './gallery.css';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { selectMeta, type Board } from '../../board';
import { PhotoQueue, openPhotoStore } from '../../device/photo-queue';
import { t, useLocale } from '../../i18n';
import type { Connection } from '../../sync/connection';
import { Observable, type Readable } from '../../sync/observable';
import { PhotoApi, type PhotoSize } from '../../sync/photos';
import { useBoard, useReadable } from '../../ui/hooks';
import { LocalImage, PhotoImage, Refusal, usePolled } from './images';
import { ownPhotos, shownPhotos } from './own';
import { PhotoGrid } from './PhotoGrid';

/** How often the open gallery asks for the board's photos (approvals, others' photos). */
const LIST_POLL_MS = 10_000;

export interface PhoneQueue {
  queue: PhotoQueue;
  /** Counts the photos that arrived: the list is read again on each. */
  arrivals: Readable<number>;
}

/**
 * The participant's photo queue of this board while it is open: it sends
 * when the browser is online again and when the board's connection is.
 */
export function usePhotoQueue(boardId: string, participantId: string, token: string | undefined, connection: Connection, api: PhotoApi): PhoneQueue | null {
  const made = useMemo(() => {
    if (token === undefined) return null;
    const arrivals = new Observable(0);
    const queue = new PhotoQueue({
      board: boardId,
      participant: participantId,
      store: openPhotoStore(),
      upload: (photo, key) => api.upload(boardId, token, photo, key),
      onSent: () => arrivals.update((n) => n + 1),
    });
    return { queue, arrivals };
  }, [boardId, participantId, token]);
  useEffect(() => {
    if (!made) return;
    let status = connection.state.get().status;
    const stop = connection.state.subscribe((state) => {
      if (state.status === 'online' && status !== 'online') made.queue.kick();
      status = state.status;
    });
    return () => {
      stop();
      made.queue.destroy();
    };
  }, [made]);
  return made;
}

function OwnState({ text }: { text: string }) {
  return <span class="photo-state">{text}</span>;
}

export function PhoneGallery({
  board,
  boardId,
  participantId,
  token,
  photos,
  api,
}: {
  board: Board;
  boardId: string;
  participantId: string;
  token: string;
  photos: PhoneQueue;
  api: PhotoApi;
}) {
  useLocale();
  useBoard(board);
  const meta = selectMeta(board);
  const entries = useReadable(photos.queue.entries);
  const arrivals = useReadable(photos.arrivals);
  const listed = usePolled(() => api.list(boardId, token), LIST_POLL_MS, `${boardId}:${token}`);
  useEffect(() => {
    if (arrivals > 0) listed.refresh();
  }, [arrivals]);
  const camera = useRef<HTMLInputElement>(null);
  const [note, setNote] = useState<string | null>(null);
  const load = (photo: string, size: PhotoSize): Promise<Blob> => api.boardImage(boardId, token, photo, size);

  const take = async (files: FileList | null): Promise<void> => {
    if (!files || files.length === 0) return;
    let stored = true;
    for (const file of Array.from(files)) stored = (await photos.queue.add(file)) && stored;
    setNote(stored ? t('gallery.saved') : t('gallery.notStored'));
  };

  const own = ownPhotos(entries, listed.data, participantId);
  const shown = shownPhotos(listed.data);
  return (
    <section class="panel phone-gallery" aria-labelledby="gallery-heading">
      <h2 id="gallery-heading">{t('gallery.heading')}</h2>
      <p>{t('gallery.intro')}</p>
      {meta.photosNeedApproval && <p class="small">{t('gallery.approvalHint')}</p>}
      <input
        ref={camera}
        class="camera-input"
        type="file"
        accept="image/*"
        capture="environment"
        hidden
        onChange={(e) => {
          const input = e.currentTarget;
          void take(input.files).finally(() => {
            // The same picture may be chosen again.
            input.value = '';
          });
        }}
      />
      <button type="button" class="primary camera-button" onClick={() => camera.current?.click()}>
        {t('gallery.take')}
      </button>
      <p class="small" role="status">
        {note}
      </p>

      <h3>{t('gallery.own')}</h3>
      {own.length === 0 ? (
        <p class="muted">{t('gallery.ownNone')}</p>
      ) : (
        <ul class="own-photos">
          {own.map((item, i) => {
            const alt = t('gallery.ownAlt', { n: i + 1 });
            if (item.where === 'device') {
              const { entry } = item;
              return (
                <li key={entry.id} class="own-photo" data-state={entry.state}>
                  <LocalImage class="own-thumb" bytes={entry.bytes} type={entry.type} alt={alt} />
                  {entry.state === 'sending' && <OwnState text={t('gallery.state.sending')} />}
                  {entry.state === 'waiting' && <OwnState text={t('gallery.state.waiting')} />}
                  {entry.state === 'refused' && entry.refused && (
                    <span class="photo-state">
                      <strong>{t('gallery.state.refused')}</strong> <Refusal failure={entry.refused} />{' '}
                      <button type="button" onClick={() => void photos.queue.dismiss(entry.id)}>
                        {t('gallery.dismiss')}
                      </button>
                    </span>
                  )}
                </li>
              );
            }
            const { photo } = item;
            return (
              <li key={photo.photo} class="own-photo" data-state={photo.status}>
                <PhotoImage class="own-thumb" id={`${photo.photo}-thumbnail`} load={() => load(photo.photo, 'thumbnail')} alt={alt} width={photo.width} height={photo.height} />
                <OwnState text={t(`gallery.state.${photo.status}`)} />
              </li>
            );
          })}
        </ul>
      )}

      <h3>{t('gallery.board')}</h3>
      {listed.error !== null && <p class="small muted">{t('gallery.loadFailed', { reason: listed.error })}</p>}
      {listed.data !== null && <PhotoGrid photos={shown} load={load} />}
    </section>
  );
}
