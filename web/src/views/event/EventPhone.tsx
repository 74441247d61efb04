/**
 * `/e/{event}`: a participant's phone during an event. It follows the
 * event's part without a reload (sync/place.ts, a long poll): a banner says
 * where to go, the workshop choice is offered while it is open, and the
 * board of the moment (the plenary, the workshop, the reflection group) is
 * mounted with the participant screens of any board (ParticipantBoard). When
 * the place moves to another board, the old board's connection is closed
 * and the new one opened; the own profile goes into each board's document
 * the first time the phone enters it. Below: the day's programme, the
 * workshops, the photos of all its boards, and once the event has ended,
 * its results to download.
 */
import '../participant/participant.css';
import './event.css';
import { render } from 'preact';
import type { ComponentChildren } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { selectCardsBy, selectParticipant, setProfile } from '../../board';
import { deleteOfflineCopy, forgetBoard } from '../../device/forget';
import { openPhotoStore } from '../../device/photo-queue';
import { t, tn, useLocale } from '../../i18n';
import { Api, ApiError, type EventExportFormat, type EventInfo, type Place } from '../../sync/api';
import { Credentials, type EventParticipantRecord, browserStorage } from '../../sync/credentials';
import { followPlace } from '../../sync/place';
import { type Session, openSession } from '../../sync/session';
import { TopBar, formatDate } from '../../ui/components';
import { saveFile } from '../../ui/download';
import { apiFailureText } from '../../ui/errors';
import { Loading, Message } from '../shared/page';
import { ParticipantBoard } from '../participant/ParticipantBoard';
import { EventGallery } from '../gallery/EventGallery';
import { placeText, placesLeft, whereText } from './place-text';

/** How the long poll fares: answering, retrying after a failure, or refused for good. */
type Trouble = 'none' | 'retrying' | 'refused' | 'missing';

function PlaceBanner({ place, trouble }: { place: Place | null; trouble: Trouble }) {
  useLocale();
  return (
    <section class="event-banner" role="status" aria-live="polite" aria-label={t('event.phone.now')} data-part={place?.part ?? ''}>
      <p class="event-now">{t('event.phone.now')}</p>
      <p class="event-where">{place ? placeText(place) : t('app.loading')}</p>
      {trouble === 'retrying' && <p class="small">{t('event.phone.retrying')}</p>}
    </section>
  );
}

function WorkshopChoice({
  info,
  place,
  token,
  api,
  onChosen,
  onFull,
}: {
  info: EventInfo;
  place: Place;
  token: string;
  api: Api;
  onChosen: (place: Place) => void;
  onFull: () => void;
}) {
  useLocale();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const current = place.workshop;
  // Full workshops are not offered (the own one stays listed while it is the own).
  const workshops = info.boards.filter((board) => board.kind === 'workshop' && (!board.full || board.board === current));
  const choose = async (board: string): Promise<void> => {
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      onChosen(await api.choose(info.event, token, board));
    } catch (failure) {
      if (failure instanceof ApiError && failure.status === 409) {
        setError(t('event.choose.full'));
        onFull();
      } else setError(t('event.choose.error', { reason: apiFailureText(failure) }));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="workshop-choice" aria-labelledby="workshop-choice-heading">
      <h2 id="workshop-choice-heading">{current === null ? t('event.choose.heading') : t('event.choose.change')}</h2>
      {error !== null && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {workshops.length === 0 && <p>{t('event.choose.none')}</p>}
      <ul class="workshop-list">
        {workshops.map((board) => {
          const left = placesLeft(board);
          return (
            <li key={board.board} class="panel workshop" data-board={board.board}>
              <h3>{board.title}</h3>
              {board.location && <p class="workshop-location">{t('event.location', { location: board.location })}</p>}
              {board.description && <p class="workshop-description">{board.description}</p>}
              <p class="muted small">{left === null ? t('event.choose.unlimited') : tn('event.choose.left', left)}</p>
              {board.board === current ? (
                <p class="small">{t('event.choose.yours')}</p>
              ) : (
                <button type="button" class="primary" disabled={busy} onClick={() => void choose(board.board)}>
                  {t('event.choose.button', { title: board.title })}
                </button>
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}

function Programme({ info, open }: { info: EventInfo; open: boolean }) {
  useLocale();
  if (info.programme.length === 0) return null;
  return (
    <details class="panel programme" open={open}>
      <summary>{t('event.programme')}</summary>
      <ol class="plain-list">
        {info.programme.map((item, index) => (
          <li key={index} data-part={item.part ?? ''}>
            {item.time && <span class="programme-time">{item.time}</span>} <span>{item.title}</span>
            {item.location && <span class="muted"> · {item.location}</span>}
          </li>
        ))}
      </ol>
    </details>
  );
}

function Workshops({ info }: { info: EventInfo }) {
  useLocale();
  const workshops = info.boards.filter((board) => board.kind === 'workshop');
  if (workshops.length === 0) return null;
  return (
    <details class="panel programme">
      <summary>{t('event.workshops')}</summary>
      <ul class="plain-list">
        {workshops.map((board) => (
          <li key={board.board}>
            <strong>{whereText(board.title, board.location)}</strong>
            {board.description && <p class="small">{board.description}</p>}
          </li>
        ))}
      </ul>
    </details>
  );
}

/** The results once the event has ended: the participants may fetch the PDF and the Markdown. */
function Results({ info, token, api }: { info: EventInfo; token: string; api: Api }) {
  useLocale();
  const [state, setState] = useState<{ kind: 'idle' } | { kind: 'busy' } | { kind: 'done'; file: string } | { kind: 'failed'; reason: string }>({ kind: 'idle' });
  const download = async (format: EventExportFormat): Promise<void> => {
    if (state.kind === 'busy') return;
    setState({ kind: 'busy' });
    try {
      const file = await api.exportEvent(info.event, token, format, info.title);
      saveFile(file.blob, file.fileName);
      setState({ kind: 'done', file: file.fileName });
    } catch (failure) {
      setState({ kind: 'failed', reason: apiFailureText(failure) });
    }
  };
  return (
    <section class="panel results" aria-labelledby="results-heading">
      <h2 id="results-heading">{t('event.results.heading')}</h2>
      <p>{t('event.results.intro')}</p>
      <div class="button-row">
        {(['pdf', 'md'] as const).map((format) => (
          <button key={format} type="button" aria-disabled={state.kind === 'busy' ? 'true' : undefined} onClick={() => void download(format)}>
            {t(`event.results.${format}`)}
          </button>
        ))}
      </div>
      <p class="small" role="status">
        {state.kind === 'busy' && t('app.loading')}
        {state.kind === 'done' && t('exports.done', { file: state.file })}
      </p>
      {state.kind === 'failed' && (
        <p class="error" role="alert">
          {t('exports.failed', { reason: state.reason })}
        </p>
      )}
    </section>
  );
}

/**
 * One board of the event on this phone: its own document and connection,
 * closed when the phone moves on (the parent keys this by board id).
 */
function EventBoard({
  eventId,
  board,
  record,
  credentials,
  open,
  banner,
  footer,
}: {
  eventId: string;
  board: string;
  record: EventParticipantRecord;
  credentials: Credentials;
  open: OpenBoard;
  banner: ComponentChildren;
  footer: ComponentChildren;
}) {
  const session: Session = useMemo(() => open(board, record.token), [board, record.token]);
  const [ready, setReady] = useState(false);
  const [erased, setErased] = useState(false);
  const forgotten = useRef(false);
  useEffect(() => {
    let live = true;
    void session.connection.localReady.then(() => {
      if (!live) return;
      // The first time on this board: the own profile entry, keyed by the
      // participant id (nobody else may write it), as after a board's join.
      const written = credentials.eventParticipant(eventId)?.profileWritten.includes(board) ?? false;
      if (!written && selectParticipant(session.board, record.participantId) === null) {
        setProfile(session.board, record.participantId, record.profile);
      }
      credentials.markProfileWritten(eventId, board);
      setReady(true);
    });
    return () => {
      live = false;
      if (!forgotten.current) session.connection.destroy();
    };
  }, [session]);
  // The server erased the person from every board of the event: the phone
  // forgets the event, this board and the copies of the others it visited.
  const forget = (): void => {
    if (forgotten.current) return;
    forgotten.current = true;
    const ownCards = selectCardsBy(session.board, record.participantId).map((card) => card.id);
    const visited = credentials.eventParticipant(eventId)?.profileWritten ?? [];
    void session.connection.forget();
    void forgetBoard({ board, participantId: record.participantId, ownCards }, { credentials, storage: browserStorage(), photos: openPhotoStore() });
    for (const other of visited) if (other !== board) deleteOfflineCopy(other);
    credentials.forgetEventParticipant(eventId);
    setErased(true);
  };
  if (erased) {
    return (
      <Message title={t('myData.erased')}>
        <p role="status">{t('myData.erasedText')}</p>
      </Message>
    );
  }
  if (!ready) return <Loading />;
  return (
    <ParticipantBoard
      session={session}
      boardId={board}
      participantId={record.participantId}
      token={record.token}
      banner={banner}
      footer={footer}
      onErased={forget}
    />
  );
}

/** Opens a board's document and connection (a seam for the tests: openSession). */
export type OpenBoard = (board: string, token: string) => Session;

export function EventPhoneApp({
  eventId,
  api,
  credentials,
  record,
  open = openSession,
}: {
  eventId: string;
  api: Api;
  credentials: Credentials;
  record: EventParticipantRecord;
  open?: OpenBoard;
}) {
  useLocale();
  // The last place the server gave: a reload without network opens the same board.
  const [place, setPlace] = useState<Place | null>(() => credentials.lastPlace(eventId));
  const [info, setInfo] = useState<EventInfo | null>(null);
  const [trouble, setTrouble] = useState<Trouble>('none');
  const infoRequest = useRef(0);

  const loadInfo = (): void => {
    const request = ++infoRequest.current;
    api.event(eventId).then(
      (loaded) => {
        // Only the newest answer counts: an older one may say a workshop has room it no longer has.
        if (request !== infoRequest.current) return;
        if (loaded) setInfo(loaded);
        else setTrouble('missing');
      },
      () => {
        // Offline: the programme stays as it was; the next place brings it again.
      },
    );
  };
  const arrived = (next: Place): void => {
    credentials.savePlace(eventId, next);
    setPlace(next);
  };

  useEffect(() => {
    const controller = new AbortController();
    void followPlace(
      { api, event: eventId, token: record.token, signal: controller.signal },
      {
        onPlace: (next) => {
          arrived(next);
          setTrouble('none');
        },
        onTrouble: (failure, final) => {
          if (!final) setTrouble('retrying');
          else setTrouble(failure instanceof ApiError && failure.status === 404 ? 'missing' : 'refused');
        },
      },
    );
    return () => controller.abort();
  }, [eventId, record.token]);
  // Whenever something changed (a workshop filled up, the part moved), the
  // workshops' room and the part are read again.
  useEffect(loadInfo, [place?.version]);

  if (trouble === 'refused') {
    return (
      <Message title={t('event.phone.refused')}>
        <p>
          <a href="/join">{t('event.phone.joinAgain')}</a>
        </p>
      </Message>
    );
  }
  if (trouble === 'missing') return <Message title={t('event.phone.missing')} />;

  const banner = <PlaceBanner place={place} trouble={trouble} />;
  const choice =
    info && place && place.part === 'workshops' ? (
      <WorkshopChoice info={info} place={place} token={record.token} api={api} onChosen={arrived} onFull={loadInfo} />
    ) : null;
  const footer = info ? (
    <div class="event-footer">
      {place?.board && place.part === 'workshops' && <details class="panel change-workshop"><summary>{t('event.choose.change')}</summary>{choice}</details>}
      {place?.part === 'ended' && <Results info={info} token={record.token} api={api} />}
      <EventGallery key={place?.part === 'ended' ? 'ended' : 'day'} eventId={eventId} token={record.token} initiallyOpen={place?.part === 'ended'} />
      <Programme info={info} open={!place?.board} />
      <Workshops info={info} />
    </div>
  ) : null;

  if (place?.board) {
    return (
      <EventBoard
        key={place.board}
        eventId={eventId}
        board={place.board}
        record={record}
        credentials={credentials}
        open={open}
        banner={banner}
        footer={footer}
      />
    );
  }
  return (
    <>
      <TopBar title={info?.title ?? ''} />
      <main id="main" class="participant event-phone">
        {banner}
        {info && (
          <p class="muted">{[formatDate(info.date), info.venue].filter((part) => part.length > 0).join(' · ')}</p>
        )}
        {place?.choose && choice}
        {footer}
      </main>
    </>
  );
}

export function mount(root: HTMLElement, eventId: string): void {
  const credentials = new Credentials(browserStorage());
  const record = credentials.eventParticipant(eventId);
  if (!record) {
    render(
      <Message title={t('event.phone.notJoined')}>
        <p>
          <a href="/join">{t('event.phone.joinAgain')}</a>
        </p>
      </Message>,
      root,
    );
    return;
  }
  render(<EventPhoneApp eventId={eventId} api={new Api()} credentials={credentials} record={record} />, root);
}
