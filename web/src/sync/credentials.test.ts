import { describe, expect, it } from 'vitest';
import { Credentials, MemoryStorage } from './credentials';
import type { CreatedBoard, CreatedEvent, Place } from './api';

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

  it('remembers an event participant with the profile, and the boards that have it', () => {
    const storage = new MemoryStorage();
    const credentials = new Credentials(storage);
    expect(credentials.eventParticipant('ev1')).toBeNull();
    credentials.saveEventParticipant('ev1', { participantId: 'p1', token: 'kwp_p1_x', profile: { name: 'Aylin', organisation: 'Stadt Kassel', sector: 'behoerde' } });
    credentials.markProfileWritten('ev1', 'b1');
    credentials.markProfileWritten('ev1', 'b1');
    credentials.markProfileWritten('ev1', 'b2');
    const again = new Credentials(storage).eventParticipant('ev1');
    expect(again).toEqual({
      participantId: 'p1',
      token: 'kwp_p1_x',
      profile: { name: 'Aylin', organisation: 'Stadt Kassel', sector: 'behoerde' },
      profileWritten: ['b1', 'b2'],
    });
    // A participant of one event is nobody on another, nor on a board.
    expect(credentials.eventParticipant('ev2')).toBeNull();
    expect(credentials.participant('ev1')).toBeNull();
    storage.setItem('kartenwand.event-participant.ev3', JSON.stringify({ participantId: 'p', token: 't', profile: { name: 'X', organisation: '', sector: 'mars' } }));
    expect(credentials.eventParticipant('ev3')).toBeNull();
  });

  it('keeps the last place of an event, and forgets it with the participant', () => {
    const credentials = new Credentials(new MemoryStorage());
    const place: Place = { version: 3, part: 'reflection', board: 'b9', title: 'Reflexion A', kind: 'reflection', location: 'Foyer', workshop: 'b2', group: 'b9', choose: false };
    credentials.saveEventParticipant('ev1', { participantId: 'p1', token: 't', profile: { name: 'A', organisation: '', sector: 'politik' } });
    credentials.savePlace('ev1', place);
    expect(credentials.lastPlace('ev1')).toEqual(place);
    credentials.forgetEventParticipant('ev1');
    expect(credentials.lastPlace('ev1')).toBeNull();
    expect(credentials.eventParticipant('ev1')).toBeNull();
  });

  it('remembers an event code without a board', () => {
    const credentials = new Credentials(new MemoryStorage());
    credentials.saveCode('k7mpq3xw9rtb', { event: 'ev1', title: 'Kassel', district: '' });
    expect(credentials.code('K7MPQ3XW9RTB')).toEqual({ event: 'ev1', title: 'Kassel', district: '' });
  });

  it('keeps the links of a created event, the organiser token apart', () => {
    const credentials = new Credentials(new MemoryStorage());
    const created: CreatedEvent = {
      event: 'ev1',
      organiser_token: 'kwo_secret',
      viewer_token: 'kwv_v',
      join_code: 'K7MPQ3XW9RTB',
      join_url: 'http://h/join/K7MPQ3XW9RTB',
      organiser_url: 'http://h/e/ev1/organise#token=kwo_secret',
      presenter_url: 'http://h/e/ev1/present#token=kwv_v',
      boards: [{ board: 'b1', title: 'Workshop 1', kind: 'workshop', moderator_token: 'kwm_1', viewer_token: 'kwv_1', moderator_url: 'http://h/b/b1/moderate#token=kwm_1', presenter_url: 'http://h/b/b1/present#token=kwv_1' }],
    };
    credentials.saveEventLinks(created);
    credentials.saveEventToken('ev1', 'organiser', created.organiser_token);
    const links = credentials.eventLinks('ev1');
    expect(links?.boards).toEqual([{ board: 'b1', title: 'Workshop 1', kind: 'workshop', moderator_url: 'http://h/b/b1/moderate#token=kwm_1', presenter_url: 'http://h/b/b1/present#token=kwv_1' }]);
    expect(JSON.stringify(links)).not.toContain('kwo_secret');
    expect(credentials.eventToken('ev1', 'organiser')).toBe('kwo_secret');
    expect(credentials.eventToken('ev1', 'viewer')).toBeNull();
  });
});
