/**
 * Block 2 for the moderator: case examples (from the two templates or new),
 * their focal points, who placed themselves where, the spotlight on one
 * focal point at a time, and the notes per focal point in five categories.
 */
import { useState } from 'preact/hooks';
import {
  type Board,
  type Case,
  FRAMEWORKS,
  type Framework,
  LIMITS,
  NOTE_CATEGORIES,
  type NoteCategory,
  createCase,
  createCases,
  createFocalPoint,
  createNote,
  deleteCase,
  deleteFocalPoint,
  deleteNote,
  editNote,
  isFramework,
  isNoteCategory,
  moveCase,
  moveFocalPoint,
  renameFocalPoint,
  selectCaseMap,
  selectCases,
  selectFocalPoint,
  selectFocalPoints,
  selectMeta,
  selectNotesByCategory,
  selectPeopleByFocalPoint,
  setFocus,
  setPlacementsOpen,
  updateCase,
} from '../../board';
import { t } from '../../i18n';
import { CaseMap, SectorTags, peopleCount } from '../shared/CaseMap';
import { InlineEdit } from '../shared/InlineEdit';
import { EnumSelect } from '../../ui/EnumSelect';
import { caseTemplates } from './templates';

function FrameworkSelect(props: { value: Framework; onChange: (value: Framework) => void; id?: string; label?: string }) {
  return <EnumSelect options={FRAMEWORKS} isOption={isFramework} labelOf={(value) => t(`framework.${value}`)} {...props} />;
}

function NewCaseForm({ board, onCreated }: { board: Board; onCreated: (id: string) => void }) {
  const [title, setTitle] = useState('');
  const [framework, setFramework] = useState<Framework>('asylblg');
  return (
    <form
      class="inline-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (!title.trim()) return;
        onCreated(createCase(board, { title, framework, story: '' }));
        setTitle('');
      }}
    >
      <label for="new-case-title">{t('cases.newTitle')}</label>
      <input id="new-case-title" value={title} maxLength={LIMITS.title} onInput={(e) => setTitle(e.currentTarget.value)} />
      <label for="new-case-framework" class="sr-only">
        {t('cases.framework')}
      </label>
      <FrameworkSelect id="new-case-framework" value={framework} onChange={setFramework} />
      <button type="submit">{t('cases.add')}</button>
    </form>
  );
}

function NoteEditor({ board, focalPointId }: { board: Board; focalPointId: string }) {
  const [category, setCategory] = useState<NoteCategory>('legal');
  const [text, setText] = useState('');
  const notes = selectNotesByCategory(board, focalPointId);
  const title = selectFocalPoint(board, focalPointId)?.title ?? '';
  return (
    <section class="note-editor" aria-labelledby="notes-heading">
      <h3 id="notes-heading">{t('notes.heading', { title })}</h3>
      <form
        class="form"
        onSubmit={(e) => {
          e.preventDefault();
          if (!text.trim()) return;
          createNote(board, focalPointId, category, text);
          setText('');
        }}
      >
        <label for="note-category">{t('notes.category')}</label>
        <select
          id="note-category"
          value={category}
          onChange={(e) => {
            const next = e.currentTarget.value;
            if (isNoteCategory(next)) setCategory(next);
          }}
        >
          {NOTE_CATEGORIES.map((c) => (
            <option key={c} value={c}>
              {t(`noteCategory.${c}`)}
            </option>
          ))}
        </select>
        <label for="note-text">{t('notes.text')}</label>
        <textarea id="note-text" rows={2} maxLength={LIMITS.noteText} value={text} onInput={(e) => setText(e.currentTarget.value)} />
        <button type="submit" class="primary" disabled={!text.trim()}>
          {t('notes.add')}
        </button>
      </form>
      {NOTE_CATEGORIES.map((c) => {
        const list = notes.get(c) ?? [];
        return (
          <section key={c} class={`note-group note-${c}`} aria-label={t(`noteCategory.${c}`)}>
            <h4>{t(`noteCategory.${c}`)}</h4>
            {list.length === 0 && <p class="muted small">{t('notes.empty')}</p>}
            <ul class="note-list">
              {list.map((note) => (
                <li key={note.id} class="note-row">
                  <InlineEdit value={note.text} label={t('notes.edit')} multiline maxLength={LIMITS.noteText} onCommit={(next) => editNote(board, note.id, { text: next })} />
                  <button type="button" class="icon-button danger" aria-label={t('notes.delete')} title={t('notes.delete')} onClick={() => deleteNote(board, note.id)}>
                    <span aria-hidden="true">✕</span>
                  </button>
                </li>
              ))}
            </ul>
          </section>
        );
      })}
    </section>
  );
}

function CaseDetail({ board, found }: { board: Board; found: Case }) {
  const meta = selectMeta(board);
  const [newPoint, setNewPoint] = useState('');
  const [noteTarget, setNoteTarget] = useState<string | null>(null);
  const points = selectFocalPoints(board, found.id);
  const people = selectPeopleByFocalPoint(board);
  const spotlight = meta.focus.kind === 'focal' ? meta.focus.id : null;
  const mapOnScreen = meta.focus.kind === 'case' && meta.focus.id === found.id;
  // Notes go to the chosen focal point, else the one in the spotlight, else the first.
  const notesFor = [noteTarget, spotlight, points[0]?.id].find((id) => id != null && points.some((p) => p.id === id)) ?? null;
  const map = selectCaseMap(board, found.id);
  return (
    <div class="case-detail">
      <div class="case-column">
        <div class="case-fields">
          <InlineEdit value={found.title} label={t('cases.title')} maxLength={LIMITS.title} onCommit={(title) => updateCase(board, found.id, { title })} />
          <FrameworkSelect label={t('cases.framework')} value={found.framework} onChange={(framework) => updateCase(board, found.id, { framework })} />
          <InlineEdit
            value={found.story}
            label={t('cases.story')}
            placeholder={t('cases.story')}
            multiline
            allowEmpty
            maxLength={LIMITS.story}
            onCommit={(story) => updateCase(board, found.id, { story })}
          />
          <div class="button-row">
            <button type="button" class={mapOnScreen ? '' : 'primary'} aria-pressed={mapOnScreen} onClick={() => setFocus(board, { kind: 'case', id: found.id })}>
              {t('cases.showMap')}
            </button>
            <button type="button" aria-label={t('cases.up', { title: found.title })} onClick={() => moveCase(board, found.id, -1)}>
              ↑
            </button>
            <button type="button" aria-label={t('cases.down', { title: found.title })} onClick={() => moveCase(board, found.id, 1)}>
              ↓
            </button>
            <button type="button" class="danger" onClick={() => deleteCase(board, found.id)}>
              {t('cases.delete')}
            </button>
          </div>
        </div>
        {notesFor !== null && <NoteEditor board={board} focalPointId={notesFor} />}
      </div>

      <section class="focal-editor" aria-labelledby="focal-heading">
        <h3 id="focal-heading">{t('cases.focalPoints')}</h3>
        <ul class="focal-rows">
          {points.map((fp, index) => {
            const here = people.get(fp.id) ?? [];
            const lit = spotlight === fp.id;
            return (
              <li key={fp.id} class={`focal-row${lit ? ' in-spotlight' : ''}`} data-focal-row={fp.title}>
                <InlineEdit value={fp.title} label={t('cases.focalTitle', { n: index + 1 })} maxLength={LIMITS.title} onCommit={(title) => renameFocalPoint(board, fp.id, title)} />
                <span class="focal-actions">
                  <button
                    type="button"
                    class={lit ? '' : 'primary'}
                    aria-pressed={lit}
                    onClick={() => {
                      setNoteTarget(null);
                      setFocus(board, lit ? { kind: 'case', id: found.id } : { kind: 'focal', id: fp.id });
                    }}
                  >
                    {lit ? t('cases.inSpotlight') : t('cases.spotlight')}
                    <span class="sr-only">: {fp.title}</span>
                  </button>
                  <button type="button" class="icon-button" aria-label={t('cases.notesOf', { title: fp.title })} aria-pressed={notesFor === fp.id} onClick={() => setNoteTarget(fp.id)}>
                    <span aria-hidden="true">✎</span>
                  </button>
                  <button type="button" class="icon-button" disabled={index === 0} aria-label={t('cases.up', { title: fp.title })} onClick={() => moveFocalPoint(board, fp.id, -1)}>
                    <span aria-hidden="true">↑</span>
                  </button>
                  <button
                    type="button"
                    class="icon-button"
                    disabled={index === points.length - 1}
                    aria-label={t('cases.down', { title: fp.title })}
                    onClick={() => moveFocalPoint(board, fp.id, 1)}
                  >
                    <span aria-hidden="true">↓</span>
                  </button>
                  <button type="button" class="icon-button danger" aria-label={t('cases.deleteFocal', { title: fp.title })} onClick={() => deleteFocalPoint(board, fp.id)}>
                    <span aria-hidden="true">✕</span>
                  </button>
                </span>
                <span class="focal-people">
                  {peopleCount(here.length)}
                  {here.length > 0 && `: ${here.map((p) => p.name).join(', ')}`} <SectorTags people={here} />
                </span>
              </li>
            );
          })}
        </ul>
        <form
          class="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (!newPoint.trim()) return;
            createFocalPoint(board, found.id, newPoint);
            setNewPoint('');
          }}
        >
          <label for="new-focal">{t('cases.newFocal')}</label>
          <input id="new-focal" value={newPoint} maxLength={LIMITS.title} onInput={(e) => setNewPoint(e.currentTarget.value)} />
          <button type="submit">{t('cases.addFocal')}</button>
        </form>
      </section>

      {map && <CaseMap map={map} spotlight={spotlight} />}
    </div>
  );
}

export function CasesEditor({ board }: { board: Board }) {
  const meta = selectMeta(board);
  const cases = selectCases(board);
  const [chosen, setChosen] = useState<string | null>(null);
  // Show the chosen case, else the one on screen, else the first.
  const onScreen =
    meta.focus.kind === 'case' ? meta.focus.id : meta.focus.kind === 'focal' ? (selectFocalPoint(board, meta.focus.id)?.case ?? null) : null;
  const current = cases.find((c) => c.id === chosen) ?? cases.find((c) => c.id === onScreen) ?? cases[0];
  return (
    <section class="editor" aria-labelledby="cases-heading">
      <div class="editor-toolbar">
        <h2 id="cases-heading">{t('cases.heading')}</h2>
        <button type="button" onClick={() => setChosen(createCases(board, caseTemplates(selectMeta(board).locale))[0] ?? null)}>
          {t('cases.templates')}
        </button>
        <p class="lock-line">
          {t('run.lock.cases')}: <strong>{meta.placementsOpen ? t('run.open') : t('run.closed')}</strong>{' '}
          <button type="button" onClick={() => setPlacementsOpen(board, !meta.placementsOpen)}>
            {meta.placementsOpen ? t('run.close.cases') : t('run.open.cases')}
          </button>
        </p>
      </div>
      <NewCaseForm board={board} onCreated={setChosen} />
      {cases.length === 0 && <p class="muted">{t('cases.none')}</p>}
      {cases.length > 0 && (
        <div class="segmented case-tabs" role="group" aria-label={t('cases.choose')}>
          {cases.map((c) => (
            <button key={c.id} type="button" aria-pressed={c.id === current?.id} onClick={() => setChosen(c.id)}>
              {c.title}
            </button>
          ))}
        </div>
      )}
      {current && <CaseDetail key={current.id} board={board} found={current} />}
    </section>
  );
}
