// @vitest-environment happy-dom
/**
 * The privacy notice on the join screen: shown before the first field, in
 * the screen's language, as text; a failed load says so and offers to try
 * again.
 */
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { describe, expect, it, vi } from 'vitest';
import { setLocale } from '../../i18n';
import type { Notice, Notices } from '../../sync/api';
import { testRoot } from '../test-helpers';
import { JoinForm } from './JoinForm';

const root = testRoot();

function notice(prefix: string): Notice {
  return {
    controller: `${prefix}: <b>Stadt Cottbus</b>, Fachbereich Soziales`,
    purpose: `${prefix} purpose`,
    legal_basis: `${prefix} legal basis`,
    visibility: `${prefix} visibility`,
    retention: `${prefix} retention`,
    rights: `${prefix} rights`,
    contact: `${prefix} contact`,
  };
}

const NOTICES: Notices = { de: notice('DE'), en: notice('EN') };

describe('the privacy notice', () => {
  it('stands before the first field, in the screen language, as text', async () => {
    const load = vi.fn(() => Promise.resolve(NOTICES));
    await act(() => render(<JoinForm code="K7MPQ3XW9RTB" title="Sandow" join={() => Promise.reject(new Error('no'))} onJoined={() => undefined} loadNotice={load} />, root()));
    await vi.waitFor(() => expect(root().textContent).toContain('DE: <b>Stadt Cottbus</b>, Fachbereich Soziales'));
    expect(root().querySelector('.notice b')).toBeNull();
    const notice = root().querySelector('.notice');
    const firstField = root().querySelector('#join-name');
    expect(notice && firstField && notice.compareDocumentPosition(firstField) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    for (const text of ['DE visibility', 'DE retention', 'DE purpose', 'DE legal basis', 'DE rights', 'DE contact']) expect(root().textContent).toContain(text);
    await act(() => setLocale('en'));
    expect(root().textContent).toContain('EN visibility');
    expect(load).toHaveBeenCalledOnce();
    setLocale('de');
  });

  it('says when it could not be loaded, and loads again on request', async () => {
    let fail = true;
    const load = vi.fn(() => (fail ? Promise.reject(new Error('offline')) : Promise.resolve(NOTICES)));
    await act(() => render(<JoinForm code="K7MPQ3XW9RTB" title="Sandow" join={() => Promise.reject(new Error('no'))} onJoined={() => undefined} loadNotice={load} />, root()));
    await vi.waitFor(() => expect(root().querySelector('.notice [role=alert]')?.textContent).toContain('ließen sich nicht laden'));
    fail = false;
    const again = [...root().querySelectorAll('button')].find((button) => button.textContent === 'Noch einmal laden');
    await act(() => again?.click());
    await vi.waitFor(() => expect(root().textContent).toContain('DE visibility'));
  });
});
