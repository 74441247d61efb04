import { describe, expect, it } from 'vitest';
import { assignGroup, createGroup } from './groups';
import { selectParticipant, setProfile } from './participants';
import { makeBoard } from './test-helpers';

describe('participants', () => {
  it('writes the own profile and updates it in place', () => {
    const board = makeBoard();
    setProfile(board, 'pa00000001', { name: 'Anna', organisation: 'Kita', sector: 'stadtteil' });
    const group = createGroup(board, 'Gruppe 1');
    assignGroup(board, 'pa00000001', group);
    setProfile(board, 'pa00000001', { name: 'Anna K.', organisation: 'Kita', sector: 'stadtteil' });
    expect(selectParticipant(board, 'pa00000001')).toMatchObject({ name: 'Anna K.', group });
    expect(Object.keys(board.participants.get('pa00000001')?.toJSON() ?? {}).sort()).toEqual(
      ['group', 'joinedAt', 'name', 'organisation', 'sector'],
    );
  });
});
