/**
 * "Meine Daten" on the phone (docs/protocol.md, "Erasing a person"): the
 * person downloads everything the server holds about them on this board
 * (`GET …/participants/{id}/data`), withdraws their consent to the contact
 * list (`DELETE …/contact`: their contact data go at once), or erases
 * themself (`DELETE …/participants/{id}`), keeping their cards without
 * their name or not. After an erasure `onErased` makes the device forget
 * the board.
 */
import { useState } from 'preact/hooks';
import { t } from '../../i18n';
import { Api } from '../../sync/api';
import { saveFile } from '../../ui/download';
import { apiFailureText } from '../../ui/errors';
import { ErasureChoice } from '../../ui/ErasureChoice';

type Action = { kind: 'idle' | 'busy' | 'done' } | { kind: 'failed'; failure: unknown };

function useAction(): [Action, (work: () => Promise<void>) => void] {
  const [state, setState] = useState<Action>({ kind: 'idle' });
  const run = (work: () => Promise<void>): void => {
    if (state.kind === 'busy') return;
    setState({ kind: 'busy' });
    work().then(
      () => setState({ kind: 'done' }),
      (failure: unknown) => setState({ kind: 'failed', failure }),
    );
  };
  return [state, run];
}

export function MyData({
  boardId,
  participantId,
  token,
  api = new Api(),
  onErased,
}: {
  boardId: string;
  participantId: string;
  token: string;
  api?: Api;
  /** Called once the server erased the person; without it the phone does not offer the erasure. */
  onErased?: () => void;
}) {
  const [download, runDownload] = useAction();
  const [consent, runConsent] = useAction();
  const [erasure, runErasure] = useAction();
  const [asking, setAsking] = useState(false);
  return (
    <details class="panel my-data">
      <summary>{t('myData.heading')}</summary>
      <p class="small">{t('myData.intro')}</p>
      <button
        type="button"
        disabled={download.kind === 'busy'}
        onClick={() =>
          runDownload(async () => {
            const file = await api.personalData(boardId, participantId, token);
            saveFile(file.blob, file.fileName);
          })
        }
      >
        {t('myData.download')}
      </button>
      <p class="small" role="status">
        {download.kind === 'done' && t('myData.done')}
      </p>
      {download.kind === 'failed' && (
        <p class="error" role="alert">
          {t('myData.failed', { reason: apiFailureText(download.failure) })}
        </p>
      )}

      <h3>{t('myData.consentHeading')}</h3>
      <p class="small">{t('myData.consentIntro')}</p>
      <button
        type="button"
        disabled={consent.kind === 'busy' || consent.kind === 'done'}
        onClick={() => {
          if (window.confirm(t('myData.withdrawConfirm'))) runConsent(() => api.withdrawContactConsent(boardId, token, participantId));
        }}
      >
        {t('myData.withdraw')}
      </button>
      <p class="small" role="status">
        {consent.kind === 'done' && t('myData.withdrawn')}
      </p>
      {consent.kind === 'failed' && (
        <p class="error" role="alert">
          {t('myData.withdrawFailed', { reason: apiFailureText(consent.failure) })}
        </p>
      )}

      {onErased && (
        <>
          <h3>{t('myData.eraseHeading')}</h3>
          <p class="small">{t('myData.eraseIntro')}</p>
          {asking ? (
            <ErasureChoice
              own
              busy={erasure.kind === 'busy'}
              onCancel={() => setAsking(false)}
              onConfirm={(keepCards) =>
                runErasure(async () => {
                  await api.eraseParticipant(boardId, token, participantId, { keepCards });
                  onErased();
                })
              }
            />
          ) : (
            <button type="button" class="danger" onClick={() => setAsking(true)}>
              {t('myData.erase')}
            </button>
          )}
          {erasure.kind === 'failed' && (
            <p class="error" role="alert">
              {t('myData.eraseFailed', { reason: apiFailureText(erasure.failure) })}
            </p>
          )}
        </>
      )}
    </details>
  );
}
