/**
 * Pages read from the HTTP API again every few seconds while visible (the
 * organiser's event page, a series): the reading, and what a failure
 * means for the page.
 */
import { useEffect } from 'preact/hooks';
import { ApiError } from '../../sync/api';

/** Calls `refresh` now and every `everyMs` while the page is visible, again when `deps` change. */
export function useRefreshing(refresh: () => void, everyMs: number, deps: unknown[]): void {
  useEffect(() => {
    refresh();
    const timer = setInterval(() => {
      if (!document.hidden) refresh();
    }, everyMs);
    return () => clearInterval(timer);
  }, deps);
}

/** The server refused the page's token (or knows no such page): reading again will not help. */
export function isRefusal(failure: unknown): boolean {
  return failure instanceof ApiError && (failure.status === 401 || failure.status === 403 || failure.status === 404);
}
