import { type ComponentChildren, render } from 'preact';
import { t, useLocale } from '../../i18n';
import { TopBar } from '../../ui/components';
import { type Session, openSession } from '../../sync/session';

export function Message({ title, children }: { title: string; children?: ComponentChildren }) {
  useLocale();
  return (
    <>
      <TopBar title="" />
      <main id="main" class="message">
        <h1>{title}</h1>
        {children}
        <p>
          <a href="/">{t('app.toStart')}</a>
        </p>
      </main>
    </>
  );
}

export function Loading() {
  useLocale();
  return (
    <main id="main" class="message" aria-busy="true">
      <p>{t('app.loading')}</p>
    </main>
  );
}

/**
 * Opens a board session and renders `view` once the copy stored on this
 * device is loaded (immediately useful offline; the server's state merges in
 * when it arrives).
 */
export function mountSession(
  root: HTMLElement,
  boardId: string,
  token: string | null,
  origin: object | null,
  view: (session: Session, token: string) => ComponentChildren,
): void {
  if (token === null) {
    render(<Message title={t('status.refusedToken')} />, root);
    return;
  }
  render(<Loading />, root);
  const session = openSession(boardId, token, origin);
  void session.connection.localReady.then(() => render(<>{view(session, token)}</>, root));
}

export function mountNotFound(root: HTMLElement): void {
  render(<Message title={t('app.notFound')} />, root);
}
