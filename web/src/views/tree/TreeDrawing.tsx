/**
 * The problem–solution tree drawn for the room (the projector, the watch
 * view): the board's question at the trunk on the left, each challenge a
 * branch growing out of it with its sub-challenges, the solutions hanging
 * on their challenge as leaves. The branches flow in columns that fill the
 * screen; the type shrinks only when the screen is full (useFitToScreen on
 * the presenter). Nested lists underneath: a screen reader reads the tree
 * as it is drawn.
 */
import './tree.css';
import { type Board, type Card, type TreeNode, selectMeta, selectTree } from '../../board';
import { t, tn } from '../../i18n';

function Solution({ card }: { card: Card }) {
  return (
    <li class="tree-solution" data-card={card.id}>
      <span class="sr-only">{t('tree.solution')}: </span>
      {card.text}
    </li>
  );
}

function Branch({ node, depth }: { node: TreeNode; depth: number }) {
  return (
    <li class={depth === 0 ? 'tree-branch' : 'tree-branch tree-sub'} data-card={node.card.id}>
      <p class="tree-challenge">
        <span class="sr-only">{t(depth === 0 ? 'tree.challenge' : 'tree.subChallenge')}: </span>
        {node.card.text}
      </p>
      {node.solutions.length > 0 && (
        <ul class="tree-solutions" aria-label={tn('tree.solutionsOf', node.solutions.length)}>
          {node.solutions.map((card) => (
            <Solution key={card.id} card={card} />
          ))}
        </ul>
      )}
      {node.children.length > 0 && (
        <ul class="tree-subs">
          {node.children.map((child) => (
            <Branch key={child.card.id} node={child} depth={depth + 1} />
          ))}
        </ul>
      )}
    </li>
  );
}

export function TreeDrawing({ board, heading = 'h1' }: { board: Board; heading?: 'h1' | 'h2' }) {
  const meta = selectMeta(board);
  const tree = selectTree(board);
  const Heading = heading;
  return (
    <section class="display display-tree" aria-labelledby="tree-trunk">
      <div class="tree-trunk">
        <Heading id="tree-trunk" class="tree-question">
          {meta.title}
        </Heading>
        <p class="tree-count">
          {tn('tree.challenges', tree.challenges)} · {tn('tree.solutions', tree.solutions)}
        </p>
      </div>
      <div class="tree-crown" data-fit-box>
        {tree.challenges === 0 && <p class="tree-empty">{t(meta.challengesOpen ? 'tree.emptyOpen' : 'tree.empty')}</p>}
        <ul class="tree-branches" aria-label={t('tree.branches')}>
          {tree.roots.map((node) => (
            <Branch key={node.card.id} node={node} depth={0} />
          ))}
        </ul>
        {tree.orphans.length > 0 && (
          <section class="tree-orphans" aria-label={t('tree.orphans')}>
            <p class="tree-challenge">{t('tree.orphans')}</p>
            <ul class="tree-solutions">
              {tree.orphans.map((card) => (
                <Solution key={card.id} card={card} />
              ))}
            </ul>
          </section>
        )}
      </div>
    </section>
  );
}
