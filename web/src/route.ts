/**
 * URL routes. Tokens travel in the fragment (`#token=...`), which browsers do
 * not send to the server or in Referer headers.
 *
 *   /                          start page (create a conference)
 *   /join                      enter a join code
 *   /join/{code}               participant (phone), also remote attendee
 *   /b/{board}/moderate#token  moderator
 *   /b/{board}/present#token   presenter (projector), read-only
 *   /b/{board}/watch#token     remote attendee, watch-only
 *   /organiser                 the organiser's desk (#invitation=… to accept
 *                              an invitation)
 *   /b/{board}/join#code=...   participant registered before the day, with
 *                              their personal code (printed as a QR code)
 *   /e/{event}                 a participant's phone during an event: follows
 *                              the event's part from board to board
 *   /e/{event}/organise#token  the event's organiser (kwo_… token)
 *   /e/{event}/present#token   the plenary projector: every workshop live
 *                              (the event's viewer token)
 *   /s/{series}#token          a series' organiser: the districts compared,
 *                              the report for the council (kws_… token)
 */
export type Route =
  | { view: 'start' }
  | { view: 'join'; code: string | null }
  | { view: 'moderate' | 'present' | 'watch'; board: string; token: string | null }
  | { view: 'personal'; board: string; code: string | null }
  | { view: 'organiser'; invitation: string | null }
  | { view: 'event'; event: string }
  | { view: 'event-organise' | 'event-present'; event: string; token: string | null }
  | { view: 'series'; series: string; token: string | null }
  | { view: 'not-found' };

const SEGMENT = /^[A-Za-z0-9_-]{1,128}$/;

export function parseRoute(pathname: string, hash: string): Route {
  const parts = pathname.split('/').filter((p) => p.length > 0).map(safeDecode);
  if (parts.length === 0) return { view: 'start' };
  const [first, second, third] = parts;
  if (first === 'join' && parts.length === 1) return { view: 'join', code: null };
  if (first === 'organiser' && parts.length === 1) {
    const invitation = new URLSearchParams(hash.replace(/^#/, '')).get('invitation');
    return { view: 'organiser', invitation: invitation !== null && /^[0-9a-f]{64}$/.test(invitation) ? invitation : null };
  }
  if (first === 'join' && parts.length === 2 && second && SEGMENT.test(second)) {
    return { view: 'join', code: second.toUpperCase() };
  }
  if (first === 'b' && parts.length === 3 && second && SEGMENT.test(second)) {
    if (third === 'moderate' || third === 'present' || third === 'watch') {
      return { view: third, board: second, token: tokenFromHash(hash) };
    }
    if (third === 'join') return { view: 'personal', board: second, code: codeFromHash(hash) };
  }
  if (first === 'e' && second && SEGMENT.test(second)) {
    if (parts.length === 2) return { view: 'event', event: second };
    if (parts.length === 3 && third === 'organise') return { view: 'event-organise', event: second, token: tokenFromHash(hash) };
    if (parts.length === 3 && third === 'present') return { view: 'event-present', event: second, token: tokenFromHash(hash) };
  }
  if (first === 's' && parts.length === 2 && second && SEGMENT.test(second)) {
    return { view: 'series', series: second, token: tokenFromHash(hash) };
  }
  return { view: 'not-found' };
}

export function tokenFromHash(hash: string): string | null {
  const token = new URLSearchParams(hash.replace(/^#/, '')).get('token');
  return token !== null && token.length > 0 ? token : null;
}

/** The personal code of `#code=…`: letters and digits, upper-cased. */
export function codeFromHash(hash: string): string | null {
  const code = new URLSearchParams(hash.replace(/^#/, '')).get('code')?.replace(/[\s-]/g, '').toUpperCase();
  return code !== undefined && /^[A-Z0-9]{1,64}$/.test(code) ? code : null;
}

function safeDecode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return '';
  }
}
