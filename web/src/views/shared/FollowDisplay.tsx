/**
 * What the moderation shows, for a remote attendee: the presenter's display
 * (BoardDisplay) following `meta.focus`, or, after "Selbst umsehen", a
 * screen of the attendee's own choosing until they tap "Der Moderation
 * folgen". Used by the watch-only view and by the participant view's
 * "Leinwand" screen. The choice is this screen's own (not board state).
 */
import { useState } from 'preact/hooks';
import { type Board, type Focus, decodeFocus, encodeFocus, selectCases, selectMeta } from '../../board';
import { t } from '../../i18n';
import { GallerySlideshow } from '../gallery/Slideshow';
import { BoardDisplay } from './BoardDisplay';

/** The board and a token of it: the photos come over HTTP, not in the document. */
export interface PhotoAccess {
  boardId: string;
  token: string;
}

/** What a remote attendee can look at on their own: every screen the presenter can show. */
function ExploreChoice({ board, focus, onChange, photos }: { board: Board; focus: Focus; onChange: (focus: Focus) => void; photos: boolean }) {
  const options: { value: string; label: string }[] = [
    { value: 'overview', label: t('watch.showCards') },
    { value: 'agenda', label: t('watch.showAgenda') },
    ...selectCases(board).map((c) => ({ value: encodeFocus({ kind: 'case', id: c.id }), label: c.title })),
    { value: 'agreements', label: t('watch.showAgreements') },
    { value: 'networks', label: t('watch.showNetworks') },
    ...(photos ? [{ value: 'gallery', label: t('gallery.screen') }] : []),
  ];
  const value = encodeFocus(focus);
  // Left follow mode while the moderator was on a spotlight, a cluster or a card: keep it selectable.
  if (!options.some((o) => o.value === value)) options.unshift({ value, label: t('watch.showWhereLeft') });
  return (
    <p class="inline-form explore-choice">
      <label for="explore-choice">{t('watch.lookAt')}</label>
      <select id="explore-choice" value={value} onChange={(e) => onChange(decodeFocus(e.currentTarget.value))}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </p>
  );
}

export function FollowDisplay({ board, photos }: { board: Board; photos?: PhotoAccess }) {
  const meta = selectMeta(board);
  // null: following the moderator.
  const [own, setOwn] = useState<Focus | null>(null);
  const focus = own ?? meta.focus;
  return (
    <div class="follow-display" data-following={own === null ? 'true' : 'false'}>
      <div class="segmented" role="group" aria-label={t('watch.title')}>
        <button type="button" aria-pressed={own === null} onClick={() => setOwn(null)}>
          {t('watch.follow')}
        </button>
        <button type="button" aria-pressed={own !== null} onClick={() => setOwn(own ?? meta.focus)}>
          {t('watch.explore')}
        </button>
      </div>
      {own !== null && <ExploreChoice board={board} focus={own} onChange={setOwn} photos={photos !== undefined} />}
      {focus.kind === 'gallery' && photos ? <GallerySlideshow boardId={photos.boardId} token={photos.token} /> : <BoardDisplay board={board} focus={focus} />}
    </div>
  );
}
