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
    const api = {
      deleteBoard: (board: string, token: string) => {
        calls.push([board, token]);
        return fail ? Promise.reject(new ApiError(0, 'network')) : Promise.resolve();
      },
    } as unknown as Api;
    // happy-dom has no dialogs: the question is answered here.
    const confirm = vi.fn(() => false);
    vi.stubGlobal('confirm', confirm);
    await act(() => render(<DocumentationEditor board={s.board} boardId="testboard" token="moderator-token" api={api} />, root()));

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
