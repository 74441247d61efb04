// @vitest-environment happy-dom
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MemoryStorage } from '../sync/credentials';
import { CARD_DRAFT, type CardDraft, cardDraftKey } from './drafts';
import { type StoredFormat, jsonFormat, loadStored, saveStored, usePersistedState } from './persisted-state';

let root: HTMLElement | null = null;
afterEach(() => {
  if (root) render(null, root);
  root?.remove();
  root = null;
  localStorage.clear();
  vi.unstubAllGlobals();
});

type Setter<T> = (change: T | ((current: T) => T)) => void;

/** Renders a component holding `usePersistedState(key, format)`; returns its latest value and setter. */
async function mount<T>(key: string, format: StoredFormat<T>): Promise<{ value: () => T; set: Setter<T> }> {
  let latest: [T, Setter<T>] | null = null;
  function Holder() {
    latest = usePersistedState(key, format);
    return null;
  }
  const element = document.createElement('div');
  root = element;
  document.body.append(element);
  await act(() => render(<Holder />, element));
  const current = (): [T, Setter<T>] => {
    if (latest === null) throw new Error('not rendered');
    return latest;
  };
  return { value: () => current()[0], set: (change) => current()[1](change) };
}

describe('usePersistedState', () => {
  it('starts from what an earlier version of the app stored, and stores every change', async () => {
    const key = cardDraftKey('upgraded');
    localStorage.setItem(key, '{"kind":"situation","text":"vor dem Update getippt"}');
    const held = await mount<CardDraft>(key, CARD_DRAFT);
    expect(held.value()).toEqual({ kind: 'situation', text: 'vor dem Update getippt' });
    await act(() => held.set({ kind: 'offer', text: 'danach' }));
    expect(held.value()).toEqual({ kind: 'offer', text: 'danach' });
    expect(localStorage.getItem(key)).toBe('{"kind":"offer","text":"danach"}');
  });

  it('applies changes to the latest value, so two quick changes both stay', async () => {
    const format = jsonFormat<string[]>([], (value) => (Array.isArray(value) ? value.filter((v) => typeof v === 'string') : null));
    const held = await mount('kartenwand.test.list', format);
    await act(() => {
      held.set((list) => [...list, 'a']);
      held.set((list) => [...list, 'b']);
    });
    expect(held.value()).toEqual(['a', 'b']);
    expect(localStorage.getItem('kartenwand.test.list')).toBe('["a","b"]');
  });

  it('keeps the value in memory when the storage refuses it', async () => {
    const full = new MemoryStorage();
    const setItem = vi.fn(() => {
      throw new DOMException('full', 'QuotaExceededError');
    });
    full.setItem = setItem;
    vi.stubGlobal('localStorage', full);
    const held = await mount(cardDraftKey('full'), CARD_DRAFT);
    await act(() => held.set({ kind: 'need', text: 'trotzdem da' }));
    expect(held.value()).toEqual({ kind: 'need', text: 'trotzdem da' });
    expect(setItem).toHaveBeenCalled();
  });
});

describe('loadStored and saveStored', () => {
  it('never throw, with a broken storage or none', () => {
    const denied = (): never => {
      throw new Error('denied');
    };
    const broken = { getItem: denied, setItem: denied, removeItem: denied };
    expect(loadStored(broken, 'k', CARD_DRAFT)).toEqual({ kind: 'need', text: '' });
    expect(loadStored(null, 'k', CARD_DRAFT)).toEqual({ kind: 'need', text: '' });
    expect(() => saveStored(broken, 'k', CARD_DRAFT, { kind: 'need', text: 'x' })).not.toThrow();
    expect(() => saveStored(null, 'k', CARD_DRAFT, { kind: 'need', text: 'x' })).not.toThrow();
  });
});
