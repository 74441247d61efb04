/** Planning the agenda: phases with kind, title, planned start and duration; start any of them. */
import { useState } from 'preact/hooks';
import {
  AGENDA_KINDS,
  type AgendaKind,
  type Board,
  LIMITS,
  TIME_PATTERN,
  addAgendaItems,
  createAgendaItem,
  deleteAgendaItem,
  isAgendaKind,
  moveAgendaItem,
  selectAgenda,
  LOCALES,
  isLocale,
  selectAgendaOutOfOrder,
  selectMeta,
  setBoardLocale,
  startPhase,
  updateAgendaItem,
} from '../../board';
import { t } from '../../i18n';
import { InlineEdit } from '../shared/InlineEdit';
import { EnumSelect } from '../../ui/EnumSelect';
import { agendaTemplate } from './templates';

function KindSelect(props: { value: AgendaKind; onChange: (value: AgendaKind) => void; id?: string; label?: string }) {
  return <EnumSelect options={AGENDA_KINDS} isOption={isAgendaKind} labelOf={(value) => t(`agendaKind.${value}`)} {...props} />;
}

function clampMinutes(value: string): number {
  return Math.min(LIMITS.phaseMinutesMax, Math.max(0, Math.round(Number(value) || 0)));
}

function NewPhaseForm({ board }: { board: Board }) {
  const [title, setTitle] = useState('');
  const [kind, setKind] = useState<AgendaKind>('cards');
  const [start, setStart] = useState('');
  const [minutes, setMinutes] = useState(30);
  return (
    <form
      class="agenda-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (!title.trim()) return;
        createAgendaItem(board, { title, kind, start: TIME_PATTERN.test(start) ? start : null, minutes });
        setTitle('');
      }}
    >
      <h3>{t('agenda.add')}</h3>
      <div class="field">
        <label for="phase-title">{t('agenda.title')}</label>
        <input id="phase-title" value={title} maxLength={LIMITS.title} onInput={(e) => setTitle(e.currentTarget.value)} />
      </div>
      <div class="field">
        <label for="phase-kind">{t('agenda.kind')}</label>
        <KindSelect id="phase-kind" value={kind} onChange={setKind} />
      </div>
      <div class="field">
        <label for="phase-start">{t('agenda.start')}</label>
        <input id="phase-start" type="time" value={start} onInput={(e) => setStart(e.currentTarget.value)} />
      </div>
      <div class="field">
        <label for="phase-minutes">{t('agenda.duration')}</label>
        <input
          id="phase-minutes"
          type="number"
          min={0}
          max={LIMITS.phaseMinutesMax}
          value={minutes}
          onInput={(e) => setMinutes(clampMinutes(e.currentTarget.value))}
        />
      </div>
      <button type="submit" class="primary">
        {t('agenda.addButton')}
      </button>
    </form>
  );
}

export function AgendaEditor({ board }: { board: Board }) {
  const agenda = selectAgenda(board);
  const { phase, locale } = selectMeta(board);
  const outOfOrder = selectAgendaOutOfOrder(board);
  return (
    <section class="editor" aria-labelledby="agenda-editor-heading">
      <div class="editor-toolbar">
        <h2 id="agenda-editor-heading">{t('agenda.heading')}</h2>
        <button type="button" onClick={() => addAgendaItems(board, agendaTemplate(locale))}>
          {t('agenda.template')}
        </button>
        <label class="inline-form">
          {t('agenda.boardLanguage')}
          <select
            value={locale}
            onChange={(e) => {
              const value = e.currentTarget.value;
              if (isLocale(value)) setBoardLocale(board, value);
            }}
          >
            {LOCALES.map((code) => (
              <option key={code} value={code}>
                {t(`language.${code}`)}
              </option>
            ))}
          </select>
        </label>
      </div>
      {agenda.length === 0 && <p class="muted">{t('agenda.none')}</p>}
      {outOfOrder.map(({ item, after }) => (
        <p key={item.id} class="banner" role="status">
          {t('agenda.outOfOrder', { title: item.title, start: item.start ?? '', after: after.title, afterStart: after.start ?? '' })}
        </p>
      ))}
      <ol class="agenda-editor">
        {agenda.map((item, index) => {
          const running = item.id === phase;
          return (
            <li key={item.id} class={running ? 'agenda-row current' : 'agenda-row'} aria-current={running ? 'step' : undefined}>
              <InlineEdit
                value={item.title}
                label={t('agenda.titleOf', { n: index + 1 })}
                maxLength={LIMITS.title}
                onCommit={(title) => updateAgendaItem(board, item.id, { title })}
              />
              <KindSelect label={t('agenda.kindOf', { title: item.title })} value={item.kind} onChange={(kind) => updateAgendaItem(board, item.id, { kind })} />
              <input
                type="time"
                aria-label={t('agenda.startOf', { title: item.title })}
                value={item.start ?? ''}
                onChange={(e) => {
                  const value = e.currentTarget.value;
                  updateAgendaItem(board, item.id, { start: TIME_PATTERN.test(value) ? value : null });
                }}
              />
              <input
                type="number"
                min={0}
                max={LIMITS.phaseMinutesMax}
                aria-label={t('agenda.durationOf', { title: item.title })}
                value={item.minutes}
                onChange={(e) => updateAgendaItem(board, item.id, { minutes: clampMinutes(e.currentTarget.value) })}
              />
              <span class="agenda-actions">
                {running ? (
                  <span class="tag">{t('agenda.now')}</span>
                ) : (
                  <button type="button" class="primary" aria-label={t('agenda.startPhaseOf', { title: item.title })} onClick={() => startPhase(board, item.id)}>
                    {t('agenda.startPhase')}
                  </button>
                )}
                <button type="button" class="icon-button" disabled={index === 0} aria-label={t('agenda.up', { title: item.title })} onClick={() => moveAgendaItem(board, item.id, -1)}>
                  <span aria-hidden="true">↑</span>
                </button>
                <button
                  type="button"
                  class="icon-button"
                  disabled={index === agenda.length - 1}
                  aria-label={t('agenda.down', { title: item.title })}
                  onClick={() => moveAgendaItem(board, item.id, 1)}
                >
                  <span aria-hidden="true">↓</span>
                </button>
                <button type="button" class="icon-button danger" aria-label={t('agenda.delete', { title: item.title })} onClick={() => deleteAgendaItem(board, item.id)}>
                  <span aria-hidden="true">✕</span>
                </button>
              </span>
            </li>
          );
        })}
      </ol>
      <NewPhaseForm board={board} />
    </section>
  );
}
