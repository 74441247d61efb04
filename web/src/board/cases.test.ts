import { describe, expect, it } from 'vitest';
import { setPlacementsOpen } from './agenda';
import {
  createCase,
  createCases,
  createFocalPoint,
  createNote,
  deleteCase,
  deleteFocalPoint,
  deleteNote,
  editNote,
  moveCase,
  moveFocalPoint,
  renameFocalPoint,
  selectCaseMap,
  selectCases,
  selectFocalPoints,
  selectNotes,
  selectNotesByCategory,
  selectOwnPlacements,
  selectPeopleByFocalPoint,
  setPlacement,
  updateCase,
} from './cases';
import { setProfile } from './participants';
import { placementKey } from './schema';
import { BoardError } from './write';
import { makeBoard, updatesDuring } from './test-helpers';

const ANNA = 'pa00000001';
const JONAS = 'pa00000002';

function withPeople() {
  const board = makeBoard();
  setProfile(board, ANNA, { name: 'Anna', organisation: 'Kita', sector: 'stadtteil' });
  setProfile(board, JONAS, { name: 'Jonas', organisation: 'Jobcenter', sector: 'behoerde' });
  const caseId = createCase(board, {
    title: 'Familie A.',
    framework: 'asylblg',
    story: 'Eltern und drei Kinder',
    focalPoints: ['Wohnen', 'Sprachkurs', 'Kita und Schule'],
  });
  const [wohnen, sprache, kita] = selectFocalPoints(board, caseId).map((fp) => fp.id) as [string, string, string];
  return { board, caseId, wohnen, sprache, kita };
}


describe('cases and focal points', () => {
  it('creates both templates with their focal points in one transaction', () => {
    const board = makeBoard();
    let ids: string[] = [];
    const updates = updatesDuring(board.doc, () => {
      ids = createCases(board, [
        { title: 'Familie A.', framework: 'asylblg', story: 'AsylbLG', focalPoints: ['Wohnen', 'Sprachkurs'] },
        { title: 'Herr B.', framework: 'sgb2', story: 'SGB II', focalPoints: ['Arbeit'] },
      ]);
    });
    expect(updates).toBe(1);
    expect(selectCases(board).map((c) => [c.title, c.framework, c.order])).toEqual([
      ['Familie A.', 'asylblg', 0],
      ['Herr B.', 'sgb2', 1],
    ]);
    expect(selectFocalPoints(board, ids[0]).map((fp) => fp.title)).toEqual(['Wohnen', 'Sprachkurs']);
    expect(selectFocalPoints(board).map((fp) => fp.title)).toEqual(['Wohnen', 'Sprachkurs', 'Arbeit']);
  });

  it('edits a case and its focal points', () => {
    const { board, caseId, wohnen, kita } = withPeople();
    updateCase(board, caseId, { title: 'Familie B.', framework: 'other', story: '' });
    expect(selectCases(board)[0]).toMatchObject({ title: 'Familie B.', framework: 'other', story: '' });
    renameFocalPoint(board, wohnen, 'Wohnung');
    const added = createFocalPoint(board, caseId, 'Gesundheit');
    moveFocalPoint(board, kita, -1);
    expect(selectFocalPoints(board, caseId).map((fp) => fp.title)).toEqual(['Wohnung', 'Kita und Schule', 'Sprachkurs', 'Gesundheit']);
    expect(selectFocalPoints(board, caseId).at(-1)?.id).toBe(added);
    expect(() => createFocalPoint(board, 'nocase0000', 'x')).toThrow(BoardError);
    expect(() => updateCase(board, caseId, { story: 'x'.repeat(2001) })).toThrow(/longer/);
  });

  it('deleting a focal point or a case takes its placements and notes along', () => {
    const { board, caseId, wohnen, sprache } = withPeople();
    setPlacement(board, ANNA, wohnen, true);
    setPlacement(board, ANNA, sprache, true);
    createNote(board, wohnen, 'legal', '§ 3 AsylbLG');
    createNote(board, sprache, 'offers', 'Sprachcafé');
    deleteFocalPoint(board, wohnen);
    expect([...board.placements.keys()]).toEqual([placementKey(ANNA, sprache)]);
    expect(selectNotes(board, wohnen)).toEqual([]);
    expect(updatesDuring(board.doc, () => deleteCase(board, caseId))).toBe(1);
    expect(board.focalPoints.size).toBe(0);
    expect(board.placements.size).toBe(0);
    expect(board.notes.size).toBe(0);
  });
});

describe('placements', () => {
  it('a participant places themselves on several focal points and takes one back', () => {
    const { board, wohnen, sprache, kita } = withPeople();
    expect(setPlacement(board, ANNA, sprache, true)).toBe(true);
    expect(setPlacement(board, ANNA, kita, true)).toBe(true);
    expect(setPlacement(board, ANNA, kita, true)).toBe(false); // already there: nothing written
    expect(setPlacement(board, JONAS, sprache, true)).toBe(true);
    expect(board.placements.get(placementKey(ANNA, sprache))).toBe(true);
    expect(selectOwnPlacements(board, ANNA)).toEqual(new Set([sprache, kita]));
    expect(selectPeopleByFocalPoint(board).get(sprache)?.map((p) => p.name)).toEqual(['Anna', 'Jonas']);
    expect(setPlacement(board, ANNA, kita, false)).toBe(true);
    expect(selectOwnPlacements(board, ANNA)).toEqual(new Set([sprache]));
    expect(setPlacement(board, ANNA, 'missing000', true)).toBe(false);
    expect(selectPeopleByFocalPoint(board).has(wohnen)).toBe(false);
  });

  it('writes nothing while placements are closed', () => {
    const { board, sprache } = withPeople();
    setPlacement(board, ANNA, sprache, true);
    setPlacementsOpen(board, false);
    expect(setPlacement(board, JONAS, sprache, true)).toBe(false);
    expect(setPlacement(board, ANNA, sprache, false)).toBe(false);
    expect(board.placements.size).toBe(1);
  });

  it('the case map shows people, sectors and overlaps', () => {
    const { board, caseId, wohnen, sprache, kita } = withPeople();
    setPlacement(board, ANNA, sprache, true);
    setPlacement(board, ANNA, kita, true);
    setPlacement(board, JONAS, sprache, true);
    const map = selectCaseMap(board, caseId);
    expect(map?.points.map((p) => [p.focalPoint.title, p.people.length, p.sectors])).toEqual([
      ['Wohnen', 0, []],
      ['Sprachkurs', 2, ['stadtteil', 'behoerde']],
      ['Kita und Schule', 1, ['stadtteil']],
    ]);
    expect(map?.overlaps).toEqual([{ a: sprache, b: kita, people: [expect.objectContaining({ id: ANNA })] }]);
    expect(map?.points[0]?.focalPoint.id).toBe(wohnen);
    expect(selectCaseMap(board, 'missing000')).toBeNull();
  });
});

describe('notes', () => {
  it('records, edits and deletes notes per focal point and category', () => {
    const { board, sprache } = withPeople();
    const legal = createNote(board, sprache, 'legal', ' Integrationskurs nach § 44 AufenthG ');
    const offer = createNote(board, sprache, 'offers', 'Sprachcafé im Bürgerhaus');
    editNote(board, offer, { category: 'planned', text: 'Sprachcafé ab Mai' });
    const byCategory = selectNotesByCategory(board, sprache);
    expect([...byCategory.keys()]).toEqual(['legal', 'steering', 'needs', 'offers', 'planned']);
    expect(byCategory.get('legal')?.map((n) => n.text)).toEqual(['Integrationskurs nach § 44 AufenthG']);
    expect(byCategory.get('planned')?.map((n) => n.id)).toEqual([offer]);
    expect(byCategory.get('offers')).toEqual([]);
    deleteNote(board, legal);
    expect(selectNotes(board, sprache).map((n) => n.id)).toEqual([offer]);
    expect(() => createNote(board, 'missing000', 'legal', 'x')).toThrow(BoardError);
    expect(() => createNote(board, sprache, 'legal', '  ')).toThrow(BoardError);
  });
});

describe('case order', () => {
  it('moves a case up and down, and not past either end', () => {
    const board = makeBoard();
    const [a, b, c] = createCases(board, [
      { title: 'Familie A.', framework: 'asylblg', story: '' },
      { title: 'Herr B.', framework: 'sgb2', story: '' },
      { title: 'Frau C.', framework: 'other', story: '' },
    ]) as [string, string, string];
    moveCase(board, c, -1);
    expect(selectCases(board).map((x) => x.id)).toEqual([a, c, b]);
    moveCase(board, a, -1);
    expect(selectCases(board).map((x) => x.id)).toEqual([a, c, b]);
    moveCase(board, a, 1);
    expect(selectCases(board).map((x) => x.id)).toEqual([c, a, b]);
    moveCase(board, b, 1);
    expect(selectCases(board).map((x) => x.id)).toEqual([c, a, b]);
  });
});
