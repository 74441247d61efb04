import '../presenter/presenter.css';
import { selectMeta } from '../../board';
import { useLocale } from '../../i18n';
import { Credentials, browserStorage } from '../../sync/credentials';
import { ConnectionStatus, TopBar } from '../../ui/components';
import { useBoard, useReadable } from '../../ui/hooks';
import type { Session } from '../../sync/session';
import { FollowDisplay } from '../shared/FollowDisplay';
import { PhaseBar } from '../shared/PhaseBar';
import { mountSession } from '../shared/page';

/**
 * Remote attendee, watch-only: follows the moderator's focus like the
 * projector, or looks around on their own and comes back with one tap
 * (FollowDisplay, shared with the participant view's "Leinwand" screen).
 */
function WatchView({ session, boardId, token }: { session: Session; boardId: string; token: string }) {
  useLocale();
  useBoard(session.board);
  const state = useReadable(session.connection.state);
  const meta = selectMeta(session.board);
  return (
    <>
      <TopBar title={meta.title}>
        <ConnectionStatus state={state} compact />
      </TopBar>
      <main id="main" class="watch">
        <PhaseBar board={session.board} />
        <FollowDisplay board={session.board} photos={{ boardId, token }} />
      </main>
    </>
  );
}

export function mount(root: HTMLElement, board: string, hashToken: string | null): void {
  const credentials = new Credentials(browserStorage());
  const token = hashToken ?? credentials.token(board, 'viewer');
  if (hashToken) credentials.saveToken(board, 'viewer', hashToken);
  mountSession(root, board, token, null, (session, sessionToken) => <WatchView session={session} boardId={board} token={sessionToken} />);
}
