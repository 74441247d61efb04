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
});
