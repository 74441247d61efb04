/**
 * The projector's gallery (`meta.focus` = `gallery`): the board's shown
 * photos one at a time, as large as the screen allows, with "3/7", moving
 * on every SLIDE_MS. The list is read again every LIST_POLL_MS, so a photo
 * the moderator approves joins the round; images are kept once loaded and
 * the next one is fetched ahead, so a slide never waits for the network.
 */
import './gallery.css';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { t, useLocale } from '../../i18n';
import { PhotoApi } from '../../sync/photos';
import { PhotoImage, usePolled } from './images';
import { shownPhotos } from './own';

/** How long one photo stays. */
export const SLIDE_MS = 7000;
const LIST_POLL_MS = 10_000;

export function GallerySlideshow({ boardId, token, api: given }: { boardId: string; token: string; api?: PhotoApi }) {
  useLocale();
  const api = useMemo(() => given ?? new PhotoApi(), [given]);
  const listed = usePolled(() => api.list(boardId, token), LIST_POLL_MS, `${boardId}:${token}`);
  const photos = shownPhotos(listed.data);
  const [index, setIndex] = useState(0);
  const cache = useRef(new Map<string, Promise<Blob>>());
  const total = photos.length;
  const current = total === 0 ? 0 : index % total;

  useEffect(() => {
    if (total < 2) return;
    const timer = setInterval(() => setIndex((i) => (i + 1) % total), SLIDE_MS);
    return () => clearInterval(timer);
  }, [total]);

  const image = (photo: string): Promise<Blob> => {
    let loading = cache.current.get(photo);
    if (!loading) {
      loading = api.boardImage(boardId, token, photo, 'full');
      // A failed image is tried again on its next turn.
      loading.catch(() => cache.current.delete(photo));
      cache.current.set(photo, loading);
    }
    return loading;
  };
  // The next one ahead of its turn.
  const next = total > 1 ? photos[(current + 1) % total] : undefined;
  useEffect(() => {
    if (next) void image(next.photo).catch(() => undefined);
  }, [next?.photo]);

  const photo = photos[current];
  return (
    <section class="display display-gallery" aria-label={t('gallery.slideshow.label')}>
      {photo ? (
        <figure class="slide">
          <PhotoImage
            key={photo.photo}
            id={photo.photo}
            class="slide-image"
            load={() => image(photo.photo)}
            alt={t('gallery.photoAlt', { n: current + 1, total })}
            width={photo.width}
            height={photo.height}
          />
          <figcaption class="slide-position">{t('gallery.slideshow.position', { n: current + 1, total })}</figcaption>
        </figure>
      ) : (
        <p class="slide-none">{listed.data === null ? t('app.loading') : t('gallery.none')}</p>
      )}
    </section>
  );
}
