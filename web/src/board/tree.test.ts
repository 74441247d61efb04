import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createCard, selectCards } from './cards';
import { type ReturnedCard, watchReturnedCards } from './returned';
import { makeBoard, sync } from './test-helpers';
import { addChallenge, addSolution, flattenTree, isTreeBoard, mergeChallenges, moveChallenge, moveSolution, selectTree, setChallengesOpen, setSolutionsOpen } from './tree';
import { createUndoManager } from './undo';
import { BoardError } from './write';

const ANNA = { author: 'pa00000001' };
const BEN = { author: 'pb00000002' };

function openTree() {
  const board = makeBoard({ moderator: 'b' });
  board.meta.set('kind', 'tree');
  setChallengesOpen(board, true);
  return board;
}

function texts(board: ReturnType<typeof makeBoard>) {
  return flattenTree(selectTree(board)).map(({ node, depth }) => `${'-'.repeat(depth)}${node.card.text} [${node.solutions.map((s) => s.text).join(', ')}]`);
}

describe('the problem–solution tree', () => {
  // Entries are in writing order; a clock that ticks per write keeps it.
  beforeEach(() => {
    let clock = 1_700_000_000_000;
    vi.spyOn(Date, 'now').mockImplementation(() => (clock += 1000));
  });
  afterEach(() => vi.restoreAllMocks());

  it('is a tree board by its kind, or by its content on an older board', () => {
    const board = makeBoard();
    expect(isTreeBoard(board)).toBe(false);
    board.meta.set('kind', 'tree');
    expect(isTreeBoard(board)).toBe(true);
    board.meta.set('kind', 'workshop');
    expect(isTreeBoard(board)).toBe(false);

    const older = makeBoard();
    setChallengesOpen(older, true);
    expect(isTreeBoard(older)).toBe(true);
  });

  it('grows challenges, sub-challenges and solutions only while their part is open', () => {
    const board = openTree();
    expect(() => addSolution(board, { text: 'zu früh', ...ANNA }, 'nochallenge1')).toThrow(BoardError);
    const a = addChallenge(board, { text: 'Ansprechpartner wechseln oft', ...ANNA });
    const b = addChallenge(board, { text: 'Schweigepflicht bremst den Austausch', ...BEN });
    const a1 = addChallenge(board, { text: 'Keine Vertretungsregel im Jobcenter', ...BEN }, a);
    expect(() => addSolution(board, { text: 'Liste', ...ANNA }, a)).toThrow(/solutions part is closed/);

    setChallengesOpen(board, false);
    setSolutionsOpen(board, true);
    expect(() => addChallenge(board, { text: 'spät', ...ANNA })).toThrow(/challenges part is closed/);
    expect(() => addSolution(board, { text: 'an keine', ...ANNA }, 'nochallenge1')).toThrow(/not found/);
    addSolution(board, { text: 'Kontaktliste pflegen', ...ANNA }, a);
    addSolution(board, { text: 'Einwilligung vorab einholen', ...BEN }, b);
    addSolution(board, { text: 'Vertretung benennen', ...ANNA }, a1);

    expect(texts(board)).toEqual([
      'Ansprechpartner wechseln oft [Kontaktliste pflegen]',
      '-Keine Vertretungsregel im Jobcenter [Vertretung benennen]',
      'Schweigepflicht bremst den Austausch [Einwilligung vorab einholen]',
    ]);
    const tree = selectTree(board);
    expect([tree.challenges, tree.solutions, tree.orphans.length]).toEqual([3, 3, 0]);
    expect(board.meta.get('writingOpen')).toBe(true);
  });

  it('keeps a solution whose challenge is gone, and puts a looping branch at the trunk', () => {
    const board = openTree();
    setSolutionsOpen(board, true);
    const a = addChallenge(board, { text: 'A', ...ANNA });
    const b = addChallenge(board, { text: 'B', ...ANNA }, a);
    addSolution(board, { text: 'S', ...ANNA }, b);
    // Two devices moved A under B and B under A at once.
    board.cards.get(a)?.set('parent', b);
    board.cards.delete(b);
    const tree = selectTree(board);
    expect(tree.roots.map((node) => node.card.text)).toEqual(['A']);
    expect(tree.orphans.map((card) => card.text)).toEqual(['S']);
  });

  it('lets the moderator move a challenge, never under its own branch', () => {
    const board = openTree();
    const a = addChallenge(board, { text: 'A', ...ANNA });
    const b = addChallenge(board, { text: 'B', ...ANNA });
    const a1 = addChallenge(board, { text: 'A1', ...ANNA }, a);
    moveChallenge(board, b, a1);
    expect(texts(board)).toEqual(['A []', '-A1 []', '--B []']);
    expect(() => moveChallenge(board, a, b)).toThrow(/under itself/);
    expect(() => moveChallenge(board, a, a)).toThrow(/under itself/);
    moveChallenge(board, b, null);
    expect(texts(board)).toEqual(['A []', '-A1 []', 'B []']);
    setSolutionsOpen(board, true);
    const s = addSolution(board, { text: 'S', ...ANNA }, a);
    moveSolution(board, s, b);
    expect(texts(board)).toEqual(['A []', '-A1 []', 'B [S]']);
    expect(() => moveSolution(board, s, 'nochallenge1')).toThrow(/not found/);
  });

  it('merges two duplicates keeping both texts and what hung under them, in one undo step', () => {
    const board = openTree();
    const undo = createUndoManager(board);
    const a = addChallenge(board, { text: 'Zu wenig Zeit für Absprachen', ...ANNA });
    const b = addChallenge(board, { text: 'Keine Zeit für Fallbesprechungen', ...BEN });
    const b1 = addChallenge(board, { text: 'Termine kollidieren', ...BEN }, b);
    setSolutionsOpen(board, true);
    addSolution(board, { text: 'Feste Runde jeden Monat', ...BEN }, b);
    undo.clear();

    mergeChallenges(board, a, b);
    expect(texts(board)).toEqual(['Zu wenig Zeit für Absprachen\nKeine Zeit für Fallbesprechungen [Feste Runde jeden Monat]', '-Termine kollidieren []']);
    expect(selectCards(board).find((card) => card.id === b1)?.parent).toBe(a);

    undo.undo();
    expect(texts(board)).toEqual([
      'Zu wenig Zeit für Absprachen []',
      'Keine Zeit für Fallbesprechungen [Feste Runde jeden Monat]',
      '-Termine kollidieren []',
    ]);
    expect(() => mergeChallenges(board, a, a)).toThrow(BoardError);
  });

  it('merges a challenge into its own sub-challenge without cutting the branch off', () => {
    const board = openTree();
    const a = addChallenge(board, { text: 'A', ...ANNA });
    const a1 = addChallenge(board, { text: 'A1', ...ANNA }, a);
    const a2 = addChallenge(board, { text: 'A2', ...ANNA }, a);
    mergeChallenges(board, a1, a);
    expect(texts(board)).toEqual(['A1\nA []', '-A2 []']);
    expect(selectCards(board).find((card) => card.id === a2)?.parent).toBe(a1);
  });

  it('does not give a merged challenge back to its author as lost', () => {
    const moderator = openTree();
    const phone = makeBoard();
    sync(moderator.doc, phone.doc);
    const returned: ReturnedCard[] = [];
    const stop = watchReturnedCards(phone, BEN.author, (card) => returned.push(card));
    const a = addChallenge(moderator, { text: 'Datenschutz', ...ANNA });
    const b = addChallenge(phone, { text: 'Datenschutz hemmt', ...BEN });
    const refused = createCard(phone, { text: 'Offline geschrieben', kind: 'challenge', author: BEN.author });
    sync(moderator.doc, phone.doc);
    mergeChallenges(moderator, a, b);
    moderator.cards.delete(refused);
    sync(moderator.doc, phone.doc);
    expect(returned.map((card) => card.text)).toEqual(['Offline geschrieben']);
    stop();
  });
});
