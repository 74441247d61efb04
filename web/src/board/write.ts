/**
 * Helpers every mutation module shares: validation of text against the
 * schema's limits, building a nested entry, finding an existing one.
 */
import * as Y from 'yjs';
import type { Entry } from './board';
import { isTextChar } from './schema';

export class BoardError extends Error {
  constructor(
    /** `closed`: the moderator's lock for this kind of write is closed (the server would refuse it). */
    readonly code: 'empty' | 'too-long' | 'not-found' | 'invalid' | 'closed',
    message: string,
  ) {
    super(message);
    this.name = 'BoardError';
  }
}

/**
 * Drops what no text of the board may hold (a pasted vertical tab, a
 * noncharacter: the server would refuse the whole edit), trims, and checks
 * the length (characters after trimming, as the server counts).
 */
export function cleanText(value: string, max: number, field: string, allowEmpty = false): string {
  const text = Array.from(value)
    .filter((char) => isTextChar(char.codePointAt(0) ?? 0))
    .join('')
    .trim();
  if (!allowEmpty && text.length === 0) throw new BoardError('empty', `${field} is empty`);
  if (Array.from(text).length > max) throw new BoardError('too-long', `${field} is longer than ${max}`);
  return text;
}

/** A new nested entry of primitive fields (the only shape entries have). */
export function entry(fields: Record<string, string | number | boolean>): Entry {
  const map = new Y.Map<unknown>();
  for (const [key, value] of Object.entries(fields)) map.set(key, value);
  return map;
}

export function existing(map: Y.Map<Entry>, id: string, what: string): Entry {
  const found = map.get(id);
  if (!(found instanceof Y.Map)) throw new BoardError('not-found', `${what} ${id} not found`);
  return found;
}

/** The next `order` value: one above the largest in the map. */
export function nextOrder(map: Y.Map<Entry>, include: (entry: Entry) => boolean = () => true): number {
  let order = 0;
  for (const value of map.values()) {
    if (!(value instanceof Y.Map) || !include(value)) continue;
    const current = value.get('order');
    if (typeof current === 'number' && Number.isFinite(current)) order = Math.max(order, current + 1);
  }
  return order;
}

/**
 * Swaps the `order` of an entry with its neighbour in the sorted list
 * (`delta` -1: up, +1: down). Returns false at either end.
 */
export function swapOrder(map: Y.Map<Entry>, sortedIds: readonly string[], id: string, delta: -1 | 1): boolean {
  const index = sortedIds.indexOf(id);
  const otherId = sortedIds[index + delta];
  if (index < 0 || otherId === undefined) return false;
  const a = existing(map, id, 'entry');
  const b = existing(map, otherId, 'entry');
  // Equal orders (concurrent creation) would swap to no effect: use positions.
  a.set('order', index + delta);
  b.set('order', index);
  sortedIds.forEach((other, position) => {
    if (position !== index && position !== index + delta) {
      const e = map.get(other);
      if (e instanceof Y.Map && e.get('order') !== position) e.set('order', position);
    }
  });
  return true;
}

export const now = (): number => Date.now();
