/**
 * The moderator's laptop: join info, phases, groups and the card wall with
 * drag and drop, undo and redo, the case examples, the agreements and the
 * documentation. Reads only through selectors, writes only through
 * mutations; the Board carries the moderator's undo origin.
 */
import './moderator.css';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import {
  createCluster,
  createUndoManager,
  initBoard,
  isTreeBoard,
  selectCardsByCluster,
  selectClusters,
  selectGroupMembers,
  selectGroups,
  selectLinksOfCard,
  selectMeta,
  selectOffersByCluster,
  selectParticipants,
  selectPhase,
  selectSectorsPerCluster,
  selectVoteTotals,
  setCardCluster,
  setJoinCode,
} from '../../board';
import { t, tIn, useLocale } from '../../i18n';
import { Api } from '../../sync/api';
import { Credentials, type ModeratorLinks, browserStorage } from '../../sync/credentials';
import { ConnectionStatus, TopBar, formatDate } from '../../ui/components';
import { CardDragAndDrop } from '../../ui/dnd';
import { useBoard, useReadable } from '../../ui/hooks';
import type { Session } from '../../sync/session';
import { Message, mountSession } from '../shared/page';
import { AgendaEditor } from './AgendaEditor';
import { AgreementsEditor } from './AgreementsEditor';
import { CasesEditor } from './CasesEditor';
import { DocumentationEditor } from './DocumentationEditor';
import { ModeratorGallery } from '../gallery/ModeratorGallery';
import { type Access, GroupsPanel, JoinPanel, PhasePanel } from './Panels';
import { RegistrationPanel } from './RegistrationPanel';
import { RunPanel } from './RunPanel';
import { SuggestionsPanel } from './SuggestionsPanel';
import { Wall, type WallData } from './Wall';
import { TreeEditor } from '../tree/TreeEditor';

/**
 * The moderator's work areas; the one of the running phase opens by itself.
 * The documentation (downloads, the city's handout) and the photos belong to no phase.
 */
const TABS = ['agenda', 'cards', 'cases', 'agreements', 'documentation', 'gallery'] as const;
type Tab = (typeof TABS)[number];

function isTyping(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && target.closest('input, textarea, select, [contenteditable="true"]') !== null;
}

export function ModeratorView({
  session,
  boardId,
  token,
  credentials,
  api,
}: {
  session: Session;
  boardId: string;
  /** The moderator token, for the HTTP calls (the exports). */
  token: string;
  credentials: Credentials;
  api: Api;
}) {
  useLocale();
  const { board } = session;
  useBoard(board);
  const state = useReadable(session.connection.state);
  const undo = useMemo(() => createUndoManager(board), [board]);
  const [links, setLinks] = useState(() => credentials.moderatorLinks(boardId));
  const access: Access = useMemo(
    () => ({
      rotateJoinCode: async () => {
        const issued = await api.rotateJoinCode(boardId, token);
        setJoinCode(board, issued.join_code);
        const stored = credentials.moderatorLinks(boardId);
        if (stored) {
          const next = { ...stored, ...issued };
          credentials.saveModeratorLinks(next);
          setLinks(next);
        }
      },
      newPresenterLink: async () => {
        const issued = await api.rotateViewerToken(boardId, token);
        const code = selectMeta(board).joinCode ?? '';
        const stored = credentials.moderatorLinks(boardId);
        const next: ModeratorLinks = stored
          ? { ...stored, ...issued }
          : { board: boardId, join_code: code, join_url: `${location.origin}/join/${code}`, ...issued };
        credentials.saveModeratorLinks(next);
        setLinks(next);
      },
      // The server deletes the person's entries itself, in the document
      // every screen syncs; nothing to write here.
      erase: (participant, keepCards) => api.eraseParticipant(boardId, token, participant.id, { keepCards }),
    }),
    [api, board, boardId, credentials, token],
  );
  const [announcement, setAnnouncement] = useState('');
  const phase = selectPhase(board);
  // null: show the area of the running phase; a chosen tab holds until the next phase starts.
  const [chosenTab, setChosenTab] = useState<Tab | null>(null);
  useEffect(() => setChosenTab(null), [phase?.id]);
  const tab: Tab = chosenTab ?? (phase ? (phase.kind === 'info' ? 'agenda' : phase.kind) : 'cards');
  const wallRoot = useRef<HTMLElement | null>(null);

  const dnd = useMemo(
    () =>
      new CardDragAndDrop({
        root: () => wallRoot.current,
        onDrop: (cardId, zone) => {
          if (zone === 'wall') setCardCluster(board, cardId, null);
          else if (zone === 'new') createCluster(board, tIn(selectMeta(board).locale, 'moderator.newClusterTitle'), { cards: [cardId] });
          else if (zone.startsWith('cluster:')) setCardCluster(board, cardId, zone.slice('cluster:'.length));
        },
        announce: (kind, target) => {
          const key = {
            picked: 'moderator.dragPicked',
            over: 'moderator.dragOver',
            dropped: 'moderator.dragDropped',
            cancelled: 'moderator.dragCancelled',
          } as const;
          setAnnouncement(t(key[kind], { target }));
        },
      }),
    [board],
  );
  useEffect(() => () => dnd.destroy(), [dnd]);

  // Fill meta from the start page's form once the server's state is here.
  useEffect(() => {
    if (!state.synced) return;
    const setup = credentials.setup(boardId);
    if (setup) initBoard(board, { ...setup, joinCode: links?.join_code ?? null });
  }, [state.synced, board, boardId, credentials, links]);

  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      if (!(event.ctrlKey || event.metaKey) || isTyping(event.target)) return;
      const key = event.key.toLowerCase();
      if (key === 'z' && !event.shiftKey) undo.undo();
      else if ((key === 'z' && event.shiftKey) || key === 'y') undo.redo();
      else return;
      event.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => {
      window.removeEventListener('keydown', onKey);
      undo.destroy();
    };
  }, [undo]);

  const meta = selectMeta(board);
  // A problem–solution tree takes the place of Block 1's wall.
  const tree = isTreeBoard(board);
  const participants = selectParticipants(board);
  const groups = selectGroups(board);
  const { unclustered, byCluster } = selectCardsByCluster(board);
  const data: WallData = {
    clusters: selectClusters(board),
    unclustered,
    byCluster,
    sectors: selectSectorsPerCluster(board),
    offers: selectOffersByCluster(board),
    votes: selectVoteTotals(board),
    linksOf: (cardId) => selectLinksOfCard(board, cardId),
    participants: new Map(participants.map((p) => [p.id, p])),
    groupNames: new Map(groups.map((g) => [g.id, g.name])),
    revealed: meta.revealed,
    focus: meta.focus,
  };

  if (state.status === 'refused') return <Message title={t('status.refusedToken')} />;

  const subtitle = [meta.title, meta.district, formatDate(meta.date)].filter(Boolean).join(' · ');
  // The page itself never scrolls: the top bar (undo, the projector's link)
  // stays in reach, the sidebar and the work area scroll on their own, and
  // the wall scrolls by itself while a card is dragged to its edge.
  return (
    <div class="moderator-shell">
      <TopBar title={subtitle || t('moderator.title')}>
        <ConnectionStatus state={state} compact />
        {links && (
          <a class="button-link" href={links.presenter_url} target="_blank" rel="noopener">
            {t('moderator.presenterLink')}
          </a>
        )}
        <button type="button" disabled={undo.undoStack.length === 0} onClick={() => undo.undo()}>
          <span aria-hidden="true">↶ </span>
          {t('moderator.undo')}
        </button>
        <button type="button" disabled={undo.redoStack.length === 0} onClick={() => undo.redo()}>
          <span aria-hidden="true">↷ </span>
          {t('moderator.redo')}
        </button>
      </TopBar>
      <div class="moderator">
        <aside class="sidebar" aria-label={t('moderator.title')}>
          <RunPanel board={board} meta={meta} />
          {/* The running phase's groups; joining (code, QR) below. */}
          {tab === 'cards' && <GroupsPanel board={board} groups={groups} members={selectGroupMembers(board)} access={access} />}
          <JoinPanel links={links} joinCode={meta.joinCode} participants={participants.length} access={access} />
        </aside>
        <main id="main" class={tab === 'cards' && !tree ? 'work work-wall' : 'work'}>
          <nav class="segmented tabs" aria-label={t('moderator.areas')}>
            {TABS.map((name) => (
              <button key={name} type="button" aria-pressed={tab === name} onClick={() => setChosenTab(name)}>
                {t(tree && name === 'cards' ? 'moderator.tab.tree' : `moderator.tab.${name}`)}
              </button>
            ))}
          </nav>
          {tab === 'agenda' && <AgendaEditor board={board} />}
          {tab === 'agenda' && <RegistrationPanel board={board} boardId={boardId} token={token} api={api} />}
          {/* Block 1's actions above the wall, in one or two rows: in view with the wall. */}
          {tab === 'cards' && tree && <TreeEditor board={board} />}
          {tab === 'cards' && !tree && <PhasePanel board={board} meta={meta} />}
          {tab === 'cards' && !tree && <SuggestionsPanel board={board} boardId={boardId} token={token} api={api} />}
          {tab === 'cards' && !tree && <Wall board={board} data={data} dnd={dnd} setRoot={(el) => (wallRoot.current = el)} />}
          {tab === 'cases' && <CasesEditor board={board} />}
          {tab === 'agreements' && <AgreementsEditor board={board} />}
          {tab === 'documentation' && <DocumentationEditor board={board} boardId={boardId} token={token} api={api} />}
          {tab === 'gallery' && <ModeratorGallery board={board} boardId={boardId} token={token} />}
        </main>
      </div>
      <div class="sr-only" aria-live="assertive">
        {announcement}
      </div>
    </div>
  );
}

export function mount(root: HTMLElement, boardId: string, hashToken: string | null): void {
  const credentials = new Credentials(browserStorage());
  const token = hashToken ?? credentials.token(boardId, 'moderator');
  if (hashToken) credentials.saveToken(boardId, 'moderator', hashToken);
  // The undo manager tracks exactly this origin: the moderator's own edits.
  const origin = { moderator: boardId };
  const api = new Api();
  mountSession(root, boardId, token, origin, (session, sessionToken) => (
    <ModeratorView session={session} boardId={boardId} token={sessionToken} credentials={credentials} api={api} />
  ));
}

