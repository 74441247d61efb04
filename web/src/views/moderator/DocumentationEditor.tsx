/**
 * The conference documentation for the moderator: downloads of the server's
 * exports in every format (docs/protocol.md, exports), with or without the
 * authors' names, and the city's handout the documentation ends with.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { type Board, HANDOUT_FIELDS, editHandout, selectHandout, selectMeta } from '../../board';
import { t } from '../../i18n';
import { type Api, ApiError, EXPORT_FORMATS, type ExportFormat, type Retention } from '../../sync/api';
import { formatDate } from '../../ui/components';
import { apiFailureText } from '../../ui/errors';
import { saveFile } from '../../ui/download';
import { InlineEdit } from '../shared/InlineEdit';

type ExportState =
  | { kind: 'idle' }
  | { kind: 'busy'; format: ExportFormat }
  | { kind: 'done'; fileName: string }
  | { kind: 'failed'; failure: unknown };

/** Translated at render time, so switching the language translates it too. */
function failureMessage(failure: unknown): string {
  if (failure instanceof ApiError) {
    if (failure.offline) return t('exports.offline');
    if (failure.status === 401 || failure.status === 403) return t('exports.denied');
    if (failure.status === 404) return t('exports.missing');
    if (failure.status >= 500) return t('exports.serverError', { status: failure.status });
  }
  return t('exports.failed', { reason: apiFailureText(failure) });
}

function ExportPanel({ api, boardId, token, title }: { api: Api; boardId: string; token: string; title: string }) {
  const [withoutAuthors, setWithoutAuthors] = useState(false);
  const [state, setState] = useState<ExportState>({ kind: 'idle' });
  // A second click before the re-render must not start a second download.
  const inFlight = useRef(false);
  const busy = state.kind === 'busy';

  const download = async (format: ExportFormat): Promise<void> => {
    if (inFlight.current) return;
    inFlight.current = true;
    setState({ kind: 'busy', format });
    try {
      const file = await api.exportBoard({ board: boardId, token, format, authors: !withoutAuthors, title });
      saveFile(file.blob, file.fileName);
      setState({ kind: 'done', fileName: file.fileName });
    } catch (failure) {
      setState({ kind: 'failed', failure });
    } finally {
      inFlight.current = false;
    }
  };

  return (
    <section class="panel exports" aria-labelledby="exports-heading" aria-busy={busy}>
      <h2 id="exports-heading">{t('exports.heading')}</h2>
      <p>{t('exports.intro')}</p>
      <div class="checkbox">
        <input
          id="exports-without-authors"
          type="checkbox"
          checked={withoutAuthors}
          aria-describedby="exports-without-authors-hint"
          onChange={(e) => setWithoutAuthors(e.currentTarget.checked)}
        />
        <label for="exports-without-authors">{t('exports.withoutAuthors')}</label>
      </div>
      <p id="exports-without-authors-hint" class="muted small">
        {t('exports.withoutAuthorsHint')}
      </p>
      {/* aria-disabled, not disabled: the clicked button keeps the keyboard focus. */}
      <div class="button-row" role="group" aria-label={t('exports.formats')}>
        {EXPORT_FORMATS.map((format) => (
          <button key={format} type="button" aria-disabled={busy ? 'true' : undefined} onClick={() => void download(format)}>
            {t(`exports.format.${format}`)}
          </button>
        ))}
      </div>
      <p class="small" role="status">
        {state.kind === 'busy' && t('exports.busy', { format: t(`exports.format.${state.format}`) })}
        {state.kind === 'done' && t('exports.done', { file: state.fileName })}
      </p>
      {state.kind === 'failed' && (
        <p class="error" role="alert">
          {failureMessage(state.failure)}
        </p>
      )}
    </section>
  );
}

function HandoutForm({ board }: { board: Board }) {
  const handout = selectHandout(board);
  return (
    <section class="editor-section handout-form" aria-labelledby="handout-heading">
      <h2 id="handout-heading">{t('handout.heading')}</h2>
      <p class="muted">{t('handout.intro')}</p>
      {HANDOUT_FIELDS.map((field) => (
        <div key={field} class="field">
          <label for={`handout-${field}`}>{t(`handout.${field}`)}</label>
          <InlineEdit
            id={`handout-${field}`}
            value={handout[field]}
            label={t(`handout.${field}`)}
            multiline
            allowEmpty
            rows={5}
            onCommit={(text) => editHandout(board, { [field]: text })}
          />
        </div>
      ))}
    </section>
  );
}

/**
 * When the conference is deleted by itself (the retention sweep): shown,
 * and the moderator chooses another day or goes back to the default.
 */
function RetentionForm({ api, boardId, token }: { api: Api; boardId: string; token: string }) {
  const [retention, setRetention] = useState<Retention | null>(null);
  const [day, setDay] = useState('');
  const [failure, setFailure] = useState<unknown>(null);
  const show = (next: Retention): void => {
    setRetention(next);
    setDay(next.deleteOn);
    setFailure(null);
  };
  useEffect(() => {
    api.retention(boardId, token).then(show, setFailure);
  }, [api, boardId, token]);
  const save = (deleteOn: string | null): void => {
    api.setRetention(boardId, token, deleteOn).then(show, setFailure);
  };
  return (
    <div class="retention">
      {retention && (
        <p>
          {t('retention.deleteOn', { date: formatDate(retention.deleteOn) })}{' '}
          {retention.chosen ? t('retention.chosen') : t('retention.default', { days: retention.retentionDays })}
        </p>
      )}
      <form
        class="field-row"
        onSubmit={(event) => {
          event.preventDefault();
          if (day) save(day);
        }}
      >
        <label for="retention-day">{t('retention.choose')}</label>
        <input id="retention-day" type="date" value={day} onInput={(event) => setDay(event.currentTarget.value)} />
        <button type="submit" disabled={!day}>
          {t('retention.save')}
        </button>
        {retention?.chosen && (
          <button type="button" onClick={() => save(null)}>
            {t('retention.reset')}
          </button>
        )}
      </form>
      {failure !== null && (
        <p class="error" role="alert">
          {t('retention.failed', { reason: apiFailureText(failure) })}
        </p>
      )}
    </div>
  );
}

/**
 * Deleting the conference now, for real (docs/protocol.md, `DELETE
 * /api/boards/{board}`): after a question, and once the documentation is
 * downloaded. Every device's connection closes; the page says it is gone.
 */
function DeletePanel({ api, boardId, token }: { api: Api; boardId: string; token: string }) {
  const [state, setState] = useState<{ kind: 'idle' | 'busy' | 'deleted' } | { kind: 'failed'; failure: unknown }>({ kind: 'idle' });
  const remove = async (): Promise<void> => {
    if (state.kind === 'busy' || !window.confirm(t('delete.confirm'))) return;
    setState({ kind: 'busy' });
    try {
      await api.deleteBoard(boardId, token);
      setState({ kind: 'deleted' });
    } catch (failure) {
      setState({ kind: 'failed', failure });
    }
  };
  return (
    <section class="editor-section delete-board" aria-labelledby="delete-heading">
      <h2 id="delete-heading">{t('delete.heading')}</h2>
      <RetentionForm api={api} boardId={boardId} token={token} />
      <p class="muted">{t('delete.intro')}</p>
      <button type="button" class="danger" disabled={state.kind === 'busy' || state.kind === 'deleted'} onClick={() => void remove()}>
        {t('delete.button')}
      </button>
      <p class="small" role="status">
        {state.kind === 'deleted' && t('delete.done')}
      </p>
      {state.kind === 'failed' && (
        <p class="error" role="alert">
          {t('delete.failed', { reason: apiFailureText(state.failure) })}
        </p>
      )}
    </section>
  );
}

export function DocumentationEditor({ board, boardId, token, api }: { board: Board; boardId: string; token: string; api: Api }) {
  return (
    <section class="editor" aria-label={t('moderator.tab.documentation')}>
      <ExportPanel api={api} boardId={boardId} token={token} title={selectMeta(board).title} />
      <HandoutForm board={board} />
      <DeletePanel api={api} boardId={boardId} token={token} />
    </section>
  );
}
