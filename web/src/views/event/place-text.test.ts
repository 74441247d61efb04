import { afterEach, describe, expect, it } from 'vitest';
import { setLocale } from '../../i18n';
import type { Place } from '../../sync/api';
import { labelIn, placeText, placesLeft, whereText } from './place-text';

function place(change: Partial<Place>): Place {
  return { version: 1, part: 'plenary', board: null, title: '', kind: null, location: '', workshop: null, group: null, choose: false, ...change };
}

afterEach(() => setLocale('de'));

describe('the event phone banner', () => {
  it('says where to go in each part', () => {
    expect(placeText(place({ part: 'workshops', board: 'w2', title: 'Workshop 2: Wohnen', kind: 'workshop', location: 'Raum 3', workshop: 'w2' }))).toBe(
      'Workshop 2: Wohnen · Raum 3',
    );
    expect(placeText(place({ part: 'reflection', board: 'r1', title: 'Reflexion A', kind: 'reflection', location: 'Foyer', group: 'r1' }))).toBe(
      'Bitte gehen Sie in Ihre Reflexionsgruppe: Reflexion A · Foyer',
    );
    expect(placeText(place({ board: 'p', title: 'Plenum', kind: 'plenary', location: 'Saal' }))).toBe('Plenum · Saal');
    expect(placeText(place({ board: 'p', title: 'Plenum', kind: 'plenary' }))).toBe('Plenum');
    expect(placeText(place({ part: 'workshops', choose: true }))).toBe('Bitte wählen Sie Ihren Workshop.');
    expect(placeText(place({ part: 'workshops' }))).toContain('noch keinem Workshop');
    expect(placeText(place({ part: 'reflection' }))).toContain('wird gerade eingeteilt');
    expect(placeText(place({ part: 'ended' }))).toContain('beendet');
    setLocale('en');
    expect(placeText(place({ part: 'reflection', board: 'r1', title: 'Group B', kind: 'tree', location: '' }))).toBe('Please go to your reflection group: Group B');
  });

  it('joins title and room, and counts the places left', () => {
    expect(whereText('Workshop 1', '  ')).toBe('Workshop 1');
    expect(whereText('', 'Raum 3')).toBe('Raum 3');
    expect(placesLeft({ capacity: 10, admitted: 7 })).toBe(3);
    expect(placesLeft({ capacity: 2, admitted: 3 })).toBe(0);
    expect(placesLeft({ capacity: null, admitted: 30 })).toBeNull();
  });

  it('labels in the screen language, the German one when the English is empty', () => {
    expect(labelIn({ de: 'Kleinstadt', en: 'Small town' }, 'en')).toBe('Small town');
    expect(labelIn({ de: 'Kleinstadt', en: '' }, 'en')).toBe('Kleinstadt');
    expect(labelIn({ de: 'Kleinstadt', en: 'Small town' }, 'de')).toBe('Kleinstadt');
  });
});
