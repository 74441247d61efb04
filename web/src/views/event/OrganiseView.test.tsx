// @vitest-environment happy-dom
/**
 * The organiser's event page with a scripted server: the join code in
 * groups of four, the part switcher, moving a participant, the grouping
 * rule, and the boards' links this device kept from the creation.
 */
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { describe, expect, it, vi } from 'vitest';
import { Api, type EventDesk } from '../../sync/api';
import { Credentials, MemoryStorage } from '../../sync/credentials';
import { OrganiseApp } from './OrganiseView';
import { testRoot } from '../test-helpers';

const DESK: EventDesk = {
  event: 'ev1',
  title: 'Kommunen im Dialog',
  date: '2027-03-31',
  venue: 'Kassel',
  locale: 'de',
  part: 'workshops',
  attributes: [
    { id: 'sector', label: { de: 'Bereich', en: 'Sector' }, values: [{ id: 'behoerde', label: { de: 'Behörde', en: 'Public authority' } }] },
    { id: 'size', label: { de: 'Gemeindegröße', en: 'Municipality size' }, values: [{ id: 'small', label: { de: 'Kleinstadt', en: 'Small town' } }] },
  ],
  programme: [],
  boards: [
    { board: 'work0001', title: 'Workshop 1', kind: 'workshop', location: 'Raum 1', description: '', capacity: 2, admitted: 2, full: true },
    { board: 'work0002', title: 'Workshop 2', kind: 'workshop', location: 'Raum 2', description: '', capacity: null, admitted: 0, full: false },
    { board: 'group001', title: 'Reflexion A', kind: 'reflection', location: 'Foyer', description: '', capacity: null, admitted: 0, full: false },
  ],
  join_code: 'K7MPQ3XW9RTB',
  join_url: 'http://h/join/K7MPQ3XW9RTB',
  grouping: { rule: 'equal', attribute: 'size' },
  participants: [
    { participant_id: 'p1', name: 'Ulrike Keller', organisation: 'Landkreis Offenbach', sector: 'behoerde', attributes: { size: 'small' }, workshop: 'work0001', group: null, joined_at: 1 },
  ],
};

const root = testRoot();

function fakeApi(): { api: Api; calls: string[] } {
  const calls: string[] = [];
  const api = new Api(() => Promise.reject(new Error('no fetch in this test')));
  api.desk = (_event, token) => {
    calls.push(`desk ${token}`);
    return Promise.resolve(DESK);
  };
  api.setPart = (_event, _token, part) => {
    calls.push(`part ${part}`);
    return Promise.resolve({ ...DESK, part });
  };
  api.assign = (_event, _token, assignment) => {
    calls.push(`assign ${JSON.stringify(assignment)}`);
    return Promise.resolve(DESK);
  };
  api.setGrouping = (_event, _token, grouping) => {
    calls.push(`grouping ${grouping.rule} ${grouping.attribute}`);
    return Promise.resolve({ ...DESK, grouping });
  };
  return { api, calls };
}

function button(name: string): HTMLButtonElement | undefined {
  return [...root().querySelectorAll('button')].find((b) => b.textContent === name);
}

function choose(select: HTMLSelectElement | null, value: string): void {
  if (!select) throw new Error('no select');
  select.value = value;
  select.dispatchEvent(new Event('change', { bubbles: true }));
}

describe("the organiser's event page", () => {
  it('switches the part, moves a participant and sets the grouping rule', async () => {
    const { api, calls } = fakeApi();
    const credentials = new Credentials(new MemoryStorage());
    credentials.saveEventLinks({
      event: 'ev1',
      organiser_token: 'kwo_x',
      viewer_token: 'kwv_x',
      join_code: DESK.join_code,
      join_url: DESK.join_url,
      organiser_url: 'o',
      presenter_url: 'http://h/e/ev1/present#token=kwv_x',
      boards: [{ board: 'work0001', title: 'Workshop 1', kind: 'workshop', moderator_token: 'm', viewer_token: 'v', moderator_url: 'http://h/b/work0001/moderate#token=m', presenter_url: 'p' }],
    });
    await act(() => render(<OrganiseApp eventId="ev1" token="kwo_x" api={api} credentials={credentials} />, root()));
    await vi.waitFor(() => expect(root().textContent).toContain('Code: K7MP Q3XW 9RTB'));
    expect(calls).toEqual(['desk kwo_x']);
    expect(button('Workshops')?.getAttribute('aria-pressed')).toBe('true');
    expect(root().textContent).toContain('2 von 2');
    expect(root().textContent).toContain('Kleinstadt');
    expect(root().querySelector<HTMLAnchorElement>('a[href="http://h/b/work0001/moderate#token=m"]')?.textContent).toBe('Moderation: Workshop 1');
    expect(root().querySelector<HTMLAnchorElement>('a[href="http://h/e/ev1/present#token=kwv_x"]')).not.toBeNull();

    await act(() => button('Reflexion')?.click());
    await vi.waitFor(() => expect(button('Reflexion')?.getAttribute('aria-pressed')).toBe('true'));

    await act(() => choose(root().querySelector('select[aria-label="Workshop von Ulrike Keller"]'), 'work0002'));
    await vi.waitFor(() => expect(calls).toContain('assign {"participant":"p1","board":"work0002"}'));
    // One action at a time: the selects wait until the server answered.
    const group = root().querySelector<HTMLSelectElement>('select[aria-label="Gruppe von Ulrike Keller"]');
    await vi.waitFor(() => expect(group?.disabled).toBe(false));
    await act(() => choose(group, 'group001'));
    await vi.waitFor(() => expect(calls).toContain('assign {"participant":"p1","board":"group001"}'));
    const workshop = root().querySelector<HTMLSelectElement>('select[aria-label="Workshop von Ulrike Keller"]');
    await vi.waitFor(() => expect(workshop?.disabled).toBe(false));
    await act(() => choose(workshop, ''));
    await vi.waitFor(() => expect(calls).toContain('assign {"participant":"p1","board":null,"kind":"workshop"}'));
    await vi.waitFor(() => expect(button('Übernehmen')).toBeDefined());

    await act(() => choose(root().querySelector('#organise-grouping-rule'), 'mixed'));
    await act(() => choose(root().querySelector('#organise-grouping-attribute'), 'sector'));
    await act(() => button('Übernehmen')?.click());
    await vi.waitFor(() => expect(calls).toContain('grouping mixed sector'));
  });
});
