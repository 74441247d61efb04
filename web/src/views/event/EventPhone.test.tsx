// @vitest-environment happy-dom
/**
 * The event phone in a DOM with a scripted server: it follows the place
 * from board to board without being mounted again, writes the own profile
 * into each board it enters once, closes the board it leaves, and offers
 * only workshops with room. The whole path against the real server is
 * tests/e2e/event.test.mjs.
 */
import { render } from 'preact';
import { act } from 'preact/test-utils';
import * as Y from 'yjs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Board, selectParticipant } from '../../board';
import { setLocale } from '../../i18n';
import { Api, ApiError, type EventInfo, type Place } from '../../sync/api';
import { connect } from '../../sync/connection';
import { Credentials, MemoryStorage } from '../../sync/credentials';
import type { Session } from '../../sync/session';
import { EventPhoneApp } from './EventPhone';
import { NeverSocket } from '../test-helpers';

const INFO: EventInfo = {
  event: 'ev1',
  title: 'Kommunen im Dialog',
  date: '2027-03-31',
  venue: 'Kassel',
  locale: 'de',
  part: 'workshops',
  attributes: [],
  programme: [{ time: '09:30', title: 'Begrüßung', part: 'plenary', location: 'Saal' }],
  boards: [
    { board: 'plenum01', title: 'Plenum', kind: 'plenary', location: 'Saal', description: '', capacity: null, admitted: 3, full: false },
    { board: 'work0001', title: 'Workshop 1: Sprache', kind: 'workshop', location: 'Raum 1', description: '', capacity: 2, admitted: 2, full: true },
    { board: 'work0002', title: 'Workshop 2: Wohnen', kind: 'workshop', location: 'Raum 3', description: 'Bezahlbare Wohnungen', capacity: 10, admitted: 7, full: false },
    { board: 'group001', title: 'Reflexion A', kind: 'reflection', location: 'Foyer', description: '', capacity: null, admitted: 0, full: false },
  ],
};

function place(version: number, change: Partial<Place>): Place {
  return { version, part: 'plenary', board: null, title: '', kind: null, location: '', workshop: null, group: null, choose: false, ...change };
}

/** A server whose long poll hands out `places` one by one, then holds until aborted. */
class ScriptedServer {
  readonly places: Place[] = [];
  readonly asked: (number | null)[] = [];
  private release: (() => void) | null = null;
  choose = vi.fn<(board: string) => Promise<Place>>();

  push(next: Place): void {
    this.places.push(next);
    this.release?.();
  }

  api(): Api {
    const api = new Api(() => Promise.reject(new Error('no fetch in this test')));
    api.event = () => Promise.resolve(INFO);
    api.place = (_event, _token, after, signal) => {
      this.asked.push(after);
      return new Promise((resolve, reject) => {
        const next = (): void => {
          const answer = this.places.shift();
          if (answer) resolve(answer);
          else this.release = next;
        };
        signal?.addEventListener('abort', () => reject(new Error('aborted')));
        next();
      });
    };
    api.choose = (_event, _token, board) => this.choose(board);
    return api;
  }
}

let root: HTMLElement;
const opened: { board: string; session: Session; destroyed: boolean }[] = [];

function open(board: string): Session {
  const doc = new Y.Doc();
  const connection = connect({
    board,
    token: 't',
    doc,
    serverUrl: 'ws://localhost/ws',
    persist: false,
    crossTab: false,
    events: null,
    WebSocketPolyfill: NeverSocket as unknown as typeof WebSocket,
  });
  const entry = { board, session: { board: new Board(doc), connection }, destroyed: false };
  const destroy = connection.destroy.bind(connection);
  entry.session.connection = {
    ...connection,
    destroy: () => {
      entry.destroyed = true;
      destroy();
    },
  };
  opened.push(entry);
  return entry.session;
}

beforeEach(() => {
  setLocale('de');
  root = document.createElement('div');
  document.body.append(root);
});
afterEach(() => {
  render(null, root);
  root.remove();
  for (const entry of opened.splice(0)) if (!entry.destroyed) entry.session.connection.destroy();
});

function setup(): { server: ScriptedServer; credentials: Credentials } {
  const credentials = new Credentials(new MemoryStorage());
  credentials.saveEventParticipant('ev1', { participantId: 'pa00000001', token: 'kwp_x', profile: { name: 'Aylin', organisation: 'Stadt Hanau', sector: 'behoerde' } });
  return { server: new ScriptedServer(), credentials };
}

async function mount(server: ScriptedServer, credentials: Credentials): Promise<void> {
  const record = credentials.eventParticipant('ev1');
  if (!record) throw new Error('no record');
  await act(() => render(<EventPhoneApp eventId="ev1" api={server.api()} credentials={credentials} record={record} open={open} />, root));
}

describe('the event phone', () => {
  it('follows the part from the plenary to the reflection group without being mounted again', async () => {
    const { server, credentials } = setup();
    server.push(place(1, { board: 'plenum01', title: 'Plenum', kind: 'plenary', location: 'Saal' }));
    await mount(server, credentials);
    await vi.waitFor(() => expect(root.querySelector('.event-banner')?.textContent).toContain('Plenum · Saal'));
    await vi.waitFor(() => expect(root.querySelector('#card-text')).not.toBeNull());
    const plenary = opened.find((entry) => entry.board === 'plenum01');
    expect(plenary && selectParticipant(plenary.session.board, 'pa00000001')).toMatchObject({ name: 'Aylin', sector: 'behoerde' });
    expect(credentials.eventParticipant('ev1')?.profileWritten).toEqual(['plenum01']);

    await act(() => server.push(place(2, { part: 'reflection', board: 'group001', title: 'Reflexion A', kind: 'reflection', location: 'Foyer', group: 'group001' })));
    await vi.waitFor(() =>
      expect(root.querySelector('.event-banner')?.textContent).toContain('Bitte gehen Sie in Ihre Reflexionsgruppe: Reflexion A · Foyer'),
    );
    await vi.waitFor(() => expect(opened.map((entry) => entry.board)).toEqual(['plenum01', 'group001']));
    expect(plenary?.destroyed).toBe(true);
    const group = opened[1];
    await vi.waitFor(() => expect(group && selectParticipant(group.session.board, 'pa00000001')?.name).toBe('Aylin'));
    expect(server.asked).toEqual([null, 1, 2]);
    expect(credentials.lastPlace('ev1')?.board).toBe('group001');
  });

  it('offers only workshops with room, and says so when the chosen one filled up', async () => {
    const { server, credentials } = setup();
    server.push(place(1, { part: 'workshops', choose: true }));
    server.choose.mockRejectedValueOnce(new ApiError(409, 'this workshop is full'));
    await mount(server, credentials);
    await vi.waitFor(() => expect(root.textContent).toContain('Bitte wählen Sie Ihren Workshop.'));
    await vi.waitFor(() => expect(root.querySelectorAll('.workshop')).toHaveLength(1));
    const choice = root.querySelector('.workshop-choice');
    expect(choice?.textContent).not.toContain('Workshop 1: Sprache');
    expect(choice?.textContent).toContain('Noch 3 Plätze frei');
    expect(choice?.textContent).toContain('Bezahlbare Wohnungen');
    const button = [...root.querySelectorAll('button')].find((b) => b.textContent === '„Workshop 2: Wohnen“ wählen');
    await act(() => button?.click());
    await vi.waitFor(() => expect(root.querySelector('[role=alert]')?.textContent).toContain('gerade voll geworden'));
    expect(server.choose).toHaveBeenCalledWith('work0002');

    server.choose.mockResolvedValueOnce(place(2, { part: 'workshops', board: 'work0002', title: 'Workshop 2: Wohnen', kind: 'workshop', location: 'Raum 3', workshop: 'work0002' }));
    await act(() => button?.click());
    await vi.waitFor(() => expect(root.querySelector('.event-banner')?.textContent).toContain('Workshop 2: Wohnen · Raum 3'));
    await vi.waitFor(() => expect(root.querySelector('#card-text')).not.toBeNull());
  });
});
