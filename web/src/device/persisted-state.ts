/**
 * State a view keeps on the device across reloads, in localStorage: what a
 * person typed but has not written to the board yet, and what the server
 * gave back. (The board document itself is kept in IndexedDB by the
 * offline store, sync/offline.ts.) Without localStorage (private modes,
 * storage full) the state is kept in memory only.
 */
import { useState } from 'preact/hooks';

/** How one value is stored: its string form, and what to start with. */
export interface StoredFormat<T> {
  /** The value when nothing is stored, or what is stored does not fit. */
  readonly initial: T;
  /** The stored string back to a value; null when it does not fit. */
  decode(stored: string): T | null;
  /** The string to store; null removes the key. */
  encode(value: T): string | null;
}

/** A value stored as JSON; `read` checks what was parsed (null: does not fit). */
export function jsonFormat<T>(initial: T, read: (value: unknown) => T | null): StoredFormat<T> {
  return {
    initial,
    decode: (stored) => read(JSON.parse(stored) as unknown),
    encode: (value) => JSON.stringify(value),
  };
}

/** A plain string stored as it is; null means nothing stored. */
export const TEXT_FORMAT: StoredFormat<string | null> = {
  initial: null,
  decode: (stored) => stored,
  encode: (value) => value,
};

export type KeyValueStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

/** The value stored under `key`, or the format's initial value. Never throws. */
export function loadStored<T>(storage: KeyValueStorage | null, key: string, format: StoredFormat<T>): T {
  try {
    const stored = storage?.getItem(key) ?? null;
    if (stored !== null) return format.decode(stored) ?? format.initial;
  } catch {
    // unreadable or no storage: start with the initial value
  }
  return format.initial;
}

/** Stores `value` under `key` (or removes the key). Never throws. */
export function saveStored<T>(storage: KeyValueStorage | null, key: string, format: StoredFormat<T>, value: T): void {
  try {
    const encoded = format.encode(value);
    if (encoded === null) storage?.removeItem(key);
    else storage?.setItem(key, encoded);
  } catch {
    // kept in memory only
  }
}

function deviceStorage(): KeyValueStorage | null {
  try {
    return (globalThis as { localStorage?: Storage }).localStorage ?? null;
  } catch {
    return null;
  }
}

/**
 * Like `useState`, but the value survives a reload: read from `key` on the
 * first render, written on every change. A change may be a function of the
 * latest value, so quick input in two fields before a re-render loses
 * nothing.
 */
export function usePersistedState<T>(key: string, format: StoredFormat<T>): [T, (change: T | ((current: T) => T)) => void] {
  const [value, setValue] = useState<T>(() => loadStored(deviceStorage(), key, format));
  const update = (change: T | ((current: T) => T)): void => {
    setValue((current) => {
      const next = typeof change === 'function' ? (change as (current: T) => T)(current) : change;
      saveStored(deviceStorage(), key, format, next);
      return next;
    });
  };
  return [value, update];
}
