/**
 * What the server says, in the user's language. The server's messages (the
 * JSON `error` of a failed request, the reason of a refused edit) are
 * English and meant for logs and API clients; the app shows its own plain
 * words for each, and a general sentence for any it does not know.
 */
import { type MessageKey, t } from '../i18n';
import { ApiError } from '../sync/api';

/** A failed HTTP request, said in words. */
export function apiFailureText(failure: unknown): string {
  if (failure instanceof ApiError) {
    if (failure.offline) return t('error.offline');
    if (failure.status === 400) return t('error.input');
    if (failure.status === 401 || failure.status === 403) return t('error.denied');
    if (failure.status === 404) return t('error.missing');
    if (failure.status === 429 || failure.status === 503) return t('error.busy');
    if (failure.status >= 500) return t('error.server', { status: failure.status });
  }
  return t('error.unknown');
}

/** The server's reasons for refusing an edit (server/src/auth, server/src/room). */
const DENIED: Record<string, MessageKey> = {
  'card writing is closed': 'denied.writingClosed',
  'placements are closed': 'denied.placementsClosed',
  'agreements are closed': 'denied.agreementsClosed',
  'voting is not open': 'denied.votingClosed',
  'that is more votes than your budget': 'denied.budget',
  'a vote is a whole number of dots': 'denied.budget',
  'you may only cast your own votes': 'denied.notYours',
  'you may only change your own cards': 'denied.notYours',
  'you may only change your own profile': 'denied.notYours',
  'you may only create your own profile': 'denied.notYours',
  'you may only change your own proposed agreements': 'denied.notYours',
  'you may only delete your own entries': 'denied.notYours',
  'you may only place or enrol yourself': 'denied.notYours',
  'a new entry must name you as its author': 'denied.notYours',
  'only the moderator may change this': 'denied.moderatorOnly',
  'only the moderator may replace an entry': 'denied.moderatorOnly',
  'only the moderator sorts cards into clusters': 'denied.moderatorOnly',
  'only the moderator forms groups': 'denied.moderatorOnly',
  'only the moderator confirms or drops agreements': 'denied.moderatorOnly',
  "confirmed agreements are the moderator's": 'denied.moderatorOnly',
  "status is the moderator's": 'denied.moderatorOnly',
  'a new agreement starts as proposed': 'denied.moderatorOnly',
  'viewers cannot edit this board': 'denied.viewer',
  'there is no such cluster': 'denied.gone',
  'there is no such focal point or network': 'denied.gone',
  // Notices, not refusals: nothing was lost.
  'sending too fast: the server slows down reading, nothing is lost': 'denied.slowedDown',
};

/** A refused edit, in words: what happened and that it was taken back. */
export function deniedText(reason: string): string {
  const key = DENIED[reason];
  if (key) return t(key);
  if (reason.includes('size limit')) return t('denied.full');
  return t('denied.other');
}
