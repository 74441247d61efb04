/**
 * What a phone keeps in localStorage so that nothing typed is lost: the
 * unsent card and proposal, a card edit in progress, and own entries the
 * server gave back (board/returned.ts). The keys and formats are the ones
 * earlier versions wrote: a phone that updates keeps its drafts. Change a
 * format only together with a reader of the old one.
 */
import { type CardKind, type ReturnedCard, type ReturnedProposal, isCardKind } from '../board';
import { type StoredFormat, TEXT_FORMAT, jsonFormat } from './persisted-state';

/** The card composer's unsent text and kind. */
export interface CardDraft {
  kind: CardKind;
  text: string;
}

export function cardDraftKey(boardId: string): string {
  return `kartenwand.draft.${boardId}`;
}

export const CARD_DRAFT: StoredFormat<CardDraft> = jsonFormat<CardDraft>({ kind: 'need', text: '' }, (value) => {
  const stored = value as Partial<CardDraft> | null;
  return stored && typeof stored.text === 'string' && isCardKind(stored.kind) ? { kind: stored.kind, text: stored.text } : null;
});

/** The text of an own card being edited (absent: not editing), stored as plain text. */
export function cardEditKey(cardId: string): string {
  return `kartenwand.edit.${cardId}`;
}

export const CARD_EDIT: StoredFormat<string | null> = TEXT_FORMAT;

/** The agreement form's unsent fields (`due` is "" for no date). */
export interface ProposalFields {
  what: string;
  who: string;
  due: string;
}

export const EMPTY_PROPOSAL: ProposalFields = { what: '', who: '', due: '' };

export function proposalDraftKey(boardId: string): string {
  return `kartenwand.proposal.${boardId}`;
}

export const PROPOSAL_DRAFT: StoredFormat<ProposalFields> = jsonFormat<ProposalFields>(EMPTY_PROPOSAL, (value) => {
  const stored = value as Partial<ProposalFields> | null;
  return stored && typeof stored.what === 'string' && typeof stored.who === 'string' && typeof stored.due === 'string'
    ? { what: stored.what, who: stored.who, due: stored.due }
    : null;
});

function isReturnedCard(value: unknown): value is ReturnedCard {
  if (typeof value !== 'object' || value === null) return false;
  const card = value as Partial<ReturnedCard>;
  return typeof card.id === 'string' && typeof card.text === 'string' && isCardKind(card.kind);
}

function isReturnedProposal(value: unknown): value is ReturnedProposal {
  if (typeof value !== 'object' || value === null) return false;
  const proposal = value as Partial<ReturnedProposal>;
  return (
    typeof proposal.id === 'string' &&
    typeof proposal.what === 'string' &&
    typeof proposal.who === 'string' &&
    (proposal.due === null || typeof proposal.due === 'string')
  );
}

/** A stored list; entries that do not fit are left out, the rest kept. */
function listFormat<T>(isEntry: (value: unknown) => value is T): StoredFormat<T[]> {
  return jsonFormat<T[]>([], (value) => (Array.isArray(value) ? value.filter(isEntry) : null));
}

export function returnedCardsKey(boardId: string): string {
  return `kartenwand.returned.${boardId}`;
}

export const RETURNED_CARDS: StoredFormat<ReturnedCard[]> = listFormat(isReturnedCard);

export function returnedProposalsKey(boardId: string): string {
  return `kartenwand.returnedProposals.${boardId}`;
}

export const RETURNED_PROPOSALS: StoredFormat<ReturnedProposal[]> = listFormat(isReturnedProposal);
