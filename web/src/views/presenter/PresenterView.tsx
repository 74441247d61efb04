import './presenter.css';
import { selectMeta } from '../../board';
import { Credentials, browserStorage } from '../../sync/credentials';
import { ConnectionStatus } from '../../ui/components';
import { useRef } from 'preact/hooks';
import { useBoard, useFitToScreen, useReadable } from '../../ui/hooks';
import type { Session } from '../../sync/session';
import { useLocale } from '../../i18n';
import { BoardDisplay } from '../shared/BoardDisplay';
import { GallerySlideshow } from '../gallery/Slideshow';
import { PhaseBar } from '../shared/PhaseBar';
import { mountSession } from '../shared/page';

/**
 * The projector: large type, read-only, follows the moderator's focus; phase and countdown on top.
 * The gallery's slideshow needs the token (photos come over HTTP, not in the document).
 */
export function PresenterView({ session, boardId, token }: { session: Session; boardId?: string; token?: string }) {
  useLocale();
  useBoard(session.board);
  const state = useReadable(session.connection.state);
  const meta = selectMeta(session.board);
  const root = useRef<HTMLElement>(null);
  useFitToScreen(root);
  return (
    <main id="main" class="presenter" ref={root}>
      <PhaseBar board={session.board} large />
      {meta.focus.kind === 'gallery' && boardId && token ? (
        <GallerySlideshow boardId={boardId} token={token} />
      ) : (
        <BoardDisplay board={session.board} focus={meta.focus} />
      )}
      {state.status !== 'online' && (
        <div class="presenter-status">
          <ConnectionStatus state={state} compact />
        </div>
      )}
    </main>
  );
}

export function mount(root: HTMLElement, board: string, hashToken: string | null): void {
  const credentials = new Credentials(browserStorage());
  const token = hashToken ?? credentials.token(board, 'viewer');
  if (hashToken) credentials.saveToken(board, 'viewer', hashToken);
  mountSession(root, board, token, null, (session, sessionToken) => <PresenterView session={session} boardId={board} token={sessionToken} />);
}
