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
} as const;

/** Client-chosen ids: random, URL-safe, 8–64 characters. */
export const ID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;

/** What the presenter shows; stored as a string in `meta.focus`. */
export type Focus =
  | { kind: 'overview' }
  | { kind: 'groups' }
  | { kind: 'votes' }
  | { kind: 'cluster'; id: string }
  | { kind: 'card'; id: string };

export function encodeFocus(focus: Focus): string {
  return focus.kind === 'cluster' || focus.kind === 'card' ? `${focus.kind}:${focus.id}` : focus.kind;
}

export function decodeFocus(value: unknown): Focus {
  if (typeof value !== 'string') return { kind: 'overview' };
  if (value === 'groups' || value === 'votes') return { kind: value };
  const colon = value.indexOf(':');
  if (colon > 0) {
    const kind = value.slice(0, colon);
    const id = value.slice(colon + 1);
    if ((kind === 'cluster' || kind === 'card') && ID_PATTERN.test(id)) return { kind, id };
  }
  return { kind: 'overview' };
}

/** Key of `votes`: "participantId:clusterId". */
export function voteKey(participantId: string, clusterId: string): string {
  return `${participantId}:${clusterId}`;
}

/** Key of `offerLinks`: "offerCardId:clusterId". */
export function offerLinkKey(cardId: string, clusterId: string): string {
  return `${cardId}:${clusterId}`;
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
}

export interface Participant {
  id: string;
  name: string;
  organisation: string;
  sector: Sector;
  group: string | null;
  joinedAt: number;
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
