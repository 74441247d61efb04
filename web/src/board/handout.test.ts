import { describe, expect, it } from 'vitest';
import { editHandout, selectHandout } from './handout';
import { createUndoManager } from './undo';
import { makeBoard, sync } from './test-helpers';

const CONTACTS = 'Koordinierungsstelle Asyl: Frau Schröder, 0355 612-0';
const PROCEDURES = 'Anmeldung beim Jobcenter\nKita-Gutschein beantragen';

describe('handout', () => {
  it('reads empty fields as "" and stores trimmed plain text, line breaks kept', () => {
    const board = makeBoard();
    expect(selectHandout(board)).toEqual({ contacts: '', procedures: '', steering: '' });
    editHandout(board, { contacts: `  ${CONTACTS}\n`, procedures: PROCEDURES });
    expect(board.handout.toJSON()).toEqual({ contacts: CONTACTS, procedures: PROCEDURES });
    expect(selectHandout(board)).toEqual({ contacts: CONTACTS, procedures: PROCEDURES, steering: '' });
  });

  it('writes only the fields that changed, and an empty text removes the field', () => {
    const board = makeBoard();
    editHandout(board, { contacts: CONTACTS, steering: 'Fallkonferenz' });
    const writes: string[] = [];
    board.handout.observe((event) => writes.push(...event.keysChanged));
    editHandout(board, { contacts: CONTACTS, steering: ' ', procedures: '' });
    expect(writes).toEqual(['steering']);
    expect(board.handout.has('steering')).toBe(false);
    expect(board.handout.has('procedures')).toBe(false);
  });

  it('ignores a value of the wrong type written by another client', () => {
    const board = makeBoard();
    board.handout.set('contacts', 42);
    expect(selectHandout(board).contacts).toBe('');
  });

  it("two moderator tabs editing different fields offline keep both; the moderator's edit undoes", () => {
    const laptop = makeBoard({});
    const tablet = makeBoard({});
    editHandout(laptop, { contacts: CONTACTS });
    editHandout(tablet, { procedures: PROCEDURES });
    sync(laptop.doc, tablet.doc);
    expect(selectHandout(laptop)).toEqual(selectHandout(tablet));
    expect(selectHandout(laptop)).toMatchObject({ contacts: CONTACTS, procedures: PROCEDURES });

    const undo = createUndoManager(laptop);
    editHandout(laptop, { contacts: 'Bürgerbüro' });
    undo.undo();
    expect(selectHandout(laptop).contacts).toBe(CONTACTS);
    undo.destroy();
  });
});
