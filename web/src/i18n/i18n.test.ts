import { describe, expect, it } from 'vitest';
import { de } from './de';
import { en } from './en';
import { locale, setLocale, t, tn } from './index';

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
    expect(tn('moderator.votes', 3)).toBe('3 dots');
    expect(tn('moderator.votes', 1)).toBe('1 dot');
    setLocale('de');
    expect(t('participant.votesLeft', { n: 2, budget: 5 })).toBe('Sie haben noch 2 von 5 Punkten.');
    expect(tn('moderator.votes', 1)).toBe('1 Punkt');
    expect(tn('moderator.votes', 0)).toBe('0 Punkte');
    expect(tn('caseMap.people', 1)).toBe('1 Person');
  });
});
