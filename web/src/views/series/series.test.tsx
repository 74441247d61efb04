// @vitest-environment happy-dom
/**
 * The series page with a scripted server: the conferences listed, a
 * suggestion accepted and one dismissed (each a whole comparison written
 * with the version read), undo writing the earlier one back, a stale write
 * said in words, and the moderation link a board is added with.
 */
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../sync/api';
import { type Comparison, SeriesApi, type SeriesOverview, type SeriesSuggestion } from '../../sync/series-api';
import { testRoot } from '../test-helpers';
import { SeriesApp, parseModerationLink } from './SeriesView';

const root = testRoot();

const CONFERENCES: SeriesOverview['conferences'] = [
  {
    board: 'b1',
    title: 'Stadtteilkonferenz Ströbitz',
    district: 'Ströbitz',
    date: '2026-03-04',
    participants: 12,
    cards: 30,
    clusters: [
      { id: 'k1', title: 'Sprachkurse', needs: ['Es fehlen Deutschkurse mit Kinderbetreuung'] },
      { id: 'k2', title: 'Wohnraum', needs: ['Zu wenige große Wohnungen'] },
    ],
    agreements: [{ id: 'a1', what: 'Runder Tisch', who: 'Jobcenter', due: null, status: 'confirmed' }],
  },
  {
    board: 'b2',
    title: 'Stadtteilkonferenz Sachsendorf',
    district: 'Sachsendorf',
    date: null,
    participants: 8,
    cards: 20,
    clusters: [
      { id: 'm1', title: 'Kinderbetreuung', needs: ['Sprachkurse nur ohne Kita-Plätze möglich'] },
      { id: 'm2', title: 'Wohnungen', needs: ['Große Familien finden nichts'] },
    ],
    agreements: [],
  },
];

const SUGGESTIONS: SeriesSuggestion[] = [
  { label: 'Sprachkurse', clusters: [{ board: 'b1', cluster: 'k1' }, { board: 'b2', cluster: 'm1' }] },
  { label: 'Wohnungen', clusters: [{ board: 'b1', cluster: 'k2' }, { board: 'b2', cluster: 'm2' }] },
];

/** A server that keeps the comparison and its version. */
function scripted(): { api: SeriesApi; writes: { version: number; comparison: Comparison }[]; server: { version: number; comparison: Comparison; conflict: boolean } } {
  const server = { version: 0, comparison: { topics: [], dismissed: [] } as Comparison, conflict: false };
  const writes: { version: number; comparison: Comparison }[] = [];
  const api = new SeriesApi(() => Promise.reject(new Error('no fetch in this test')));
  api.overview = () =>
    Promise.resolve({
      series: 's1',
      title: 'Stadtteilkonferenzen Cottbus',
      locale: 'de',
      version: server.version,
      comparison: server.comparison,
      conferences: CONFERENCES,
      topics: [],
    });
  api.suggestions = () => Promise.resolve(SUGGESTIONS);
  api.writeComparison = (_series, _token, version, comparison) => {
    writes.push({ version, comparison });
    if (server.conflict || version !== server.version) return Promise.reject(new ApiError(409, 'the comparison changed since it was read: read it again'));
    server.version += 1;
    server.comparison = comparison;
    return Promise.resolve(server.version);
  };
  return { api, writes, server };
}

function button(name: string, within: ParentNode = root()): HTMLButtonElement {
  const found = [...within.querySelectorAll('button')].find((b) => b.textContent === name);
  if (!found) throw new Error(`no button ${name}`);
  return found;
}

function suggestion(label: string): HTMLElement {
  const found = root().querySelector<HTMLElement>(`[aria-label="Vorschlag „${label}“"]`);
  if (!found) throw new Error(`no suggestion ${label}`);
  return found;
}

describe('the series page', () => {
  it('accepts and dismisses suggestions as whole comparisons, and undoes', async () => {
    const { api, writes, server } = scripted();
    await act(() => render(<SeriesApp series="s1" token="kws_x" api={api} />, root()));
    await vi.waitFor(() => expect(root().textContent).toContain('Stadtteilkonferenz Sachsendorf'));
    expect(root().querySelectorAll('.series-conferences tbody tr')).toHaveLength(2);
    expect(root().textContent).toContain('Sprachkurse nur ohne Kita-Plätze möglich');

    await act(() => button('Als Thema übernehmen', suggestion('Sprachkurse')).click());
    await vi.waitFor(() => expect(writes).toHaveLength(1));
    expect(writes[0]?.version).toBe(0);
    expect(writes[0]?.comparison.topics).toEqual([
      expect.objectContaining({ title: 'Sprachkurse', scope: 'open', clusters: SUGGESTIONS[0]?.clusters }),
    ]);
    await vi.waitFor(() => expect(root().querySelector('[data-topic]')).not.toBeNull());

    await act(() => button('Verwerfen', suggestion('Wohnungen')).click());
    await vi.waitFor(() => expect(writes).toHaveLength(2));
    expect(writes[1]?.version).toBe(1);
    expect(writes[1]?.comparison.dismissed).toEqual([SUGGESTIONS[1]?.clusters]);

    await vi.waitFor(() => expect(button('Rückgängig').getAttribute('aria-disabled')).toBeNull());
    await act(() => button('Rückgängig').click());
    await vi.waitFor(() => expect(writes).toHaveLength(3));
    expect(writes[2]?.comparison.dismissed).toEqual([]);
    expect(writes[2]?.comparison.topics).toHaveLength(1);
    await vi.waitFor(() => expect(button('Wiederholen').getAttribute('aria-disabled')).toBeNull());

    // Someone else wrote in between: said in words, nothing lost here.
    server.conflict = true;
    await act(() => button('Wiederholen').click());
    await vi.waitFor(() => expect(root().querySelector('[role="alert"]')?.textContent).toContain('anderswo geändert'));
    expect(server.comparison.dismissed).toEqual([]);
  });

  it('reads a moderation link', () => {
    expect(parseModerationLink('https://kartenwand.cottbus.de/b/b0ard1/moderate#token=kwm_abc')).toEqual({ board: 'b0ard1', token: 'kwm_abc' });
    expect(parseModerationLink('/b/b0ard1/moderate#token=kwm_abc')).toEqual({ board: 'b0ard1', token: 'kwm_abc' });
    expect(parseModerationLink('https://x/b/b0ard1/present#token=kwv_abc')).toBeNull();
    expect(parseModerationLink('https://x/b/b0ard1/moderate')).toBeNull();
    expect(parseModerationLink('kein Link')).toBeNull();
  });
});
