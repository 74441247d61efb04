// @vitest-environment happy-dom
/**
 * The wall's suggestions panel: asks the server on request, offers each
 * group of alike cards, accepting makes the cluster, dismissing records it;
 * both undo. (The server's side: tests/system/suggestions.rs.)
 */
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { describe, expect, it, vi } from 'vitest';
import { createCard, createUndoManager, selectCards, selectClusters } from '../../board';
import type { Api } from '../../sync/api';
import { session, testRoot } from '../test-helpers';
import { SuggestionsPanel } from './SuggestionsPanel';

const root = testRoot();

function button(name: string): HTMLButtonElement {
  const found = [...root().querySelectorAll('button')].find((b) => b.textContent.trim() === name);
  if (!found) throw new Error(`no button "${name}" in: ${root().textContent}`);
  return found;
}

describe('suggestions on the wall', () => {
  it('offers alike cards, makes a cluster of them or dismisses them, and both undo', async () => {
    const s = session({ moderator: 'testboard' });
    const undo = createUndoManager(s.board);
    const a = createCard(s.board, { text: 'Es fehlen Deutschkurse mit Kinderbetreuung', kind: 'need', author: 'pa00000001' });
    const b = createCard(s.board, { text: 'Sprachkurse nur ohne Kita-Plätze möglich', kind: 'need', author: 'pb00000002' });
    const c = createCard(s.board, { text: 'Wohnraum fehlt', kind: 'need', author: 'pa00000001' });
    const d = createCard(s.board, { text: 'Keine bezahlbaren Wohnungen', kind: 'need', author: 'pb00000002' });
    let asked = 0;
    const api = {
      suggestions: (board: string, token: string) => {
        asked += 1;
        expect([board, token]).toEqual(['testboard', 'moderator-token']);
        return Promise.resolve([
          { cards: [a, b], label: 'Sprachkurse' },
          { cards: [c, d, 'deletedcard1'], label: 'Wohnungen' },
        ]);
      },
    } as unknown as Api;
    await act(() => render(<SuggestionsPanel board={s.board} boardId="testboard" token="moderator-token" api={api} />, root()));
    expect(asked).toBe(0);
    await act(() => button('Ähnliche Karten vorschlagen').click());
    expect(asked).toBe(1);
    await vi.waitFor(() => expect(root().textContent).toContain('Diese 2 Karten sehen ähnlich aus: „Sprachkurse“'));
    expect(root().textContent).toContain('Diese 2 Karten sehen ähnlich aus: „Wohnungen“');
    expect(root().textContent).toContain('Es fehlen Deutschkurse mit Kinderbetreuung');
    undo.clear();

    await act(() => button('Als Cluster „Sprachkurse“ anlegen').click());
    const [cluster] = selectClusters(s.board);
    expect(cluster?.title).toBe('Sprachkurse');
    expect(selectCards(s.board).filter((card) => card.cluster === cluster?.id).map((card) => card.id)).toEqual([a, b]);
    expect(root().textContent).not.toContain('„Sprachkurse“ anlegen');

    await act(() => button('Passt nicht zusammen').click());
    expect([...s.board.dismissals.values()].map((entry) => entry.get('cards'))).toEqual([`${c} ${d}`]);
    expect(root().textContent).toContain('Keine ähnlichen Karten gefunden');

    undo.undo();
    expect(s.board.dismissals.size).toBe(0);
    undo.undo();
    expect(selectClusters(s.board)).toEqual([]);
    s.connection.destroy();
  });
});
