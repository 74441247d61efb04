import { describe, expect, it } from 'vitest';
import {
  type EventForm,
  KASSEL_SIZE,
  attributeRowOf,
  buildAttributes,
  buildEventRequest,
  emptyAttribute,
  emptyBoard,
  emptyProgrammeItem,
  slugId,
} from './create';

/** The Kassel day as the organiser types it. */
function kassel(): EventForm {
  const size = attributeRowOf(KASSEL_SIZE);
  const workshop = (n: number, capacity: string): ReturnType<typeof emptyBoard> => ({
    ...emptyBoard('workshop', ` Workshop ${n} `),
    capacity,
    location: `Raum ${n}`,
    description: n === 1 ? 'Netzwerk mit Mehrwert im Bereich Ehrenamt-Hauptamt' : '',
  });
  return {
    title: ' Kommunen im Dialog ',
    date: '2027-03-31',
    venue: 'Kassel, Kulturbahnhof',
    locale: 'de',
    boards: [
      { ...emptyBoard('plenary', 'Plenum'), location: 'Saal' },
      workshop(1, '2'),
      workshop(2, ''),
      workshop(3, '10'),
      workshop(4, '10'),
      { ...emptyBoard('reflection', 'Reflexion A') },
      emptyBoard('workshop'),
    ],
    attributes: [size],
    groupingRule: 'equal',
    groupingAttribute: size.key,
    programme: [
      { ...emptyProgrammeItem(), time: '09:00', title: 'Begrüßung und Impulsvortrag', part: 'plenary', location: 'Saal' },
      { ...emptyProgrammeItem(), time: '11:00', title: 'Workshops', part: 'workshops' },
      emptyProgrammeItem(),
    ],
  };
}

describe('the create form request', () => {
  it('builds the Kassel day as the contract asks, leaving empty rows out', () => {
    const built = buildEventRequest(kassel());
    expect(built.ok).toBe(true);
    if (!built.ok) return;
    const { request } = built;
    expect(request.title).toBe('Kommunen im Dialog');
    expect(request.boards).toHaveLength(6);
    expect(request.boards[0]).toEqual({ title: 'Plenum', kind: 'plenary', location: 'Saal' });
    expect(request.boards[1]).toEqual({
      title: 'Workshop 1',
      kind: 'workshop',
      capacity: 2,
      location: 'Raum 1',
      description: 'Netzwerk mit Mehrwert im Bereich Ehrenamt-Hauptamt',
    });
    expect(request.boards[2]).toEqual({ title: 'Workshop 2', kind: 'workshop', location: 'Raum 2' });
    expect(request.attributes).toEqual([KASSEL_SIZE]);
    expect(request.grouping).toEqual({ rule: 'equal', attribute: 'size' });
    expect(request.programme).toEqual([
      { time: '09:00', title: 'Begrüßung und Impulsvortrag', part: 'plenary', location: 'Saal' },
      { time: '11:00', title: 'Workshops', part: 'workshops' },
    ]);
    expect(request.locale).toBe('de');
  });

  it('names every problem instead of sending', () => {
    const form = kassel();
    form.title = '  ';
    form.date = '';
    const [plenary, first] = form.boards;
    if (!plenary || !first) throw new Error('rows');
    form.boards = [{ ...plenary, title: '' , location: 'Saal' }, { ...first, capacity: '0' }, { ...first, key: 'x', capacity: '2.5' }];
    form.programme = [{ ...emptyProgrammeItem(), time: '9.30', title: 'Kaffee' }];
    const built = buildEventRequest(form);
    expect(built.ok).toBe(false);
    if (built.ok) return;
    expect(built.problems.map((p) => p.key)).toEqual([
      'event.create.problem.title',
      'event.create.problem.date',
      'event.create.problem.boardTitle',
      'event.create.problem.capacity',
      'event.create.problem.capacity',
      'event.create.problem.time',
    ]);
    expect(built.problems[3]?.params).toEqual({ n: 2, max: 500 });
  });

  it('needs a board, and at most twelve', () => {
    const form = kassel();
    form.boards = [emptyBoard('workshop')];
    expect(buildEventRequest(form)).toMatchObject({ ok: false, problems: [{ key: 'event.create.problem.boards' }] });
    form.boards = Array.from({ length: 13 }, (_, n) => emptyBoard('workshop', `W${n}`));
    expect(buildEventRequest(form)).toMatchObject({ ok: false, problems: [{ key: 'event.create.problem.boards' }] });
  });

  it('falls back to the sector when the grouping attribute was removed', () => {
    const form = kassel();
    form.groupingAttribute = 'gone';
    expect(buildEventRequest(form)).toMatchObject({ ok: false, problems: [{ key: 'event.create.problem.grouping' }] });
    form.groupingAttribute = 'sector';
    expect(buildEventRequest(form)).toMatchObject({ ok: true, request: { grouping: { rule: 'equal', attribute: 'sector' } } });
  });
});

describe('attribute validation', () => {
  it('derives ids from the German labels, unique and in the alphabet of the contract', () => {
    const own = emptyAttribute();
    own.de = 'Größe der Kommune';
    own.values = [
      { key: 'a', de: 'Klein', en: '' },
      { key: 'b', de: 'Groß', en: 'Large' },
      { key: 'c', de: 'groß!', en: '' },
      { key: 'd', de: '', en: '' },
    ];
    const { attributes, problems } = buildAttributes([attributeRowOf(KASSEL_SIZE), own]);
    expect(attributes[1]).toEqual({
      id: 'groesse-der-kommune',
      label: { de: 'Größe der Kommune', en: 'Größe der Kommune' },
      values: [
        { id: 'klein', label: { de: 'Klein', en: 'Klein' } },
        { id: 'gross', label: { de: 'Groß', en: 'Large' } },
        { id: 'gross-2', label: { de: 'groß!', en: 'groß!' } },
      ],
    });
    expect(problems).toEqual([]);
  });

  it('refuses too few values, a value twice, a missing label and a fifth attribute', () => {
    const few = emptyAttribute();
    few.de = 'Region';
    few.values = [{ key: 'a', de: 'Nord', en: '' }];
    const twice = emptyAttribute();
    twice.de = 'Träger';
    twice.values = [
      { key: 'a', de: 'Kommune', en: '' },
      { key: 'b', de: 'kommune', en: '' },
    ];
    const nameless = emptyAttribute();
    nameless.values = [
      { key: 'a', de: 'Ja', en: '' },
      { key: 'b', de: 'Nein', en: '' },
    ];
    const { problems } = buildAttributes([few, twice, nameless, attributeRowOf(KASSEL_SIZE), attributeRowOf(KASSEL_SIZE)]);
    expect(problems.map((p) => p.key)).toEqual([
      'event.create.problem.attributes',
      'event.create.problem.values',
      'event.create.problem.valueTwice',
      'event.create.problem.attributeLabel',
    ]);
  });

  it('never takes the sector id, and ignores an untouched attribute', () => {
    expect(slugId('Sector', new Set(), 'a1')).toBe('sector-2');
    expect(slugId('مدينة', new Set(), 'a1')).toBe('a1');
    expect(slugId('x'.repeat(40), new Set(['x'.repeat(32)]), 'a1')).toMatch(/^x{30}-2$/);
    expect(buildAttributes([emptyAttribute()]).attributes).toEqual([]);
  });
});
