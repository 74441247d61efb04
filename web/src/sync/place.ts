/**
 * Follows where a participant is to be during an event: a loop of long
 * polls on `GET /api/events/{event}/place?after=<version>`
 * (docs/protocol.md, "Events"). The server holds a poll until the event's
 * part, the person's place or a workshop's fullness changes (at most 25 s),
 * so a phone learns of the organiser's next part within a moment, without
 * a reload and without a websocket of its own.
 *
 * Venue Wi-Fi drops: a failed poll is retried after a wait that doubles up
 * to a bound, with jitter, so forty phones that lost the network together
 * do not come back in the same millisecond. A token the server refuses
 * (401/403) or an unknown event (404) stops the loop: retrying cannot help.
 */
import { type Api, ApiError, type Place } from './api';

/** The first wait after a failed poll; it doubles with every failure in a row. */
export const RETRY_FIRST_MS = 1_000;
/** The longest wait between two attempts: a phone is back within this of the network. */
export const RETRY_MAX_MS = 20_000;
/**
 * A poll answered sooner than this with nothing new is waited out before the
 * next one, so a server (or proxy) that does not hold polls is not hammered.
 */
export const QUICK_ANSWER_MS = 1_000;

export interface PlaceFollower {
  /** Called with every place whose version differs from the last one seen. */
  onPlace: (place: Place) => void;
  /** Called after each failed poll (the loop retries) and once with `final` when it stops for good. */
  onTrouble?: (failure: unknown, final: boolean) => void;
}

export interface FollowOptions {
  api: Pick<Api, 'place'>;
  event: string;
  token: string;
  signal: AbortSignal;
  /** Test seams: the clock, a sleep that ends early when `signal` aborts, and randomness. */
  now?: () => number;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  random?: () => number;
}

/** The wait before retry number `failures` (1, 2, …): doubling, bounded, between half and all of it. */
export function retryDelay(failures: number, random: () => number = Math.random): number {
  const full = Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** Math.max(0, failures - 1));
  return Math.round(full * (0.5 + random() * 0.5));
}

/** Failures that retrying cannot mend. */
export function isFinal(failure: unknown): boolean {
  return failure instanceof ApiError && (failure.status === 401 || failure.status === 403 || failure.status === 404);
}

/**
 * Waits `ms`, or less: until `signal` aborts, or until the browser says the
 * network is back (`online`), so a phone back in the Wi-Fi asks at once.
 */
function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      if (typeof window !== 'undefined') window.removeEventListener('online', done);
      resolve();
    }
    signal.addEventListener('abort', done);
    if (typeof window !== 'undefined') window.addEventListener('online', done);
  });
}

/**
 * Polls until `signal` aborts or the server refuses for good. Resolves when
 * the loop has ended; never rejects.
 */
export async function followPlace(options: FollowOptions, follower: PlaceFollower): Promise<void> {
  const { api, event, token, signal } = options;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? abortableSleep;
  const random = options.random ?? Math.random;
  // A function, not the property: the loop's awaits may abort it at any point.
  const stopped = (): boolean => signal.aborted;
  let version: number | null = null;
  let failures = 0;
  while (!stopped()) {
    const started = now();
    try {
      const place = await api.place(event, token, version, signal);
      failures = 0;
      if (place.version !== version) {
        version = place.version;
        follower.onPlace(place);
      } else if (now() - started < QUICK_ANSWER_MS) {
        await sleep(QUICK_ANSWER_MS, signal);
      }
    } catch (failure) {
      if (stopped()) return;
      if (isFinal(failure)) {
        follower.onTrouble?.(failure, true);
        return;
      }
      failures += 1;
      follower.onTrouble?.(failure, false);
      await sleep(retryDelay(failures, random), signal);
    }
  }
}
