/**
 * The "Veranstaltung anlegen" form's state and the request it becomes
 * (docs/protocol.md, `POST /api/events`). Pure: the rules of the contract
 * are checked here, each problem named by a message key, so the form says
 * what to fix before the server would refuse it with a 400.
 */
import type { MessageKey } from '../../i18n';
import {
  type CreateEventRequest,
  type EventAttribute,
  type EventPart,
  type GroupingRule,
  type NewBoardKind,
  type NewEventBoard,
  type ProgrammeItem,
} from '../../sync/api';
import type { Locale } from '../../board';

/** The contract's limits (docs/protocol.md, `POST /api/events`). */
export const EVENT_LIMITS = {
  title: 200,
  venue: 120,
  boards: 12,
  boardTitle: 200,
  capacityMax: 500,
  location: 80,
  description: 500,
  attributes: 4,
  attributeId: 32,
  label: 60,
  valuesMin: 2,
  valuesMax: 12,
  programme: 30,
  programmeTitle: 120,
} as const;

export interface BoardRow {
  /** Keys of rows are the form's own, for rendering lists; never sent. */
  key: string;
  title: string;
  kind: NewBoardKind;
  capacity: string;
  location: string;
  description: string;
}

export interface ValueRow {
  key: string;
  /** Set for a preset's values; derived from the German label otherwise. */
  id?: string;
  de: string;
  en: string;
}

export interface AttributeRow {
  key: string;
  id?: string;
  de: string;
  en: string;
  values: ValueRow[];
}

export interface ProgrammeRow {
  key: string;
  time: string;
  title: string;
  part: EventPart | '';
  location: string;
}

export interface EventForm {
  title: string;
  date: string;
  venue: string;
  locale: Locale;
  boards: BoardRow[];
  attributes: AttributeRow[];
  groupingRule: GroupingRule;
  /** `sector`, or the key of one of `attributes`. */
  groupingAttribute: string;
  programme: ProgrammeRow[];
}

export interface Problem {
  key: MessageKey;
  params?: Record<string, string | number>;
}

export type Built = { ok: true; request: CreateEventRequest } | { ok: false; problems: Problem[] };

let lastKey = 0;
/** A fresh row key (unique in this page). */
export function rowKey(): string {
  lastKey += 1;
  return `row${lastKey}`;
}

/**
 * The Kassel event's municipality size, with its German and English labels
 * (the event's data, not the app's words: it is stored with the event).
 */
export const KASSEL_SIZE: EventAttribute = {
  id: 'size',
  label: { de: 'Gemeindegröße', en: 'Municipality size' },
  values: [
    { id: 'small', label: { de: 'Kleinstadt', en: 'Small town' } },
    { id: 'medium', label: { de: 'Mittelstadt', en: 'Medium town' } },
    { id: 'large', label: { de: 'Großstadt', en: 'Large city' } },
    { id: 'district', label: { de: 'Landkreis', en: 'District' } },
  ],
};

export function attributeRowOf(attribute: EventAttribute): AttributeRow {
  return {
    key: rowKey(),
    id: attribute.id,
    de: attribute.label.de,
    en: attribute.label.en,
    values: attribute.values.map((value) => ({ key: rowKey(), id: value.id, de: value.label.de, en: value.label.en })),
  };
}

export function emptyBoard(kind: NewBoardKind = 'workshop', title = ''): BoardRow {
  return { key: rowKey(), title, kind, capacity: '', location: '', description: '' };
}

export function emptyAttribute(): AttributeRow {
  return { key: rowKey(), de: '', en: '', values: [emptyValue(), emptyValue()] };
}

export function emptyValue(): ValueRow {
  return { key: rowKey(), de: '', en: '' };
}

export function emptyProgrammeItem(): ProgrammeRow {
  return { key: rowKey(), time: '', title: '', part: '', location: '' };
}

const ID = /^[a-z0-9-]{1,32}$/;
const TRANSLITERATION: Record<string, string> = { ä: 'ae', ö: 'oe', ü: 'ue', ß: 'ss' };

/**
 * An id of `a-z0-9-` (1–32) for a label: "Größe der Kommune" → "groesse-der-kommune";
 * `fallback` when nothing of the label is left; `-2`, `-3`, … when taken.
 */
export function slugId(label: string, taken: ReadonlySet<string>, fallback: string): string {
  const base =
    label
      .toLowerCase()
      .replace(/[äöüß]/g, (c) => TRANSLITERATION[c] ?? c)
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, EVENT_LIMITS.attributeId)
      .replace(/-+$/, '') || fallback;
  let id = base === 'sector' ? `${base}-2` : base;
  for (let n = 2; taken.has(id); n++) id = `${base.slice(0, EVENT_LIMITS.attributeId - 1 - String(n).length)}-${n}`;
  return id;
}

function blank(text: string): boolean {
  return text.trim().length === 0;
}

/**
 * The attributes as the server takes them, or what is wrong with them.
 * English labels left empty take the German one.
 */
export function buildAttributes(rows: AttributeRow[]): { attributes: EventAttribute[]; ids: Map<string, string>; problems: Problem[] } {
  const problems: Problem[] = [];
  const attributes: EventAttribute[] = [];
  const ids = new Map<string, string>();
  const used = rows.filter((row) => !blank(row.de) || !blank(row.en) || row.values.some((v) => !blank(v.de) || !blank(v.en)));
  if (used.length > EVENT_LIMITS.attributes) problems.push({ key: 'event.create.problem.attributes', params: { max: EVENT_LIMITS.attributes } });
  const takenAttributes = new Set<string>(['sector']);
  used.forEach((row, index) => {
    const n = index + 1;
    const de = row.de.trim();
    const en = row.en.trim() || de;
    if (de.length === 0 || de.length > EVENT_LIMITS.label || en.length > EVENT_LIMITS.label) {
      problems.push({ key: 'event.create.problem.attributeLabel', params: { n, max: EVENT_LIMITS.label } });
    }
    const id = row.id !== undefined && ID.test(row.id) && !takenAttributes.has(row.id) ? row.id : slugId(de, takenAttributes, `a${n}`);
    takenAttributes.add(id);
    ids.set(row.key, id);
    const values = row.values.filter((value) => !blank(value.de) || !blank(value.en));
    if (values.length < EVENT_LIMITS.valuesMin || values.length > EVENT_LIMITS.valuesMax) {
      problems.push({ key: 'event.create.problem.values', params: { name: de || String(n), min: EVENT_LIMITS.valuesMin, max: EVENT_LIMITS.valuesMax } });
    }
    const takenValues = new Set<string>();
    const built = values.map((value, valueIndex) => {
      const valueDe = value.de.trim() || value.en.trim();
      const valueEn = value.en.trim() || valueDe;
      if (valueDe.length > EVENT_LIMITS.label || valueEn.length > EVENT_LIMITS.label) {
        problems.push({ key: 'event.create.problem.valueLabel', params: { name: de || String(n), max: EVENT_LIMITS.label } });
      }
      const valueId =
        value.id !== undefined && ID.test(value.id) && !takenValues.has(value.id) ? value.id : slugId(valueDe, takenValues, `v${valueIndex + 1}`);
      takenValues.add(valueId);
      return { id: valueId, label: { de: valueDe, en: valueEn } };
    });
    const labels = new Set(built.map((value) => value.label.de.toLowerCase()));
    if (labels.size < built.length) problems.push({ key: 'event.create.problem.valueTwice', params: { name: de || String(n) } });
    attributes.push({ id, label: { de, en }, values: built });
  });
  return { attributes, ids, problems };
}

const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The request of the form, or every problem in it (in the form's order). */
export function buildEventRequest(form: EventForm): Built {
  const problems: Problem[] = [];
  const title = form.title.trim();
  if (title.length === 0 || title.length > EVENT_LIMITS.title) problems.push({ key: 'event.create.problem.title' });
  if (!DATE.test(form.date)) problems.push({ key: 'event.create.problem.date' });
  const venue = form.venue.trim();
  if (venue.length > EVENT_LIMITS.venue) problems.push({ key: 'event.create.problem.venue', params: { max: EVENT_LIMITS.venue } });

  const rows = form.boards.filter((row) => !blank(row.title) || !blank(row.location) || !blank(row.description) || !blank(row.capacity));
  if (rows.length === 0 || rows.length > EVENT_LIMITS.boards) problems.push({ key: 'event.create.problem.boards', params: { max: EVENT_LIMITS.boards } });
  const boards: NewEventBoard[] = rows.map((row, index) => {
    const n = index + 1;
    const board: NewEventBoard = { title: row.title.trim(), kind: row.kind };
    if (board.title.length === 0 || board.title.length > EVENT_LIMITS.boardTitle) problems.push({ key: 'event.create.problem.boardTitle', params: { n } });
    if (!blank(row.capacity)) {
      const capacity = Number(row.capacity.trim());
      if (!Number.isInteger(capacity) || capacity < 1 || capacity > EVENT_LIMITS.capacityMax) {
        problems.push({ key: 'event.create.problem.capacity', params: { n, max: EVENT_LIMITS.capacityMax } });
      } else board.capacity = capacity;
    }
    const location = row.location.trim();
    if (location.length > EVENT_LIMITS.location) problems.push({ key: 'event.create.problem.location', params: { n, max: EVENT_LIMITS.location } });
    if (location) board.location = location;
    const description = row.description.trim();
    if (description.length > EVENT_LIMITS.description) problems.push({ key: 'event.create.problem.description', params: { n, max: EVENT_LIMITS.description } });
    if (description) board.description = description;
    return board;
  });

  const { attributes, ids, problems: attributeProblems } = buildAttributes(form.attributes);
  problems.push(...attributeProblems);
  const attribute = form.groupingAttribute === 'sector' ? 'sector' : ids.get(form.groupingAttribute);
  if (attribute === undefined) problems.push({ key: 'event.create.problem.grouping' });

  const programme: ProgrammeItem[] = [];
  const items = form.programme.filter((row) => !blank(row.time) || !blank(row.title) || !blank(row.location));
  if (items.length > EVENT_LIMITS.programme) problems.push({ key: 'event.create.problem.programme', params: { max: EVENT_LIMITS.programme } });
  items.forEach((row, index) => {
    const n = index + 1;
    const item: ProgrammeItem = { title: row.title.trim() };
    if (item.title.length === 0 || item.title.length > EVENT_LIMITS.programmeTitle) problems.push({ key: 'event.create.problem.itemTitle', params: { n } });
    const time = row.time.trim();
    if (time && !TIME.test(time)) problems.push({ key: 'event.create.problem.time', params: { n } });
    if (time) item.time = time;
    if (row.part) item.part = row.part;
    const location = row.location.trim();
    if (location.length > EVENT_LIMITS.location) problems.push({ key: 'event.create.problem.itemLocation', params: { n, max: EVENT_LIMITS.location } });
    if (location) item.location = location;
    programme.push(item);
  });

  if (problems.length > 0) return { ok: false, problems };
  const request: CreateEventRequest = { title, date: form.date, locale: form.locale, boards };
  if (venue) request.venue = venue;
  if (attributes.length > 0) request.attributes = attributes;
  request.grouping = { rule: form.groupingRule, attribute: attribute ?? 'sector' };
  if (programme.length > 0) request.programme = programme;
  return { ok: true, request };
}
