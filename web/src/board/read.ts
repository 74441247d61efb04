/**
 * Helpers every reader shares: a field of a stored entry as a value of the
 * expected type, or null. Readers turn a stored entry into a plain object,
 * skipping entries that do not match the schema (an old or modified client
 * may have written them).
 */
import type * as Y from 'yjs';

export function str(entry: Y.Map<unknown>, key: string): string | null {
  const value = entry.get(key);
  return typeof value === 'string' ? value : null;
}
export function num(entry: Y.Map<unknown>, key: string): number | null {
  const value = entry.get(key);
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
export function bool(entry: Y.Map<unknown>, key: string): boolean | null {
  const value = entry.get(key);
  return typeof value === 'boolean' ? value : null;
}
