/**
 * The event page's photos (`/e/{event}`): the shown photos of every board
 * of the event, for every participant, through the day and after it
 * (`GET /api/events/{event}/photos`). Read when opened and every
 * LIST_POLL_MS while open.
 */
import './gallery.css';
import { useMemo, useState } from 'preact/hooks';
import { t, useLocale } from '../../i18n';
import { PhotoApi, type PhotoSize } from '../../sync/photos';
import { usePolled } from './images';
import { PhotoGrid } from './PhotoGrid';

const LIST_POLL_MS = 30_000;

function EventPhotos({ eventId, token, api }: { eventId: string; token: string; api: PhotoApi }) {
  const listed = usePolled(() => api.eventList(eventId, token), LIST_POLL_MS, `${eventId}:${token}`);
  const load = (photo: string, size: PhotoSize): Promise<Blob> => api.eventImage(eventId, token, photo, size);
  const photos = (listed.data ?? []).map((photo) => ({
    photo: photo.photo,
    width: photo.width,
    height: photo.height,
    caption: photo.boardTitle ? t('gallery.event.from', { title: photo.boardTitle }) : '',
  }));
  return (
    <>
      {listed.error !== null && <p class="small muted">{t('gallery.loadFailed', { reason: listed.error })}</p>}
      {listed.data === null ? listed.error === null && <p class="muted">{t('app.loading')}</p> : <PhotoGrid photos={photos} load={load} />}
    </>
  );
}

export function EventGallery({ eventId, token, initiallyOpen, api: given }: { eventId: string; token: string; initiallyOpen: boolean; api?: PhotoApi }) {
  useLocale();
  const api = useMemo(() => given ?? new PhotoApi(), [given]);
  const [open, setOpen] = useState(initiallyOpen);
  return (
    <details class="panel event-gallery" open={open} onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>{t('gallery.event.heading')}</summary>
      {open && <EventPhotos eventId={eventId} token={token} api={api} />}
    </details>
  );
}
