/**
 * The phone on a problem–solution tree: the tree as a list to read and to
 * add to. While the challenges part is open a person adds challenges (and
 * a sub-challenge under one); while the solutions part is open, solutions
 * to a challenge. Own entries can be changed or taken back while their part
 * is open. Unsent text stays on the device (device/drafts.ts); an entry
 * the server did not take comes back to be written again.
 */
import './tree.css';
import { useState } from 'preact/hooks';
import {
  type Board,
  BoardError,
  type Card,
  LIMITS,
  type ReturnedCard,
  type TreeNode,
  addChallenge,
  addSolution,
  deleteCard,
  editCard,
  selectMeta,
  selectParticipant,
  selectTree,
} from '../../board';
import { CARD_EDIT, cardEditKey } from '../../device/drafts';
import { TEXT_FORMAT, usePersistedState } from '../../device/persisted-state';
import { t, tn } from '../../i18n';
import { ReturnedCards } from '../participant/CardsScreen';
import type { WritingScreenProps } from '../participant/screen-props';

/** Where a new entry goes: a challenge at the trunk, a sub-challenge or a solution under a challenge. */
type Target = { kind: 'challenge'; parent: null } | { kind: 'sub' | 'solution'; parent: Card };

function targetKey(boardId: string, target: Target): string {
  return target.parent === null ? `kartenwand.tree.${boardId}` : `kartenwand.tree.${boardId}.${target.kind}.${target.parent.id}`;
}

function Composer({
  board,
  boardId,
  participantId,
  target,
  whenStored,
  onDone,
  stored,
}: {
  board: Board;
  boardId: string;
  participantId: string;
  target: Target;
  whenStored: () => Promise<boolean>;
  /** After sending or cancelling a form under a challenge. */
  onDone?: () => void;
  /** The unsent text when the caller keeps it (the trunk's form: a returned entry goes back into it). */
  stored?: [string | null, (text: string | null) => void];
}) {
  const own = usePersistedState(targetKey(boardId, target), TEXT_FORMAT);
  const [text, setText] = stored ?? own;
  const [notice, setNotice] = useState('');
  const draft = text ?? '';
  const id = `tree-text-${target.kind}-${target.parent?.id ?? 'trunk'}`;
  const label =
    target.kind === 'challenge'
      ? t('tree.newChallenge')
      : t(target.kind === 'sub' ? 'tree.newSub' : 'tree.newSolution', { challenge: target.parent.text });
  const send = (): void => {
    if (!draft.trim()) return;
    const entry = { text: draft.slice(0, LIMITS.cardText), author: participantId, group: selectParticipant(board, participantId)?.group ?? null };
    try {
      if (target.kind === 'solution') addSolution(board, entry, target.parent.id);
      else addChallenge(board, entry, target.parent?.id ?? null);
    } catch (error) {
      setNotice(error instanceof BoardError && error.code === 'closed' ? t(target.kind === 'solution' ? 'tree.solutionsClosed' : 'tree.challengesClosed') : t('tree.notAdded'));
      return;
    }
    setText(null);
    setNotice(t('participant.saving'));
    void whenStored().then((stored) => setNotice(t(stored ? 'participant.sent' : 'participant.sentNotStored')));
    onDone?.();
  };
  return (
    <form
      class={target.parent === null ? 'panel composer tree-composer' : 'tree-composer tree-composer-inline'}
      onSubmit={(event) => {
        event.preventDefault();
        send();
      }}
    >
      <label for={id}>{label}</label>
      <textarea
        id={id}
        rows={2}
        maxLength={LIMITS.cardText}
        value={draft}
        onInput={(event) => setText(event.currentTarget.value || null)}
        onKeyDown={(event) => {
          if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
            event.preventDefault();
            send();
          } else if (event.key === 'Escape' && onDone) onDone();
        }}
      />
      <div class="button-row">
        <button type="submit" class="primary" disabled={!draft.trim()}>
          {t(target.kind === 'solution' ? 'tree.addSolution' : 'tree.addChallenge')}
        </button>
        {onDone && (
          <button type="button" onClick={onDone}>
            {t('tree.cancel')}
          </button>
        )}
      </div>
      <p class="small" aria-live="polite">
        {notice}
      </p>
    </form>
  );
}

/**
 * An own entry, while its part is open: changed (the text being changed
 * stays on the device, as a card's does) or taken back.
 */
function Own({ board, card, open }: { board: Board; card: Card; open: boolean }) {
  const [editing, setEditing] = usePersistedState(cardEditKey(card.id), CARD_EDIT);
  if (!open) return <span class="tree-entry-text">{card.text}</span>;
  if (editing === null) {
    return (
      <span class="tree-own">
        <span class="tree-entry-text">{card.text}</span>
        <span class="button-row">
          <button type="button" class="small" onClick={() => setEditing(card.text)} aria-label={t('tree.editEntry', { text: card.text })}>
            {t('tree.edit')}
          </button>
          <button type="button" class="small" onClick={() => deleteCard(board, card.id)} aria-label={t('tree.deleteOwnEntry', { text: card.text })}>
            {t('tree.deleteOwn')}
          </button>
        </span>
      </span>
    );
  }
  const id = `tree-edit-${card.id}`;
  return (
    <form
      class="tree-composer tree-own"
      onSubmit={(event) => {
        event.preventDefault();
        if (!editing.trim()) return;
        editCard(board, card.id, { text: editing.slice(0, LIMITS.cardText) });
        setEditing(null);
      }}
    >
      <label for={id}>{t('tree.editOwn')}</label>
      <textarea id={id} rows={3} maxLength={LIMITS.cardText} value={editing} onInput={(event) => setEditing(event.currentTarget.value)} />
      <span class="button-row">
        <button type="submit" class="primary" disabled={!editing.trim()}>
          {t('tree.save')}
        </button>
        <button type="button" onClick={() => setEditing(null)}>
          {t('tree.cancel')}
        </button>
      </span>
    </form>
  );
}

function Entry({
  board,
  card,
  participantId,
  open,
}: {
  board: Board;
  card: Card;
  participantId: string;
  open: boolean;
}) {
  return card.author === participantId ? <Own board={board} card={card} open={open} /> : <span class="tree-entry-text">{card.text}</span>;
}

function Branch({
  board,
  boardId,
  participantId,
  node,
  depth,
  whenStored,
}: {
  board: Board;
  boardId: string;
  participantId: string;
  node: TreeNode;
  depth: number;
  whenStored: () => Promise<boolean>;
}) {
  const meta = selectMeta(board);
  const [adding, setAdding] = useState<'sub' | 'solution' | null>(null);
  const label = t(depth === 0 ? 'tree.challenge' : 'tree.subChallenge');
  return (
    <li class="tree-item" aria-label={`${label}: ${node.card.text}`}>
      <div class="tree-challenge-row">
        <span class="tag tree-tag">{label}</span>
        <Entry board={board} card={node.card} participantId={participantId} open={meta.challengesOpen} />
      </div>
      {node.solutions.length > 0 && (
        <ul class="tree-phone-solutions" aria-label={tn('tree.solutionsOf', node.solutions.length)}>
          {node.solutions.map((card) => (
            <li key={card.id} class="tree-phone-solution" aria-label={`${t('tree.solution')}: ${card.text}`}>
              <span class="tag tree-tag-solution">{t('tree.solution')}</span>
              <Entry board={board} card={card} participantId={participantId} open={meta.solutionsOpen} />
            </li>
          ))}
        </ul>
      )}
      {adding === null && (meta.challengesOpen || meta.solutionsOpen) && (
        <div class="button-row">
          {meta.solutionsOpen && (
            <button type="button" onClick={() => setAdding('solution')} aria-label={t('tree.newSolution', { challenge: node.card.text })}>
              {t('tree.addSolution')}
            </button>
          )}
          {meta.challengesOpen && (
            <button type="button" onClick={() => setAdding('sub')} aria-label={t('tree.newSub', { challenge: node.card.text })}>
              {t('tree.addSub')}
            </button>
          )}
        </div>
      )}
      {adding !== null && (
        <Composer
          board={board}
          boardId={boardId}
          participantId={participantId}
          target={{ kind: adding, parent: node.card }}
          whenStored={whenStored}
          onDone={() => setAdding(null)}
        />
      )}
      {node.children.length > 0 && (
        <ul class="tree-list">
          {node.children.map((child) => (
            <Branch key={child.card.id} board={board} boardId={boardId} participantId={participantId} node={child} depth={depth + 1} whenStored={whenStored} />
          ))}
        </ul>
      )}
    </li>
  );
}

export function TreeScreen({
  board,
  boardId,
  participantId,
  whenStored,
  returned,
  onReturnedDone,
}: WritingScreenProps<ReturnedCard>) {
  const meta = selectMeta(board);
  const tree = selectTree(board);
  const trunk = usePersistedState(targetKey(boardId, { kind: 'challenge', parent: null }), TEXT_FORMAT);
  const [trunkDraft, setTrunkDraft] = trunk;
  const part = meta.challengesOpen && meta.solutionsOpen ? 'tree.partBoth' : meta.challengesOpen ? 'tree.partChallenges' : meta.solutionsOpen ? 'tree.partSolutions' : 'tree.partClosed';
  return (
    <>
      {/* The form first: on a phone the tree below grows long. */}
      {meta.challengesOpen && (
        <Composer board={board} boardId={boardId} participantId={participantId} target={{ kind: 'challenge', parent: null }} whenStored={whenStored} stored={trunk} />
      )}
      <section class="panel tree-phone" aria-labelledby="tree-heading">
        <h2 id="tree-heading">{meta.title}</h2>
        <p class="banner">{t(part)}</p>
        <p class="muted">
          {tn('tree.challenges', tree.challenges)} · {tn('tree.solutions', tree.solutions)}
        </p>
        {tree.challenges === 0 && <p class="muted">{t(meta.challengesOpen ? 'tree.emptyOpen' : 'tree.empty')}</p>}
        <ul class="tree-list" aria-label={t('tree.branches')}>
          {tree.roots.map((node) => (
            <Branch key={node.card.id} board={board} boardId={boardId} participantId={participantId} node={node} depth={0} whenStored={whenStored} />
          ))}
        </ul>
        {tree.orphans.length > 0 && (
          <section aria-label={t('tree.orphans')}>
            <h3>{t('tree.orphans')}</h3>
            <ul class="tree-phone-solutions">
              {tree.orphans.map((card) => (
                <li key={card.id} class="tree-phone-solution">
                  {card.text}
                </li>
              ))}
            </ul>
          </section>
        )}
      </section>
      <ReturnedCards
        returned={returned}
        writingOpen={meta.challengesOpen}
        heading={t('tree.returnedHeading')}
        hint={t('tree.returnedHint')}
        onWriteAgain={(card) => {
          // Into the challenge form, after what is already typed there.
          const typed = trunkDraft ?? '';
          setTrunkDraft(typed.trim() ? `${typed}\n${card.text}` : card.text);
          onReturnedDone(card);
        }}
        onDiscard={onReturnedDone}
      />
    </>
  );
}
