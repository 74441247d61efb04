/**
 * `/organiser`: the organiser's desk. Sign-in (or, from an invitation link,
 * choosing a password), the organiser's conferences with their join codes,
 * a new conference (owned by the organiser), further access to each board
 * (co-moderation, watch only), each revoked alone, the organiser's events
 * (a new event of several boards; a new organiser link for each), and
 * invitations for colleagues. The session is the server's HttpOnly cookie:
 * nothing secret is kept in this page's storage but the moderator and
 * organiser links it opens.
 */
import './organiser.css';
import { type ComponentChildren, render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { t, tn, useLocale } from '../../i18n';
import { Api, ApiError, type CreatedLink, type DeskBoard, type DeskEvent, type DeskSeries, type OrganiserDesk } from '../../sync/api';
import { Credentials, browserStorage } from '../../sync/credentials';
import { TopBar } from '../../ui/components';
import { apiFailureText } from '../../ui/errors';
import { formatJoinCode } from '../../ui/join-code';
import { CreateConference } from '../start/StartView';
import { NewEvent } from '../event/CreateEvent';
import { NewSeries } from '../series/NewSeries';
import { SeriesApi } from '../../sync/series-api';
import { formatDate as formatIsoDate } from '../../ui/components';
import { Loading, Message } from '../shared/page';

function failureText(failure: unknown): string {
  if (failure instanceof ApiError && failure.status === 401) return t('organiser.wrong');
  if (failure instanceof ApiError && failure.status === 429) return t('organiser.tooMany');
  return t('organiser.error', { reason: apiFailureText(failure) });
}

function SignIn({ api, onSignedIn }: { api: Api; onSignedIn: () => void }) {
  useLocale();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      await api.signIn(email.trim(), password);
      onSignedIn();
    } catch (failure) {
      setBusy(false);
      setError(failureText(failure));
    }
  };
  return (
    <form class="panel form" onSubmit={(e) => void submit(e)}>
      <h1>{t('organiser.signInHeading')}</h1>
      <p>{t('organiser.signInIntro')}</p>
      <label for="organiser-email">{t('organiser.email')}</label>
      <input id="organiser-email" type="email" autocomplete="username" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
      <label for="organiser-password">{t('organiser.password')}</label>
      <input
        id="organiser-password"
        type="password"
        autocomplete="current-password"
        required
        value={password}
        onInput={(e) => setPassword(e.currentTarget.value)}
      />
      {error !== null && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" class="primary" disabled={busy}>
        {busy ? t('organiser.signingIn') : t('organiser.signIn')}
      </button>
    </form>
  );
}

function AcceptInvitation({ api, invitation, onSignedIn }: { api: Api; invitation: string; onSignedIn: () => void }) {
  useLocale();
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      await api.acceptInvitation(invitation, password);
      history.replaceState(null, '', '/organiser');
      onSignedIn();
    } catch (failure) {
      setBusy(false);
      setError(failure instanceof ApiError && failure.status === 404 ? t('organiser.invalidInvitation') : failureText(failure));
    }
  };
  return (
    <form class="panel form" onSubmit={(e) => void submit(e)}>
      <h1>{t('organiser.acceptHeading')}</h1>
      <p>{t('organiser.acceptIntro')}</p>
      <label for="organiser-new-password">{t('organiser.password')}</label>
      <input
        id="organiser-new-password"
        type="password"
        autocomplete="new-password"
        minLength={12}
        required
        value={password}
        onInput={(e) => setPassword(e.currentTarget.value)}
      />
      {error !== null && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" class="primary" disabled={busy}>
        {t('organiser.accept')}
      </button>
    </form>
  );
}

function formatDate(seconds: number): string {
  return new Date(seconds * 1000).toLocaleDateString(document.documentElement.lang || 'de');
}

function Conference({ api, credentials, board, reload }: { api: Api; credentials: Credentials; board: DeskBoard; reload: () => void }) {
  useLocale();
  const [label, setLabel] = useState('');
  const [role, setRole] = useState<'moderator' | 'viewer'>('moderator');
  const [created, setCreated] = useState<CreatedLink | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = async (action: () => Promise<void>): Promise<void> => {
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (failure) {
      setError(failureText(failure));
    } finally {
      setBusy(false);
    }
  };
  // The moderation opens with a link of its own for this desk, made once
  // per browser and kept like any moderator link.
  const openModeration = (): Promise<void> =>
    run(async () => {
      const stored = credentials.token(board.board, 'moderator');
      if (stored) {
        location.assign(`/b/${board.board}/moderate#token=${encodeURIComponent(stored)}`);
        return;
      }
      const link = await api.createLink(board.board, 'moderator', t('organiser.deskLink'));
      credentials.saveToken(board.board, 'moderator', link.token);
      location.assign(link.url);
    });
  const addLink = (event: Event): Promise<void> => {
    event.preventDefault();
    return run(async () => {
      const link = await api.createLink(board.board, role, label.trim());
      setCreated(link);
      setLabel('');
      reload();
    });
  };
  const headingId = `conference-${board.board}`;
  return (
    <article class="panel conference" aria-labelledby={headingId}>
      <h3 id={headingId}>{board.title}</h3>
      <p class="muted">
        {[board.district, t('organiser.created', { date: formatDate(board.created_at) })].filter((part) => part.length > 0).join(' · ')}
      </p>
      <p class="join-code">{formatJoinCode(board.join_code)}</p>
      <div class="button-row">
        <button type="button" class="primary" disabled={busy} onClick={() => void openModeration()}>
          {t('organiser.openModeration')}
        </button>
      </div>
      <h4>{t('organiser.links')}</h4>
      {board.links.length === 0 ? (
        <p class="muted">{t('organiser.noLinks')}</p>
      ) : (
        <ul class="plain-list links">
          {board.links.map((link) => (
            <li key={link.id}>
              <span>
                {link.label || '—'} · {t(link.role === 'moderator' ? 'organiser.roleModerator' : 'organiser.roleViewer')}
              </span>
              {link.revoked ? (
                <span class="muted"> · {t('organiser.revoked')}</span>
              ) : (
                <button
                  type="button"
                  class="danger"
                  disabled={busy}
                  onClick={() => {
                    if (window.confirm(t('organiser.revokeConfirm'))) void run(async () => {
                      await api.revokeLink(board.board, link.id);
                      reload();
                    });
                  }}
                >
                  {t('organiser.revoke')}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      <form class="link-form" onSubmit={(e) => void addLink(e)}>
        <div class="field">
          <label for={`${headingId}-label`}>{t('organiser.linkLabel')}</label>
          <input id={`${headingId}-label`} maxLength={80} value={label} onInput={(e) => setLabel(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for={`${headingId}-role`}>{t('organiser.linkRole')}</label>
          <select id={`${headingId}-role`} value={role} onChange={(e) => setRole(e.currentTarget.value === 'viewer' ? 'viewer' : 'moderator')}>
            <option value="moderator">{t('organiser.roleModerator')}</option>
            <option value="viewer">{t('organiser.roleViewer')}</option>
          </select>
        </div>
        <button type="submit" disabled={busy}>
          {t('organiser.addLink')}
        </button>
      </form>
      {created !== null && (
        <p class="new-link" role="status">
          {t('organiser.newLink', { label: created.label || '—' })} <code>{created.url}</code>
        </p>
      )}
      {error !== null && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </article>
  );
}

/**
 * An event or series of the organiser. Its organiser page needs its
 * token, which the server shows only once: this browser keeps the one it
 * got; a new link (the old one stops working) opens it anywhere else.
 */
function DeskLinkItem({
  id,
  title,
  details,
  children,
  openHref,
  openLabel,
  makeLink,
}: {
  id: string;
  title: string;
  details: string;
  children?: ComponentChildren;
  /** The page with the token this browser kept, if it kept one. */
  openHref: string | null;
  openLabel: string;
  /** Makes a new link, keeps its token on this device and returns its address. */
  makeLink: () => Promise<string>;
}) {
  useLocale();
  const [link, setLink] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const newLink = async (): Promise<void> => {
    if (busy || !window.confirm(t('organiser.eventLinkConfirm'))) return;
    setBusy(true);
    setError(null);
    try {
      setLink(await makeLink());
    } catch (failure) {
      setError(failureText(failure));
    } finally {
      setBusy(false);
    }
  };
  const headingId = `desk-${id}`;
  return (
    <article class="panel conference" aria-labelledby={headingId}>
      <h3 id={headingId}>{title}</h3>
      <p class="muted">{details}</p>
      {children}
      <div class="button-row">
        {openHref !== null && (
          <a class="button-link primary" href={openHref}>
            {openLabel}
          </a>
        )}
        <button type="button" disabled={busy} onClick={() => void newLink()}>
          {t('organiser.newEventLink')}
        </button>
      </div>
      {link !== null && (
        <p class="new-link" role="status">
          {t('organiser.eventLinkMade')} <a href={link}>{link}</a>
        </p>
      )}
      {error !== null && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </article>
  );
}

function DeskEventItem({ api, credentials, event }: { api: Api; credentials: Credentials; event: DeskEvent }) {
  useLocale();
  const stored = credentials.eventToken(event.event, 'organiser');
  return (
    <DeskLinkItem
      id={`event-${event.event}`}
      title={event.title}
      details={[formatIsoDate(event.date), event.venue, tn('organiser.boardsCount', event.boards.length)].filter((part) => part.length > 0).join(' · ')}
      openHref={stored === null ? null : `/e/${encodeURIComponent(event.event)}/organise#token=${encodeURIComponent(stored)}`}
      openLabel={t('organiser.openEvent')}
      makeLink={async () => {
        const created = await api.newOrganiserLink(event.event);
        credentials.saveEventToken(event.event, 'organiser', created.token);
        return created.url;
      }}
    >
      <p class="join-code">{formatJoinCode(event.join_code)}</p>
    </DeskLinkItem>
  );
}

function DeskSeriesItem({ api, credentials, series }: { api: Api; credentials: Credentials; series: DeskSeries }) {
  useLocale();
  const stored = credentials.seriesToken(series.series);
  return (
    <DeskLinkItem
      id={`series-${series.series}`}
      title={series.title}
      details={tn('organiser.conferencesCount', series.boards)}
      openHref={stored === null ? null : `/s/${encodeURIComponent(series.series)}#token=${encodeURIComponent(stored)}`}
      openLabel={t('organiser.openSeries')}
      makeLink={async () => {
        const created = await api.newSeriesLink(series.series);
        credentials.saveSeriesToken(series.series, created.token);
        return created.url;
      }}
    />
  );
}

function Invite({ api }: { api: Api }) {
  useLocale();
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [link, setLink] = useState<{ name: string; url: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    setError(null);
    try {
      const url = await api.inviteOrganiser(email.trim(), name.trim());
      setLink({ name: name.trim(), url });
      setEmail('');
      setName('');
    } catch (failure) {
      setError(failureText(failure));
    }
  };
  return (
    <form class="panel form" onSubmit={(e) => void submit(e)} aria-labelledby="invite-heading">
      <h2 id="invite-heading">{t('organiser.inviteHeading')}</h2>
      <label for="invite-name">{t('organiser.inviteName')}</label>
      <input id="invite-name" required maxLength={80} value={name} onInput={(e) => setName(e.currentTarget.value)} />
      <label for="invite-email">{t('organiser.email')}</label>
      <input id="invite-email" type="email" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
      <button type="submit">{t('organiser.invite')}</button>
      {link !== null && (
        <p role="status">
          {t('organiser.inviteLink', { name: link.name })} <code>{link.url}</code>
        </p>
      )}
      {error !== null && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}

function Desk({ api, credentials, desk, reload, signedOut }: { api: Api; credentials: Credentials; desk: OrganiserDesk; reload: () => void; signedOut: () => void }) {
  useLocale();
  return (
    <>
      <TopBar title={t('organiser.title')}>
        <button type="button" onClick={() => void api.signOut().then(signedOut, signedOut)}>
          {t('organiser.signOut')}
        </button>
      </TopBar>
      <main id="main" class="organiser">
        <p class="muted">{t('organiser.hello', { name: desk.name, email: desk.email })}</p>
        <CreateConference api={api} credentials={credentials} />
        <NewEvent api={api} credentials={credentials} />
        <NewSeries api={new SeriesApi()} credentials={credentials} />
        <section aria-labelledby="events-heading">
          <h2 id="events-heading">{t('organiser.events')}</h2>
          {(desk.events ?? []).length === 0 && <p class="muted">{t('organiser.noEvents')}</p>}
          {(desk.events ?? []).map((event) => (
            <DeskEventItem key={event.event} api={api} credentials={credentials} event={event} />
          ))}
        </section>
        <section aria-labelledby="series-heading">
          <h2 id="series-heading">{t('organiser.series')}</h2>
          {(desk.series ?? []).length === 0 && <p class="muted">{t('organiser.noSeries')}</p>}
          {(desk.series ?? []).map((series) => (
            <DeskSeriesItem key={series.series} api={api} credentials={credentials} series={series} />
          ))}
        </section>
        <section aria-labelledby="conferences-heading">
          <h2 id="conferences-heading">{t('organiser.conferences')}</h2>
          {desk.boards.length === 0 && <p class="muted">{t('organiser.noConferences')}</p>}
          {desk.boards.map((board) => (
            <Conference key={board.board} api={api} credentials={credentials} board={board} reload={reload} />
          ))}
        </section>
        <Invite api={api} />
      </main>
    </>
  );
}

type State = { kind: 'loading' } | { kind: 'signed-out' } | { kind: 'failed'; reason: string } | { kind: 'desk'; desk: OrganiserDesk };

export function OrganiserApp({ api, credentials, invitation }: { api: Api; credentials: Credentials; invitation: string | null }) {
  useLocale();
  const [state, setState] = useState<State>({ kind: 'loading' });
  const [pendingInvitation, setPendingInvitation] = useState(invitation);
  const load = (): void => {
    api.organiserDesk().then(
      (desk) => setState(desk ? { kind: 'desk', desk } : { kind: 'signed-out' }),
      (failure: unknown) => setState({ kind: 'failed', reason: apiFailureText(failure) }),
    );
  };
  useEffect(load, []);
  const signedIn = (): void => {
    setPendingInvitation(null);
    load();
  };
  switch (state.kind) {
    case 'loading':
      return <Loading />;
    case 'failed':
      return <Message title={t('organiser.error', { reason: state.reason })} />;
    case 'signed-out':
      return (
        <>
          <TopBar title={t('organiser.title')} />
          <main id="main" class="organiser">
            {pendingInvitation !== null ? (
              <AcceptInvitation api={api} invitation={pendingInvitation} onSignedIn={signedIn} />
            ) : (
              <SignIn api={api} onSignedIn={signedIn} />
            )}
          </main>
        </>
      );
    case 'desk':
      return <Desk api={api} credentials={credentials} desk={state.desk} reload={load} signedOut={() => setState({ kind: 'signed-out' })} />;
  }
}

export function mount(root: HTMLElement, invitation: string | null): void {
  render(<OrganiserApp api={new Api()} credentials={new Credentials(browserStorage())} invitation={invitation} />, root);
}
