/**
 * A row of download buttons, one per format, with what is happening said
 * in words: the file being made, the file downloaded, or why it failed.
 * One download at a time (a second click before the re-render starts
 * none). The organiser's event page and a series' report use it.
 */
import { useRef, useState } from 'preact/hooks';
import { t, useLocale } from '../../i18n';
import type { ExportFile } from '../../sync/api';
import { saveFile } from '../../ui/download';
import { apiFailureText } from '../../ui/errors';

type State<F> = { kind: 'idle' } | { kind: 'busy'; format: F } | { kind: 'done'; file: string } | { kind: 'failed'; reason: string };

export function Downloads<F extends string>({
  formats,
  label,
  fetchFile,
}: {
  formats: readonly F[];
  label: (format: F) => string;
  fetchFile: (format: F) => Promise<ExportFile>;
}) {
  useLocale();
  const [state, setState] = useState<State<F>>({ kind: 'idle' });
  const inFlight = useRef(false);
  const download = async (format: F): Promise<void> => {
    if (inFlight.current) return;
    inFlight.current = true;
    setState({ kind: 'busy', format });
    try {
      const file = await fetchFile(format);
      saveFile(file.blob, file.fileName);
      setState({ kind: 'done', file: file.fileName });
    } catch (failure) {
      setState({ kind: 'failed', reason: apiFailureText(failure) });
    } finally {
      inFlight.current = false;
    }
  };
  return (
    <>
      {/* aria-disabled, not disabled: the clicked button keeps the keyboard focus. */}
      <div class="button-row" role="group" aria-label={t('exports.formats')}>
        {formats.map((format) => (
          <button key={format} type="button" aria-disabled={state.kind === 'busy' ? 'true' : undefined} onClick={() => void download(format)}>
            {label(format)}
          </button>
        ))}
      </div>
      <p class="small" role="status">
        {state.kind === 'busy' && t('exports.busy', { format: label(state.format) })}
        {state.kind === 'done' && t('exports.done', { file: state.file })}
      </p>
      {state.kind === 'failed' && (
        <p class="error" role="alert">
          {t('exports.failed', { reason: state.reason })}
        </p>
      )}
    </>
  );
}
