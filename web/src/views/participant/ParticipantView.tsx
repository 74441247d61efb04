/**
 * `/join/{code}`: the participant's phone (and a remote attendee with
 * participant rights). A returning device is recognised by the token stored
 * for the board and goes straight to its cards, offline too.
 */
import './participant.css';
import { render } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { setProfile } from '../../board';
import { t, useLocale } from '../../i18n';
import { Api, ApiError, type CodeLookup } from '../../sync/api';
import { Credentials, type ParticipantCredentials, browserStorage } from '../../sync/credentials';
import { type Session, openSession } from '../../sync/session';
import { TopBar } from '../../ui/components';
import { JoinByCode } from '../start/StartView';
import { Loading, Message } from '../shared/page';
import { JoinForm, type JoinResult } from './JoinForm';
import { ParticipantBoard } from './ParticipantBoard';

type Step =
  | { step: 'resolving' }
  | { step: 'unknown' }
  | { step: 'offline' }
  /** The server asked to wait (429: many lookups from this network at once). */
  | { step: 'busy' }
  | { step: 'join'; lookup: CodeLookup }
  | { step: 'board'; lookup: CodeLookup; participant: ParticipantCredentials; fresh: JoinResult | null };

function BoardSession({ lookup, participant, fresh }: { lookup: CodeLookup; participant: ParticipantCredentials; fresh: JoinResult | null }) {
  const session: Session = useMemo(() => openSession(lookup.board, participant.token), [lookup.board, participant.token]);
  const [ready, setReady] = useState(false);
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
      session.connection.destroy();
    };
  }, [session]);
  if (!ready) return <Loading />;
  return <ParticipantBoard session={session} boardId={lookup.board} participantId={participant.participantId} />;
}

function ParticipantApp({ code, api, credentials }: { code: string; api: Api; credentials: Credentials }) {
  useLocale();
  const [step, setStep] = useState<Step>(() => {
    const cached = credentials.code(code);
    const participant = cached ? credentials.participant(cached.board) : null;
    return cached && participant ? { step: 'board', lookup: cached, participant, fresh: null } : { step: 'resolving' };
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
        const participant = credentials.participant(lookup.board);
        setStep(participant ? { step: 'board', lookup, participant, fresh: null } : { step: 'join', lookup });
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
              api={api}
              code={code}
              lookup={step.lookup}
              onJoined={(result) => {
                const participant = { participantId: result.participantId, token: result.token };
                credentials.saveParticipant(step.lookup.board, participant);
                setStep({ step: 'board', lookup: step.lookup, participant, fresh: result });
              }}
            />
          </main>
        </>
      );
    case 'board':
      return <BoardSession lookup={step.lookup} participant={step.participant} fresh={step.fresh} />;
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
