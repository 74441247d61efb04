/**
 * The phone in Block 2: the person places themselves on every focal point
 * they work on (checkboxes, several at once) and follows the moderator's
 * spotlight: the focal point being discussed, who is there and the notes.
 */
import {
  type Board,
  type Case,
  selectCases,
  selectFocalPoint,
  selectFocalPoints,
  selectMeta,
  selectOwnPlacements,
  selectPeopleByFocalPoint,
  setPlacement,
} from '../../board';
import { t } from '../../i18n';
import { FocalSpotlight } from '../shared/Block23';
import { peopleCount } from '../shared/CaseMap';

function orderedCases(cases: Case[], first: string | null): Case[] {
  if (first === null) return cases;
  return [...cases.filter((c) => c.id === first), ...cases.filter((c) => c.id !== first)];
}

export function CasesScreen({ board, participantId }: { board: Board; participantId: string }) {
  const meta = selectMeta(board);
  const own = selectOwnPlacements(board, participantId);
  const people = selectPeopleByFocalPoint(board);
  const spotlight = meta.focus.kind === 'focal' ? selectFocalPoint(board, meta.focus.id) : null;
  const onScreen = meta.focus.kind === 'case' ? meta.focus.id : (spotlight?.case ?? null);
  const cases = orderedCases(selectCases(board), onScreen);
  return (
    <>
      {spotlight && (
        <div class="panel spotlight-panel">
          <FocalSpotlight board={board} focalPointId={spotlight.id} />
        </div>
      )}
      <section class="panel" aria-labelledby="place-heading">
        <h2 id="place-heading">{t('participant.placeHeading')}</h2>
        <p class="small">{t('participant.placeHint')}</p>
        {!meta.placementsOpen && <p class="banner">{t('participant.placementsClosed')}</p>}
        {cases.length === 0 && <p class="muted">{t('participant.noCases')}</p>}
        {cases.map((c) => (
          <fieldset key={c.id} class="focal-choice">
            <legend>
              {c.title}
              {c.id === onScreen && <span class="tag on-screen-tag">{t('participant.onScreen')}</span>}
            </legend>
            {c.story ? (
              <details class="case-story-details">
                <summary>
                  {t(`framework.${c.framework}`)} · {t('participant.story')}
                </summary>
                <p class="small">{c.story}</p>
              </details>
            ) : (
              <p class="small muted">{t(`framework.${c.framework}`)}</p>
            )}
            {selectFocalPoints(board, c.id).map((fp) => {
              const count = people.get(fp.id)?.length ?? 0;
              return (
                <label key={fp.id} class={`focal-option${spotlight?.id === fp.id ? ' in-spotlight' : ''}`}>
                  <input
                    type="checkbox"
                    checked={own.has(fp.id)}
                    disabled={!meta.placementsOpen}
                    onChange={(e) => setPlacement(board, participantId, fp.id, e.currentTarget.checked)}
                  />
                  <span class="focal-option-title">{fp.title}</span>
                  <span class="focal-option-count">{peopleCount(count)}</span>
                  {spotlight?.id === fp.id && <span class="tag spotlight-tag">{t('caseMap.inSpotlight')}</span>}
                </label>
              );
            })}
          </fieldset>
        ))}
      </section>
    </>
  );
}
