/**
 * Block 3: agreements (what, who, by when, status) and the local networks
 * participants join (docs/schema.md: `agreements`, `networks`,
 * `memberships`).
 *
 * A participant may propose an agreement (`author` = own id, status
 * "proposed") while `meta.agreementsOpen` is not false, change what, who and
 * due of their own while it is still proposed, and delete it then. The
 * moderator confirms, edits, marks done or drops. Networks are the
 * moderator's; a membership is the participant's own key.
 */
import * as Y from 'yjs';
import type { Board, Entry } from './board';
import { readMeta } from './meta';
import { readParticipant } from './participants';
import { num, str } from './read';
import { newId } from './ids';
import {
  type Agreement,
  type AgreementStatus,
  DATE_PATTERN,
  LIMITS,
  MODERATOR_AUTHOR,
  type Network,
  type Participant,
  isAgreementStatus,
  membershipKey,
  splitKey,
} from './schema';
import { BoardError, cleanText, entry, existing, nextOrder, now } from './write';

export function readAgreement(id: string, stored: unknown): Agreement | null {
  if (!(stored instanceof Y.Map)) return null;
  const e = stored as Entry;
  const what = str(e, 'what');
  const status = e.get('status');
  const due = str(e, 'due');
  if (what === null) return null;
  return {
    id,
    what,
    who: str(e, 'who') ?? '',
    due: due !== null && DATE_PATTERN.test(due) ? due : null,
    status: isAgreementStatus(status) ? status : 'proposed',
    author: str(e, 'author') ?? '',
    createdAt: num(e, 'createdAt') ?? 0,
  };
}

export function readNetwork(id: string, stored: unknown): Network | null {
  if (!(stored instanceof Y.Map)) return null;
  const e = stored as Entry;
  return { id, title: str(e, 'title') ?? '', order: num(e, 'order') ?? 0 };
}

export interface AgreementDraft {
  what: string;
  who: string;
  /** "YYYY-MM-DD", or null/absent for no date. */
  due?: string | null;
}

function cleanDue(due: string | null | undefined): string | null {
  if (due === null || due === undefined || due === '') return null;
  if (!DATE_PATTERN.test(due)) throw new BoardError('invalid', 'due must be YYYY-MM-DD');
  return due;
}

// ---------------------------------------------------------------- agreements

/**
 * Creates an agreement. `author` is the participant id (or MODERATOR_AUTHOR);
 * a participant's client always leaves `status` at "proposed", the
 * moderator may record one as confirmed right away.
 *
 * A participant's proposal while `meta.agreementsOpen` is false throws
 * BoardError 'closed' and writes nothing: the server would refuse it, and
 * the text would be gone with it. The caller keeps the draft.
 */
export function createAgreement(
  board: Board,
  draft: AgreementDraft & { author: string; status?: AgreementStatus },
): string {
  const id = newId();
  const what = cleanText(draft.what, LIMITS.agreementWhat, 'what');
  const who = cleanText(draft.who, LIMITS.agreementWho, 'who', true);
  const due = cleanDue(draft.due);
  if (draft.author !== MODERATOR_AUTHOR && !readMeta(board.meta).agreementsOpen) {
    throw new BoardError('closed', 'proposals are closed');
  }
  board.transact(() => {
    const fields: Record<string, string | number> = {
      what,
      who,
      status: draft.status ?? 'proposed',
      author: draft.author,
      createdAt: now(),
    };
    if (due !== null) fields.due = due;
    board.agreements.set(id, entry(fields));
  });
  return id;
}

/** Changes what, who and/or due (null removes the date); writes only what changed. */
export function editAgreement(board: Board, agreementId: string, change: Partial<AgreementDraft>): void {
  const what = change.what === undefined ? undefined : cleanText(change.what, LIMITS.agreementWhat, 'what');
  const who = change.who === undefined ? undefined : cleanText(change.who, LIMITS.agreementWho, 'who', true);
  const due = change.due === undefined ? undefined : cleanDue(change.due);
  board.transact(() => {
    const agreement = existing(board.agreements, agreementId, 'agreement');
    if (what !== undefined && agreement.get('what') !== what) agreement.set('what', what);
    if (who !== undefined && agreement.get('who') !== who) agreement.set('who', who);
    if (due === null) {
      if (agreement.has('due')) agreement.delete('due');
    } else if (due !== undefined && agreement.get('due') !== due) agreement.set('due', due);
  });
}

/** Confirm, mark done, drop, or send back to proposed. Moderator only. */
export function setAgreementStatus(board: Board, agreementId: string, status: AgreementStatus): void {
  board.transact(() => {
    const agreement = existing(board.agreements, agreementId, 'agreement');
    if (agreement.get('status') !== status) agreement.set('status', status);
  });
}

export function deleteAgreement(board: Board, agreementId: string): void {
  board.transact(() => board.agreements.delete(agreementId));
}

// ---------------------------------------------------------------- networks

export function createNetwork(board: Board, title: string): string {
  const id = newId();
  const clean = cleanText(title, LIMITS.title, 'network title');
  board.transact(() => board.networks.set(id, entry({ title: clean, order: nextOrder(board.networks) })));
  return id;
}

export function renameNetwork(board: Board, networkId: string, title: string): void {
  const clean = cleanText(title, LIMITS.title, 'network title');
  board.transact(() => {
    const network = existing(board.networks, networkId, 'network');
    if (network.get('title') !== clean) network.set('title', clean);
  });
}

/** Deletes a network and every membership in it. */
export function deleteNetwork(board: Board, networkId: string): void {
  board.transact(() => {
    for (const key of [...board.memberships.keys()]) {
      if (splitKey(key)?.[1] === networkId) board.memberships.delete(key);
    }
    board.networks.delete(networkId);
  });
}

/** Joins or leaves a network. Returns false (nothing written) for a network that does not exist or no change. */
export function setMembership(board: Board, participantId: string, networkId: string, member: boolean): boolean {
  let written = false;
  board.transact(() => {
    const key = membershipKey(participantId, networkId);
    if (member) {
      if (!board.networks.has(networkId) || board.memberships.get(key) === true) return;
      board.memberships.set(key, true);
    } else {
      if (!board.memberships.has(key)) return;
      board.memberships.delete(key);
    }
    written = true;
  });
  return written;
}

// ---------------------------------------------------------------- read side

/** Agreements in the order they were made; dropped ones only when asked for. */
export function selectAgreements(board: Board, options: { includeDropped?: boolean } = {}): Agreement[] {
  return [...board.agreements.entries()]
    .map(([id, value]) => readAgreement(id, value))
    .filter((a): a is Agreement => a !== null && (options.includeDropped === true || a.status !== 'dropped'))
    .sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
}

export function selectNetworks(board: Board): Network[] {
  return [...board.networks.entries()]
    .map(([id, value]) => readNetwork(id, value))
    .filter((n) => n !== null)
    .sort((a, b) => a.order - b.order || a.id.localeCompare(b.id));
}

/** Members of each existing network, by join order. */
export function selectMembersByNetwork(board: Board): Map<string, Participant[]> {
  const members = new Map<string, Participant[]>(selectNetworks(board).map((n) => [n.id, []]));
  for (const key of board.memberships.keys()) {
    const parts = splitKey(key);
    if (!parts || board.memberships.get(key) !== true) continue;
    const participant = readParticipant(parts[0], board.participants.get(parts[0]));
    if (participant) members.get(parts[1])?.push(participant);
  }
  for (const list of members.values()) list.sort((a, b) => a.joinedAt - b.joinedAt || a.id.localeCompare(b.id));
  return members;
}

export function selectOwnMemberships(board: Board, participantId: string): Set<string> {
  const own = new Set<string>();
  for (const key of board.memberships.keys()) {
    const parts = splitKey(key);
    if (parts?.[0] === participantId && board.memberships.get(key) === true) own.add(parts[1]);
  }
  return own;
}
