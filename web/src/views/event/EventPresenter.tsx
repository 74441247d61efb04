/**
 * `/e/{event}/present#token=…`: the plenary projector during the workshops.
 * A column per workshop of the event, live: its title and room, how many
 * people are there (the board's `participants`, removed ones left out) and
 * its cards' texts once its moderator revealed them (before, the viewer
 * token receives no hidden text: only how many cards there are). Each workshop is its own board document, opened with
 * the event's viewer token (which watches every board of the event) through
 * the same sync as every other screen. Type for the back of the room: no
 * text under 18 px, shrunk to fit rather than scrolled (useFitToScreen).
 */
import '../presenter/presenter.css';
import './event.css';
import { render } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { selectCards, selectHiddenCardCount, selectParticipants } from '../../board';
import { t, tn, useLocale } from '../../i18n';
import { Api, type EventBoard, type EventInfo } from '../../sync/api';
import { Credentials, browserStorage } from '../../sync/credentials';
import { type Session, openSession } from '../../sync/session';
import { ConnectionStatus } from '../../ui/components';
import { useBoard, useFitToScreen, useReadable } from '../../ui/hooks';
import { Loading, Message } from '../shared/page';
import { whereText } from './place-text';

function WorkshopColumn({ board, session }: { board: EventBoard; session: Session }) {
  useLocale();
  useBoard(session.board);
  const state = useReadable(session.connection.state);
  const people = selectParticipants(session.board).length;
  const cards = selectCards(session.board);
  const hidden = selectHiddenCardCount(session.board);
  const headingId = `workshop-${board.board}`;
  return (
    <section class="workshop-column" aria-labelledby={headingId} data-board={board.board}>
      <h2 id={headingId}>{board.title}</h2>
      <p class="workshop-meta">
        {[board.location, tn('event.present.people', people)].filter((part) => part.length > 0).join(' · ')}
      </p>
      {state.status !== 'online' && <ConnectionStatus state={state} compact />}
      {hidden > 0 && <p class="muted">{tn('event.present.hidden', hidden)}</p>}
      {cards.length === 0 ? (
        hidden === 0 && <p class="muted">{t('event.present.noCards')}</p>
      ) : (
        <ul class="workshop-cards">
          {cards.map((card) => (
            <li key={card.id} class={`card card-${card.kind}`} data-card={card.id}>
              <p class="card-text">{card.text}</p>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function Projector({ info, token }: { info: EventInfo; token: string }) {
  useLocale();
  const workshops = info.boards.filter((board) => board.kind === 'workshop');
  // One session per workshop, for as long as the projector shows the event.
  const sessions = useMemo(() => new Map(workshops.map((board) => [board.board, openSession(board.board, token)])), [info.event, token]);
  useEffect(() => () => sessions.forEach((session) => session.connection.destroy()), [sessions]);
  const root = useRef<HTMLElement>(null);
  useFitToScreen(root);
  return (
    <main id="main" class="presenter event-presenter" ref={root}>
      <h1>{info.title}</h1>
      <p class="event-presenter-sub">{whereText(t('event.present.workshops'), info.venue)}</p>
      {workshops.length === 0 ? (
        <p>{t('event.present.none')}</p>
      ) : (
        <div class="workshop-columns" style={{ '--columns': String(Math.min(4, workshops.length)) }}>
          {workshops.map((board) => {
            const session = sessions.get(board.board);
            return session ? <WorkshopColumn key={board.board} board={board} session={session} /> : null;
          })}
        </div>
      )}
    </main>
  );
}

function EventPresenterApp({ eventId, token, api }: { eventId: string; token: string; api: Api }) {
  useLocale();
  const [info, setInfo] = useState<EventInfo | null | 'missing' | 'failed'>(null);
  const load = (): void => {
    api.event(eventId).then(
      (loaded) => setInfo(loaded ?? 'missing'),
      () => setInfo('failed'),
    );
  };
  useEffect(load, [eventId]);
  if (info === null) return <Loading />;
  if (info === 'missing') return <Message title={t('event.phone.missing')} />;
  if (info === 'failed') {
    return (
      <Message title={t('error.offline')}>
        <button type="button" class="primary" onClick={load}>
          {t('event.present.retry')}
        </button>
      </Message>
    );
  }
  return <Projector info={info} token={token} />;
}

export function mount(root: HTMLElement, eventId: string, hashToken: string | null): void {
  const credentials = new Credentials(browserStorage());
  const token = hashToken ?? credentials.eventToken(eventId, 'viewer');
  if (hashToken) credentials.saveEventToken(eventId, 'viewer', hashToken);
  if (token === null) {
    render(<Message title={t('status.refusedToken')} />, root);
    return;
  }
  render(<EventPresenterApp eventId={eventId} token={token} api={new Api()} />, root);
}
