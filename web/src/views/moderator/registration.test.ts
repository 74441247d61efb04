import { describe, expect, it } from 'vitest';
import { parsePeople, sectorOf } from './registration';

describe('participant lists from spreadsheets', () => {
  it('reads a German Excel file: byte order mark, semicolons, quotes, umlauts', () => {
    const file =
      '\uFEFFName;Organisation;Bereich;E-Mail\r\n' +
      'Jürgen Weiß;"Jobcenter; Standort Süd";Behörde;jw@example.de\r\n' +
      '"Öztürk, Aylin";Kita Sonnenschein;freier Träger;\r\n' +
      'Dragan Ilić;;Stadtteil;\r\n' +
      '\r\n';
    const list = parsePeople(file);
    expect(list.missingColumns).toEqual([]);
    expect(list.errors).toEqual([]);
    expect(list.people).toEqual([
      { name: 'Jürgen Weiß', organisation: 'Jobcenter; Standort Süd', sector: 'behoerde', email: 'jw@example.de' },
      { name: 'Öztürk, Aylin', organisation: 'Kita Sonnenschein', sector: 'traeger' },
      { name: 'Dragan Ilić', organisation: '', sector: 'stadtteil' },
    ]);
  });

  it('reads English headers in any order, commas, and first and last name', () => {
    const list = parsePeople('Sector,Last name,First name,Organization,Email\npolitics,Smith,Jo,City Council,jo@example.org\n');
    expect(list.people).toEqual([{ name: 'Jo Smith', organisation: 'City Council', sector: 'politik', email: 'jo@example.org' }]);
  });

  it('names every broken row, by its line in the file', () => {
    const list = parsePeople('Name;Bereich;E-Mail\nA;Politik;\n;Politik;\nC;Mars;\nD;Wirtschaft;ohne-at\nE;Wirtschaft;\n' + 'F'.repeat(81) + ';Politik;\n');
    expect(list.errors).toEqual([
      { line: 3, key: 'registration.rowName', value: '' },
      { line: 4, key: 'registration.rowSector', value: 'Mars' },
      { line: 5, key: 'registration.rowEmail', value: 'ohne-at' },
      { line: 7, key: 'registration.rowTooLong', value: 'F'.repeat(81) },
    ]);
    expect(list.people.map((person) => person.name)).toEqual(['A', 'E']);
  });

  it('says which column the header lacks', () => {
    expect(parsePeople('Organisation;E-Mail\nKita;a@b.de\n').missingColumns).toEqual(['name', 'sector']);
    expect(parsePeople('Name\nA\n').missingColumns).toEqual(['sector']);
  });

  it('knows the sectors by id and by their names on the screens, in both languages', () => {
    expect(sectorOf('behoerde')).toBe('behoerde');
    expect(sectorOf(' BEHÖRDE ')).toBe('behoerde');
    expect(sectorOf('Träger')).toBe('traeger');
    expect(sectorOf('Independent welfare organisation')).toBe('traeger');
    expect(sectorOf('Business')).toBe('wirtschaft');
    expect(sectorOf('Verein')).toBeNull();
  });
});
