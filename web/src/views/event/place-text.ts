/**
 * What the event phone's banner says: where to go now, from the place the
 * server gave (docs/protocol.md, `GET /api/events/{event}/place`). Pure, so
 * the wording is tested without a server.
 */
import { t } from '../../i18n';
import type { Label, Place } from '../../sync/api';
import type { Locale } from '../../board';

/** A board's title with its room: "Workshop 2: Wohnen · Raum 3". */
export function whereText(title: string, location: string): string {
  return [title, location].filter((part) => part.trim().length > 0).join(' · ');
}

/** The banner: where the person is to be in the event's current part. */
export function placeText(place: Place): string {
  if (place.board !== null) {
    const where = whereText(place.title, place.location);
    if (place.kind === 'reflection' || place.kind === 'tree') return t('event.place.group', { where });
    return where || t('event.part.plenary');
  }
  if (place.part === 'ended') return t('event.place.ended');
  if (place.choose) return t('event.place.choose');
  if (place.part === 'workshops') return t('event.place.noWorkshop');
  if (place.part === 'reflection') return t('event.place.noGroup');
  return t('event.place.plenary');
}

/** A label of the event's (attributes, values) in the screen's language. */
export function labelIn(label: Label, locale: Locale): string {
  return (locale === 'en' ? label.en : label.de) || label.de || label.en;
}

/** How many places a workshop has left; null without a capacity. */
export function placesLeft(board: { capacity: number | null; admitted: number }): number | null {
  return board.capacity === null ? null : Math.max(0, board.capacity - board.admitted);
}
