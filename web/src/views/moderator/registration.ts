/**
 * A participant list from a spreadsheet, read for registration before the
 * day (`POST /api/boards/{board}/participants`, docs/protocol.md).
 *
 * What spreadsheets write: UTF-8 with or without a byte order mark, `;`
 * (German Excel and LibreOffice) or `,` between fields, quotes around
 * fields with either inside, German or English headers in any case and
 * order, the name in one column or as first and last name, the sector as
 * its id or its name on the screens ("Behörde", "freier Träger",
 * "Public authority"). Parsing is papaparse's; this module maps the
 * columns and checks every row, naming each broken one.
 */
import Papa from 'papaparse';
import { LIMITS, SECTORS, type Sector } from '../../board';
import { de } from '../../i18n/de';
import { en } from '../../i18n/en';

export interface Person {
  name: string;
  organisation: string;
  sector: Sector;
  email?: string;
}

export interface RowError {
  /** The row's line in the file, the header being line 1. */
  line: number;
  /** What is wrong, as a key of the i18n tables and its values. */
  key: 'registration.rowName' | 'registration.rowSector' | 'registration.rowEmail' | 'registration.rowTooLong';
  value: string;
}

export interface ParsedList {
  people: Person[];
  errors: RowError[];
  /** Nothing usable: no header with a name column. */
  missingColumns: ('name' | 'sector')[];
}

/** Lower case, umlauts and ß spelled out, no accents, no punctuation. */
function fold(text: string): string {
  return text
    .trim()
    .toLowerCase()
    .replace(/ä/g, 'ae')
    .replace(/ö/g, 'oe')
    .replace(/ü/g, 'ue')
    .replace(/ß/g, 'ss')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

const HEADERS: Record<'name' | 'first' | 'last' | 'organisation' | 'sector' | 'email', string[]> = {
  name: ['name', 'vollstaendiger name', 'teilnehmer', 'teilnehmerin', 'teilnehmende', 'person', 'vor und nachname', 'full name', 'participant'],
  first: ['vorname', 'first name', 'firstname', 'given name'],
  last: ['nachname', 'familienname', 'last name', 'lastname', 'surname', 'family name'],
  organisation: ['organisation', 'organization', 'institution', 'einrichtung', 'firma', 'company', 'verein', 'dienststelle', 'traeger organisation'],
  sector: ['bereich', 'sektor', 'sector', 'sparte', 'akteursgruppe'],
  email: ['e mail', 'email', 'mail', 'e mail adresse', 'email address', 'e mail address'],
};

/** Every way a sector is written: its id and its names on the screens. */
const SECTOR_NAMES: Map<string, Sector> = new Map(
  SECTORS.flatMap((sector) => {
    const names = [sector, de[`sector.${sector}`], en[`sector.${sector}`]];
    // "freier Träger" is also written "Träger".
    if (sector === 'traeger') names.push('träger', 'freie träger', 'wohlfahrtsverband');
    if (sector === 'behoerde') names.push('verwaltung', 'amt', 'authority', 'administration');
    if (sector === 'stadtteil') names.push('bewohner', 'bewohnerin', 'bewohnende', 'district', 'neighbourhood');
    if (sector === 'wirtschaft') names.push('unternehmen', 'business');
    if (sector === 'politik') names.push('politics');
    return names.map((name) => [fold(name), sector] as const);
  }),
);

export function sectorOf(value: string): Sector | null {
  return SECTOR_NAMES.get(fold(value)) ?? null;
}

/** Characters as the server counts them: Unicode scalar values. */
function codePoints(text: string): number {
  return Array.from(text).length;
}

/** The file's text without a byte order mark. */
export function withoutBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Reads a list; see the module comment. */
export function parsePeople(text: string): ParsedList {
  const parsed = Papa.parse<string[]>(withoutBom(text), {
    delimitersToGuess: [';', ',', '\t'],
    skipEmptyLines: 'greedy',
  });
  const rows = parsed.data;
  const header = (rows[0] ?? []).map(fold);
  const column = (kind: keyof typeof HEADERS): number => header.findIndex((cell) => HEADERS[kind].includes(cell));
  const columns = {
    name: column('name'),
    first: column('first'),
    last: column('last'),
    organisation: column('organisation'),
    sector: column('sector'),
    email: column('email'),
  };
  const missingColumns: ('name' | 'sector')[] = [];
  if (columns.name < 0 && columns.first < 0 && columns.last < 0) missingColumns.push('name');
  if (columns.sector < 0) missingColumns.push('sector');
  if (missingColumns.length > 0) return { people: [], errors: [], missingColumns };

  const people: Person[] = [];
  const errors: RowError[] = [];
  const cell = (row: string[], index: number): string => (index >= 0 ? (row[index] ?? '').trim() : '');
  rows.slice(1).forEach((row, index) => {
    const line = index + 2;
    const name =
      columns.name >= 0 ? cell(row, columns.name) : [cell(row, columns.first), cell(row, columns.last)].filter((part) => part.length > 0).join(' ');
    const organisation = cell(row, columns.organisation);
    const sectorText = cell(row, columns.sector);
    const email = cell(row, columns.email);
    if (name.length === 0) {
      errors.push({ line, key: 'registration.rowName', value: '' });
      return;
    }
    if (codePoints(name) > LIMITS.name || codePoints(organisation) > LIMITS.organisation) {
      errors.push({ line, key: 'registration.rowTooLong', value: name });
      return;
    }
    const sector = sectorOf(sectorText);
    if (sector === null) {
      errors.push({ line, key: 'registration.rowSector', value: sectorText });
      return;
    }
    if (email.length > 0 && !email.includes('@')) {
      errors.push({ line, key: 'registration.rowEmail', value: email });
      return;
    }
    people.push(email.length > 0 ? { name, organisation, sector, email } : { name, organisation, sector });
  });
  return { people, errors, missingColumns };
}
