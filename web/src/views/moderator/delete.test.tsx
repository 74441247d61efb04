// @vitest-environment happy-dom
/**
 * Deleting the conference from the documentation tab: only after the
 * question is answered with yes, and the page says what happened. (The
 * server's side: tests/system/deletion.rs.)
 */
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, type Api } from '../../sync/api';
import { session, testRoot } from '../test-helpers';
import { DocumentationEditor } from './DocumentationEditor';

const root = testRoot();
afterEach(() => vi.unstubAllGlobals());

function deleteButton(): HTMLButtonElement {
  const found = [...root().querySelectorAll('button')].find((b) => b.textContent.trim() === 'Konferenz jetzt löschen');
  if (!found) throw new Error('no delete button');
  return found;
}

describe('deleting the conference', () => {
  it('asks first, deletes on yes, and says so; a failure is said in words', async () => {
    const s = session({ moderator: 'testboard' });
    const calls: string[][] = [];
    let fail = false;
    const chosen: (string | null)[] = [];
    const api = {
      deleteBoard: (board: string, token: string) => {
        calls.push([board, token]);
        return fail ? Promise.reject(new ApiError(0, 'network')) : Promise.resolve();
      },
      retention: () => Promise.resolve({ date: '2026-11-24', deleteOn: '2027-11-24', chosen: false, retentionDays: 365 }),
      setRetention: (_board: string, _token: string, deleteOn: string | null) => {
        chosen.push(deleteOn);
        return Promise.resolve({ date: '2026-11-24', deleteOn: deleteOn ?? '2027-11-24', chosen: deleteOn !== null, retentionDays: 365 });
      },
    } as unknown as Api;
    // happy-dom has no dialogs: the question is answered here.
    const confirm = vi.fn(() => false);
    vi.stubGlobal('confirm', confirm);
    await act(() => render(<DocumentationEditor board={s.board} boardId="testboard" token="moderator-token" api={api} />, root()));

    // When it goes by itself, and another day chosen.
    await vi.waitFor(() => expect(root().textContent).toContain('am 24. November 2027 automatisch endgültig gelöscht (365 Tage nach dem Tag der Konferenz)'));
    const day = root().querySelector<HTMLInputElement>('#retention-day');
    await act(() => {
      if (day) {
        day.value = '2027-03-31';
        day.dispatchEvent(new Event('input', { bubbles: true }));
      }
    });
    await act(() => day?.form?.requestSubmit());
    await vi.waitFor(() => expect(root().textContent).toContain('am 31. März 2027 automatisch endgültig gelöscht (von der Moderation gewählt)'));
    expect(chosen).toEqual(['2027-03-31']);

    await act(() => deleteButton().click());
    expect(confirm).toHaveBeenCalledOnce();
    expect(calls).toEqual([]);

    fail = true;
    confirm.mockReturnValue(true);
    await act(() => deleteButton().click());
    await vi.waitFor(() => expect(root().querySelector('[role=alert]')?.textContent).toContain('Das Löschen ging nicht'));

    fail = false;
    await act(() => deleteButton().click());
    await vi.waitFor(() => expect(root().textContent).toContain('Die Konferenz ist gelöscht.'));
    expect(calls).toEqual([
      ['testboard', 'moderator-token'],
      ['testboard', 'moderator-token'],
    ]);
    expect(deleteButton().disabled).toBe(true);
    s.connection.destroy();
  });
});
