import { useState } from 'preact/hooks';
import { type Board, type Focus, decodeFocus, encodeFocus, selectCases, selectMeta } from '../../board';
import { t, useLocale } from '../../i18n';
import { Credentials, browserStorage } from '../../sync/credentials';
import { ConnectionStatus, TopBar } from '../../ui/components';
import { useBoard, useReadable } from '../../ui/hooks';
import type { Session } from '../../ui/session';
import { BoardDisplay } from '../shared/BoardDisplay';
import { PhaseBar } from '../shared/PhaseBar';
import { mountSession } from '../shared/page';

/** What a remote attendee can look at on their own: every screen the presenter can show. */
function ExploreChoice({ board, focus, onChange }: { board: Board; focus: Focus; onChange: (focus: Focus) => void }) {
  const options: { value: string; label: string }[] = [
    { value: 'overview', label: t('watch.showCards') },
    { value: 'agenda', label: t('watch.showAgenda') },
    ...selectCases(board).map((c) => ({ value: encodeFocus({ kind: 'case', id: c.id }), label: c.title })),
    { value: 'agreements', label: t('watch.showAgreements') },
    { value: 'networks', label: t('watch.showNetworks') },
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

/**
 * Remote attendee, watch-only: follows the moderator's focus like the
 * projector, or looks around on their own and comes back with one tap. The
 * choice is this screen's own (not board state).
 */
function WatchView({ session }: { session: Session }) {
  useLocale();
  useBoard(session.board);
  const state = useReadable(session.connection.state);
  const meta = selectMeta(session.board);
  // null: following the moderator.
  const [own, setOwn] = useState<Focus | null>(null);
  return (
    <>
      <TopBar title={meta.title}>
        <ConnectionStatus state={state} compact />
      </TopBar>
      <main id="main" class="watch">
        <PhaseBar board={session.board} />
        <div class="segmented" role="group" aria-label={t('watch.title')}>
          <button type="button" aria-pressed={own === null} onClick={() => setOwn(null)}>
            {t('watch.follow')}
          </button>
          <button type="button" aria-pressed={own !== null} onClick={() => setOwn(own ?? meta.focus)}>
            {t('watch.explore')}
          </button>
        </div>
        {own !== null && <ExploreChoice board={session.board} focus={own} onChange={setOwn} />}
        <BoardDisplay board={session.board} focus={own ?? meta.focus} />
      </main>
    </>
  );
}

export function mount(root: HTMLElement, board: string, hashToken: string | null): void {
  const credentials = new Credentials(browserStorage());
  const token = hashToken ?? credentials.token(board, 'viewer');
  if (hashToken) credentials.saveToken(board, 'viewer', hashToken);
  mountSession(root, board, token, null, (session) => <WatchView session={session} />);
}
