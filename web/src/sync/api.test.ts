import { describe, expect, it } from 'vitest';
import { Api, ApiError, dispositionFileName, fallbackFileName } from './api';

function fakeFetch(status: number, body: unknown, seen: { url?: string; init?: RequestInit } = {}): typeof fetch {
  return (input, init) => {
    seen.url = input instanceof Request ? input.url : input.toString();
    if (init) seen.init = init;
    return Promise.resolve(new Response(JSON.stringify(body), { status }));
  };
}

describe('Api', () => {
  it('creates a board with a JSON POST', async () => {
    const seen: { url?: string; init?: RequestInit } = {};
    const created = {
      board: 'b1',
      moderator_token: 'm',
      viewer_token: 'v',
      join_code: 'K7P2QX',
      join_url: 'u',
      moderator_url: 'mu',
      presenter_url: 'pu',
    };
    const api = new Api(fakeFetch(201, created, seen));
    await expect(api.createBoard({ title: 'T', district: 'D', date: '2025-03-04' })).resolves.toEqual(created);
    expect(seen.url).toBe('/api/boards');
    expect(seen.init?.method).toBe('POST');
    expect(JSON.parse(seen.init?.body as string)).toEqual({ title: 'T', district: 'D', date: '2025-03-04' });
  });

  it('rotates the join code, renews the presenter link and removes a participant with the moderator token', async () => {
    const seen: { url?: string; init?: RequestInit } = {};
    const api = new Api(fakeFetch(200, { join_code: 'NEW123', join_url: 'https://x/join/NEW123' }, seen));
    await expect(api.rotateJoinCode('b1', 'kwm_secret')).resolves.toEqual({ join_code: 'NEW123', join_url: 'https://x/join/NEW123' });
    expect(seen.url).toBe('/api/boards/b1/join-code');
    expect(seen.init?.method).toBe('POST');
    expect(new Headers(seen.init?.headers).get('Authorization')).toBe('Bearer kwm_secret');

    const viewer = new Api(fakeFetch(200, { viewer_token: 'kwv_x', presenter_url: 'https://x/b/b1/present#token=kwv_x' }, seen));
    await expect(viewer.rotateViewerToken('b1', 'kwm_secret')).resolves.toMatchObject({ viewer_token: 'kwv_x' });
    expect(seen.url).toBe('/api/boards/b1/viewer-token');

    const removal = new Api((input, init) => {
      seen.url = input instanceof Request ? input.url : input.toString();
      if (init) seen.init = init;
      return Promise.resolve(new Response(null, { status: 204 }));
    });
    await removal.eraseParticipant('b1', 'kwm_secret', 'pa01', { keepCards: true });
    expect(seen.url).toBe('/api/boards/b1/participants/pa01');
    expect(seen.init?.method).toBe('DELETE');
    expect(seen.init?.body).toBe('{"keep_cards":true}');
    await removal.withdrawContactConsent('b1', 'kwp_own', 'pa01');
    expect(seen.url).toBe('/api/boards/b1/participants/pa01/contact');
    expect(seen.init?.method).toBe('DELETE');
    expect(new Headers(seen.init?.headers).get('Authorization')).toBe('Bearer kwp_own');
    await removal.eraseParticipant('b1', 'kwm_secret', 'pa01', { keepCards: false });
    expect(new Headers(seen.init?.headers).get('Authorization')).toBe('Bearer kwm_secret');

    await expect(new Api(fakeFetch(403, { error: 'not the moderator' })).rotateJoinCode('b1', 'wrong')).rejects.toMatchObject({ status: 403 });
  });

  it('returns null for an unknown join code', async () => {
    await expect(new Api(fakeFetch(404, { error: 'unknown code' })).lookupCode('NOPE')).resolves.toBeNull();
  });

  it('surfaces the server message of a 4xx', async () => {
    const api = new Api(fakeFetch(400, { error: 'name is required' }));
    const error = await api
      .join('b1', { join_code: 'K', name: '', organisation: '', sector: 'politik' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(400);
    expect((error as ApiError).message).toBe('name is required');
  });

  it('reports an unreachable server as offline', async () => {
    const api = new Api(() => Promise.reject(new TypeError('Failed to fetch')));
    const error = await api.lookupCode('K').catch((e: unknown) => e);
    expect((error as ApiError).offline).toBe(true);
  });

  it('fetches an export with the moderator token and names it as the server does', async () => {
    const seen: { url?: string; init?: RequestInit } = {};
    const api = new Api((input, init) => {
      seen.url = input instanceof Request ? input.url : input.toString();
      if (init) seen.init = init;
      const headers = { 'Content-Type': 'text/markdown; charset=utf-8', 'Content-Disposition': 'attachment; filename="kartenwand-sandow-2025-03-04.md"' };
      return Promise.resolve(new Response('# Stadtteilkonferenz Sandow', { status: 200, headers }));
    });
    const file = await api.exportBoard({ board: 'b1', token: 'kwm_secret', format: 'md', authors: true, title: 'Sandow' });
    expect(seen.url).toBe('/api/boards/b1/export.md');
    expect(new Headers(seen.init?.headers).get('Authorization')).toBe('Bearer kwm_secret');
    expect(file.fileName).toBe('kartenwand-sandow-2025-03-04.md');
    await expect(file.blob.text()).resolves.toBe('# Stadtteilkonferenz Sandow');
  });

  it('asks for authors=false, and names the file after the title when the server gives no name', async () => {
    const seen: { url?: string } = {};
    const api = new Api((input) => {
      seen.url = input instanceof Request ? input.url : input.toString();
      return Promise.resolve(new Response(new Uint8Array([0x25, 0x50, 0x44, 0x46]), { status: 200 }));
    });
    const file = await api.exportBoard({ board: 'b1', token: 't', format: 'pdf', authors: false, title: 'Konferenz: Sandow/Ost' });
    expect(seen.url).toBe('/api/boards/b1/export.pdf?authors=false');
    expect(file.fileName).toBe('Konferenz- Sandow-Ost.pdf');
    expect(file.blob.size).toBe(4);
  });

  it('turns a refused, failed or unreachable export into an ApiError with its status', async () => {
    const refused = new Api(fakeFetch(403, { error: 'not the moderator of this board' }));
    const denied = await refused.exportBoard({ board: 'b1', token: 'kwv_x', format: 'csv', authors: true }).catch((e: unknown) => e);
    expect(denied).toMatchObject({ status: 403, message: 'not the moderator of this board' });

    const broken = new Api(() => Promise.resolve(new Response('<html>Bad gateway</html>', { status: 502, statusText: 'Bad Gateway' })));
    const failed = await broken.exportBoard({ board: 'b1', token: 't', format: 'docx', authors: true }).catch((e: unknown) => e);
    expect(failed).toMatchObject({ status: 502, message: 'Bad Gateway' });

    const offline = new Api(() => Promise.reject(new TypeError('Failed to fetch')));
    const unreachable = await offline.exportBoard({ board: 'b1', token: 't', format: 'json', authors: true }).catch((e: unknown) => e);
    expect((unreachable as ApiError).offline).toBe(true);
  });
});

const EVENT_INFO = {
  event: 'ev1',
  title: 'Kommunen im Dialog',
  date: '2027-03-31',
  venue: 'Kassel',
  locale: 'de',
  part: 'workshops',
  attributes: [
    { id: 'sector', label: { de: 'Bereich', en: 'Sector' }, values: [{ id: 'stadtteil', label: { de: 'Stadtteil', en: 'District' } }] },
    { id: 'size', label: { de: 'Gemeindegröße', en: 'Municipality size' }, values: [{ id: 'small', label: { de: 'Kleinstadt', en: 'Small town' } }] },
  ],
  programme: [{ time: '09:30', title: 'Begrüßung', part: 'plenary', location: 'Saal' }, { title: 'Mittag' }],
  boards: [
    { board: 'b1', title: 'Plenum', kind: 'plenary', location: 'Saal', description: '', capacity: null, admitted: 12, full: false },
    { board: 'b2', title: 'Workshop 1', kind: 'workshop', location: 'Raum 3', description: 'Sprache', capacity: 2, admitted: 2, full: true },
  ],
};

const PLACE = { version: 7, part: 'workshops', board: 'b2', title: 'Workshop 1', kind: 'workshop', location: 'Raum 3', workshop: 'b2', group: null, choose: false };

function recording(status: number, body: unknown): { api: Api; seen: { url?: string; init?: RequestInit }[] } {
  const seen: { url?: string; init?: RequestInit }[] = [];
  const api = new Api((input, init) => {
    seen.push({ url: input instanceof Request ? input.url : input.toString(), ...(init ? { init } : {}) });
    return Promise.resolve(new Response(JSON.stringify(body), { status }));
  });
  return { api, seen };
}

describe('Api: events', () => {
  it('creates an event and reads the links of its boards', async () => {
    const created = {
      event: 'ev1',
      organiser_token: 'kwo_x',
      viewer_token: 'kwv_x',
      join_code: 'K7MPQ3XW9RTB',
      join_url: 'http://h/join/K7MPQ3XW9RTB',
      organiser_url: 'http://h/e/ev1/organise#token=kwo_x',
      presenter_url: 'http://h/e/ev1/present#token=kwv_x',
      boards: [{ board: 'b1', title: 'Plenum', kind: 'plenary', moderator_token: 'kwm_1', viewer_token: 'kwv_1', moderator_url: 'm1', presenter_url: 'p1' }],
    };
    const { api, seen } = recording(201, created);
    const request = { title: 'Kommunen im Dialog', date: '2027-03-31', boards: [{ title: 'Plenum', kind: 'plenary' as const }] };
    await expect(api.createEvent(request)).resolves.toEqual(created);
    expect(seen[0]?.url).toBe('/api/events');
    expect(seen[0]?.init?.method).toBe('POST');
    expect(JSON.parse(seen[0]?.init?.body as string)).toEqual(request);
    await expect(recording(201, { ...created, boards: [{ board: 'b1' }] }).api.createEvent(request)).rejects.toMatchObject({ status: 502 });
  });

  it('reads the event page, and null for an unknown event', async () => {
    const info = await recording(200, EVENT_INFO).api.event('ev1');
    expect(info?.boards[1]).toEqual(EVENT_INFO.boards[1]);
    expect(info?.boards[0]?.capacity).toBeNull();
    expect(info?.attributes.map((a) => a.id)).toEqual(['sector', 'size']);
    expect(info?.programme[1]).toEqual({ title: 'Mittag' });
    await expect(recording(404, { error: 'no such event' }).api.event('nope')).resolves.toBeNull();
    await expect(recording(200, { ...EVENT_INFO, part: 'lunch' }).api.event('ev1')).rejects.toMatchObject({ status: 502 });
  });

  it('joins an event with its attributes', async () => {
    const { api, seen } = recording(201, { participant_id: 'p1', token: 'kwp_p1_x' });
    const joined = await api.joinEvent('ev1', { join_code: 'K7MP', name: 'Aylin', organisation: '', sector: 'behoerde', attributes: { size: 'small' } });
    expect(joined).toEqual({ participant_id: 'p1', token: 'kwp_p1_x' });
    expect(seen[0]?.url).toBe('/api/events/ev1/join');
    expect(JSON.parse(seen[0]?.init?.body as string)).toMatchObject({ attributes: { size: 'small' }, sector: 'behoerde' });
    const refused = await recording(400, { error: 'attribute size has no value "huge"' }).api.joinEvent('ev1', {
      join_code: 'K',
      name: 'A',
      organisation: '',
      sector: 'politik',
      attributes: { size: 'huge' },
    }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ status: 400, message: 'attribute size has no value "huge"' });
  });

  it('long-polls the place with the version seen and the participant token', async () => {
    const { api, seen } = recording(200, PLACE);
    await expect(api.place('ev1', 'kwp_t', null)).resolves.toEqual(PLACE);
    await api.place('ev1', 'kwp_t', 7);
    expect(seen.map((s) => s.url)).toEqual(['/api/events/ev1/place', '/api/events/ev1/place?after=7']);
    expect(new Headers(seen[1]?.init?.headers).get('Authorization')).toBe('Bearer kwp_t');
    expect(seen[1]?.init?.signal).toBeInstanceOf(AbortSignal);
    const waiting = await recording(200, { version: 1, part: 'workshops', board: null, workshop: null, group: null, choose: true }).api.place('ev1', 't', null);
    expect(waiting).toMatchObject({ board: null, title: '', kind: null, location: '', choose: true });
  });

  it('gives up a poll when its signal aborts', async () => {
    const api = new Api((_input, init) =>
      new Promise((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')))),
    );
    const controller = new AbortController();
    const polling = api.place('ev1', 't', 3, controller.signal).catch((e: unknown) => e);
    controller.abort(new Error('left the page'));
    expect(await polling).toMatchObject({ message: 'left the page' });
  });

  it('chooses a workshop, and says when it is full', async () => {
    const { api, seen } = recording(200, PLACE);
    await expect(api.choose('ev1', 'kwp_t', 'b2')).resolves.toMatchObject({ board: 'b2' });
    expect(seen[0]?.url).toBe('/api/events/ev1/choice');
    expect(JSON.parse(seen[0]?.init?.body as string)).toEqual({ board: 'b2' });
    await expect(recording(409, { error: 'this workshop is full' }).api.choose('ev1', 't', 'b2')).rejects.toMatchObject({ status: 409 });
  });

  it('runs the organiser endpoints with the organiser token', async () => {
    const desk = {
      ...EVENT_INFO,
      join_code: 'K7MPQ3XW9RTB',
      join_url: 'u',
      grouping: { rule: 'equal', attribute: 'size' },
      participants: [{ participant_id: 'p1', name: 'Aylin', organisation: 'Stadt', sector: 'behoerde', attributes: { size: 'small' }, workshop: 'b2', group: null, joined_at: 5 }],
    };
    const { api, seen } = recording(200, desk);
    await expect(api.desk('ev1', 'kwo_x')).resolves.toMatchObject({ grouping: { rule: 'equal', attribute: 'size' }, participants: [{ name: 'Aylin', workshop: 'b2', group: null }] });
    await api.setPart('ev1', 'kwo_x', 'reflection');
    await api.assign('ev1', 'kwo_x', { participant: 'p1', board: 'b2' });
    await api.assign('ev1', 'kwo_x', { participant: 'p1', board: null, kind: 'workshop' });
    await api.setGrouping('ev1', 'kwo_x', { rule: 'mixed', attribute: 'sector' });
    expect(seen.map((s) => `${s.init?.method ?? 'GET'} ${s.url ?? ''}`)).toEqual([
      'GET /api/events/ev1/desk',
      'POST /api/events/ev1/part',
      'POST /api/events/ev1/assignments',
      'POST /api/events/ev1/assignments',
      'POST /api/events/ev1/grouping',
    ]);
    expect(seen.map((s) => (s.init?.body ? JSON.parse(s.init.body as string) as unknown : null))).toEqual([
      null,
      { part: 'reflection' },
      { participant: 'p1', board: 'b2' },
      { participant: 'p1', board: null, kind: 'workshop' },
      { rule: 'mixed', attribute: 'sector' },
    ]);
    for (const s of seen) expect(new Headers(s.init?.headers).get('Authorization')).toBe('Bearer kwo_x');
    await expect(recording(403, { error: "only the event's organiser may do this" }).api.desk('ev1', 'kwp_x')).rejects.toMatchObject({ status: 403 });
  });

  it('downloads the event export', async () => {
    const seen: { url?: string; init?: RequestInit } = {};
    const api = new Api((input, init) => {
      seen.url = input instanceof Request ? input.url : input.toString();
      if (init) seen.init = init;
      return Promise.resolve(new Response('# Kommunen im Dialog', { status: 200 }));
    });
    const file = await api.exportEvent('ev1', 'kwp_t', 'md', 'Kommunen im Dialog');
    expect(seen.url).toBe('/api/events/ev1/export.md');
    expect(new Headers(seen.init?.headers).get('Authorization')).toBe('Bearer kwp_t');
    expect(file.fileName).toBe('Kommunen im Dialog.md');
  });

  it('resolves an event code without a board, and a board code with its event', async () => {
    await expect(recording(200, { event: 'ev1', title: 'Kassel', district: '' }).api.lookupCode('K7MP')).resolves.toEqual({ event: 'ev1', title: 'Kassel', district: '' });
    await expect(recording(200, { board: 'b1', title: 'Sandow', district: 'Sandow', event: 'ev2' }).api.lookupCode('K7MP')).resolves.toEqual({
      board: 'b1',
      event: 'ev2',
      title: 'Sandow',
      district: 'Sandow',
    });
    await expect(recording(200, { title: 'neither' }).api.lookupCode('K7MP')).rejects.toMatchObject({ status: 502 });
  });
});

describe('export file names', () => {
  it('reads filename* before filename, quoted or not', () => {
    expect(dispositionFileName(`attachment; filename="a.md"; filename*=UTF-8''Stra%C3%9Fe.md`)).toBe('Straße.md');
    expect(dispositionFileName('attachment; filename="say \\"hi\\".md"')).toBe('say "hi".md');
    expect(dispositionFileName('attachment; filename=plain.csv')).toBe('plain.csv');
    expect(dispositionFileName('attachment')).toBeNull();
    expect(dispositionFileName(null)).toBeNull();
  });

  it('falls back to the title, else the board id', () => {
    expect(fallbackFileName('Stadtteilkonferenz Sandow', 'b1', 'html')).toBe('Stadtteilkonferenz Sandow.html');
    expect(fallbackFileName('  ', 'b1', 'json')).toBe('b1.json');
    expect(fallbackFileName(undefined, 'b1', 'docx')).toBe('b1.docx');
  });
});
