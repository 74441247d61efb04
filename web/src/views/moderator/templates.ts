/**
 * Starting material for the moderator, in the board's language (`meta.locale`,
 * what the documents are written in, whatever the interface shows): the
 * four-hour Stadtteilkonferenz agenda (three blocks, seed 000 section 5) and
 * the two constructed case examples of Block 2 — a family under the AsylbLG
 * and a person under SGB II — with their focal points of need. Everything is
 * an ordinary entry afterwards: edit, reorder or delete it.
 */
import type { AgendaDraft, CaseDraft, Locale } from '../../board';
import { type MessageKey, tIn } from '../../i18n';

export function agendaTemplate(language: Locale): AgendaDraft[] {
  const t = (key: MessageKey): string => tIn(language, key);
  return [
    { title: t('template.agenda.welcome'), kind: 'info', start: '09:00', minutes: 15 },
    { title: t('template.agenda.block1'), kind: 'cards', start: '09:15', minutes: 75 },
    { title: t('template.agenda.break'), kind: 'info', start: '10:30', minutes: 15 },
    { title: t('template.agenda.block2'), kind: 'cases', start: '10:45', minutes: 75 },
    { title: t('template.agenda.block3'), kind: 'agreements', start: '12:00', minutes: 45 },
    { title: t('template.agenda.closing'), kind: 'info', start: '12:45', minutes: 15 },
  ];
}

export function caseTemplates(language: Locale): CaseDraft[] {
  const t = (key: MessageKey): string => tIn(language, key);
  return [
    {
      title: t('template.asylblg.title'),
      framework: 'asylblg',
      story: t('template.asylblg.story'),
      focalPoints: [
        t('focal.housing'),
        t('focal.language'),
        t('focal.work'),
        t('focal.benefits'),
        t('focal.health'),
        t('focal.childcare'),
        t('focal.residence'),
        t('focal.counselling'),
      ],
    },
    {
      title: t('template.sgb2.title'),
      framework: 'sgb2',
      story: t('template.sgb2.story'),
      focalPoints: [
        t('focal.housing'),
        t('focal.language'),
        t('focal.work'),
        t('focal.recognition'),
        t('focal.benefits'),
        t('focal.health'),
        t('focal.residence'),
        t('focal.counselling'),
      ],
    },
  ];
}
