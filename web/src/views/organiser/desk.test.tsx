// @vitest-environment happy-dom
/**
 * The organiser's desk lists their series: opened with the token this
 * browser kept, or through a new organiser link (the old one stops
 * working), whose token is then kept.
 */
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { describe, expect, it, vi } from 'vitest';
import { Api, type OrganiserDesk } from '../../sync/api';
import { Credentials, MemoryStorage } from '../../sync/credentials';
import { testRoot } from '../test-helpers';
import { OrganiserApp } from './OrganiserView';

const root = testRoot();

const DESK: OrganiserDesk = {
  id: 'org',
  email: 'amt@cottbus.example',
  name: 'Amt für Integration',
  boards: [],
  events: [],
  series: [
    { series: 'se1', title: 'Stadtteilkonferenzen Cottbus', boards: 4, created_at: 2 },
    { series: 'se2', title: 'Reihe anderswo begonnen', boards: 1, created_at: 1 },
  ],
};

describe("the organiser's desk", () => {
  it('opens a series kept on this device and makes a new link for one that is not', async () => {
    const api = new Api(() => Promise.reject(new Error('no fetch in this test')));
    api.organiserDesk = () => Promise.resolve(DESK);
    const made: string[] = [];
    api.newSeriesLink = (series) => {
      made.push(series);
      return Promise.resolve({ token: 'kws_new', url: `http://h/s/${series}#token=kws_new` });
    };
    const credentials = new Credentials(new MemoryStorage());
    credentials.saveSeriesToken('se1', 'kws_kept');
    vi.stubGlobal('confirm', () => true);
    await act(() => render(<OrganiserApp api={api} credentials={credentials} invitation={null} />, root()));
    await vi.waitFor(() => expect(root().textContent).toContain('Stadtteilkonferenzen Cottbus'));
    expect(root().textContent).toContain('4 Konferenzen');
    const kept = root().querySelector<HTMLAnchorElement>('a[href="/s/se1#token=kws_kept"]');
    expect(kept?.textContent).toBe('Reihe öffnen');
    const other = root().querySelector('[aria-labelledby="desk-series-se2"]');
    expect(other?.querySelector('a.button-link')).toBeNull();
    const button = [...(other?.querySelectorAll('button') ?? [])].find((b) => b.textContent === 'Neuen Organisationslink erzeugen');
    await act(() => button?.click());
    await vi.waitFor(() => expect(other?.querySelector('.new-link a')?.getAttribute('href')).toBe('http://h/s/se2#token=kws_new'));
    expect(made).toEqual(['se2']);
    expect(credentials.seriesToken('se2')).toBe('kws_new');
    vi.unstubAllGlobals();
  });
});
