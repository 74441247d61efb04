/**
 * The i18n layer: typed dictionaries (de is the reference, en must match it
 * key for key), the current locale in a small store, and t(). Every string
 * the UI shows goes through t(); user content never does.
 */
import { useEffect, useState } from 'preact/hooks';
import type { Locale } from '../board/schema';
import { Observable } from '../sync/observable';
import { type MessageKey, de } from './de';
import { en } from './en';

export type { MessageKey };

const dictionaries: Record<Locale, Record<MessageKey, string>> = { de, en };
const STORAGE_KEY = 'kartenwand.locale';

function initialLocale(): Locale {
  try {
    const stored = globalThis.localStorage.getItem(STORAGE_KEY);
    if (stored === 'de' || stored === 'en') return stored;
  } catch {
    // no storage: German
  }
  return 'de';
}

export const locale = new Observable<Locale>(initialLocale());

export function setLocale(next: Locale): void {
  locale.set(next);
  try {
    globalThis.localStorage.setItem(STORAGE_KEY, next);
  } catch {
    // not remembered; still switched
  }
  if (typeof document !== 'undefined') document.documentElement.lang = next;
}

export function t(key: MessageKey, params?: Record<string, string | number>): string {
  return tIn(locale.get(), key, params);
}

/**
 * A message in a given language, whatever the interface shows: what is
 * written into the board (templates, group names) is in the board's
 * language (`meta.locale`), which the documents are written in too.
 */
export function tIn(language: Locale, key: MessageKey, params?: Record<string, string | number>): string {
  const template = dictionaries[language][key];
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (match, name: string) => {
    const value = params[name];
    return value === undefined ? match : String(value);
  });
}

/** The message keys that come in plural forms: `key.one` and `key.other`. */
export type PluralKey = PluralBase<MessageKey>;
type PluralBase<K extends string> = K extends `${infer Base}.one` ? (`${Base}.other` extends MessageKey ? Base : never) : never;

/**
 * A count with its noun in the right form (`1 Punkt`, `3 Punkte`): picks
 * `key.one` or `key.other` by the current locale's plural rules.
 */
export function tn(key: PluralKey, n: number, params?: Record<string, string | number>): string {
  const form = new Intl.PluralRules(locale.get()).select(n) === 'one' ? 'one' : 'other';
  return t(`${key}.${form}`, { ...params, n });
}

/** Re-renders the calling component when the locale changes. */
export function useLocale(): Locale {
  const [current, setCurrent] = useState(locale.get());
  useEffect(() => locale.subscribe(setCurrent), []);
  return current;
}
