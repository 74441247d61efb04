// @vitest-environment happy-dom
/**
 * Smoke tests of the views in a DOM: they render from the doc, write through
 * mutations, never render card text as HTML, and the keyboard drag works.
 * The full browser run (real server, several phones) is the E2E suite.
 */
import { render } from 'preact';
import { act } from 'preact/test-utils';
import * as Y from 'yjs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  addAgendaItems,
  createAgreement,
  createCard,
  createCases,
  createCluster,
  createNote,
  selectAgreements,
  selectCards,
  selectFocalPoints,
  selectHandout,
  selectMeta,
  selectOwnPlacements,
  setAgreementsOpen,
  setFocus,
  setPlacementsOpen,
  setProfile,
  setRevealed,
  startPhase,
} from '../board';
import { setLocale } from '../i18n';
import { Api } from '../sync/api';
import { Credentials, MemoryStorage } from '../sync/credentials';
import type { Session } from '../sync/session';
import { ModeratorView } from './moderator/ModeratorView';
import { RunPanel } from './moderator/RunPanel';
import { ParticipantBoard } from './participant/ParticipantBoard';
import { key, session, typeInto } from './test-helpers';
import { PresenterView } from './presenter/PresenterView';

let root: HTMLElement;
const open: Session[] = [];
beforeEach(() => {
  setLocale('de');
  root = document.createElement('div');
  document.body.append(root);
});
afterEach(() => {
  render(null, root);
  root.remove();
  for (const s of open.splice(0)) s.connection.destroy();
});

describe('participant view', () => {
  it('sends a card with the Enter key before any connection, and shows it as text', async () => {
    const s = session();
    open.push(s);
    setProfile(s.board, 'pa00000001', { name: 'Anna', organisation: 'Kita', sector: 'stadtteil' });
    await act(() => render(<ParticipantBoard session={s} boardId="testboard" participantId="pa00000001" />, root));

    expect(root.textContent).toContain('Noch nicht mit dem Server verbunden');
    const textarea = root.querySelector<HTMLTextAreaElement>('#card-text');
    expect(textarea?.getAttribute('enterkeyhint')).toBe('send');
    await act(() => {
      if (textarea) typeInto(textarea, '<b>Kita-Plätze</b> fehlen');
    });
    await act(() => {
      if (textarea) key(textarea, 'Enter');
    });

    const cards = selectCards(s.board);
    expect(cards).toEqual([expect.objectContaining({ text: '<b>Kita-Plätze</b> fehlen', kind: 'need', author: 'pa00000001' })]);
    expect(root.textContent).toContain('<b>Kita-Plätze</b> fehlen');
    expect(root.querySelector('b')).toBeNull();
    expect(textarea?.value).toBe('');
    // No IndexedDB in this session: it must not claim the card is saved.
    await vi.waitFor(() => expect(root.textContent).toContain('Dieses Gerät kann sie nicht speichern'));
    expect(root.textContent).not.toContain('Karte gespeichert');
  });

  it('sends with a phone keyboard that reports its send key only as a line break', async () => {
    const s = session();
    open.push(s);
    setProfile(s.board, 'pa00000001', { name: 'Anna', organisation: 'Kita', sector: 'stadtteil' });
    await act(() => render(<ParticipantBoard session={s} boardId="testboard" participantId="pa00000001" />, root));
    const textarea = root.querySelector<HTMLTextAreaElement>('#card-text');
    const lineBreak = (): boolean =>
      textarea?.dispatchEvent(new InputEvent('beforeinput', { inputType: 'insertLineBreak', bubbles: true, cancelable: true })) ?? true;
    await act(() => {
      if (textarea) typeInto(textarea, 'Erste Zeile');
    });
    // Shift+Enter first: a new line, nothing sent.
    await act(() => {
      textarea?.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', shiftKey: true, bubbles: true, cancelable: true }));
    });
    let inserted = true;
    await act(() => {
      inserted = lineBreak();
    });
    expect(inserted).toBe(true);
    expect(selectCards(s.board)).toEqual([]);
    // The send key of a keyboard with key code 229: only the line break.
    await act(() => {
      inserted = lineBreak();
    });
    expect(inserted).toBe(false);
    expect(selectCards(s.board)).toEqual([expect.objectContaining({ text: 'Erste Zeile' })]);
  });

  it('keeps an edit in progress across a reload', async () => {
    const s = session();
    open.push(s);
    setProfile(s.board, 'pa00000001', { name: 'Anna', organisation: 'Kita', sector: 'stadtteil' });
    createCard(s.board, { text: 'Kita-Plätze fehlen', kind: 'need', author: 'pa00000001' });
    await act(() => render(<ParticipantBoard session={s} boardId="testboard" participantId="pa00000001" />, root));
    const edit = [...root.querySelectorAll('button')].find((b) => b.textContent === 'Bearbeiten');
    await act(() => edit?.click());
    await act(() => {
      const editor = root.querySelector<HTMLTextAreaElement>('.card-list textarea');
      if (editor) typeInto(editor, 'Kita-Plätze fehlen im ganzen Stadtteil');
    });
    // The page goes away (a reload) and comes back.
    await act(() => render(null, root));
    await act(() => render(<ParticipantBoard session={s} boardId="testboard" participantId="pa00000001" />, root));
    expect(root.querySelector<HTMLTextAreaElement>('.card-list textarea')?.value).toBe('Kita-Plätze fehlen im ganzen Stadtteil');
    const save = [...root.querySelectorAll('button')].find((b) => b.textContent === 'Speichern');
    await act(() => save?.click());
    expect(selectCards(s.board)[0]?.text).toBe('Kita-Plätze fehlen im ganzen Stadtteil');
    const keys = Array.from({ length: localStorage.length }, (_, i) => localStorage.key(i));
    expect(keys.filter((key) => key?.startsWith('kartenwand.edit.'))).toEqual([]);
  });

  it('switches to English', async () => {
    const s = session();
    open.push(s);
    await act(() => render(<ParticipantBoard session={s} boardId="testboard" participantId="pa00000001" />, root));
    expect(root.textContent).toContain('Karte schreiben');
    await act(() => setLocale('en'));
    expect(root.textContent).toContain('Write a card');
  });
});

describe('moderator view', () => {
  it('moves a card into a cluster with the keyboard, and undoes it', async () => {
    const s = session({});
    open.push(s);
    const card = createCard(s.board, { text: 'Wohnungen fehlen', kind: 'need', author: 'pa00000001' });
    const cluster = createCluster(s.board, 'Wohnen');
    const credentials = new Credentials(new MemoryStorage());
    await act(() => render(<ModeratorView session={s} boardId="testboard" token="t" credentials={credentials} api={new Api()} />, root));

    const handle = root.querySelector<HTMLButtonElement>(`[data-drag-handle="${card}"]`);
    expect(handle).not.toBeNull();
    await act(() => {
      if (!handle) return;
      handle.focus();
      key(handle, ' ');
      key(handle, 'ArrowRight');
    });
    expect(root.querySelector(`[data-drop="cluster:${cluster}"]`)?.hasAttribute('data-drop-active')).toBe(true);
    expect(root.textContent).toContain('Ziel: Wohnen');
    await act(() => {
      if (handle) key(handle, ' ');
    });
    expect(selectCards(s.board)[0]?.cluster).toBe(cluster);
    expect(root.querySelector(`[data-drop="cluster:${cluster}"] [data-card-id="${card}"]`)).not.toBeNull();

    const undo = [...root.querySelectorAll('button')].find((b) => b.textContent.includes('Rückgängig'));
    await act(() => undo?.click());
    expect(selectCards(s.board)[0]?.cluster).toBeNull();
  });

  it('writes the handout when a field is left, and says why a download failed', async () => {
    const s = session({});
    open.push(s);
    const requests: { url: string; headers: Headers }[] = [];
    let respond: (response: Response) => void = () => undefined;
    const api = new Api((input, init) => {
      const url = input instanceof Request ? input.url : input.toString();
      // The documentation tab also asks when the board is deleted: not answered here.
      if (url.endsWith('/retention')) return new Promise(() => undefined);
      requests.push({ url, headers: new Headers(init?.headers) });
      return new Promise((resolve) => (respond = resolve));
    });
    const credentials = new Credentials(new MemoryStorage());
    await act(() => render(<ModeratorView session={s} boardId="testboard" token="kwm_secret" credentials={credentials} api={api} />, root));
    const tab = [...root.querySelectorAll<HTMLButtonElement>('nav button')].find((b) => b.textContent === 'Dokumentation');
    await act(() => tab?.click());

    const contacts = root.querySelector<HTMLTextAreaElement>('#handout-contacts');
    expect(root.querySelector(`label[for="handout-contacts"]`)?.textContent).toBe('Ansprechpersonen');
    await act(() => {
      contacts?.focus();
      if (contacts) typeInto(contacts, '<b>Frau Schröder</b>, 0355 612-0');
    });
    expect(selectHandout(s.board).contacts).toBe('');
    await act(() => contacts?.blur());
    expect(selectHandout(s.board).contacts).toBe('<b>Frau Schröder</b>, 0355 612-0');
    expect(root.querySelector('.handout-form b')).toBeNull();

    await act(() => root.querySelector<HTMLInputElement>('#exports-without-authors')?.click());
    const pdf = [...root.querySelectorAll<HTMLButtonElement>('.exports button')].find((b) => b.textContent === 'PDF');
    await act(() => pdf?.click());
    expect(requests).toHaveLength(1);
    expect(requests[0]?.url).toBe('/api/boards/testboard/export.pdf?authors=false');
    expect(requests[0]?.headers.get('Authorization')).toBe('Bearer kwm_secret');
    expect(root.querySelector('.exports [role="status"]')?.textContent).toBe('PDF wird erstellt …');
    expect(pdf?.getAttribute('aria-disabled')).toBe('true');
    await act(() => pdf?.click());
    expect(requests).toHaveLength(1);

    await act(async () => {
      respond(new Response(JSON.stringify({ error: 'forbidden' }), { status: 403 }));
      await new Promise((resolve) => setTimeout(resolve, 0));
    });
    expect(root.querySelector('.exports [role="alert"]')?.textContent).toContain('lehnt das Herunterladen ab');
    expect(pdf?.hasAttribute('aria-disabled')).toBe(false);
  });
});

describe('presenter view', () => {
  it('shows the join screen until revealed, then follows the focus', async () => {
    const s = session();
    open.push(s);
    s.board.meta.set('joinCode', 'K7P2QX');
    const cluster = createCluster(s.board, 'Sprache');
    createCard(s.board, { text: 'Sprachkurse mit Kinderbetreuung', kind: 'need', author: 'pa00000001' });
    await act(() => render(<PresenterView session={s} />, root));
    expect(root.textContent).toContain('K7P2 QX');
    expect(root.textContent).not.toContain('Sprachkurse');

    await act(() => {
      setRevealed(s.board, true);
      setFocus(s.board, { kind: 'cluster', id: cluster });
    });
    expect(root.querySelector('h1')?.textContent).toBe('Sprache');
  });
});

describe('blocks 2 and 3', () => {
  function conference(s: Session) {
    setProfile(s.board, 'pa00000001', { name: 'Anna', organisation: 'Kita', sector: 'stadtteil' });
    const [cards, cases, agreements] = addAgendaItems(s.board, [
      { title: 'Block 1', kind: 'cards', minutes: 60 },
      { title: 'Block 2', kind: 'cases', minutes: 75 },
      { title: 'Block 3', kind: 'agreements', minutes: 45 },
    ]) as [string, string, string];
    const [family] = createCases(s.board, [
      { title: 'Familie A.', framework: 'asylblg', story: 'Eltern und drei Kinder', focalPoints: ['Wohnen', 'Sprachkurs'] },
    ]) as [string];
    return { cards, cases, agreements, family };
  }

  it('the phone switches to the phase screen by itself and places the person on several focal points', async () => {
    const s = session();
    open.push(s);
    const { cards, cases, agreements, family } = conference(s);
    await act(() => render(<ParticipantBoard session={s} boardId="testboard" participantId="pa00000001" />, root));
    expect(root.textContent).toContain('Karte schreiben');

    await act(() => startPhase(s.board, cards));
    expect(root.querySelector('[role="timer"]')?.textContent).toBe('1:00:00');
    await act(() => startPhase(s.board, cases));
    expect(root.querySelector('main')?.getAttribute('data-screen')).toBe('cases');
    expect(root.textContent).toContain('Wo arbeiten Sie mit?');
    const boxes = [...root.querySelectorAll<HTMLInputElement>('input[type="checkbox"]')];
    expect(boxes).toHaveLength(2);
    await act(() => {
      for (const box of boxes) box.click();
    });
    expect(selectOwnPlacements(s.board, 'pa00000001')).toEqual(new Set(selectFocalPoints(s.board, family).map((fp) => fp.id)));

    // The spotlight and its notes appear on the phone.
    const [, language] = selectFocalPoints(s.board, family);
    await act(() => {
      if (!language) return;
      createNote(s.board, language.id, 'offers', 'Sprachcafé');
      setFocus(s.board, { kind: 'focal', id: language.id });
    });
    expect(root.querySelector('.spotlight-panel h2')?.textContent).toBe('Sprachkurs');
    expect(root.querySelector('.spotlight-panel')?.textContent).toContain('Sprachcafé');

    // Placing closed: the boxes are disabled.
    await act(() => setPlacementsOpen(s.board, false));
    expect(root.querySelector<HTMLInputElement>('input[type="checkbox"]')?.disabled).toBe(true);

    await act(() => startPhase(s.board, agreements));
    expect(root.textContent).toContain('Verabredung vorschlagen');
  });

  it('a participant proposes an agreement from the phone', async () => {
    const s = session();
    open.push(s);
    const { agreements } = conference(s);
    startPhase(s.board, agreements);
    await act(() => render(<ParticipantBoard session={s} boardId="testboard" participantId="pa00000001" />, root));
    const what = root.querySelector<HTMLTextAreaElement>('#propose-what');
    const who = root.querySelector<HTMLInputElement>('#propose-who');
    await act(() => {
      if (what) typeInto(what, 'Sprachkurs mit Kinderbetreuung');
      if (who) typeInto(who, 'Kita, Jobcenter');
    });
    await act(() => root.querySelector<HTMLButtonElement>('form button[type="submit"]')?.click());
    expect(selectAgreements(s.board)).toEqual([
      expect.objectContaining({ what: 'Sprachkurs mit Kinderbetreuung', who: 'Kita, Jobcenter', status: 'proposed', author: 'pa00000001', due: null }),
    ]);
    expect(root.textContent).toContain('Ihr Vorschlag');
  });

  it('gives a proposal the server took back to the person to propose again', async () => {
    const s = session();
    open.push(s);
    const { agreements } = conference(s);
    startPhase(s.board, agreements);
    localStorage.removeItem('kartenwand.returnedProposals.returnboard');
    localStorage.removeItem('kartenwand.proposal.returnboard');
    await act(() => render(<ParticipantBoard session={s} boardId="returnboard" participantId="pa00000001" />, root));
    const id = createAgreement(s.board, { what: 'Elterncafé im Bürgerhaus', who: 'Kita', due: null, author: 'pa00000001' });
    // The server's refusal arrives as a deletion from another replica.
    const server = new Y.Doc();
    Y.applyUpdate(server, Y.encodeStateAsUpdate(s.board.doc));
    server.getMap('agreements').delete(id);
    await act(() => Y.applyUpdate(s.board.doc, Y.encodeStateAsUpdate(server, Y.encodeStateVector(s.board.doc)), 'remote'));
    expect(root.textContent).toContain('Nicht angenommene Vorschläge');
    const again = [...root.querySelectorAll('button')].find((b) => b.textContent === 'Noch einmal vorschlagen');
    await act(() => again?.click());
    expect(root.querySelector<HTMLTextAreaElement>('#propose-what')?.value).toBe('Elterncafé im Bürgerhaus');
    expect(root.querySelector<HTMLInputElement>('#propose-who')?.value).toBe('Kita');
    expect(root.textContent).not.toContain('Nicht angenommene Vorschläge');
  });

  it('says a proposal is saved only once the device has stored it, and keeps a draft while proposals are closed', async () => {
    const s = session();
    open.push(s);
    let store: (stored: boolean) => void = () => undefined;
    const stored = new Promise<boolean>((resolve) => {
      store = resolve;
    });
    const slow: Session = { board: s.board, connection: { ...s.connection, whenStored: () => stored } };
    const { agreements } = conference(s);
    startPhase(s.board, agreements);
    localStorage.removeItem('kartenwand.proposal.slowboard');
    await act(() => render(<ParticipantBoard session={slow} boardId="slowboard" participantId="pa00000001" />, root));
    const status = (): string | null | undefined => root.querySelector('#propose-heading')?.closest('form')?.querySelector('[role="status"]')?.textContent;
    await act(() => {
      const what = root.querySelector<HTMLTextAreaElement>('#propose-what');
      if (what) typeInto(what, 'Elterncafé');
    });
    await act(() => root.querySelector<HTMLButtonElement>('form button[type="submit"]')?.click());
    expect(selectAgreements(s.board).map((a) => a.what)).toEqual(['Elterncafé']);
    expect(status()).toBe('Vorschlag wird gespeichert …');
    await act(async () => {
      store(true);
      await stored;
    });
    expect(status()).toBe('Vorschlag gespeichert. Die Moderation bestätigt ihn.');

    // Typed, then the moderator closes proposals: the form goes, the text is kept and comes back.
    await act(() => {
      const what = root.querySelector<HTMLTextAreaElement>('#propose-what');
      if (what) typeInto(what, 'Sprachcafé');
    });
    await act(() => setAgreementsOpen(s.board, false));
    expect(root.querySelector('#propose-what')).toBeNull();
    expect(root.textContent).toContain('Ihr angefangener Vorschlag bleibt gespeichert');
    await act(() => setAgreementsOpen(s.board, true));
    expect(root.querySelector<HTMLTextAreaElement>('#propose-what')?.value).toBe('Sprachcafé');
    expect(selectAgreements(s.board)).toHaveLength(1);
  });

  it('the run panel offers every lock during an info phase and opens one by hand', async () => {
    const s = session();
    open.push(s);
    conference(s);
    const [info] = addAgendaItems(s.board, [{ title: 'Pause', kind: 'info', minutes: 15 }]) as [string];
    startPhase(s.board, info);
    await act(() => render(<RunPanel board={s.board} meta={selectMeta(s.board)} />, root));
    const buttons = (): string[] => [...root.querySelectorAll('button')].map((b) => b.textContent);
    expect(buttons()).toEqual(expect.arrayContaining(['Schreiben öffnen', 'Zuordnen öffnen', 'Vorschläge öffnen']));
    await act(() => [...root.querySelectorAll('button')].find((b) => b.textContent === 'Zuordnen öffnen')?.click());
    expect(selectMeta(s.board)).toMatchObject({ writingOpen: false, placementsOpen: true, agreementsOpen: false });
  });

  it('a remote participant follows what the moderation shows, looks around on their own and comes back', async () => {
    const s = session();
    open.push(s);
    const { cases, agreements } = conference(s);
    await act(() => render(<ParticipantBoard session={s} boardId="testboard" participantId="pa00000001" />, root));
    const choice = root.querySelector<HTMLSelectElement>('#screen-choice');
    await act(() => {
      if (!choice) return;
      choice.value = 'screen';
      choice.dispatchEvent(new Event('change', { bubbles: true }));
    });
    const shown = (): string | null | undefined => root.querySelector('.follow-display h1')?.textContent;
    await act(() => setFocus(s.board, { kind: 'agreements' }));
    expect(shown()).toBe('Verabredungen');
    // Starting a phase moves the display with the moderator's focus, and keeps the screen.
    await act(() => startPhase(s.board, cases));
    expect(root.querySelector('main')?.getAttribute('data-screen')).toBe('screen');
    expect(shown()).toBe('Familie A.');

    const button = (name: string): HTMLButtonElement | undefined =>
      [...root.querySelectorAll<HTMLButtonElement>('.follow-display button')].find((b) => b.textContent === name);
    await act(() => button('Selbst umsehen')?.click());
    await act(() => setFocus(s.board, { kind: 'networks' }));
    expect(shown()).toBe('Familie A.');
    expect(root.querySelector('.follow-display')?.getAttribute('data-following')).toBe('false');
    await act(() => button('Der Moderation folgen')?.click());
    expect(shown()).toBe('Netzwerke im Stadtteil');

    // "Zur aktuellen Phase" leaves the screen for the phase's own.
    await act(() => startPhase(s.board, agreements));
    await act(() => root.querySelector<HTMLButtonElement>('.screen-choice button')?.click());
    expect(root.querySelector('main')?.getAttribute('data-screen')).toBe('agreements');
  });

  it('the presenter shows the case map, the spotlight and the agreements', async () => {
    const s = session();
    open.push(s);
    const { cases, family } = conference(s);
    await act(() => render(<PresenterView session={s} />, root));
    await act(() => startPhase(s.board, cases));
    expect(root.querySelector('h1')?.textContent).toBe('Familie A.');
    expect(root.querySelectorAll('li.focal-point')).toHaveLength(2);
    expect(root.querySelector('[role="timer"]')?.textContent).toBe('1:15:00');

    const [housing] = selectFocalPoints(s.board, family);
    await act(() => {
      if (housing) setFocus(s.board, { kind: 'focal', id: housing.id });
    });
    expect(root.querySelector('h1')?.textContent).toBe('Wohnen');

    await act(() => {
      createAgreement(s.board, { what: 'Elterncafé', who: 'Kita', author: 'moderator', status: 'confirmed' });
      setFocus(s.board, { kind: 'agreements' });
    });
    expect(root.querySelector('h1')?.textContent).toBe('Verabredungen');
    expect(root.querySelector('.agreement')?.textContent).toContain('vereinbart');
  });
});
