import { useState } from 'preact/hooks';
import { selectMeta } from '../../board';
import { t, useLocale } from '../../i18n';
import { Credentials, browserStorage } from '../../sync/credentials';
import { ConnectionStatus, TopBar } from '../../ui/components';
import { useBoard, useReadable } from '../../ui/hooks';
import type { Session } from '../../ui/session';
import { BoardDisplay } from '../shared/BoardDisplay';
import { mountSession } from '../shared/page';

/** Remote attendee, watch-only: follow the moderator or look around. */
function WatchView({ session }: { session: Session }) {
  useLocale();
  useBoard(session.board);
  const state = useReadable(session.connection.state);
  const [follow, setFollow] = useState(true);
  const meta = selectMeta(session.board);
  return (
    <>
      <TopBar title={meta.title}>
        <ConnectionStatus state={state} compact />
      </TopBar>
      <main id="main" class="watch">
        <div class="segmented" role="group" aria-label={t('watch.title')}>
          <button type="button" aria-pressed={follow} onClick={() => setFollow(true)}>
            {t('watch.follow')}
          </button>
          <button type="button" aria-pressed={!follow} onClick={() => setFollow(false)}>
            {t('watch.explore')}
          </button>
        </div>
        <BoardDisplay board={session.board} focus={follow ? meta.focus : { kind: 'overview' }} />
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
