/**
 * Thumbnails of shown photos; one of them, tapped, large above them until
 * closed. Used by the phone's gallery and the event page.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { t } from '../../i18n';
import type { PhotoSize } from '../../sync/photos';
import { PhotoImage } from './images';

export interface GridPhoto {
  photo: string;
  width: number;
  height: number;
  /** A line under the thumbnail (the board on the event page). */
  caption?: string;
}

export function PhotoGrid({ photos, load }: { photos: readonly GridPhoto[]; load: (photo: string, size: PhotoSize) => Promise<Blob> }) {
  const [open, setOpen] = useState<string | null>(null);
  const close = useRef<HTMLButtonElement>(null);
  const opener = useRef<string | null>(null);
  const index = photos.findIndex((p) => p.photo === open);
  useEffect(() => {
    if (open !== null) close.current?.focus();
  }, [open]);
  const shut = (): void => {
    const back = opener.current;
    setOpen(null);
    // Back to the thumbnail it was opened from, for keyboard users.
    if (back) requestAnimationFrame(() => document.querySelector<HTMLButtonElement>(`[data-photo="${back}"]`)?.focus());
  };
  if (photos.length === 0) return <p class="muted">{t('gallery.none')}</p>;
  const total = photos.length;
  const large = index >= 0 ? photos[index] : undefined;
  return (
    <div class="photo-grid-wrap">
      {large && (
        <figure class="photo-large" onKeyDown={(e) => e.key === 'Escape' && shut()}>
          <PhotoImage
            id={`${large.photo}-full`}
            load={() => load(large.photo, 'full')}
            alt={t('gallery.photoAlt', { n: index + 1, total })}
            width={large.width}
            height={large.height}
          />
          <figcaption>
            <span>
              {t('gallery.slideshow.position', { n: index + 1, total })}
              {large.caption && ` · ${large.caption}`}
            </span>
            <button type="button" ref={close} onClick={shut}>
              {t('gallery.close')}
            </button>
          </figcaption>
        </figure>
      )}
      <ul class="photo-grid">
        {photos.map((photo, i) => (
          <li key={photo.photo}>
            <button
              type="button"
              class="photo-thumb"
              data-photo={photo.photo}
              aria-label={t('gallery.openPhoto', { n: i + 1, total })}
              onClick={() => {
                opener.current = photo.photo;
                setOpen(photo.photo);
              }}
            >
              <PhotoImage
                id={`${photo.photo}-thumbnail`}
                load={() => load(photo.photo, 'thumbnail')}
                alt={t('gallery.photoAlt', { n: i + 1, total })}
                width={photo.width}
                height={photo.height}
              />
            </button>
            {photo.caption && <span class="small muted photo-caption">{photo.caption}</span>}
          </li>
        ))}
      </ul>
    </div>
  );
}
