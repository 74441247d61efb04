/**
 * "Veranstaltung anlegen": an event of several boards (plenary, workshops,
 * reflection groups), its participant attributes, the grouping rule and the
 * day's programme. On the start page and the organiser's desk. The request
 * is built and checked in create.ts; after creation the organiser's event
 * page opens, and the links only the creating answer holds are kept on this
 * device (credentials.ts).
 */
import './event.css';
import { useState } from 'preact/hooks';
import { t, useLocale, locale } from '../../i18n';
import {
  type Api,
  ApiError,
  EVENT_BOARD_KINDS,
  EVENT_PARTS,
  type EventPart,
  GROUPING_RULES,
  isEventPart,
  isGroupingRule,
  isNewBoardKind,
} from '../../sync/api';
import type { Credentials } from '../../sync/credentials';
import { apiFailureText } from '../../ui/errors';
import {
  type AttributeRow,
  type BoardRow,
  EVENT_LIMITS,
  type EventForm,
  KASSEL_SIZE,
  type Problem,
  type ProgrammeRow,
  attributeRowOf,
  buildEventRequest,
  emptyAttribute,
  emptyBoard,
  emptyProgrammeItem,
  emptyValue,
} from './create';

function today(): string {
  const now = new Date();
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

function initialForm(): EventForm {
  return {
    title: '',
    date: today(),
    venue: '',
    locale: locale.get(),
    boards: [emptyBoard('plenary', t('event.create.plenaryTitle')), emptyBoard('workshop')],
    attributes: [],
    groupingRule: 'mixed',
    groupingAttribute: 'sector',
    programme: [emptyProgrammeItem()],
  };
}

/** Replaces the row with `key` in a list by `change` applied to it. */
function patchRow<T extends { key: string }>(rows: T[], key: string, change: Partial<T>): T[] {
  return rows.map((row) => (row.key === key ? { ...row, ...change } : row));
}

function BoardFields({ row, n, onChange, onRemove }: { row: BoardRow; n: number; onChange: (change: Partial<BoardRow>) => void; onRemove: () => void }) {
  const id = `event-board-${row.key}`;
  return (
    <fieldset class="event-row board-row">
      <legend>{t('event.create.boardN', { n })}</legend>
      <div class="field wide">
        <label for={`${id}-title`}>{t('event.create.boardTitle')}</label>
        <input id={`${id}-title`} maxLength={EVENT_LIMITS.boardTitle} value={row.title} onInput={(e) => onChange({ title: e.currentTarget.value })} />
      </div>
      <div class="field">
        <label for={`${id}-kind`}>{t('event.create.kind')}</label>
        <select
          id={`${id}-kind`}
          value={row.kind}
          onChange={(e) => {
            const kind = e.currentTarget.value;
            if (isNewBoardKind(kind)) onChange({ kind });
          }}
        >
          {EVENT_BOARD_KINDS.map((kind) => (
            <option key={kind} value={kind}>
              {t(`event.kind.${kind}`)}
            </option>
          ))}
        </select>
      </div>
      <div class="field narrow">
        <label for={`${id}-capacity`}>{t('event.create.capacity')}</label>
        <input
          id={`${id}-capacity`}
          type="number"
          inputMode="numeric"
          min={1}
          max={EVENT_LIMITS.capacityMax}
          aria-describedby={`${id}-capacity-hint`}
          value={row.capacity}
          onInput={(e) => onChange({ capacity: e.currentTarget.value })}
        />
        <span id={`${id}-capacity-hint`} class="muted small">
          {t('event.create.capacityHint')}
        </span>
      </div>
      <div class="field">
        <label for={`${id}-location`}>{t('event.create.location')}</label>
        <input id={`${id}-location`} maxLength={EVENT_LIMITS.location} value={row.location} onInput={(e) => onChange({ location: e.currentTarget.value })} />
      </div>
      <div class="field wide">
        <label for={`${id}-description`}>{t('event.create.description')}</label>
        <textarea
          id={`${id}-description`}
          rows={2}
          maxLength={EVENT_LIMITS.description}
          value={row.description}
          onInput={(e) => onChange({ description: e.currentTarget.value })}
        />
      </div>
      <button type="button" class="danger" onClick={onRemove}>
        {t('event.create.removeBoard', { n })}
      </button>
    </fieldset>
  );
}

function AttributeFields({ row, n, onChange, onRemove }: { row: AttributeRow; n: number; onChange: (row: AttributeRow) => void; onRemove: () => void }) {
  const id = `event-attribute-${row.key}`;
  const name = row.de.trim() || t('event.create.attributeN', { n });
  return (
    <fieldset class="event-row attribute-row">
      <legend>{name}</legend>
      <div class="field">
        <label for={`${id}-de`}>{t('event.create.labelDe')}</label>
        <input id={`${id}-de`} lang="de" maxLength={EVENT_LIMITS.label} value={row.de} onInput={(e) => onChange({ ...row, de: e.currentTarget.value })} />
      </div>
      <div class="field">
        <label for={`${id}-en`}>{t('event.create.labelEn')}</label>
        <input id={`${id}-en`} lang="en" maxLength={EVENT_LIMITS.label} value={row.en} onInput={(e) => onChange({ ...row, en: e.currentTarget.value })} />
      </div>
      <ol class="value-list">
        {row.values.map((value, index) => (
          <li key={value.key}>
            <input
              lang="de"
              aria-label={t('event.create.valueDe', { n: index + 1, name })}
              maxLength={EVENT_LIMITS.label}
              value={value.de}
              onInput={(e) => onChange({ ...row, values: patchRow(row.values, value.key, { de: e.currentTarget.value }) })}
            />
            <input
              lang="en"
              aria-label={t('event.create.valueEn', { n: index + 1, name })}
              maxLength={EVENT_LIMITS.label}
              value={value.en}
              onInput={(e) => onChange({ ...row, values: patchRow(row.values, value.key, { en: e.currentTarget.value }) })}
            />
            <button
              type="button"
              class="icon-button"
              aria-label={t('event.create.removeValue', { n: index + 1, name })}
              onClick={() => onChange({ ...row, values: row.values.filter((v) => v.key !== value.key) })}
            >
              <span aria-hidden="true">×</span>
            </button>
          </li>
        ))}
      </ol>
      <div class="button-row">
        <button
          type="button"
          disabled={row.values.length >= EVENT_LIMITS.valuesMax}
          onClick={() => onChange({ ...row, values: [...row.values, emptyValue()] })}
        >
          {t('event.create.addValue')}
        </button>
        <button type="button" class="danger" onClick={onRemove}>
          {t('event.create.removeAttribute', { name })}
        </button>
      </div>
    </fieldset>
  );
}

function ProgrammeFields({ row, n, onChange, onRemove }: { row: ProgrammeRow; n: number; onChange: (change: Partial<ProgrammeRow>) => void; onRemove: () => void }) {
  const id = `event-item-${row.key}`;
  return (
    <fieldset class="event-row programme-row">
      <legend>{t('event.create.itemN', { n })}</legend>
      <div class="field narrow">
        <label for={`${id}-time`}>{t('event.create.time')}</label>
        <input id={`${id}-time`} type="time" value={row.time} onInput={(e) => onChange({ time: e.currentTarget.value })} />
      </div>
      <div class="field wide">
        <label for={`${id}-title`}>{t('event.create.itemTitle')}</label>
        <input id={`${id}-title`} maxLength={EVENT_LIMITS.programmeTitle} value={row.title} onInput={(e) => onChange({ title: e.currentTarget.value })} />
      </div>
      <div class="field">
        <label for={`${id}-part`}>{t('event.create.part')}</label>
        <select
          id={`${id}-part`}
          value={row.part}
          onChange={(e) => {
            const part = e.currentTarget.value;
            onChange({ part: isEventPart(part) ? part : '' });
          }}
        >
          <option value="">{t('event.create.noPart')}</option>
          {EVENT_PARTS.map((part: EventPart) => (
            <option key={part} value={part}>
              {t(`event.part.${part}`)}
            </option>
          ))}
        </select>
      </div>
      <div class="field">
        <label for={`${id}-location`}>{t('event.create.location')}</label>
        <input id={`${id}-location`} maxLength={EVENT_LIMITS.location} value={row.location} onInput={(e) => onChange({ location: e.currentTarget.value })} />
      </div>
      <button type="button" class="danger" onClick={onRemove}>
        {t('event.create.removeItem', { n })}
      </button>
    </fieldset>
  );
}

function problemText(problem: Problem): string {
  return t(problem.key, problem.params);
}

export function CreateEvent({ api, credentials, onCancel }: { api: Api; credentials: Credentials; onCancel?: () => void }) {
  useLocale();
  const [form, setForm] = useState<EventForm>(initialForm);
  const [problems, setProblems] = useState<Problem[]>([]);
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const update = (change: Partial<EventForm>): void => setForm((current) => ({ ...current, ...change }));
  const hasSize = form.attributes.some((row) => row.id === KASSEL_SIZE.id);

  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    if (busy) return;
    const built = buildEventRequest(form);
    setFailure(null);
    if (!built.ok) {
      setProblems(built.problems);
      return;
    }
    setProblems([]);
    setBusy(true);
    try {
      const created = await api.createEvent(built.request);
      credentials.saveEventLinks(created);
      credentials.saveEventToken(created.event, 'organiser', created.organiser_token);
      credentials.saveEventToken(created.event, 'viewer', created.viewer_token);
      for (const board of created.boards) {
        credentials.saveToken(board.board, 'moderator', board.moderator_token);
        credentials.saveToken(board.board, 'viewer', board.viewer_token);
      }
      location.assign(created.organiser_url);
    } catch (error) {
      setBusy(false);
      setFailure(error instanceof ApiError && error.offline ? t('start.offline') : t('event.create.error', { reason: apiFailureText(error) }));
    }
  };

  return (
    <form class="panel form event-create" onSubmit={(e) => void submit(e)} aria-labelledby="event-create-heading" noValidate>
      <h2 id="event-create-heading">{t('event.create.heading')}</h2>
      <p class="muted">{t('event.create.intro')}</p>
      <label for="event-title">{t('event.create.title')}</label>
      <input
        id="event-title"
        required
        maxLength={EVENT_LIMITS.title}
        placeholder={t('event.create.titlePlaceholder')}
        value={form.title}
        onInput={(e) => update({ title: e.currentTarget.value })}
      />
      <label for="event-date">{t('event.create.date')}</label>
      <input id="event-date" type="date" required value={form.date} onInput={(e) => update({ date: e.currentTarget.value })} />
      <label for="event-venue">{t('event.create.venue')}</label>
      <input id="event-venue" maxLength={EVENT_LIMITS.venue} value={form.venue} onInput={(e) => update({ venue: e.currentTarget.value })} />

      <h3>{t('event.create.boards')}</h3>
      {form.boards.map((row, index) => (
        <BoardFields
          key={row.key}
          row={row}
          n={index + 1}
          onChange={(change) => update({ boards: patchRow(form.boards, row.key, change) })}
          onRemove={() => update({ boards: form.boards.filter((other) => other.key !== row.key) })}
        />
      ))}
      <div class="button-row">
        <button type="button" disabled={form.boards.length >= EVENT_LIMITS.boards} onClick={() => update({ boards: [...form.boards, emptyBoard()] })}>
          {t('event.create.addBoard')}
        </button>
      </div>

      <h3>{t('event.create.attributes')}</h3>
      <p class="muted small">{t('event.create.attributesHint')}</p>
      {form.attributes.map((row, index) => (
        <AttributeFields
          key={row.key}
          row={row}
          n={index + 1}
          onChange={(next) => update({ attributes: form.attributes.map((other) => (other.key === row.key ? next : other)) })}
          onRemove={() =>
            update({
              attributes: form.attributes.filter((other) => other.key !== row.key),
              ...(form.groupingAttribute === row.key ? { groupingAttribute: 'sector' } : {}),
            })
          }
        />
      ))}
      <div class="button-row">
        <button
          type="button"
          disabled={hasSize || form.attributes.length >= EVENT_LIMITS.attributes}
          onClick={() => update({ attributes: [...form.attributes, attributeRowOf(KASSEL_SIZE)] })}
        >
          {t('event.create.presetSize')}
        </button>
        <button
          type="button"
          disabled={form.attributes.length >= EVENT_LIMITS.attributes}
          onClick={() => update({ attributes: [...form.attributes, emptyAttribute()] })}
        >
          {t('event.create.addAttribute')}
        </button>
      </div>

      <h3>{t('event.create.grouping')}</h3>
      <div class="event-grouping">
        <div class="field">
          <label for="event-grouping-rule">{t('event.grouping.rule')}</label>
          <select
            id="event-grouping-rule"
            value={form.groupingRule}
            onChange={(e) => {
              const rule = e.currentTarget.value;
              if (isGroupingRule(rule)) update({ groupingRule: rule });
            }}
          >
            {GROUPING_RULES.map((rule) => (
              <option key={rule} value={rule}>
                {t(`event.grouping.${rule}`)}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="event-grouping-attribute">{t('event.grouping.attribute')}</label>
          <select id="event-grouping-attribute" value={form.groupingAttribute} onChange={(e) => update({ groupingAttribute: e.currentTarget.value })}>
            <option value="sector">{t('join.sector')}</option>
            {form.attributes.map((row, index) => (
              <option key={row.key} value={row.key}>
                {row.de.trim() || t('event.create.attributeN', { n: index + 1 })}
              </option>
            ))}
          </select>
        </div>
      </div>

      <h3>{t('event.create.programme')}</h3>
      {form.programme.map((row, index) => (
        <ProgrammeFields
          key={row.key}
          row={row}
          n={index + 1}
          onChange={(change) => update({ programme: patchRow(form.programme, row.key, change) })}
          onRemove={() => update({ programme: form.programme.filter((other) => other.key !== row.key) })}
        />
      ))}
      <div class="button-row">
        <button
          type="button"
          disabled={form.programme.length >= EVENT_LIMITS.programme}
          onClick={() => update({ programme: [...form.programme, emptyProgrammeItem()] })}
        >
          {t('event.create.addItem')}
        </button>
      </div>

      {problems.length > 0 && (
        <div class="error" role="alert">
          <p>{t('event.create.problems')}</p>
          <ul>
            {problems.map((problem, index) => (
              <li key={index}>{problemText(problem)}</li>
            ))}
          </ul>
        </div>
      )}
      {failure !== null && (
        <p class="error" role="alert">
          {failure}
        </p>
      )}
      <div class="button-row">
        <button type="submit" class="primary" disabled={busy}>
          {busy ? t('start.creating') : t('event.create.submit')}
        </button>
        {onCancel && (
          <button type="button" onClick={onCancel}>
            {t('event.create.cancel')}
          </button>
        )}
      </div>
    </form>
  );
}

/**
 * The button that opens the form: a conference stays the one-step case on
 * the start page, an event of several boards is one tap further.
 */
export function NewEvent({ api, credentials }: { api: Api; credentials: Credentials }) {
  useLocale();
  const [open, setOpen] = useState(false);
  if (open) return <CreateEvent api={api} credentials={credentials} onCancel={() => setOpen(false)} />;
  return (
    <section class="panel" aria-labelledby="new-event-heading">
      <h2 id="new-event-heading">{t('event.create.offerHeading')}</h2>
      <p class="muted">{t('event.create.offer')}</p>
      <button type="button" onClick={() => setOpen(true)}>
        {t('event.create.open')}
      </button>
    </section>
  );
}
