import { afterEach, describe, expect, it } from 'vitest';
import { setLocale } from '../i18n';
import { ApiError } from '../sync/api';
import { apiFailureText, deniedText } from './errors';

afterEach(() => setLocale('de'));

describe('server messages in words', () => {
  it('says a refused edit in the user language, never in the server English', () => {
    expect(deniedText('card writing is closed')).toBe('Das Schreiben ist gerade geschlossen: Ihre Karte wurde nicht angenommen.');
    expect(deniedText('you may only change your own cards')).toContain('jemand anderem');
    expect(deniedText('the board has reached its size limit')).toContain('Größengrenze');
    expect(deniedText('sending too fast: the server slows down reading, nothing is lost')).toContain('nichts geht verloren');
    expect(deniedText('something new the app does not know')).toBe('Eine Änderung war nicht erlaubt und wurde zurückgenommen.');
    setLocale('en');
    expect(deniedText('that is more votes than your budget')).toBe('You have given all your dots: this dot was taken back.');
  });

  it('says a failed request by its kind, not by the server text', () => {
    expect(apiFailureText(new ApiError(0, 'network'))).toContain('Keine Verbindung');
    expect(apiFailureText(new ApiError(400, 'email is not an e-mail address'))).toBe(
      'Der Server hat die Angaben nicht angenommen. Bitte prüfen Sie sie und versuchen Sie es noch einmal.',
    );
    expect(apiFailureText(new ApiError(403, 'forbidden'))).toContain('Berechtigung');
    expect(apiFailureText(new ApiError(503, 'busy'))).toContain('ausgelastet');
    expect(apiFailureText(new ApiError(500, 'boom'))).toContain('Fehler 500');
    expect(apiFailureText(new Error('odd'))).toBe('Das hat nicht geklappt. Bitte noch einmal versuchen.');
  });
});
