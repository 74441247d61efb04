/**
 * The board document: one Y.Doc per conference. This module names every
 * top-level shared type, every field and every allowed value; docs/schema.md
 * is the prose version the server's authorization is written from. Change
 * both together and bump SCHEMA_VERSION when a change is not backwards
 * compatible.
 */

/** Written to `meta.schemaVersion`. */
export const SCHEMA_VERSION = 1;

/** Top-level shared types. All are Y.Map; see docs/schema.md for owners. */
export const TOP_LEVEL = {
  meta: 'meta',
  participants: 'participants',
  groups: 'groups',
  cards: 'cards',
  clusters: 'clusters',
  votes: 'votes',
  offerLinks: 'offerLinks',
  placements: 'placements',
  agenda: 'agenda',
  cases: 'cases',
  focalPoints: 'focalPoints',
  notes: 'notes',
  agreements: 'agreements',
  networks: 'networks',
  memberships: 'memberships',
  handout: 'handout',
  dismissals: 'dismissals',
} as const;

/** `author` of a card the moderator wrote (participant ids never equal it). */
export const MODERATOR_AUTHOR = 'moderator';

export const SECTORS = ['stadtteil', 'behoerde', 'traeger', 'wirtschaft', 'politik'] as const;
export type Sector = (typeof SECTORS)[number];

/** Kinds a participant writes in Block 1, in the order the phone offers them. */
export const BLOCK1_CARD_KINDS = ['situation', 'need', 'offer'] as const;
/** All card kinds; challenge/solution are the Kassel problem-solution tree. */
export const CARD_KINDS = ['situation', 'need', 'offer', 'challenge', 'solution', 'note'] as const;
export type CardKind = (typeof CARD_KINDS)[number];

export const CLUSTER_SCOPES = ['district', 'overarching'] as const;
export type ClusterScope = (typeof CLUSTER_SCOPES)[number];

/** Named colours; the UI maps them to accessible CSS colours. */
export const COLOURS = ['yellow', 'blue', 'green', 'pink', 'orange', 'purple', 'teal', 'grey'] as const;
export type Colour = (typeof COLOURS)[number];

/** What a phase of the agenda is about; phones show the matching screen. */
export const AGENDA_KINDS = ['cards', 'cases', 'agreements', 'info'] as const;
export type AgendaKind = (typeof AGENDA_KINDS)[number];

/** Legal framework of a case example. */
export const FRAMEWORKS = ['asylblg', 'sgb2', 'other'] as const;
export type Framework = (typeof FRAMEWORKS)[number];

/** The moderator's notes per focal point, in this order. */
export const NOTE_CATEGORIES = ['legal', 'steering', 'needs', 'offers', 'planned'] as const;
export type NoteCategory = (typeof NOTE_CATEGORIES)[number];

/** Life of an agreement: participants propose, the moderator decides. */
export const AGREEMENT_STATUSES = ['proposed', 'confirmed', 'done', 'dropped'] as const;
export type AgreementStatus = (typeof AGREEMENT_STATUSES)[number];

/** The fields of the city's handout, in the order the exports print them. */
export const HANDOUT_FIELDS = ['contacts', 'procedures', 'steering'] as const;
export type HandoutField = (typeof HANDOUT_FIELDS)[number];

/** `meta.kind`: what a board is in its event (the server writes it). */
export const BOARD_KINDS = ['plenary', 'workshop', 'reflection', 'tree'] as const;
export type BoardKind = (typeof BOARD_KINDS)[number];

export const LOCALES = ['de', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

/** Limits the server enforces as well (characters, after trimming). */
export const LIMITS = {
  cardText: 1000,
  name: 80,
  organisation: 120,
  title: 200,
  district: 120,
  voteBudgetMax: 20,
  story: 2000,
  noteText: 2000,
  agreementWhat: 500,
  agreementWho: 300,
  /** Planned duration of one agenda phase, minutes. */
  phaseMinutesMax: 600,
} as const;

/** Client-chosen ids: random, URL-safe, 8–64 characters. */
export const ID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;

/**
 * Whether a code point may stand in a text of the board (docs/schema.md,
 * "Text"; the server's `is_text_char`): no control character but tab, line
 * feed and carriage return, no noncharacter (U+FDD0–U+FDEF, U+FFFE, U+FFFF
 * and the last two of every plane), no lone surrogate. The server refuses
 * a participant's text with any other.
 */
export function isTextChar(codePoint: number): boolean {
  const control = codePoint < 0x20 && codePoint !== 0x09 && codePoint !== 0x0a && codePoint !== 0x0d;
  const noncharacter = (codePoint >= 0xfdd0 && codePoint <= 0xfdef) || (codePoint & 0xfffe) === 0xfffe;
  const surrogate = codePoint >= 0xd800 && codePoint <= 0xdfff;
  return !control && !noncharacter && !surrogate;
}

/** `start` of an agenda entry: 24-hour "HH:MM". */
export const TIME_PATTERN = /^([01]\d|2[0-3]):[0-5]\d$/;
/** `due` of an agreement: "YYYY-MM-DD". */
export const DATE_PATTERN = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

/** Focus kinds without an id, and those that name an entry. */
const PLAIN_FOCUS = ['overview', 'groups', 'votes', 'agenda', 'agreements', 'networks', 'gallery'] as const;
const ENTRY_FOCUS = ['cluster', 'card', 'case', 'focal'] as const;

/**
 * What the presenter shows (and followers follow); stored as a string in
 * `meta.focus`. `case` is a case map, `focal` the spotlight on one focal
 * point (stored as `focal:{focalPointId}`), `gallery` the board's shown
 * photos as a slideshow.
 */
export type Focus = { kind: (typeof PLAIN_FOCUS)[number] } | { kind: (typeof ENTRY_FOCUS)[number]; id: string };

export function encodeFocus(focus: Focus): string {
  return 'id' in focus ? `${focus.kind}:${focus.id}` : focus.kind;
}

export function decodeFocus(value: unknown): Focus {
  if (typeof value !== 'string') return { kind: 'overview' };
  const plain = PLAIN_FOCUS.find((kind) => kind === value);
  if (plain) return { kind: plain };
  const colon = value.indexOf(':');
  if (colon > 0) {
    const kind = ENTRY_FOCUS.find((k) => k === value.slice(0, colon));
    const id = value.slice(colon + 1);
    if (kind && ID_PATTERN.test(id)) return { kind, id };
  }
  return { kind: 'overview' };
}

export function sameFocus(a: Focus, b: Focus): boolean {
  return encodeFocus(a) === encodeFocus(b);
}

/** Key of `votes`: "participantId:clusterId". */
export function voteKey(participantId: string, clusterId: string): string {
  return `${participantId}:${clusterId}`;
}

/** Key of `offerLinks`: "offerCardId:clusterId". */
export function offerLinkKey(cardId: string, clusterId: string): string {
  return `${cardId}:${clusterId}`;
}

/** Key of `placements`: "participantId:focalPointId". */
export function placementKey(participantId: string, focalPointId: string): string {
  return `${participantId}:${focalPointId}`;
}

/** Key of `memberships`: "participantId:networkId". */
export function membershipKey(participantId: string, networkId: string): string {
  return `${participantId}:${networkId}`;
}

/** Splits a two-part key; ids never contain ':' (see ID_PATTERN). */
export function splitKey(key: string): [string, string] | null {
  const colon = key.indexOf(':');
  if (colon <= 0 || colon === key.length - 1) return null;
  return [key.slice(0, colon), key.slice(colon + 1)];
}

export function isSector(value: unknown): value is Sector {
  return typeof value === 'string' && (SECTORS as readonly string[]).includes(value);
}
export function isCardKind(value: unknown): value is CardKind {
  return typeof value === 'string' && (CARD_KINDS as readonly string[]).includes(value);
}
export function isClusterScope(value: unknown): value is ClusterScope {
  return typeof value === 'string' && (CLUSTER_SCOPES as readonly string[]).includes(value);
}
export function isColour(value: unknown): value is Colour {
  return typeof value === 'string' && (COLOURS as readonly string[]).includes(value);
}
function oneOf<T extends string>(values: readonly T[]): (value: unknown) => value is T {
  return (value: unknown): value is T => typeof value === 'string' && (values as readonly string[]).includes(value);
}
export const isAgendaKind = oneOf(AGENDA_KINDS);
export const isFramework = oneOf(FRAMEWORKS);
export const isNoteCategory = oneOf(NOTE_CATEGORIES);
export const isAgreementStatus = oneOf(AGREEMENT_STATUSES);
export const isBoardKind = oneOf(BOARD_KINDS);

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

/** Read-side shapes: plain objects derived from the doc on every render. */
export interface Meta {
  schemaVersion: number | null;
  title: string;
  district: string;
  date: string | null;
  locale: Locale;
  joinCode: string | null;
  writingOpen: boolean;
  revealed: boolean;
  votingOpen: boolean;
  voteBudget: number;
  focus: Focus;
  /** The agenda entry running now (may name a deleted entry: check it). */
  phase: string | null;
  /** The countdown: running until an epoch time, paused with time left, or none. */
  timer: Timer;
  placementsOpen: boolean;
  agreementsOpen: boolean;
  /** The board's kind in its event (`meta.kind`); null for a conference of its own. */
  kind: BoardKind | null;
  /** The problem–solution tree's parts: participants write challenges, solutions. */
  challengesOpen: boolean;
  solutionsOpen: boolean;
  /** A participant's photo waits for the moderator's approval (docs/schema.md). */
  photosNeedApproval: boolean;
}

export type Timer =
  | { state: 'none' }
  | { state: 'running'; endsAt: number }
  | { state: 'paused'; remaining: number };

export interface Participant {
  id: string;
  name: string;
  organisation: string;
  sector: Sector;
  group: string | null;
  joinedAt: number;
  /** Removed by the moderator: the token no longer works; their cards stay. */
  removed: boolean;
}

export interface Group {
  id: string;
  name: string;
  colour: Colour;
  createdAt: number;
}

export interface Card {
  id: string;
  text: string;
  kind: CardKind;
  author: string;
  group: string | null;
  cluster: string | null;
  /** The challenge a `solution` (or a sub-challenge) hangs under. */
  parent: string | null;
  createdAt: number;
  editedAt: number | null;
}

export interface Cluster {
  id: string;
  title: string;
  colour: Colour;
  scope: ClusterScope | null;
  order: number;
  createdAt: number;
}

export interface AgendaItem {
  id: string;
  title: string;
  kind: AgendaKind;
  /** Planned start "HH:MM", or null. */
  start: string | null;
  minutes: number;
  order: number;
}

export interface Case {
  id: string;
  title: string;
  framework: Framework;
  story: string;
  order: number;
}

export interface FocalPoint {
  id: string;
  case: string;
  title: string;
  order: number;
}

export interface Note {
  id: string;
  focalPoint: string;
  category: NoteCategory;
  text: string;
  createdAt: number;
}

export interface Agreement {
  id: string;
  what: string;
  who: string;
  due: string | null;
  status: AgreementStatus;
  author: string;
  createdAt: number;
}

export interface Network {
  id: string;
  title: string;
  order: number;
}

/** The city's handout: plain text per field, `""` when absent. */
export type Handout = Record<HandoutField, string>;
