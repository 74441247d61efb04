/**
 * `/join/{code}`: the participant's phone (and a remote attendee with
 * participant rights). A returning device is recognised by the token stored
 * for the board and goes straight to its cards, offline too. An event's code
 * (an event of several boards) shows the event's join form and then the
 * event phone (`/e/{event}`, views/event/EventPhone.tsx).
 */
import './participant.css';
import { render } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { isSector, selectCardsBy, setProfile } from '../../board';
import { forgetBoard } from '../../device/forget';
import { openPhotoStore } from '../../device/photo-queue';
import { t, useLocale } from '../../i18n';
import { Api, ApiError, type CodeLookup, type PersonalPreview } from '../../sync/api';
import { Credentials, type ParticipantCredentials, browserStorage } from '../../sync/credentials';
import { type Session, openSession } from '../../sync/session';
import { SectorTag, TopBar } from '../../ui/components';
import { JoinByCode } from '../start/StartView';
import { Loading, Message } from '../shared/page';
import { EventJoin } from '../event/EventJoin';
import { JoinForm, type JoinResult } from './JoinForm';
import { ParticipantBoard } from './ParticipantBoard';

type Step =
  | { step: 'resolving' }
  | { step: 'unknown' }
  | { step: 'offline' }
  /** The server asked to wait (429: many lookups from this network at once). */
  | { step: 'busy' }
  | { step: 'join'; board: string; lookup: CodeLookup }
  | { step: 'board'; board: string; participant: ParticipantCredentials; fresh: JoinResult | null }
  /** An event's code: its join form, or (joined before on this phone) the event phone. */
  | { step: 'event-join'; event: string }
  | { step: 'event'; event: string };

/** The step for a resolved code: the board or the event, joined before on this device or not. */
function stepFor(lookup: CodeLookup, credentials: Credentials): Step {
  if (lookup.board === undefined) {
    if (lookup.event === undefined) return { step: 'unknown' };
    return credentials.eventParticipant(lookup.event) ? { step: 'event', event: lookup.event } : { step: 'event-join', event: lookup.event };
  }
  const participant = credentials.participant(lookup.board);
  return participant ? { step: 'board', board: lookup.board, participant, fresh: null } : { step: 'join', board: lookup.board, lookup };
}

/** Opens the event phone in place of this page (the join link stays out of the history). */
function ToEvent({ event }: { event: string }) {
  useEffect(() => location.replace(`/e/${encodeURIComponent(event)}`), [event]);
  return <Loading />;
}

function BoardSession({
  board,
  participant,
  fresh,
  credentials,
}: {
  board: string;
  participant: ParticipantCredentials;
  fresh: JoinResult | null;
  credentials: Credentials;
}) {
  const session: Session = useMemo(() => openSession(board, participant.token), [board, participant.token]);
  const [ready, setReady] = useState(false);
  const [erased, setErased] = useState(false);
  const forgotten = useRef(false);
  useEffect(() => {
    let live = true;
    void session.connection.localReady.then(() => {
      if (!live) return;
      // Right after joining, write the own profile entry (keyed by the new
      // participant id, so nobody else can have written it).
      if (fresh) setProfile(session.board, participant.participantId, fresh.profile);
      setReady(true);
    });
    return () => {
      live = false;
      if (!forgotten.current) session.connection.destroy();
    };
  }, [session]);
  // The server erased the person: the device forgets the board too.
  const forget = (): void => {
    if (forgotten.current) return;
    forgotten.current = true;
    const ownCards = selectCardsBy(session.board, participant.participantId).map((card) => card.id);
    void session.connection.forget();
    void forgetBoard(
      { board, participantId: participant.participantId, ownCards },
      { credentials, storage: browserStorage(), photos: openPhotoStore() },
    );
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
  return <ParticipantBoard session={session} boardId={board} participantId={participant.participantId} token={participant.token} onErased={forget} />;
}

function ParticipantApp({ code, api, credentials }: { code: string; api: Api; credentials: Credentials }) {
  useLocale();
  const [step, setStep] = useState<Step>(() => {
    const cached = credentials.code(code);
    const known = cached ? stepFor(cached, credentials) : null;
    return known && (known.step === 'board' || known.step === 'event') ? known : { step: 'resolving' };
  });

  const resolve = (): void => {
    setStep({ step: 'resolving' });
    api.lookupCode(code).then(
      (lookup) => {
        if (!lookup) {
          setStep({ step: 'unknown' });
          return;
        }
        credentials.saveCode(code, lookup);
        setStep(stepFor(lookup, credentials));
      },
      (error: unknown) =>
        setStep(
          error instanceof ApiError && error.status === 429
            ? { step: 'busy' }
            : error instanceof ApiError && !error.offline
              ? { step: 'unknown' }
              : { step: 'offline' },
        ),
    );
  };
  useEffect(() => {
    if (step.step === 'resolving') resolve();
  }, []);

  switch (step.step) {
    case 'resolving':
      return <Loading />;
    case 'unknown':
      return (
        <>
          <TopBar title="" />
          <main id="main" class="participant">
            <p class="error" role="alert">
              {t('join.unknownCode')}
            </p>
            <JoinByCode />
          </main>
        </>
      );
    case 'offline':
    case 'busy':
      return (
        <Message title={t(step.step === 'busy' ? 'join.busyCode' : 'join.offlineCode')}>
          <button type="button" class="primary" onClick={resolve}>
            {t('start.joinButton')}
          </button>
        </Message>
      );
    case 'join':
      return (
        <>
          <TopBar title="" />
          <main id="main" class="participant">
            <JoinForm
              code={code}
              title={step.lookup.title}
              subtitle={step.lookup.district}
              join={(request) => api.join(step.board, request)}
              onJoined={(result) => {
                const participant = { participantId: result.participantId, token: result.token };
                credentials.saveParticipant(step.board, participant);
                setStep({ step: 'board', board: step.board, participant, fresh: result });
              }}
            />
          </main>
        </>
      );
    case 'board':
      return <BoardSession board={step.board} participant={step.participant} fresh={step.fresh} credentials={credentials} />;
    case 'event-join':
      return <EventJoin api={api} credentials={credentials} code={code} event={step.event} />;
    case 'event':
      return <ToEvent event={step.event} />;
  }
}

export function mount(root: HTMLElement, code: string | null): void {
  if (code === null) {
    render(
      <>
        <TopBar title="" />
        <main id="main" class="participant">
          <JoinByCode />
        </main>
      </>,
      root,
    );
    return;
  }
  render(<ParticipantApp code={code} api={new Api()} credentials={new Credentials(browserStorage())} />, root);
}

type PersonalStep =
  | { step: 'checking' }
  | { step: 'unknown' }
  | { step: 'offline' }
  | { step: 'busy' }
  | { step: 'confirm'; preview: PersonalPreview }
  | { step: 'board'; participant: ParticipantCredentials; fresh: JoinResult | null };

/**
 * `/b/{board}/join#code=…`: a person registered before the day scanned the
 * QR code on their page. The phone shows who the code belongs to; the person
 * confirms, decides on the contact list, and is in, without typing.
 */
function PersonalApp({ board, code, api, credentials }: { board: string; code: string; api: Api; credentials: Credentials }) {
  useLocale();
  const [step, setStep] = useState<PersonalStep>({ step: 'checking' });
  const [consent, setConsent] = useState(false);
  const [joining, setJoining] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const stored = credentials.participant(board);

  const check = (): void => {
    setStep({ step: 'checking' });
    api.personalPreview(board, code).then(
      (preview) => {
        if (!preview) {
          setStep({ step: 'unknown' });
          return;
        }
        // This phone is already this person's: straight to the board.
        if (stored && stored.participantId === preview.participant_id) {
          setStep({ step: 'board', participant: stored, fresh: null });
          return;
        }
        setStep({ step: 'confirm', preview });
      },
      (failure: unknown) => {
        if (failure instanceof ApiError && failure.status === 429) setStep({ step: 'busy' });
        else if (failure instanceof ApiError && !failure.offline) setStep({ step: 'unknown' });
        else setStep({ step: 'offline' });
      },
    );
  };
  useEffect(check, []);

  const join = async (preview: PersonalPreview): Promise<void> => {
    if (joining) return;
    setJoining(true);
    setError(null);
    try {
      const joined = await api.joinPersonal(board, code, consent);
      const participant = { participantId: joined.participant_id, token: joined.token };
      credentials.saveParticipant(board, participant);
      const sector = isSector(preview.sector) ? preview.sector : 'stadtteil';
      setStep({
        step: 'board',
        participant,
        fresh: { ...participant, profile: { name: preview.name, organisation: preview.organisation, sector } },
      });
    } catch (failure) {
      setJoining(false);
      setError(failure instanceof ApiError && failure.offline ? t('join.offlineCode') : t('join.error', { reason: String(failure instanceof Error ? failure.message : failure) }));
    }
  };

  switch (step.step) {
    case 'checking':
      return <Message title={t('personal.checking')} />;
    case 'unknown':
      return (
        <>
          <TopBar title="" />
          <main id="main" class="participant">
            <p class="error" role="alert">
              {t('personal.unknown')}
            </p>
            <JoinByCode />
          </main>
        </>
      );
    case 'offline':
    case 'busy':
      return (
        <Message title={t(step.step === 'busy' ? 'join.busyCode' : 'join.offlineCode')}>
          <button type="button" class="primary" onClick={check}>
            {t('start.joinButton')}
          </button>
        </Message>
      );
    case 'confirm': {
      const { preview } = step;
      return (
        <>
          <TopBar title={preview.title} />
          <main id="main" class="participant join-form personal">
            <h1>{t('personal.welcome', { name: preview.name })}</h1>
            <p>{t('personal.confirm')}</p>
            <dl class="profile-summary">
              <dt>{t('join.name')}</dt>
              <dd>{preview.name}</dd>
              {preview.organisation && (
                <>
                  <dt>{t('join.organisation')}</dt>
                  <dd>{preview.organisation}</dd>
                </>
              )}
              {isSector(preview.sector) && (
                <>
                  <dt>{t('join.sector')}</dt>
                  <dd>
                    <SectorTag sector={preview.sector} />
                  </dd>
                </>
              )}
            </dl>
            <fieldset class="contact">
              <legend>{t('join.contactHeading')}</legend>
              <p class="muted small">{t('join.contactHint')}</p>
              <div class="checkbox">
                <input id="personal-consent" type="checkbox" checked={consent} onChange={(e) => setConsent(e.currentTarget.checked)} />
                <label for="personal-consent">{t('join.consent')}</label>
              </div>
            </fieldset>
            {error !== null && (
              <p class="error" role="alert">
                {error}
              </p>
            )}
            <button type="button" class="primary" disabled={joining} onClick={() => void join(preview)}>
              {joining ? t('join.joining') : t('personal.submit')}
            </button>
            <p>
              <a href="/join">{t('personal.notMe')}</a>
            </p>
          </main>
        </>
      );
    }
    case 'board':
      return <BoardSession board={board} participant={step.participant} fresh={step.fresh} credentials={credentials} />;
  }
}

export function mountPersonal(root: HTMLElement, board: string, code: string | null): void {
  if (code === null) {
    mount(root, null);
    return;
  }
  render(<PersonalApp board={board} code={code} api={new Api()} credentials={new Credentials(browserStorage())} />, root);
}
