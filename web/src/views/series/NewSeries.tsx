/**
 * The start page's offer of a series (issue 15): a title, then the
 * organiser's series page with its token in the fragment
 * (`POST /api/series`, docs/protocol.md "Series").
 */
import { useState } from 'preact/hooks';
import { LIMITS } from '../../board/schema';
import { locale, t, useLocale } from '../../i18n';
import type { Credentials } from '../../sync/credentials';
import type { SeriesApi } from '../../sync/series-api';
import { apiFailureText } from '../../ui/errors';

export function NewSeries({ api, credentials }: { api: SeriesApi; credentials: Credentials }) {
  useLocale();
  const [title, setTitle] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      const created = await api.create(title.trim(), locale.get());
      credentials.saveSeriesToken(created.series, created.organiser_token);
      location.assign(created.organiser_url);
    } catch (failure) {
      setBusy(false);
      setError(t('series.create.failed', { reason: apiFailureText(failure) }));
    }
  };
  return (
    <form class="panel form" aria-labelledby="new-series-heading" onSubmit={(e) => void submit(e)}>
      <h2 id="new-series-heading">{t('series.create.heading')}</h2>
      <p class="muted">{t('series.create.offer')}</p>
      <label for="new-series-title">{t('series.create.title')}</label>
      <input id="new-series-title" required maxLength={LIMITS.title} value={title} onInput={(e) => setTitle(e.currentTarget.value)} />
      {error !== null && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" disabled={busy}>
        {t('series.create.button')}
      </button>
    </form>
  );
}
