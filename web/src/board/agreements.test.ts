import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createAgreement,
  createNetwork,
  deleteAgreement,
  deleteNetwork,
  editAgreement,
  renameNetwork,
  selectAgreements,
  selectMembersByNetwork,
  selectNetworks,
  selectOwnMemberships,
  setAgreementStatus,
  setMembership,
} from './agreements';
import { setAgreementsOpen } from './agenda';
import { setProfile } from './participants';
import { MODERATOR_AUTHOR } from './schema';
import { BoardError } from './write';
import { makeBoard } from './test-helpers';

const ANNA = 'pa00000001';

describe('agreements', () => {
  // Agreements are listed by creation time, ties by their random id: every
  // write gets its own millisecond, so two made in one do not tie.
  beforeEach(() => {
    let clock = 1_741_079_400_000;
    vi.spyOn(Date, 'now').mockImplementation(() => clock++);
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('a participant proposes; the entry has exactly the schema fields', () => {
    const board = makeBoard();
    const id = createAgreement(board, { what: ' Sprachkurs mit Kinderbetreuung ', who: 'Kita, Jobcenter', due: '2025-06-30', author: ANNA });
    expect(board.agreements.get(id)?.toJSON()).toEqual({
      what: 'Sprachkurs mit Kinderbetreuung',
      who: 'Kita, Jobcenter',
      due: '2025-06-30',
      status: 'proposed',
      author: ANNA,
      createdAt: expect.any(Number) as number,
    });
    const withoutDate = createAgreement(board, { what: 'Treffen', who: '', author: ANNA });
    expect(board.agreements.get(withoutDate)?.has('due')).toBe(false);
    expect(() => createAgreement(board, { what: 'x', who: '', due: '30.06.2025', author: ANNA })).toThrow(/YYYY-MM-DD/);
    expect(() => createAgreement(board, { what: '', who: '', author: ANNA })).toThrow(BoardError);
  });

  it('a proposal while proposals are closed is refused before anything is written; the moderator still records', () => {
    const board = makeBoard();
    setAgreementsOpen(board, false);
    let error: unknown = null;
    try {
      createAgreement(board, { what: 'Sprachcafé', who: '', author: ANNA });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(BoardError);
    expect((error as BoardError).code).toBe('closed');
    expect(board.agreements.size).toBe(0);

    createAgreement(board, { what: 'Elterncafé', who: 'Kita', author: MODERATOR_AUTHOR, status: 'confirmed' });
    expect(selectAgreements(board).map((a) => a.what)).toEqual(['Elterncafé']);
    setAgreementsOpen(board, true);
    createAgreement(board, { what: 'Sprachcafé', who: '', author: ANNA });
    expect(selectAgreements(board).map((a) => a.what)).toEqual(['Elterncafé', 'Sprachcafé']);
  });

  it('edits only what changed, removes a date, and the moderator decides the status', () => {
    const board = makeBoard();
    const id = createAgreement(board, { what: 'Treffen', who: 'AG Migration', due: '2025-06-30', author: ANNA });
    const writes: string[] = [];
    board.agreements.observeDeep((events) => {
      for (const event of events) for (const key of event.keys.keys()) writes.push(key);
    });
    editAgreement(board, id, { what: 'Treffen', who: 'AG Migration Sandow', due: null });
    expect(writes.sort()).toEqual(['due', 'who']);
    expect(selectAgreements(board)[0]).toMatchObject({ what: 'Treffen', who: 'AG Migration Sandow', due: null });

    const own = createAgreement(board, { what: 'Elterncafé', who: '', author: MODERATOR_AUTHOR, status: 'confirmed' });
    setAgreementStatus(board, id, 'dropped');
    expect(selectAgreements(board).map((a) => [a.id, a.status])).toEqual([[own, 'confirmed']]);
    expect(selectAgreements(board, { includeDropped: true }).map((a) => a.status)).toEqual(['dropped', 'confirmed']);
    setAgreementStatus(board, own, 'done');
    deleteAgreement(board, id);
    expect(selectAgreements(board, { includeDropped: true }).map((a) => a.status)).toEqual(['done']);
  });
});

describe('networks', () => {
  it('participants join and leave existing networks; deleting a network drops its memberships', () => {
    const board = makeBoard();
    setProfile(board, ANNA, { name: 'Anna', organisation: 'Kita', sector: 'stadtteil' });
    const sandow = createNetwork(board, 'Netzwerk Sandow');
    const migration = createNetwork(board, 'AG Migration');
    renameNetwork(board, migration, 'AG Migration und Integration');
    expect(selectNetworks(board).map((n) => n.title)).toEqual(['Netzwerk Sandow', 'AG Migration und Integration']);

    expect(setMembership(board, ANNA, sandow, true)).toBe(true);
    expect(setMembership(board, ANNA, migration, true)).toBe(true);
    expect(setMembership(board, ANNA, 'missing000', true)).toBe(false);
    expect(selectOwnMemberships(board, ANNA)).toEqual(new Set([sandow, migration]));
    expect(selectMembersByNetwork(board).get(sandow)?.map((p) => p.name)).toEqual(['Anna']);
    expect(setMembership(board, ANNA, sandow, false)).toBe(true);
    expect(setMembership(board, ANNA, sandow, false)).toBe(false);

    deleteNetwork(board, migration);
    expect(board.memberships.size).toBe(0);
    expect([...selectMembersByNetwork(board).keys()]).toEqual([sandow]);
  });
});
