import { afterEach, describe, expect, it } from 'vitest';
import { setLocale } from '../../i18n';
import { agendaTemplate, caseTemplates } from './templates';

describe('templates', () => {
  afterEach(() => setLocale('de'));

  it('are in the board\'s language, whatever the screen shows', () => {
    setLocale('de');
    expect(agendaTemplate('en').map((item) => item.title)[0]).toBe('Welcome and agenda');
    expect(caseTemplates('en')[0]?.focalPoints).toContain('Housing');
    setLocale('en');
    expect(agendaTemplate('de')[0]?.title).toBe('Begrüßung und Ablauf');
    expect(caseTemplates('de')[1]?.focalPoints).toContain('Wohnen');
  });
});
