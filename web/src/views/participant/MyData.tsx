/**
 * "Meine Daten" on the phone: the person downloads everything the server
 * holds about them on this board (docs/protocol.md, `GET
 * /api/boards/{board}/participants/{id}/data`), as a JSON file to keep.
 */
import { useState } from 'preact/hooks';
import { t } from '../../i18n';
import { Api } from '../../sync/api';
import { saveFile } from '../../ui/download';
import { apiFailureText } from '../../ui/errors';

export function MyData({ boardId, participantId, token, api = new Api() }: { boardId: string; participantId: string; token: string; api?: Api }) {
  const [state, setState] = useState<{ kind: 'idle' | 'busy' | 'done' } | { kind: 'failed'; failure: unknown }>({ kind: 'idle' });
  const download = async (): Promise<void> => {
    if (state.kind === 'busy') return;
    setState({ kind: 'busy' });
    try {
      const file = await api.personalData(boardId, participantId, token);
      saveFile(file.blob, file.fileName);
      setState({ kind: 'done' });
    } catch (failure) {
      setState({ kind: 'failed', failure });
    }
  };
  return (
    <details class="panel my-data">
      <summary>{t('myData.heading')}</summary>
      <p class="small">{t('myData.intro')}</p>
      <button type="button" disabled={state.kind === 'busy'} onClick={() => void download()}>
        {t('myData.download')}
      </button>
      <p class="small" role="status">
        {state.kind === 'done' && t('myData.done')}
      </p>
      {state.kind === 'failed' && (
        <p class="error" role="alert">
          {t('myData.failed', { reason: apiFailureText(state.failure) })}
        </p>
      )}
    </details>
  );
}
