/**
 * The visual case map (Block 2): the person of the case in the middle, the
 * focal points of need around, and at each focal point who works there
 * (name, organisation, sector colour). Focal points that share people are
 * joined by a line whose width grows with the number shared: overlapping
 * work fields become visible. The same overlaps are listed as text below.
 *
 * Pure rendering of `selectCaseMap`; used by the presenter, the watch view
 * and the moderator.
 */
import { type CaseMap as CaseMapData, type Participant, SECTORS } from '../../board';
import { t, tn } from '../../i18n';
import { SectorTag } from '../../ui/components';

/**
 * The grid of the map: the case in the middle, the focal points in the
 * cells around it. As few columns and rows as hold `count` points (3×3
 * holds 8, 4×3 holds 10, 4×4 holds 12, …), so each focal point gets a
 * whole cell that grows with the people in it and nothing overlaps.
 */
export function mapGrid(count: number): { columns: number; rows: number } {
  let columns = 3;
  let rows = 3;
  while (2 * (columns + rows) - 4 < count) {
    if (columns > rows) rows++;
    else columns++;
  }
  return { columns, rows };
}

/** The border cells of the grid, clockwise from the top left corner. */
function ring({ columns, rows }: { columns: number; rows: number }): { column: number; row: number }[] {
  const cells: { column: number; row: number }[] = [];
  for (let column = 0; column < columns; column++) cells.push({ column, row: 0 });
  for (let row = 1; row < rows; row++) cells.push({ column: columns - 1, row });
  for (let column = columns - 2; column >= 0; column--) cells.push({ column, row: rows - 1 });
  for (let row = rows - 2; row > 0; row--) cells.push({ column: 0, row });
  return cells;
}

/**
 * The cell of focal point `index` of `count` (0-based column and row) and
 * its centre in percent of the map: spread evenly over the ring, clockwise
 * from the top (the focal points' `order`).
 */
export function mapPosition(index: number, count: number): { column: number; row: number; x: number; y: number } {
  const grid = mapGrid(count);
  const cells = ring(grid);
  const cell = cells[Math.floor((index * cells.length) / Math.max(1, count))] ?? cells[0] ?? { column: 0, row: 0 };
  return { ...cell, x: ((cell.column + 0.5) / grid.columns) * 100, y: ((cell.row + 0.5) / grid.rows) * 100 };
}

/** "1 Person" / "n Personen". */
export function peopleCount(n: number): string {
  return tn('caseMap.people', n);
}

/** How many people a focal point lists by name before "+n more". */
const SHOWN_PEOPLE = 8;

export function Person({ person }: { person: Participant }) {
  return (
    <li class={`person person-${person.sector}`}>
      <span class="person-name">{person.name}</span>
      {person.organisation && <span class="person-org">{person.organisation}</span>}
      <span class="sr-only">, {t(`sector.${person.sector}`)}</span>
    </li>
  );
}

export function SectorLegend() {
  return (
    <p class="sector-legend">
      <span class="sr-only">{t('caseMap.legend')}: </span>
      {SECTORS.map((sector) => (
        <span key={sector} class={`legend-item person-${sector}`}>
          {t(`sector.${sector}`)}
        </span>
      ))}
    </p>
  );
}

export function CaseMap({
  map,
  spotlight,
  heading: Heading = 'h2',
}: {
  map: CaseMapData;
  /** The focal point in the spotlight, highlighted on the map. */
  spotlight: string | null;
  heading?: 'h1' | 'h2';
}) {
  const { points, overlaps } = map;
  const grid = mapGrid(points.length);
  const position = new Map(points.map((p, i) => [p.focalPoint.id, mapPosition(i, points.length)]));
  const title = (id: string): string => points.find((p) => p.focalPoint.id === id)?.focalPoint.title ?? '';
  return (
    <section class="case-map-wrap" aria-labelledby={`case-${map.case.id}`}>
      {/* data-fit-box: on the projector the type shrinks until the grid fits the map (useFitToScreen). */}
      <div class="case-map" data-fit-box style={{ '--columns': grid.columns, '--rows': grid.rows }}>
        <svg class="case-map-lines" viewBox="0 0 100 100" preserveAspectRatio="none" aria-hidden="true">
          {points.map((p) => {
            const at = position.get(p.focalPoint.id) ?? { x: 50, y: 50 };
            return <line key={p.focalPoint.id} class="spoke" x1="50" y1="50" x2={at.x} y2={at.y} />;
          })}
          {overlaps.map((o) => {
            const a = position.get(o.a);
            const b = position.get(o.b);
            if (!a || !b) return null;
            return (
              <line
                key={`${o.a}:${o.b}`}
                class="overlap-line"
                x1={a.x}
                y1={a.y}
                x2={b.x}
                y2={b.y}
                style={{ strokeWidth: `${Math.min(6, 1 + o.people.length)}px` }}
              />
            );
          })}
        </svg>
        <div class="case-center">
          <Heading id={`case-${map.case.id}`} class="case-title">
            {map.case.title}
          </Heading>
          <span class="tag framework">{t(`framework.${map.case.framework}`)}</span>
          {map.case.story && <p class="case-story">{map.case.story}</p>}
        </div>
        <ul class="focal-points" aria-label={t('caseMap.focalPoints')}>
          {points.map(({ focalPoint, people, sectors }) => {
            const at = position.get(focalPoint.id) ?? { column: 0, row: 0 };
            const shared = sectors.length > 1;
            const inSpotlight = spotlight === focalPoint.id;
            return (
              <li
                key={focalPoint.id}
                class={`focal-point${inSpotlight ? ' in-spotlight' : ''}${shared ? ' shared' : ''}${people.length === 0 ? ' empty' : ''}`}
                style={{ gridColumn: at.column + 1, gridRow: at.row + 1 }}
                data-focal-point={focalPoint.id}
              >
                <h3 class="focal-title">
                  {focalPoint.title}
                  {inSpotlight && <span class="tag spotlight-tag">{t('caseMap.inSpotlight')}</span>}
                </h3>
                <p class="focal-count">
                  {peopleCount(people.length)}
                  {shared && <span class="overlap-badge"> · {tn('caseMap.sectors', sectors.length)}</span>}
                </p>
                {people.length > 0 && (
                  <ul class="people">
                    {people.slice(0, SHOWN_PEOPLE).map((person) => (
                      <Person key={person.id} person={person} />
                    ))}
                    {people.length > SHOWN_PEOPLE && <li class="more">{t('caseMap.more', { n: people.length - SHOWN_PEOPLE })}</li>}
                  </ul>
                )}
              </li>
            );
          })}
        </ul>
      </div>
      <SectorLegend />
      {overlaps.length > 0 && (
        <div class="overlaps">
          <h3>{t('caseMap.overlaps')}</h3>
          <ul>
            {overlaps.map((o) => (
              <li key={`${o.a}:${o.b}`}>
                <strong>
                  {title(o.a)} – {title(o.b)}
                </strong>
                : {o.people.map((p) => p.name).join(', ')}
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}

/** Sector tags of the people at a focal point (for compact lists). */
export function SectorTags({ people }: { people: Participant[] }) {
  const counts = new Map<string, number>();
  for (const p of people) counts.set(p.sector, (counts.get(p.sector) ?? 0) + 1);
  return (
    <>
      {SECTORS.filter((s) => counts.has(s)).map((sector) => (
        <SectorTag key={sector} sector={sector} count={counts.get(sector) ?? 0} />
      ))}
    </>
  );
}
