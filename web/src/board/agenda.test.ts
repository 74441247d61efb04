import { describe, expect, it } from 'vitest';
import {
  addAgendaItems,
  createAgendaItem,
  deleteAgendaItem,
  endPhase,
  extendTimer,
  moveAgendaItem,
  nextPhase,
  pauseTimer,
  resumeTimer,
  selectAgenda,
  selectAgendaOutOfOrder,
  selectPhase,
  setAgreementsOpen,
  setPlacementsOpen,
  startPhase,
  startTimer,
  stopTimer,
  timeLeft,
  updateAgendaItem,
} from './agenda';
import { createCase } from './cases';
import { selectMeta, setWritingOpen } from './meta';
import { BoardError } from './write';
import { makeBoard, updatesDuring } from './test-helpers';


const T0 = 1_741_078_800_000;

describe('agenda', () => {
  it('keeps phases in time order: one added or re-timed goes where its start puts it', () => {
    const board = makeBoard();
    addAgendaItems(board, [
      { title: 'Begrüßung', kind: 'info', start: '09:00', minutes: 15 },
      { title: 'Block 1', kind: 'cards', start: '09:15', minutes: 75 },
      { title: 'Abschluss', kind: 'info', start: '12:45', minutes: 15 },
    ]);
    const late = createAgendaItem(board, { title: 'Fallbeispiele', kind: 'cases', start: '11:00', minutes: 60 });
    const titles = (): string[] => selectAgenda(board).map((item) => item.title);
    expect(titles()).toEqual(['Begrüßung', 'Block 1', 'Fallbeispiele', 'Abschluss']);
    createAgendaItem(board, { title: 'Ankommen', kind: 'info', start: '08:30', minutes: 30 });
    createAgendaItem(board, { title: 'Offen', kind: 'info', minutes: 10 });
    expect(titles()).toEqual(['Ankommen', 'Begrüßung', 'Block 1', 'Fallbeispiele', 'Abschluss', 'Offen']);
    updateAgendaItem(board, late, { start: '13:30' });
    expect(titles()).toEqual(['Ankommen', 'Begrüßung', 'Block 1', 'Abschluss', 'Fallbeispiele', 'Offen']);
    expect(selectAgendaOutOfOrder(board)).toEqual([]);
  });

  it('says where a phase moved by hand is out of time order', () => {
    const board = makeBoard();
    const [first, second] = addAgendaItems(board, [
      { title: 'Block 1', kind: 'cards', start: '09:15', minutes: 75 },
      { title: 'Block 2', kind: 'cases', start: '10:45', minutes: 75 },
    ]);
    moveAgendaItem(board, second ?? '', -1);
    expect(selectAgendaOutOfOrder(board).map(({ item, after }) => [item.id, after.id])).toEqual([[first, second]]);
  });

  it('adds phases in order, in one transaction, with an optional start', () => {
    const board = makeBoard();
    let ids: string[] = [];
    const updates = updatesDuring(board.doc, () => {
      ids = addAgendaItems(board, [
        { title: ' Begrüßung ', kind: 'info', start: '09:00', minutes: 15 },
        { title: 'Block 1', kind: 'cards', minutes: 75 },
      ]);
    });
    expect(updates).toBe(1);
    expect(selectAgenda(board)).toEqual([
      { id: ids[0], title: 'Begrüßung', kind: 'info', start: '09:00', minutes: 15, order: 0 },
      { id: ids[1], title: 'Block 1', kind: 'cards', start: null, minutes: 75, order: 1 },
    ]);
    expect(board.agenda.get(ids[1] ?? '')?.has('start')).toBe(false);
  });

  it('validates title, start and minutes', () => {
    const board = makeBoard();
    expect(() => createAgendaItem(board, { title: ' ', kind: 'info', minutes: 5 })).toThrow(BoardError);
    expect(() => createAgendaItem(board, { title: 'x', kind: 'info', start: '9:00', minutes: 5 })).toThrow(/HH:MM/);
    expect(() => createAgendaItem(board, { title: 'x', kind: 'info', minutes: -1 })).toThrow(/minutes/);
    expect(board.agenda.size).toBe(0);
  });

  it('edits, reorders and deletes phases', () => {
    const board = makeBoard();
    const [a, b, c] = addAgendaItems(board, [
      { title: 'A', kind: 'info', minutes: 5 },
      { title: 'B', kind: 'cards', minutes: 5 },
      { title: 'C', kind: 'cases', minutes: 5 },
    ]) as [string, string, string];
    updateAgendaItem(board, b, { title: 'B2', kind: 'agreements', start: '10:30', minutes: 20 });
    expect(selectAgenda(board)[1]).toMatchObject({ title: 'B2', kind: 'agreements', start: '10:30', minutes: 20 });
    updateAgendaItem(board, b, { start: null });
    expect(selectAgenda(board)[1]?.start).toBeNull();

    expect(updatesDuring(board.doc, () => moveAgendaItem(board, c, -1))).toBe(1);
    expect(selectAgenda(board).map((i) => i.id)).toEqual([a, c, b]);
    moveAgendaItem(board, a, -1); // already first: no change
    expect(selectAgenda(board).map((i) => i.id)).toEqual([a, c, b]);

    startPhase(board, c, T0);
    deleteAgendaItem(board, c);
    expect(selectAgenda(board).map((i) => i.id)).toEqual([a, b]);
    expect(selectPhase(board)).toBeNull();
    expect(selectMeta(board).timer).toEqual({ state: 'none' });
  });
});

describe('phases', () => {
  it('starting a phase sets the phase, the countdown and the focus in one update', () => {
    const board = makeBoard();
    const [cards, cases, agreements, info] = addAgendaItems(board, [
      { title: 'Block 1', kind: 'cards', minutes: 60 },
      { title: 'Block 2', kind: 'cases', minutes: 75 },
      { title: 'Block 3', kind: 'agreements', minutes: 45 },
      { title: 'Pause', kind: 'info', minutes: 0 },
    ]) as [string, string, string, string];
    const caseId = createCase(board, { title: 'Familie A.', framework: 'asylblg', story: '' });

    expect(updatesDuring(board.doc, () => startPhase(board, cards, T0))).toBe(1);
    expect(selectMeta(board)).toMatchObject({ phase: cards, timer: { state: 'running', endsAt: T0 + 60 * 60_000 }, focus: { kind: 'overview' } });

    startPhase(board, cases, T0);
    expect(selectMeta(board).focus).toEqual({ kind: 'case', id: caseId });
    startPhase(board, agreements, T0);
    expect(selectMeta(board).focus).toEqual({ kind: 'agreements' });
    startPhase(board, info, T0);
    expect(selectMeta(board)).toMatchObject({ phase: info, timer: { state: 'none' }, focus: { kind: 'agenda' } });
    expect(selectPhase(board)?.title).toBe('Pause');
  });

  it('next phase walks the agenda and stops at the end', () => {
    const board = makeBoard();
    const [a, b] = addAgendaItems(board, [
      { title: 'A', kind: 'info', minutes: 1 },
      { title: 'B', kind: 'cards', minutes: 1 },
    ]) as [string, string];
    expect(nextPhase(board, T0)).toBe(a);
    expect(nextPhase(board, T0)).toBe(b);
    expect(nextPhase(board, T0)).toBeNull();
    expect(selectPhase(board)?.id).toBe(b);
    endPhase(board);
    expect(board.meta.has('phase')).toBe(false);
    expect(board.meta.has('timerEndsAt')).toBe(false);
  });
});

describe('timer', () => {
  it('runs, pauses, resumes, extends and stops', () => {
    const board = makeBoard();
    startTimer(board, 10 * 60_000, T0);
    expect(timeLeft(selectMeta(board).timer, T0 + 60_000)).toBe(9 * 60_000);
    pauseTimer(board, T0 + 60_000);
    expect(selectMeta(board).timer).toEqual({ state: 'paused', remaining: 9 * 60_000 });
    expect(board.meta.has('timerEndsAt')).toBe(false);
    expect(timeLeft(selectMeta(board).timer, T0 + 999_999)).toBe(9 * 60_000);
    extendTimer(board, 60_000, T0 + 120_000);
    expect(selectMeta(board).timer).toEqual({ state: 'paused', remaining: 10 * 60_000 });
    resumeTimer(board, T0 + 120_000);
    expect(selectMeta(board).timer).toEqual({ state: 'running', endsAt: T0 + 120_000 + 10 * 60_000 });
    expect(board.meta.has('timerRemaining')).toBe(false);
    // Past the end: never negative; extending restarts from now.
    const late = T0 + 60 * 60_000;
    expect(timeLeft(selectMeta(board).timer, late)).toBe(0);
    extendTimer(board, 60_000, late);
    expect(timeLeft(selectMeta(board).timer, late)).toBe(60_000);
    stopTimer(board);
    expect(selectMeta(board).timer).toEqual({ state: 'none' });
    expect(timeLeft(selectMeta(board).timer)).toBeNull();
    expect(() => startTimer(board, 0)).toThrow(BoardError);
  });
});

describe('locks', () => {
  it('placements and agreements are open by default and can be closed', () => {
    const board = makeBoard();
    expect(selectMeta(board)).toMatchObject({ placementsOpen: true, agreementsOpen: true, phase: null });
    setPlacementsOpen(board, false);
    setAgreementsOpen(board, false);
    expect(selectMeta(board)).toMatchObject({ placementsOpen: false, agreementsOpen: false });
  });

  it("starting a phase opens its kind's lock and closes the others, in the same update", () => {
    const board = makeBoard();
    const [cards, cases, agreements, info, cardsAgain] = addAgendaItems(board, [
      { title: 'Block 1', kind: 'cards', minutes: 60 },
      { title: 'Block 2', kind: 'cases', minutes: 75 },
      { title: 'Block 3', kind: 'agreements', minutes: 45 },
      { title: 'Pause', kind: 'info', minutes: 15 },
      { title: 'Nachtrag', kind: 'cards', minutes: 5 },
    ]) as [string, string, string, string, string];
    const locks = () => {
      const { writingOpen, placementsOpen, agreementsOpen } = selectMeta(board);
      return { writingOpen, placementsOpen, agreementsOpen };
    };

    expect(updatesDuring(board.doc, () => startPhase(board, cards, T0))).toBe(1);
    expect(locks()).toEqual({ writingOpen: true, placementsOpen: false, agreementsOpen: false });
    expect(updatesDuring(board.doc, () => startPhase(board, cases, T0))).toBe(1);
    expect(locks()).toEqual({ writingOpen: false, placementsOpen: true, agreementsOpen: false });
    startPhase(board, agreements, T0);
    expect(locks()).toEqual({ writingOpen: false, placementsOpen: false, agreementsOpen: true });
    // Nobody writes during an info phase, until the moderator opens a lock by hand.
    startPhase(board, info, T0);
    expect(locks()).toEqual({ writingOpen: false, placementsOpen: false, agreementsOpen: false });
    setPlacementsOpen(board, true);
    expect(locks()).toEqual({ writingOpen: false, placementsOpen: true, agreementsOpen: false });

    // A later phase of the same kind starts open, whatever was left behind;
    // a lock closed by hand stays closed until the next phase starts.
    setWritingOpen(board, false);
    expect(nextPhase(board, T0)).toBe(cardsAgain);
    expect(locks()).toEqual({ writingOpen: true, placementsOpen: false, agreementsOpen: false });
    setWritingOpen(board, false);
    expect(locks().writingOpen).toBe(false);
  });

  it('ending a phase leaves the locks as they are', () => {
    const board = makeBoard();
    const [cases] = addAgendaItems(board, [{ title: 'Block 2', kind: 'cases', minutes: 75 }]) as [string];
    startPhase(board, cases, T0);
    endPhase(board);
    expect(selectMeta(board)).toMatchObject({ phase: null, writingOpen: false, placementsOpen: true, agreementsOpen: false });
  });
});
