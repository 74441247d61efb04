// @vitest-environment happy-dom
/** "Meine Daten" on the phone: the download asks the server with the person's own token. */
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { describe, expect, it, vi } from 'vitest';
import { Api } from '../../sync/api';
import { testRoot } from '../test-helpers';
import { MyData } from './MyData';

const root = testRoot();

describe('my data', () => {
  it('downloads the file with the person\'s token, and says a failure in words', async () => {
    const seen: { url: string; authorization: string | null }[] = [];
    let status = 500;
    const api = new Api((input, init) => {
      seen.push({ url: input instanceof Request ? input.url : input.toString(), authorization: new Headers(init?.headers).get('Authorization') });
      return Promise.resolve(new Response(status === 200 ? '{}' : JSON.stringify({ error: 'kaputt' }), { status }));
    });
    const saved: string[] = [];
    vi.stubGlobal('URL', Object.assign(URL, { createObjectURL: () => 'blob:x', revokeObjectURL: () => undefined }));
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function record(this: HTMLAnchorElement) {
      saved.push(this.download);
    });
    await act(() => render(<MyData boardId="testboard" participantId="pa00000001" token="kwp_secret" api={api} />, root()));
    const button = [...root().querySelectorAll('button')].find((b) => b.textContent === 'Meine Daten herunterladen');
    await act(() => button?.click());
    await vi.waitFor(() => expect(root().querySelector('[role=alert]')?.textContent).toContain('Das Herunterladen ging nicht'));
    status = 200;
    await act(() => button?.click());
    await vi.waitFor(() => expect(root().textContent).toContain('Die Datei ist heruntergeladen.'));
    expect(seen.map((s) => [s.url, s.authorization])).toEqual([
      ['/api/boards/testboard/participants/pa00000001/data', 'Bearer kwp_secret'],
      ['/api/boards/testboard/participants/pa00000001/data', 'Bearer kwp_secret'],
    ]);
    expect(saved).toEqual(['kartenwand-meine-daten.json']);
    click.mockRestore();
    vi.unstubAllGlobals();
  });

  it('withdraws the consent and erases the person with the choice they made', async () => {
    const seen: { url: string; method: string; body: unknown }[] = [];
    const api = new Api((input, init) => {
      seen.push({ url: input instanceof Request ? input.url : input.toString(), method: init?.method ?? 'GET', body: init?.body ?? null });
      return Promise.resolve(new Response(null, { status: 204 }));
    });
    const erased = vi.fn();
    vi.stubGlobal('confirm', () => true);
    await act(() => render(<MyData boardId="testboard" participantId="pa00000001" token="kwp_secret" api={api} onErased={erased} />, root()));
    const button = (text: string) => [...root().querySelectorAll('button')].find((b) => b.textContent === text);
    await act(() => button('Einwilligung widerrufen')?.click());
    await vi.waitFor(() => expect(root().textContent).toContain('Ihre Kontaktdaten sind gelöscht'));
    expect(seen.at(-1)).toMatchObject({ url: '/api/boards/testboard/participants/pa00000001/contact', method: 'DELETE' });

    await act(() => button('Meine Daten löschen')?.click());
    const keep = [...root().querySelectorAll('label')].find((l) => l.textContent.includes('Karten ohne meinen Namen behalten'));
    await act(() => keep?.querySelector('input')?.click());
    expect(erased).not.toHaveBeenCalled();
    await act(() => button('Endgültig löschen')?.click());
    await vi.waitFor(() => expect(erased).toHaveBeenCalledOnce());
    expect(seen.at(-1)).toEqual({ url: '/api/boards/testboard/participants/pa00000001', method: 'DELETE', body: '{"keep_cards":true}' });
    vi.unstubAllGlobals();
  });

  it('offers no erasure where the phone cannot forget the board', async () => {
    await act(() => render(<MyData boardId="testboard" participantId="pa00000001" token="kwp_secret" />, root()));
    expect(root().textContent).not.toContain('Meine Daten löschen');
  });
});
