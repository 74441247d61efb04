import { describe, expect, it } from 'vitest';
import { de } from './de';
import { en } from './en';
import { locale, setLocale, t } from './index';

describe('i18n', () => {
  it('has the same keys and placeholders in German and English', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(de).sort());
    const placeholders = (s: string): string[] => (s.match(/\{\w+\}/g) ?? []).sort();
    for (const key of Object.keys(de) as (keyof typeof de)[]) {
      expect(placeholders(en[key]), key).toEqual(placeholders(de[key]));
      expect(en[key].trim(), key).not.toBe('');
    }
  });

  it('defaults to German, switches to English and fills placeholders', () => {
    expect(locale.get()).toBe('de');
    expect(t('sector.traeger')).toBe('freier Träger');
    setLocale('en');
    expect(t('moderator.votes', { n: 3 })).toBe('3 dots');
    setLocale('de');
    expect(t('participant.votesLeft', { n: 2, budget: 5 })).toBe('Sie haben noch 2 von 5 Punkten.');
  });
});
