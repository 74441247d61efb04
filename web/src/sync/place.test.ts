import { describe, expect, it } from 'vitest';
import { ApiError, type Place } from './api';
import { QUICK_ANSWER_MS, RETRY_FIRST_MS, RETRY_MAX_MS, followPlace, isFinal, retryDelay } from './place';

function place(version: number, change: Partial<Place> = {}): Place {
  return { version, part: 'plenary', board: 'b1', title: 'Plenum', kind: 'plenary', location: 'Saal', workshop: null, group: null, choose: false, ...change };
}

/**
 * A scripted server: each poll takes the next answer (a place or a failure)
 * and records the `after` it was asked with; a virtual clock advances by
 * what each answer "took" and by every sleep.
 */
function scripted(answers: (Place | ApiError | { place: Place; tookMs: number })[], controller: AbortController) {
  const asked: (number | null)[] = [];
  const slept: number[] = [];
  let clock = 0;
  const api = {
    place(_event: string, _token: string, after: number | null): Promise<Place> {
      asked.push(after);
      const next = answers.shift();
      if (next === undefined) {
        controller.abort();
        return Promise.reject(new DOMException('aborted', 'AbortError'));
      }
      if (next instanceof ApiError) return Promise.reject(next);
      if ('tookMs' in next) {
        clock += next.tookMs;
        return Promise.resolve(next.place);
      }
      clock += 25_000;
      return Promise.resolve(next);
    },
  };
  return {
    asked,
    slept,
    options: {
      api,
      event: 'ev1',
      token: 't',
      signal: controller.signal,
      now: () => clock,
      random: () => 1,
      sleep: (ms: number) => {
        slept.push(ms);
        clock += ms;
        return Promise.resolve();
      },
    },
  };
}

describe('followPlace', () => {
  it('asks with the version last seen and reports each new place once', async () => {
    const controller = new AbortController();
    const server = scripted([place(1), place(1), place(2, { part: 'workshops', board: null, choose: true }), place(3)], controller);
    const seen: number[] = [];
    await followPlace(server.options, { onPlace: (p) => seen.push(p.version) });
    expect(seen).toEqual([1, 2, 3]);
    expect(server.asked).toEqual([null, 1, 1, 2, 3]);
    expect(server.slept).toEqual([]);
  });

  it('backs off after failures, doubling to a bound, and goes on once the server answers', async () => {
    const controller = new AbortController();
    const offline = new ApiError(0, 'network');
    const server = scripted([offline, offline, new ApiError(503, 'busy'), offline, offline, offline, offline, offline, place(4)], controller);
    const troubles: boolean[] = [];
    const seen: number[] = [];
    await followPlace(server.options, { onPlace: (p) => seen.push(p.version), onTrouble: (_f, final) => troubles.push(final) });
    expect(server.slept).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 20_000, 20_000, 20_000]);
    expect(troubles.every((final) => !final)).toBe(true);
    expect(seen).toEqual([4]);
  });

  it('stops for good on a refused token or an unknown event', async () => {
    for (const status of [401, 403, 404]) {
      const controller = new AbortController();
      const server = scripted([place(1), new ApiError(status, 'no'), place(2)], controller);
      const troubles: boolean[] = [];
      await followPlace(server.options, { onPlace: () => undefined, onTrouble: (_f, final) => troubles.push(final) });
      expect(troubles).toEqual([true]);
      expect(server.asked).toEqual([null, 1]);
    }
  });

  it('waits out a server that answers at once with nothing new', async () => {
    const controller = new AbortController();
    const server = scripted([{ place: place(1), tookMs: 5 }, { place: place(1), tookMs: 5 }, { place: place(1), tookMs: 24_000 }], controller);
    await followPlace(server.options, { onPlace: () => undefined });
    expect(server.slept).toEqual([QUICK_ANSWER_MS]);
  });

  it('ends when the page aborts it', async () => {
    const controller = new AbortController();
    controller.abort();
    const server = scripted([place(1)], controller);
    await followPlace(server.options, { onPlace: () => undefined });
    expect(server.asked).toEqual([]);
  });
});

describe('retry waits', () => {
  it('lies between half and all of the doubled wait, never over the bound', () => {
    expect(retryDelay(1, () => 0)).toBe(RETRY_FIRST_MS / 2);
    expect(retryDelay(1, () => 1)).toBe(RETRY_FIRST_MS);
    expect(retryDelay(3, () => 0.5)).toBe(3_000);
    expect(retryDelay(40, () => 1)).toBe(RETRY_MAX_MS);
    expect(isFinal(new ApiError(403, 'x'))).toBe(true);
    expect(isFinal(new ApiError(0, 'network'))).toBe(false);
    expect(isFinal(new Error('x'))).toBe(false);
  });
});
