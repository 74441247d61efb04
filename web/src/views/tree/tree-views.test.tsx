// @vitest-environment happy-dom
/**
 * The problem–solution tree in a DOM: the phone adds to the tree in the
 * part that is open, the moderator opens parts, moves and merges, the
 * projector draws it; card text stays text. The browser run with a real
 * server and several phones is tests/e2e/tree.test.mjs.
 */
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { addChallenge, selectCards, selectTree, setChallengesOpen, setProfile, setSolutionsOpen } from '../../board';
import { Api } from '../../sync/api';
import { Credentials, MemoryStorage } from '../../sync/credentials';
import type { Session } from '../../sync/session';
import { ModeratorView } from '../moderator/ModeratorView';
import { ParticipantBoard } from '../participant/ParticipantBoard';
import { PresenterView } from '../presenter/PresenterView';
import { key, session, testRoot, typeInto } from '../test-helpers';

const root = testRoot();
const open: Session[] = [];
afterEach(() => {
  for (const s of open.splice(0)) s.connection.destroy();
});

function treeSession(origin: object | null = null): Session {
  const s = session(origin);
  open.push(s);
  s.board.doc.transact(() => {
    s.board.meta.set('kind', 'tree');
    s.board.meta.set('title', 'Was erschwert die Zusammenarbeit?');
  });
  return s;
}

function button(name: string): HTMLButtonElement {
  const found = [...root().querySelectorAll('button')].find((b) => b.textContent.replace(/[↶↷]/g, '').trim() === name || b.getAttribute('aria-label') === name);
  if (!found) throw new Error(`no button "${name}" in: ${root().textContent}`);
  return found;
}

describe('the tree on the phone', () => {
  it('adds a challenge, then a solution to it once that part is open, and shows text as text', async () => {
    const s = treeSession();
    setProfile(s.board, 'pa00000001', { name: 'Anna', organisation: 'Jobcenter', sector: 'behoerde' });
    await act(() => render(<ParticipantBoard session={s} boardId="testboard" participantId="pa00000001" />, root()));
    expect(root().textContent).toContain('Der Baum ist gerade geschlossen');
    expect(root().querySelector('#tree-text-challenge-trunk')).toBeNull();

    await act(() => setChallengesOpen(s.board, true));
    const text = root().querySelector<HTMLTextAreaElement>('#tree-text-challenge-trunk');
    expect(text).not.toBeNull();
    await act(() => {
      if (text) typeInto(text, '<i>Ansprechpartner</i> wechseln oft');
    });
    await act(() => {
      if (text) key(text, 'Enter');
    });
    const [challenge] = selectCards(s.board);
    expect(challenge).toEqual(expect.objectContaining({ kind: 'challenge', text: '<i>Ansprechpartner</i> wechseln oft', author: 'pa00000001', parent: null }));
    expect(root().textContent).toContain('<i>Ansprechpartner</i> wechseln oft');
    expect(root().querySelector('i')).toBeNull();
    // Their own entry, to change while the part is open.
    await act(() => button('„<i>Ansprechpartner</i> wechseln oft“ ändern').click());
    const edit = root().querySelector<HTMLTextAreaElement>('.tree-own textarea');
    expect(edit?.value).toBe('<i>Ansprechpartner</i> wechseln oft');
    await act(() => {
      if (edit) typeInto(edit, 'Ansprechpartner wechseln sehr oft');
    });
    await act(() => root().querySelector<HTMLFormElement>('form.tree-own')?.requestSubmit());
    expect(selectCards(s.board)[0]?.text).toBe('Ansprechpartner wechseln sehr oft');
    // A solution is offered only in its part.
    expect(() => button('Lösung zu „Ansprechpartner wechseln sehr oft“')).toThrow();

    await act(() => {
      setChallengesOpen(s.board, false);
      setSolutionsOpen(s.board, true);
    });
    await act(() => button('Lösung zu „Ansprechpartner wechseln sehr oft“').click());
    const solution = root().querySelector<HTMLTextAreaElement>(`#tree-text-solution-${challenge?.id ?? ''}`);
    await act(() => {
      if (solution) typeInto(solution, 'Feste Kontaktliste');
    });
    await act(() => {
      if (solution) key(solution, 'Enter');
    });
    const tree = selectTree(s.board);
    expect(tree.roots[0]?.solutions.map((card) => card.text)).toEqual(['Feste Kontaktliste']);
  });
});

describe('the tree for the moderator and the room', () => {
  it('opens the parts, merges two challenges with both texts, and the projector draws the tree', async () => {
    const s = treeSession({ moderator: 'testboard' });
    const credentials = new Credentials(new MemoryStorage());
    await act(() => render(<ModeratorView session={s} boardId="testboard" token="t" credentials={credentials} api={new Api()} />, root()));
    expect(root().textContent).toContain('Problem-Lösungs-Baum');
    await act(() => button('Herausforderungen sammeln').click());
    expect(s.board.meta.get('challengesOpen')).toBe(true);
    expect(s.board.meta.get('writingOpen')).toBe(true);

    const a = addChallenge(s.board, { text: 'Zu wenig Zeit', author: 'pa00000001' });
    const b = addChallenge(s.board, { text: 'Keine Zeit für Absprachen', author: 'pb00000002' });
    await act(() => undefined);
    const item = [...root().querySelectorAll<HTMLElement>('.tree-editor-item')].find((li) => li.getAttribute('aria-label') === 'Herausforderung: Zu wenig Zeit');
    const select = item?.querySelector<HTMLSelectElement>('.tree-merge select');
    await act(() => {
      if (select) {
        select.value = b;
        select.dispatchEvent(new Event('change', { bubbles: true }));
      }
    });
    await act(() => item?.querySelector<HTMLButtonElement>('.tree-merge button')?.click());
    expect(selectCards(s.board).map((card) => [card.id, card.text])).toEqual([[a, 'Zu wenig Zeit\nKeine Zeit für Absprachen']]);
    await act(() => button('Rückgängig').click());
    expect(selectCards(s.board)).toHaveLength(2);

    render(null, root());
    const viewer = treeSession();
    setChallengesOpen(viewer.board, true);
    addChallenge(viewer.board, { text: '<script>alert(1)</script> Datenschutz', author: 'pa00000001' });
    await act(() => render(<PresenterView session={viewer} />, root()));
    expect(root().querySelector('.display-tree')).not.toBeNull();
    expect(root().querySelector('.tree-question')?.textContent).toBe('Was erschwert die Zusammenarbeit?');
    expect(root().querySelector('.tree-challenge')?.textContent).toContain('<script>alert(1)</script> Datenschutz');
    expect(root().querySelector('script')).toBeNull();
  });
});
