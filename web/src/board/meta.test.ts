import { describe, expect, it } from 'vitest';
import { initBoard, selectMeta, setFocus, setPhotosNeedApproval, setRevealed, setWritingOpen } from './meta';
import { SCHEMA_VERSION } from './schema';
import { makeBoard } from './test-helpers';

describe('meta', () => {
  it('initialises missing fields once, with the schema version', () => {
    const board = makeBoard();
    initBoard(board, { title: ' Sandow ', district: 'Sandow', date: '2025-03-04', joinCode: 'K7P2QX' });
    initBoard(board, { title: 'Other', district: 'Other' });
    const meta = selectMeta(board);
    expect(meta).toMatchObject({
      schemaVersion: SCHEMA_VERSION,
      title: 'Sandow',
      district: 'Sandow',
      date: '2025-03-04',
      locale: 'de',
      joinCode: 'K7P2QX',
      writingOpen: true,
      revealed: false,
      votingOpen: false,
      focus: { kind: 'overview' },
    });
    expect(board.meta.get('schemaVersion')).toBe(1);
  });

  it('toggles writing, reveal and focus', () => {
    const board = makeBoard();
    setWritingOpen(board, false);
    setRevealed(board, true);
    setFocus(board, { kind: 'groups' });
    expect(selectMeta(board)).toMatchObject({ writingOpen: false, revealed: true, focus: { kind: 'groups' } });
  });

  it('approves photos only once the moderator turns it on', () => {
    const board = makeBoard();
    expect(selectMeta(board).photosNeedApproval).toBe(false);
    setPhotosNeedApproval(board, true);
    setFocus(board, { kind: 'gallery' });
    expect(selectMeta(board)).toMatchObject({ photosNeedApproval: true, focus: { kind: 'gallery' } });
    expect(board.meta.get('focus')).toBe('gallery');
  });
});
