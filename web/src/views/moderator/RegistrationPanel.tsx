/**
 * Registration before the day: the participant list from a spreadsheet
 * (CSV file or pasted), checked row by row, registered on the server
 * (each person gets a personal code) and written into the board, so groups
 * can be planned; then the printed material with a page per person.
 */
import { useRef, useState } from 'preact/hooks';
import { type Board, setProfile } from '../../board';
import { t, tn, useLocale } from '../../i18n';
import type { Api } from '../../sync/api';
import { saveFile } from '../../ui/download';
import { apiFailureText } from '../../ui/errors';
import { type ParsedList, parsePeople } from './registration';

type State =
  | { kind: 'idle' }
  | { kind: 'busy' }
  | { kind: 'done'; count: number }
  | { kind: 'failed'; reason: string };

export function RegistrationPanel({ board, boardId, token, api }: { board: Board; boardId: string; token: string; api: Api }) {
  useLocale();
  const [list, setList] = useState<ParsedList | null>(null);
  const [text, setText] = useState('');
  const [state, setState] = useState<State>({ kind: 'idle' });
  const [material, setMaterial] = useState<State>({ kind: 'idle' });
  const inFlight = useRef(false);

  const read = (value: string): void => {
    setText(value);
    setState({ kind: 'idle' });
    setList(value.trim().length > 0 ? parsePeople(value) : null);
  };

  const readFile = (input: HTMLInputElement): void => {
    const file = input.files?.[0];
    if (!file) return;
    void file.text().then(read);
  };

  const register = async (): Promise<void> => {
    if (!list || list.people.length === 0 || list.errors.length > 0 || inFlight.current) return;
    inFlight.current = true;
    setState({ kind: 'busy' });
    try {
      const registered = await api.registerParticipants(boardId, token, list.people);
      // Into the board as well: the groups panel lists them for planning.
      registered.forEach((person, index) => {
        const row = list.people[index];
        if (row) setProfile(board, person.participant_id, { name: row.name, organisation: row.organisation, sector: row.sector });
      });
      setState({ kind: 'done', count: registered.length });
      setList(null);
      setText('');
    } catch (failure) {
      setState({ kind: 'failed', reason: apiFailureText(failure) });
    } finally {
      inFlight.current = false;
    }
  };

  const download = async (): Promise<void> => {
    if (material.kind === 'busy') return;
    setMaterial({ kind: 'busy' });
    try {
      const file = await api.material(boardId, token);
      saveFile(file.blob, file.fileName);
      setMaterial({ kind: 'done', count: 0 });
    } catch (failure) {
      setMaterial({ kind: 'failed', reason: apiFailureText(failure) });
    }
  };

  const missing = list?.missingColumns.map((column) => t(column === 'name' ? 'registration.columnName' : 'registration.columnSector')) ?? [];
  const ready = list !== null && list.errors.length === 0 && missing.length === 0 && list.people.length > 0;
  return (
    <section class="editor-section registration" aria-labelledby="registration-heading">
      <h2 id="registration-heading">{t('registration.heading')}</h2>
      <p class="muted">{t('registration.hint')}</p>
      <div class="field">
        <label for="registration-file">{t('registration.file')}</label>
        <input id="registration-file" type="file" accept=".csv,text/csv,text/plain" onChange={(e) => readFile(e.currentTarget)} />
      </div>
      <div class="field">
        <label for="registration-text">{t('registration.paste')}</label>
        <textarea id="registration-text" rows={4} value={text} onInput={(e) => read(e.currentTarget.value)} />
      </div>
      {missing.length > 0 && (
        <p class="error" role="alert">
          {t('registration.missingColumns', { columns: missing.join(', ') })}
        </p>
      )}
      {list !== null && list.errors.length > 0 && (
        <div role="alert">
          <ul class="error">
            {list.errors.map((error) => (
              <li key={error.line}>{t(error.key, { line: error.line, value: error.value })}</li>
            ))}
          </ul>
          <p class="error">{t('registration.fixFirst')}</p>
        </div>
      )}
      <div class="button-row">
        <button type="button" class="primary" disabled={!ready || state.kind === 'busy'} onClick={() => void register()}>
          {tn('registration.submit', list?.people.length ?? 0)}
        </button>
        <button type="button" aria-disabled={material.kind === 'busy' ? 'true' : undefined} onClick={() => void download()}>
          {t('registration.material')}
        </button>
      </div>
      <p class="muted small">{t('registration.materialHint')}</p>
      <p class="small" role="status">
        {state.kind === 'done' && tn('registration.done', state.count)}
      </p>
      {state.kind === 'failed' && (
        <p class="error" role="alert">
          {t('registration.error', { reason: state.reason })}
        </p>
      )}
      {material.kind === 'failed' && (
        <p class="error" role="alert">
          {t('registration.error', { reason: material.reason })}
        </p>
      )}
    </section>
  );
}
