/**
 * The phone after joining: the top bar, the connection notice, the phase
 * bar and the choice of screen around the screen itself (CardsScreen,
 * CasesScreen, AgreementsScreen, the agenda, what the moderation shows, or
 * the photo gallery).
 * Own entries the server gave back are watched here, whatever screen is
 * open.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import {
  AGENDA_KINDS,
  type AgendaKind,
  type Board,
  type ReturnedCard,
  type ReturnedProposal,
  isAgendaKind,
  isTreeBoard,
  selectMeta,
  selectPhase,
  watchReturnedCards,
  watchReturnedProposals,
} from '../../board';
import { RETURNED_CARDS, RETURNED_PROPOSALS, returnedCardsKey, returnedProposalsKey } from '../../device/drafts';
import { type StoredFormat, usePersistedState } from '../../device/persisted-state';
import { t, useLocale } from '../../i18n';
import type { ConnectionState } from '../../sync/connection';
import type { Session } from '../../sync/session';
import { ConnectionStatus, TROUBLE_AFTER, TopBar, refusedText } from '../../ui/components';
import { useBoard, useReadable } from '../../ui/hooks';
import { AgendaList } from '../shared/Block23';
import { FollowDisplay } from '../shared/FollowDisplay';
import { PhaseBar } from '../shared/PhaseBar';
import { PhotoApi } from '../../sync/photos';
import { PhoneGallery, usePhotoQueue } from '../gallery/PhoneGallery';
import { AgreementsScreen } from './AgreementsScreen';
import { CardsScreen } from './CardsScreen';
import { CasesScreen } from './CasesScreen';
import { TreeScreen } from '../tree/TreeScreen';
import { MyData } from './MyData';

/** The close reason of a participant's connections when they were erased (docs/protocol.md, close codes). */
const ERASED_REASON = 'this participant was erased';

function OfflineNotice({ state }: { state: ConnectionState }) {
  if (state.status === 'online') return null;
  if (state.status === 'refused') {
    return (
      <p class="banner banner-error" role="alert">
        {refusedText(state.refused?.code)}
      </p>
    );
  }
  if (state.failedAttempts >= TROUBLE_AFTER && state.status !== 'offline') return <p class="banner">{t('status.trouble')}</p>;
  return <p class="banner">{state.status === 'offline' ? t('status.offline') : t('participant.notOnline')}</p>;
}

/**
 * Which screen the phone shows: the current phase's kind, unless the person
 * chose another; 'screen' is what the moderation shows (the presenter's
 * display, for a remote attendee following along in a browser); 'gallery'
 * the photos (with a token only).
 */
type Screen = AgendaKind | 'screen' | 'gallery';

function isScreen(value: string): value is Screen {
  return value === 'screen' || value === 'gallery' || isAgendaKind(value);
}

/** Screens the next phase does not take the person away from (a photo being taken is not lost). */
function staysAcrossPhases(screen: Screen | null): boolean {
  return screen === 'screen' || screen === 'gallery';
}

function ScreenChoice({ own, onChange, gallery, tree }: { own: Screen | null; onChange: (screen: Screen | null) => void; gallery: boolean; tree: boolean }) {
  return (
    <div class="screen-choice">
      <label for="screen-choice">{t('participant.screen')}</label>
      <select
        id="screen-choice"
        value={own ?? 'follow'}
        onChange={(e) => {
          const value = e.currentTarget.value;
          onChange(isScreen(value) ? value : null);
        }}
      >
        <option value="follow">{t('participant.followPhase')}</option>
        {AGENDA_KINDS.map((kind) => (
          <option key={kind} value={kind}>
            {t(tree && kind === 'cards' ? 'participant.screen.tree' : `participant.screen.${kind}`)}
          </option>
        ))}
        <option value="screen">{t('watch.screenChoice')}</option>
        {gallery && <option value="gallery">{t('gallery.screen')}</option>}
      </select>
      {own !== null && (
        <button type="button" class="primary" onClick={() => onChange(null)}>
          {t('participant.backToPhase')}
        </button>
      )}
    </div>
  );
}

/**
 * Own entries someone else removed (see board/returned.ts), kept on the
 * device across reloads under `key` until the person writes them again or
 * lets them go. `watch` is subscribed while the participant view is open,
 * whatever screen it shows.
 */
function useReturned<T extends { id: string }>(
  key: string,
  format: StoredFormat<T[]>,
  watch: (onReturned: (entry: T) => void) => () => void,
): [T[], (entry: T) => void] {
  const [returned, setReturned] = usePersistedState(key, format);
  useEffect(() => watch((entry) => setReturned((list) => [...list.filter((e) => e.id !== entry.id), entry])), [watch]);
  const remove = (entry: T): void => setReturned((list) => list.filter((e) => e.id !== entry.id));
  return [returned, remove];
}

function InfoScreen({ board }: { board: Board }) {
  return (
    <div class="panel">
      <AgendaList board={board} />
    </div>
  );
}

/**
 * The phone after joining. It shows the screen of the phase the moderator
 * started (cards, case examples, agreements, or the agenda during an info
 * phase) and switches by itself when the phase changes. Someone who looks
 * at another screen (a remote attendee exploring) comes back with one tap,
 * and is brought back when the next phase starts. A remote attendee may
 * instead follow what the moderation shows ("Leinwand", FollowDisplay): that
 * choice stays across phases, since it already follows the moderator.
 */
export function ParticipantBoard({
  session,
  boardId,
  participantId,
  token,
  banner,
  footer,
  onErased,
}: {
  session: Session;
  boardId: string;
  participantId: string;
  /** The participant's token, for the photos' HTTP calls; without it no gallery. */
  token?: string;
  /** Above the board's screens: during an event, where to go now. */
  banner?: ComponentChildren;
  /** Below them: during an event, the day's programme. */
  footer?: ComponentChildren;
  /** After the person erased themself ("Meine Daten"): the device forgets the board. */
  onErased?: () => void;
}) {
  // During an event the banner says which group (workshop, reflection group) the person is in.
  const inEvent = banner !== undefined;
  useLocale();
  const { board } = session;
  useBoard(board);
  const state = useReadable(session.connection.state);
  // Erased by the moderator (or from another device): forget the board here too.
  const erasedByServer = state.status === 'refused' && state.refused?.reason === ERASED_REASON;
  useEffect(() => {
    if (erasedByServer) onErased?.();
  }, [erasedByServer]);
  const meta = selectMeta(board);
  const phase = selectPhase(board);
  const watchCards = useMemo(() => (onReturned: (card: ReturnedCard) => void) => watchReturnedCards(board, participantId, onReturned), [board, participantId]);
  const watchProposals = useMemo(
    () => (onReturned: (proposal: ReturnedProposal) => void) => watchReturnedProposals(board, participantId, onReturned),
    [board, participantId],
  );
  const [returned, returnedDone] = useReturned(returnedCardsKey(boardId), RETURNED_CARDS, watchCards);
  const [returnedProposals, proposalDone] = useReturned(returnedProposalsKey(boardId), RETURNED_PROPOSALS, watchProposals);
  const [own, setOwn] = useState<Screen | null>(null);
  useEffect(() => setOwn((current) => (staysAcrossPhases(current) ? current : null)), [phase?.id]);
  const photoApi = useMemo(() => new PhotoApi(), []);
  const photos = usePhotoQueue(boardId, participantId, token, session.connection, photoApi);
  const screen: Screen = own ?? phase?.kind ?? 'cards';
  // On a problem–solution tree the tree is where people write.
  const tree = isTreeBoard(board);
  const cardScreen = { board, boardId, participantId, whenStored: session.connection.whenStored, returned, onReturnedDone: returnedDone };
  return (
    <>
      <TopBar title={meta.title}>
        <ConnectionStatus state={state} compact />
      </TopBar>
      <main id="main" class="participant" data-screen={screen}>
        {banner}
        <OfflineNotice state={state} />
        <PhaseBar board={board} />
        {/* Offered before the first phase too: a remote attendee may follow the moderation in Block 1. */}
        <ScreenChoice own={own} onChange={setOwn} gallery={photos !== null} tree={tree} />
        {screen === 'cards' && tree && <TreeScreen {...cardScreen} />}
        {screen === 'cards' && !tree && (
          <CardsScreen
            {...cardScreen}
            noGroupHint={!inEvent}
          />
        )}
        {screen === 'cases' && <CasesScreen board={board} participantId={participantId} />}
        {screen === 'agreements' && (
          <AgreementsScreen
            board={board}
            boardId={boardId}
            participantId={participantId}
            whenStored={session.connection.whenStored}
            returned={returnedProposals}
            onReturnedDone={proposalDone}
          />
        )}
        {screen === 'info' && <InfoScreen board={board} />}
        {screen === 'screen' && <FollowDisplay board={board} {...(token ? { photos: { boardId, token } } : {})} />}
        {screen === 'gallery' && photos && token && (
          <PhoneGallery board={board} boardId={boardId} participantId={participantId} token={token} photos={photos} api={photoApi} />
        )}
        {token !== undefined && <MyData boardId={boardId} participantId={participantId} token={token} {...(onErased ? { onErased } : {})} />}
        {footer}
      </main>
    </>
  );
}
