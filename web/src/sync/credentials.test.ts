import { describe, expect, it } from 'vitest';
import { Credentials, MemoryStorage } from './credentials';
import type { CreatedBoard } from './api';

describe('Credentials', () => {
  it('remembers a participant per board and a join code', () => {
    const storage = new MemoryStorage();
    const credentials = new Credentials(storage);
    expect(credentials.participant('board1')).toBeNull();
    credentials.saveParticipant('board1', { participantId: 'p1', token: 't1' });
    credentials.saveCode('k7p2qx', { board: 'board1', title: 'Sandow', district: 'Sandow' });
    const again = new Credentials(storage);
    expect(again.participant('board1')).toEqual({ participantId: 'p1', token: 't1' });
    expect(again.participant('board2')).toBeNull();
    expect(again.code('K7P2QX')?.board).toBe('board1');
    again.forgetParticipant('board1');
    expect(again.participant('board1')).toBeNull();
  });

  it('ignores corrupt entries', () => {
    const storage = new MemoryStorage();
    storage.setItem('kartenwand.participant.board1', '{not json');
    storage.setItem('kartenwand.code.ABC', '{"board": 5}');
    const credentials = new Credentials(storage);
    expect(credentials.participant('board1')).toBeNull();
    expect(credentials.code('ABC')).toBeNull();
  });

  it('keeps the moderator links but never the moderator token in them', () => {
    const credentials = new Credentials(new MemoryStorage());
    const created: CreatedBoard = {
      board: 'b1',
      moderator_token: 'secret',
      viewer_token: 'v',
      join_code: 'K7P2QX',
      join_url: 'https://x/join/K7P2QX',
      moderator_url: 'https://x/b/b1/moderate#token=secret',
      presenter_url: 'https://x/b/b1/present#token=v',
    };
    credentials.saveModeratorLinks(created);
    const links = credentials.moderatorLinks('b1');
    expect(links?.join_code).toBe('K7P2QX');
    expect(JSON.stringify(links)).not.toContain('secret');
  });
});
