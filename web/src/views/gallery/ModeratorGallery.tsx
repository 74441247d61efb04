/**
 * The moderator's photos: upload from a file, whether participants' photos
 * wait for approval (`meta.photosNeedApproval`), the waiting ones to
 * approve or hide, every photo to show, hide or delete, and the projector's
 * slideshow (`focus: gallery`). The list is read again every few seconds
 * while the panel is open and after each own action: photos are not in the
 * board document, so no websocket message brings them.
 */
import './gallery.css';
import { useMemo, useState } from 'preact/hooks';
import { type Board, selectMeta, selectParticipants, setFocus, setPhotosNeedApproval } from '../../board';
import { t, useLocale } from '../../i18n';
import { type BoardPhoto, PHOTO_TYPES, PhotoApi } from '../../sync/photos';
import { apiFailureText } from '../../ui/errors';
import { useBoard } from '../../ui/hooks';
import { PhotoImage, Refusal, refusalOf, usePolled } from './images';

/** How often the open panel reads the list (a phone's new photo shows within this). */
const LIST_POLL_MS = 5000;

export function ModeratorGallery({ board, boardId, token, api: given }: { board: Board; boardId: string; token: string; api?: PhotoApi }) {
  useLocale();
  useBoard(board);
  const api = useMemo(() => given ?? new PhotoApi(), [given]);
  const meta = selectMeta(board);
  const names = new Map(selectParticipants(board).map((p) => [p.id, p.name]));
  const listed = usePolled(() => api.list(boardId, token), LIST_POLL_MS, `${boardId}:${token}`);
  const [uploading, setUploading] = useState(false);
  const [uploadNote, setUploadNote] = useState<{ ok: true } | { ok: false; failure: { status: number; message: string } } | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const photos = listed.data ?? [];
  const pending = photos.filter((p) => p.status === 'pending');
  const projecting = meta.focus.kind === 'gallery';

  const upload = async (files: FileList | null): Promise<void> => {
    if (!files || files.length === 0 || uploading) return;
    setUploading(true);
    setUploadNote(null);
    try {
      for (const file of Array.from(files)) await api.upload(boardId, token, file);
      setUploadNote({ ok: true });
    } catch (failure) {
      setUploadNote({ ok: false, failure: refusalOf(failure) });
    } finally {
      setUploading(false);
      listed.refresh();
    }
  };
  const act = (action: () => Promise<void>): void => {
    setActionError(null);
    action().then(
      () => listed.refresh(),
      (failure: unknown) => {
        setActionError(apiFailureText(failure));
        listed.refresh();
      },
    );
  };
  const author = (photo: BoardPhoto): string =>
    photo.author === 'moderator' ? t('gallery.mod.byModerator') : t('gallery.mod.byParticipant', { name: names.get(photo.author) ?? '–' });
  const load = (photo: BoardPhoto) => () => api.boardImage(boardId, token, photo.photo, 'thumbnail');
  const total = photos.length;

  return (
    <section class="panel moderator-gallery" aria-labelledby="moderator-gallery-heading">
      <h2 id="moderator-gallery-heading">{t('gallery.heading')}</h2>
      <div class="gallery-controls">
        <div class="checkbox">
          <input id="gallery-approval" type="checkbox" checked={meta.photosNeedApproval} onChange={(e) => setPhotosNeedApproval(board, e.currentTarget.checked)} />
          <label for="gallery-approval">{t('gallery.mod.approval')}</label>
        </div>
        <button type="button" aria-pressed={projecting} onClick={() => setFocus(board, projecting ? { kind: 'overview' } : { kind: 'gallery' })}>
          {t('gallery.mod.project')}
        </button>
        {projecting && <p class="small">{t('gallery.mod.projecting')}</p>}
        <p>
          <label for="gallery-upload">{t('gallery.mod.upload')}</label>{' '}
          <input id="gallery-upload" type="file" accept={PHOTO_TYPES.join(',')} multiple disabled={uploading} onChange={(e) => {
            const input = e.currentTarget;
            void upload(input.files).finally(() => (input.value = ''));
          }} />
        </p>
        <p class="small" role="status">
          {uploading && t('gallery.mod.uploading')}
          {uploadNote?.ok && t('gallery.mod.uploaded')}
        </p>
        {uploadNote && !uploadNote.ok && (
          <p class="error" role="alert">
            <Refusal failure={uploadNote.failure} />
          </p>
        )}
        {actionError !== null && (
          <p class="error" role="alert">
            {t('gallery.mod.actionFailed', { reason: actionError })}
          </p>
        )}
        {listed.error !== null && <p class="small muted">{t('gallery.loadFailed', { reason: listed.error })}</p>}
      </div>

      {pending.length > 0 && (
        <section aria-labelledby="gallery-pending-heading">
          <h3 id="gallery-pending-heading">{t('gallery.mod.pending', { n: pending.length })}</h3>
          <ul class="moderator-photos">
            {pending.map((photo) => (
              <li key={photo.photo} class="moderator-photo" data-photo={photo.photo} data-status={photo.status}>
                <PhotoImage id={`${photo.photo}-thumbnail`} load={load(photo)} alt={t('gallery.photoAlt', { n: photos.indexOf(photo) + 1, total })} width={photo.width} height={photo.height} />
                <span class="small">{author(photo)}</span>
                <span class="button-row">
                  <button type="button" class="primary" onClick={() => act(() => api.setStatus(boardId, token, photo.photo, 'shown'))}>
                    {t('gallery.mod.approve')}
                  </button>
                  <button type="button" onClick={() => act(() => api.setStatus(boardId, token, photo.photo, 'hidden'))}>
                    {t('gallery.mod.hide')}
                  </button>
                </span>
              </li>
            ))}
          </ul>
        </section>
      )}

      <section aria-labelledby="gallery-all-heading">
        <h3 id="gallery-all-heading">{t('gallery.mod.all', { n: total })}</h3>
        {listed.data !== null && total === 0 && <p class="muted">{t('gallery.none')}</p>}
        <ul class="moderator-photos">
          {photos.map((photo, i) => (
            <li key={photo.photo} class="moderator-photo" data-photo={photo.photo} data-status={photo.status}>
              <PhotoImage id={`${photo.photo}-thumbnail`} load={load(photo)} alt={t('gallery.photoAlt', { n: i + 1, total })} width={photo.width} height={photo.height} />
              <span class="small">
                {t(`gallery.status.${photo.status}`)} · {author(photo)}
              </span>
              <span class="button-row">
                {photo.status === 'shown' ? (
                  <button type="button" onClick={() => act(() => api.setStatus(boardId, token, photo.photo, 'hidden'))}>
                    {t('gallery.mod.hide')}
                  </button>
                ) : (
                  <button type="button" onClick={() => act(() => api.setStatus(boardId, token, photo.photo, 'shown'))}>
                    {photo.status === 'pending' ? t('gallery.mod.approve') : t('gallery.mod.show')}
                  </button>
                )}
                <button
                  type="button"
                  class="danger"
                  onClick={() => {
                    if (window.confirm(t('gallery.mod.deleteConfirm'))) act(() => api.remove(boardId, token, photo.photo));
                  }}
                >
                  {t('gallery.mod.delete')}
                </button>
              </span>
            </li>
          ))}
        </ul>
      </section>
    </section>
  );
}
