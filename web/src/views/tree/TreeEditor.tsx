/**
 * The moderator on a problem–solution tree: opens and closes the two parts
 * (challenges in the morning, solutions in the afternoon), adds entries,
 * and restructures: changes any text, hangs a challenge under another or
 * back at the trunk, merges two duplicates (both texts stay), moves a
 * solution to another challenge, deletes. Every step is one undo step of
 * the top bar's undo. Everything is reachable by keyboard: selects and
 * buttons, no dragging needed.
 */
import './tree.css';
import { useState } from 'preact/hooks';
import {
  type Board,
  BoardError,
  type Card,
  LIMITS,
  MODERATOR_AUTHOR,
  type TreeNode,
  addChallenge,
  deleteCard,
  editCard,
  flattenTree,
  mergeChallenges,
  moveChallenge,
  moveSolution,
  selectMeta,
  selectTree,
  setChallengesOpen,
  setSolutionsOpen,
} from '../../board';
import { t, tn } from '../../i18n';
import { InlineEdit } from '../shared/InlineEdit';
import { TreeDrawing } from './TreeDrawing';

const TRUNK = '';

/** Runs a restructuring step; a refusal becomes the message to announce. */
function attempt(step: () => void, say: (message: string) => void): void {
  try {
    step();
    say('');
  } catch (error) {
    say(error instanceof BoardError && error.code === 'invalid' ? t('tree.cannotHangUnderItself') : t('tree.notDone'));
  }
}

/** The ids in `node`'s branch: it may not hang under any of them. */
function branchIds(node: TreeNode, into: Set<string> = new Set()): Set<string> {
  into.add(node.card.id);
  for (const child of node.children) branchIds(child, into);
  return into;
}

function short(text: string): string {
  const line = text.split('\n')[0] ?? '';
  return line.length > 60 ? `${line.slice(0, 59)}…` : line;
}

/** The challenges to choose from, indented by depth. */
function ChallengeOptions({ all }: { all: { node: TreeNode; depth: number }[] }) {
  return (
    <>
      {all.map(({ node, depth }) => (
        <option key={node.card.id} value={node.card.id}>
          {'– '.repeat(depth)}
          {short(node.card.text)}
        </option>
      ))}
    </>
  );
}

function ChallengeRow({
  board,
  node,
  depth,
  all,
  say,
}: {
  board: Board;
  node: TreeNode;
  depth: number;
  all: { node: TreeNode; depth: number }[];
  say: (message: string) => void;
}) {
  const [mergeWith, setMergeWith] = useState('');
  const own = branchIds(node);
  const label = t(depth === 0 ? 'tree.challenge' : 'tree.subChallenge');
  const others = all.filter(({ node: other }) => other.card.id !== node.card.id);
  return (
    <li class="tree-item tree-editor-item" aria-label={`${label}: ${node.card.text}`}>
      <div class="tree-challenge-row">
        <span class="tag tree-tag">{label}</span>
        <InlineEdit value={node.card.text} label={t('tree.editChallenge')} maxLength={LIMITS.cardText} multiline rows={2} onCommit={(text) => editCard(board, node.card.id, { text })} />
      </div>
      <div class="tree-tools">
        <label>
          {t('tree.hangsOn')}{' '}
          <select
            value={node.card.parent ?? TRUNK}
            onChange={(event) => {
              const value = event.currentTarget.value;
              attempt(() => moveChallenge(board, node.card.id, value === TRUNK ? null : value), say);
            }}
          >
            <option value={TRUNK}>{t('tree.trunk')}</option>
            <ChallengeOptions all={all.filter(({ node: other }) => !own.has(other.card.id))} />
          </select>
        </label>
        {others.length > 0 && (
          <span class="tree-merge">
            <label>
              {t('tree.mergeWith')}{' '}
              <select value={mergeWith} onChange={(event) => setMergeWith(event.currentTarget.value)}>
                <option value="">{t('tree.mergeChoose')}</option>
                <ChallengeOptions all={others} />
              </select>
            </label>
            <button
              type="button"
              disabled={mergeWith === ''}
              onClick={() => {
                attempt(() => mergeChallenges(board, node.card.id, mergeWith), say);
                setMergeWith('');
              }}
            >
              {t('tree.merge')}
            </button>
          </span>
        )}
        <button type="button" class="danger" onClick={() => deleteCard(board, node.card.id)} aria-label={t('tree.deleteEntry', { text: short(node.card.text) })}>
          {t('tree.delete')}
        </button>
      </div>
      {node.solutions.length > 0 && (
        <ul class="tree-phone-solutions" aria-label={tn('tree.solutionsOf', node.solutions.length)}>
          {node.solutions.map((card) => (
            <SolutionRow key={card.id} board={board} card={card} all={all} say={say} />
          ))}
        </ul>
      )}
      {node.children.length > 0 && (
        <ul class="tree-list">
          {node.children.map((child) => (
            <ChallengeRow key={child.card.id} board={board} node={child} depth={depth + 1} all={all} say={say} />
          ))}
        </ul>
      )}
    </li>
  );
}

function SolutionRow({ board, card, all, say }: { board: Board; card: Card; all: { node: TreeNode; depth: number }[]; say: (message: string) => void }) {
  return (
    <li class="tree-phone-solution tree-editor-item" aria-label={`${t('tree.solution')}: ${card.text}`}>
      <div class="tree-challenge-row">
        <span class="tag tree-tag-solution">{t('tree.solution')}</span>
        <InlineEdit value={card.text} label={t('tree.editSolution')} maxLength={LIMITS.cardText} multiline rows={2} onCommit={(text) => editCard(board, card.id, { text })} />
      </div>
      <div class="tree-tools">
        <label>
          {t('tree.solutionOf')}{' '}
          <select
            value={card.parent ?? ''}
            onChange={(event) => {
              const parent = event.currentTarget.value;
              attempt(() => moveSolution(board, card.id, parent), say);
            }}
          >
            {card.parent === null && <option value="">{t('tree.orphans')}</option>}
            <ChallengeOptions all={all} />
          </select>
        </label>
        <button type="button" class="danger" onClick={() => deleteCard(board, card.id)} aria-label={t('tree.deleteEntry', { text: short(card.text) })}>
          {t('tree.delete')}
        </button>
      </div>
    </li>
  );
}

export function TreeEditor({ board }: { board: Board }) {
  const meta = selectMeta(board);
  const tree = selectTree(board);
  const all = flattenTree(tree);
  const [text, setText] = useState('');
  const [message, setMessage] = useState('');
  const [preview, setPreview] = useState(false);
  return (
    <div class="tree-editor">
      <section class="panel" aria-labelledby="tree-parts-heading">
        <h2 id="tree-parts-heading">{t('tree.parts')}</h2>
        <div class="button-row">
          <button type="button" aria-pressed={meta.challengesOpen} class={meta.challengesOpen ? 'primary' : ''} onClick={() => setChallengesOpen(board, !meta.challengesOpen)}>
            {t(meta.challengesOpen ? 'tree.closeChallenges' : 'tree.openChallenges')}
          </button>
          <button type="button" aria-pressed={meta.solutionsOpen} class={meta.solutionsOpen ? 'primary' : ''} onClick={() => setSolutionsOpen(board, !meta.solutionsOpen)}>
            {t(meta.solutionsOpen ? 'tree.closeSolutions' : 'tree.openSolutions')}
          </button>
          <button type="button" aria-pressed={preview} onClick={() => setPreview(!preview)}>
            {t('tree.preview')}
          </button>
        </div>
        <p class="muted">
          {tn('tree.challenges', tree.challenges)} · {tn('tree.solutions', tree.solutions)}
        </p>
      </section>
      {preview && (
        <div class="tree-preview">
          <TreeDrawing board={board} heading="h2" />
        </div>
      )}
      <form
        class="panel tree-composer"
        onSubmit={(event) => {
          event.preventDefault();
          if (!text.trim()) return;
          try {
            addChallenge(board, { text: text.slice(0, LIMITS.cardText), author: MODERATOR_AUTHOR });
            setText('');
            setMessage('');
          } catch (error) {
            setMessage(error instanceof BoardError && error.code === 'closed' ? t('tree.challengesClosedModerator') : t('tree.notDone'));
          }
        }}
      >
        <label for="tree-moderator-text">{t('tree.newChallenge')}</label>
        <textarea id="tree-moderator-text" rows={2} maxLength={LIMITS.cardText} value={text} onInput={(event) => setText(event.currentTarget.value)} />
        <button type="submit" class="primary" disabled={!text.trim()}>
          {t('tree.addChallenge')}
        </button>
      </form>
      <p class="banner" role="status" hidden={message === ''}>
        {message}
      </p>
      <section class="panel" aria-labelledby="tree-editor-heading">
        <h2 id="tree-editor-heading">{meta.title}</h2>
        {tree.challenges === 0 && <p class="muted">{t('tree.empty')}</p>}
        <ul class="tree-list" aria-label={t('tree.branches')}>
          {tree.roots.map((node) => (
            <ChallengeRow key={node.card.id} board={board} node={node} depth={0} all={all} say={setMessage} />
          ))}
        </ul>
        {tree.orphans.length > 0 && (
          <section aria-label={t('tree.orphans')}>
            <h3>{t('tree.orphans')}</h3>
            <ul class="tree-phone-solutions">
              {tree.orphans.map((card) => (
                <SolutionRow key={card.id} board={board} card={card} all={all} say={setMessage} />
              ))}
            </ul>
          </section>
        )}
      </section>
    </div>
  );
}
